import { describe, expect, it } from 'vitest';
import { toyFamily } from '../test/toy-env';
import type { InContextAgent, VecTransition } from './agent';
import { evaluate } from './evaluate';
import { RandomAgent } from './random-agent';

/** Pulls lever 0 until it has seen lever 1 pay, then always pulls 1: it learns in context within one episode. */
class TryThenExploit implements InContextAgent {
  readonly name = 'try-then-exploit';
  private learned = new Uint8Array(0);
  private actions = new Int32Array(0);
  private step = 0;
  reset(numEnvs: number) {
    this.learned = new Uint8Array(numEnvs);
    this.actions = new Int32Array(numEnvs);
    this.step = 0;
  }
  act() {
    // explore lever 1 on every 3rd step until it has paid once
    for (let i = 0; i < this.actions.length; i++)
      this.actions[i] = this.learned[i] || this.step % 3 === 2 ? 1 : 0;
    this.step++;
    return this.actions;
  }
  observe(t: VecTransition) {
    for (let i = 0; i < this.learned.length; i++) if (t.rewards[i]! > 0) this.learned[i] = 1;
  }
}

describe('evaluate', () => {
  it('runs all tasks in parallel and reports per-run returns, the curve and its CI', async () => {
    const family = toyFamily(4, 5);
    const tasks = family.split().test;
    const result = await evaluate(new TryThenExploit(), family, tasks, {
      episodes: 3,
      runsPerTask: 2,
      seed: 3,
    });
    expect(result.tasks).toEqual([2, 3]);
    expect(result.returns).toHaveLength(4);
    expect(result.returns[0]).toHaveLength(3);
    expect(result.envSteps).toBe(4 * 5 * 3);
    expect(result.maxReturn).toBe(5);
    // episode 1 pays on 3 of its 5 steps (payout 0.5 or 1), later episodes on all 5: in-context improvement
    for (const run of result.returns) {
      expect([1.5, 3]).toContain(run[0]);
      expect([2.5, 5]).toContain(run[2]);
    }
    expect(result.ci95).toHaveLength(3);
    expect(JSON.parse(JSON.stringify(result)).agent).toBe('try-then-exploit');
  });

  it('reports per-episode and cumulative success for envs that define success (Meta-World style)', async () => {
    const family = toyFamily(4, 5);
    // Success: every step of the episode paid 1 (lever 1 pulled throughout, at payout 1).
    const withSuccess: typeof family = {
      ...family,
      make(tasks, options) {
        const env = family.make(tasks, options);
        const running = new Float64Array(env.numEnvs);
        const episodeSuccess = new Uint8Array(env.numEnvs);
        return {
          numEnvs: env.numEnvs,
          tasks: env.tasks,
          observationSpace: env.observationSpace,
          actionSpace: env.actionSpace,
          obsSize: env.obsSize,
          horizon: env.horizon,
          autoReset: env.autoReset,
          reset: (o) => env.reset(o),
          close: () => env.close(),
          step(actions: ArrayLike<number>) {
            const r = env.step(actions);
            for (let i = 0; i < env.numEnvs; i++) {
              running[i]! += r.rewards[i]!;
              episodeSuccess[i] = running[i] === env.horizon ? 1 : 0;
              if (r.terminated[i] || r.truncated[i]) running[i] = 0;
            }
            return r;
          },
          episodeSuccesses: () => episodeSuccess,
        };
      },
    };
    const opts = { episodes: 4, runsPerTask: 3, seed: 1 };
    const result = await evaluate(new TryThenExploit(), withSuccess, withSuccess.split().test, opts);
    expect(result.successes).toHaveLength(6);
    let anySoFar = result.returns.map(() => 0);
    for (let e = 0; e < 4; e++) {
      anySoFar = anySoFar.map((a, r) => a | (result.returns[r]![e] === 5 ? 1 : 0));
      for (let r = 0; r < 6; r++) expect(result.successes![r]![e]).toBe(result.returns[r]![e] === 5 ? 1 : 0);
      expect(result.cumulativeSuccess![e]).toBeCloseTo(anySoFar.reduce((a, b) => a + b, 0) / 6, 12);
    }
    expect(result.cumulativeSuccess![0]).toBe(0); // the first episode explores lever 0
    expect(result.cumulativeSuccess![3]).toBeGreaterThan(0);
    const plain = await evaluate(new TryThenExploit(), family, family.split().test, opts);
    expect(plain.successes).toBeUndefined();
    expect(plain.cumulativeSuccess).toBeUndefined();
  });

  it('builds the agent from a factory when it needs the env', async () => {
    const family = toyFamily(3, 4);
    let seenEnvs = 0;
    const result = await evaluate(
      (env) => {
        seenEnvs = env.numEnvs;
        return new TryThenExploit();
      },
      family,
      family.tasks(),
      { episodes: 1 },
    );
    expect(seenEnvs).toBe(3);
    expect(result.agent).toBe('try-then-exploit');
  });

  it('is reproducible for a seed', async () => {
    const family = toyFamily();
    const run = () =>
      evaluate(new RandomAgent(family.actionSpace), family, family.tasks(), { episodes: 2, seed: 9 });
    expect((await run()).returns).toEqual((await run()).returns);
  });

  it('validates its options', async () => {
    const family = toyFamily();
    const agent = new RandomAgent(family.actionSpace);
    await expect(evaluate(agent, family, [], { episodes: 1 })).rejects.toThrow(/Invalid tasks/);
    await expect(evaluate(agent, family, family.tasks(), { episodes: 1, runsPerTask: 0 })).rejects.toThrow(
      'Invalid runsPerTask: got 0; expected an integer >= 1.',
    );
  });
});
