import { describe, expect, it } from 'vitest';
import { ToyEnv } from '../test/toy-env';
import type { InContextAgent, VecTransition } from './agent';
import { RandomAgent } from './random-agent';
import { rollout } from './rollout';

/** Always pulls the paying lever, and records what it was shown. */
class GreedyRecorder implements InContextAgent {
  readonly name = 'greedy';
  seen: { obs: number[]; nextObs: number[]; truncated: number[] }[] = [];
  private actions = new Int32Array(0);
  reset(numEnvs: number) {
    this.actions = new Int32Array(numEnvs).fill(1);
    this.seen = [];
  }
  act() {
    return this.actions;
  }
  observe(t: VecTransition) {
    this.seen.push({
      obs: Array.from(t.obs),
      nextObs: Array.from(t.nextObs),
      truncated: Array.from(t.truncated),
    });
  }
}

describe('rollout', () => {
  for (const mode of ['disabled', 'same-step'] as const) {
    it(`plays consecutive episodes and scores them ('${mode}')`, async () => {
      const env = new ToyEnv(4, 5, mode);
      const agent = new GreedyRecorder();
      const result = await rollout(env, agent, { episodes: 3, seed: 7 });
      expect(result.returns.length).toBe(12);
      expect(result.envSteps).toBe(4 * 5 * 3);
      // every return is horizon x payout, and payout is 0.5 or 1
      for (const r of result.returns) expect([2.5, 5]).toContain(r);
      // the agent sees the true last observation (5), never the reset observation, as nextObs at episode ends
      const ends = agent.seen.filter((s) => s.truncated[0] === 1);
      expect(ends).toHaveLength(3);
      for (const s of ends) expect(s.nextObs).toEqual([5, 5, 5, 5]);
      // and the episode after an end starts from the reset observation
      expect(agent.seen[5]!.obs).toEqual([0, 0, 0, 0]);
    });
  }

  it('is reproducible for a seed, and the greedy agent beats the random one', async () => {
    const a = await rollout(new ToyEnv(8, 10, 'same-step'), new GreedyRecorder(), { episodes: 4, seed: 1 });
    const b = await rollout(new ToyEnv(8, 10, 'same-step'), new GreedyRecorder(), { episodes: 4, seed: 1 });
    expect(Array.from(a.returns)).toEqual(Array.from(b.returns));
    const env = new ToyEnv(8, 10, 'same-step');
    const random = await rollout(env, new RandomAgent(env.actionSpace, 3), { episodes: 4, seed: 1 });
    const mean = (xs: Float64Array) => xs.reduce((s, x) => s + x, 0) / xs.length;
    // greedy earns the full payout; random about half of it
    expect(mean(random.returns)).toBeLessThan(0.7 * mean(a.returns));
    expect(mean(random.returns)).toBeGreaterThan(0.3 * mean(a.returns));
  });

  it('rejects next-step envs and bad episode counts', async () => {
    await expect(
      rollout(new ToyEnv(1, 2, 'next-step'), new GreedyRecorder(), { episodes: 1 }),
    ).rejects.toThrow(/Invalid env.autoReset: got "next-step"/);
    await expect(
      rollout(new ToyEnv(1, 2, 'same-step'), new GreedyRecorder(), { episodes: 0 }),
    ).rejects.toThrow('Invalid episodes: got 0; expected an integer >= 1.');
  });
  it('gives the event loop a turn during a long rollout of a synchronous agent', async () => {
    // A busy agent whose act() returns synchronously: without the periodic yield, the timer below (a stand-in
    // for a Ctrl-C handler) could only run after the whole rollout.
    class BusyAgent extends GreedyRecorder {
      override act() {
        const until = performance.now() + 2;
        while (performance.now() < until) {}
        return super.act();
      }
    }
    let fired = false;
    let stepsWhenFired = -1;
    let steps = 0;
    setTimeout(() => {
      fired = true;
    }, 0);
    await rollout(new ToyEnv(1, 50, 'same-step'), new BusyAgent(), {
      episodes: 4, // 200 steps of at least 2 ms
      onStep: () => {
        steps++;
        if (fired && stepsWhenFired < 0) stepsWhenFired = steps;
      },
    });
    expect(stepsWhenFired).toBeGreaterThan(0);
    expect(stepsWhenFired).toBeLessThan(100);
  });
});
