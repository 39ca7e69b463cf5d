import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMl1 } from './pipeline';

const out = mkdtempSync(join(tmpdir(), 'ml1-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// Tiny budget: the wiring, not the learning (the README's run is the learning result).
const tiny = {
  out,
  tasks: 2,
  streams: 2,
  stepsPerStream: 200,
  nTransit: 20,
  idtTransit: 20,
  methods: ['ad', 'dicp-ad', 'idt', 'dicp-idt'],
  updates: 4,
  model: { nLayer: 1, nEmbd: 16, nHead: 2, nInner: 32 },
  episodes: 2,
  testTasks: 3,
  workers: 0,
} as const;

describe('Meta-World ML1 Reach, tiny budget', () => {
  it('collects PPO histories, trains AD, DICP-AD, IDT and DICP-IDT, and scores cumulative success on test variations', {
    timeout: 300_000,
  }, async () => {
    const r = await runMl1(tiny);
    expect(r.transitions).toBe(2 * 2 * 200);
    expect(Object.keys(r.trainS)).toEqual(['ad', 'dicp-ad', 'idt', 'dicp-idt']);
    expect(Object.keys(r.evals)).toEqual([
      'ad',
      'dicp-ad',
      'dicp-ad+greedy',
      'idt',
      'dicp-idt',
      'dicp-idt+greedy',
      'random',
      'expert',
    ]);
    expect(r.sourceReturns).toHaveLength(2); // 200 steps per stream = 2 episodes of 100
    for (const ev of Object.values(r.evals)) {
      expect(ev.tasks).toHaveLength(3);
      const cs = ev.cumulativeSuccess!;
      expect(cs).toHaveLength(2);
      expect(cs[1]!).toBeGreaterThanOrEqual(cs[0]!); // cumulative: never falls
    }
    // Meta-World's scripted expert solves every Reach variation in its first episode; a random arm rarely does.
    expect(r.evals.expert!.cumulativeSuccess).toEqual([1, 1]);
    expect(r.evals.random!.mean[0]!).toBeLessThan(r.evals.expert!.mean[0]! / 2);

    // A rerun finds the histories, the checkpoints and the evaluations complete: nothing is run again (an
    // evaluation run again would measure another wall time).
    expect(existsSync(join(out, 'dicp-idt', 'eval-greedy.json'))).toBe(true);
    const again = await runMl1(tiny);
    expect(again.transitions).toBe(0);
    expect(again.evals).toEqual(r.evals);
    expect(again.evals.ad!.wallSeconds).toBe(r.evals.ad!.wallSeconds);

    // A damaged results file is named, not silently replaced or half-read.
    writeFileSync(join(out, 'random.eval.json'), '{"agent": "rand');
    await expect(runMl1(tiny)).rejects.toThrow(/random\.eval\.json is not a saved evaluation .*delete it/);
    writeFileSync(join(out, 'random.eval.json'), '{"format": "something else"}');
    await expect(runMl1(tiny)).rejects.toThrow(
      /random\.eval\.json is not a saved evaluation \(no returns in it\)/,
    );
  });

  it('collects AD-epsilon histories that go from a random arm to the scripted expert', {
    timeout: 300_000,
  }, async () => {
    const r = await runMl1({
      ...tiny,
      out: join(out, 'ad-epsilon'),
      source: 'ad-epsilon',
      stepsPerStream: 400, // 4 episodes: epsilon 1 -> 0 by step 360
      methods: ['ad'],
      testTasks: 2,
    });
    expect(r.transitions).toBe(2 * 2 * 400);
    const [first, , , last] = r.sourceReturns;
    // A random arm scores ~150 on Reach, the expert ~800 (evals below): the last episode must be near the expert.
    expect(last!).toBeGreaterThan(0.7 * r.evals.expert!.mean[0]!);
    expect(first!).toBeLessThan(0.5 * last!);
    expect(Object.keys(r.evals)).toEqual(['ad', 'random', 'expert']);
  });
});
