import { RandomAgent, rollout } from '@icrl/core';
import { darkroom, darkroomHard } from '@icrl/envs';
import { describe, expect, it } from 'vitest';
import { SweepAgent } from './sweep-agent';

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

describe('SweepAgent learns in context', () => {
  it('improves from near zero to the optimum on held-out Darkroom goals, without being told the goal', async () => {
    const family = darkroom();
    const { test } = family.split();
    const optimum = mean(test.map((t) => family.maxReturn(t)));
    const episodes = 8;
    const env = family.make(test, { autoReset: 'same-step' });
    const { returns } = await rollout(env, new SweepAgent(9), { episodes });
    const episode = (k: number) => mean(test.map((_, i) => returns[i * episodes + k]!));
    expect(episode(0)).toBeLessThan(0.2 * optimum);
    expect(episode(episodes - 1)).toBe(optimum);
    const random = await rollout(
      family.make(test, { autoReset: 'same-step' }),
      new RandomAgent(env.actionSpace),
      {
        episodes,
      },
    );
    expect(mean(random.returns)).toBeLessThan(0.1 * optimum);
  });

  it('works with the disabled auto-reset mode and on the 17x17 first-visit room', async () => {
    const family = darkroomHard();
    const tasks = family.split().test.slice(0, 6);
    const episodes = 40;
    const { returns } = await rollout(family.make(tasks, { autoReset: 'disabled' }), new SweepAgent(17), {
      episodes,
    });
    // every goal found within 40 episodes, and then collected in every episode
    for (let i = 0; i < tasks.length; i++) expect(returns[i * episodes + episodes - 1]).toBe(1);
  });
});
