import { rollout } from '@icrl/core';
import { bernoulliBandit, makeEnvFamily } from '@icrl/envs';
import { describe, expect, it } from 'vitest';
import { targetFamily } from '../test/toy-families';
import { adEpsilon } from './ad-epsilon';
import { ucb1 } from './bandit-algorithms';
import { ppo } from './ppo';
import { SourceAgent } from './source-agent';

describe('SourceAgent', () => {
  it('runs a bandit algorithm under rollout(), one learner per env, and it improves', async () => {
    const family = bernoulliBandit({ rewardMode: 'mean' });
    const tasks = family.split().test.slice(0, 4);
    const env = family.make(tasks, { autoReset: 'same-step' });
    const { returns } = await rollout(env, new SourceAgent(ucb1(), env), { episodes: 10, seed: 0 });
    for (let k = 0; k < 4; k++) expect(returns[k * 10 + 9]!).toBeGreaterThan(returns[k * 10]!);
  });

  it("AD-epsilon follows the env's oracle once its schedule ends", async () => {
    const family = makeEnvFamily('darkroom');
    const task = family.task(10);
    const env = family.make([task], { envsPerTask: 2, autoReset: 'same-step' });
    const agent = new SourceAgent(adEpsilon(), env, { streams: 2, totalSteps: 100 });
    const { returns } = await rollout(env, agent, { episodes: 6 });
    expect(returns[5]).toBe(family.maxReturn!(task));
    expect(returns[11]).toBe(family.maxReturn!(task));
  });

  it('rejects bad input naming the field', () => {
    const family = makeEnvFamily('darkroom');
    const env = family.make([family.task(0)], { envsPerTask: 3, autoReset: 'same-step' });
    const agent = new SourceAgent(ppo({ nSteps: 4, batchSize: 6 }), env, { streams: 3 });
    expect(() => agent.reset(4)).toThrow('Invalid numEnvs: got 4; expected a multiple of streams = 3.');
    expect(() => new SourceAgent(ppo({ nSteps: 4, batchSize: 5 }), env, { streams: 3 })).toThrow(
      'Invalid ppo.batchSize',
    );
    const target = targetFamily();
    const continuous = target.make(target.tasks(), { autoReset: 'same-step' });
    expect(() => new SourceAgent(adEpsilon(), continuous, { totalSteps: 10 })).toThrow(
      'Invalid env: got "Object"; expected a VecEnv with optimalActions()',
    );
  });
});
