import { checkEnv, type EnvFamily, pythonSplit, Rng, type TaskSpec, type VecEnv } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import type { BanditParams } from './bandit-task';
import { bernoulliBandit } from './bernoulli-bandit';

/** Total reward of `episodes` episodes of every env, with `policy` choosing the actions each step. */
function totalReward(env: VecEnv, episodes: number, policy: (step: number) => ArrayLike<number>): number {
  env.reset({ seed: 0 });
  let total = 0;
  for (let t = 0; t < episodes * env.horizon; t++) {
    for (const r of env.step(policy(t)).rewards) total += r;
  }
  return total;
}

/** The oracle's return summed over episodes and tasks, with its binomial standard deviation. */
function oracleExpectation(
  family: EnvFamily<BanditParams>,
  tasks: readonly TaskSpec<BanditParams>[],
  episodes: number,
) {
  let mean = 0;
  let variance = 0;
  for (const task of tasks) {
    const p = family.maxReturn!(task) / family.horizon;
    mean += episodes * family.horizon * p;
    variance += episodes * family.horizon * p * (1 - p);
  }
  return { mean, sd: Math.sqrt(variance) };
}

describe('bernoulliBandit', () => {
  it('resolves its config over documented defaults', () => {
    const family = bernoulliBandit();
    expect(family.id).toBe('bernoulli-bandit');
    expect(family.config).toEqual({
      arms: 10,
      horizon: 100,
      numTasks: 10000,
      taskSeed: 0,
      rewardMode: 'bernoulli',
    });
    expect([family.horizon, family.numTasks, family.defaultTrainRatio, family.defaultSplitSeed]).toEqual([
      100, 10000, 0.9, 0,
    ]);
    expect(family.actionSpace).toEqual({ kind: 'discrete', n: 10 });
    expect(bernoulliBandit({ arms: 5, rewardMode: 'mean' }).config).toMatchObject({
      arms: 5,
      rewardMode: 'mean',
    });
    // Both presets fit a registry typed with the plain EnvFamily.
    const registry: Record<string, () => EnvFamily> = { 'bernoulli-bandit': bernoulliBandit };
    expect(registry['bernoulli-bandit']!().id).toBe('bernoulli-bandit');
  });

  it('draws task i from Rng(taskSeed).fork(i), independent of numTasks', () => {
    const small = bernoulliBandit({ numTasks: 10 });
    const big = bernoulliBandit();
    expect(small.task(7)).toEqual(big.task(7));
    expect(big.task(7)).toEqual({
      familyId: 'bernoulli-bandit',
      index: 7,
      params: { means: expect.any(Array) },
    });
    const rng = new Rng(0).fork(7);
    expect(big.task(7).params.means).toEqual(
      Array.from({ length: 10 }, () => (rng.nextUint32() >>> 8) / 2 ** 24),
    );
    expect(bernoulliBandit({ taskSeed: 1 }).task(7)).not.toEqual(big.task(7));
    expect(big.tasks()).toHaveLength(10000);
    expect(big.tasks()[123]).toBe(big.task(123));
    for (const t of big.tasks()) {
      expect(t.params.means.every((m) => m >= 0 && m < 1)).toBe(true);
    }
    // Means look uniform: their average over 100k draws is 0.5 within 5 standard errors.
    const all = big.tasks().flatMap((t) => t.params.means);
    const avg = all.reduce((a, b) => a + b, 0) / all.length;
    expect(Math.abs(avg - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / all.length));
  });

  it('knows the oracle: optimalAction = argmax (lowest on ties), maxReturn = horizon * max mean', () => {
    const family = bernoulliBandit({ horizon: 50 });
    const task = family.task(3);
    const { means } = task.params;
    const max = Math.max(...means);
    expect(family.optimalAction!(task, [0])).toBe(means.indexOf(max));
    expect(family.maxReturn!(task)).toBe(50 * max);
  });

  it('splits like the DICP reference: pythonSplit(numTasks, seed, ratio)', () => {
    const family = bernoulliBandit();
    const split = family.split();
    expect([split.train.length, split.test.length, split.seed, split.trainRatio]).toEqual([
      9000, 1000, 0, 0.9,
    ]);
    const reference = pythonSplit(10000, 0, 0.9);
    expect(split.test.map((t) => t.index)).toEqual(reference.test);
    expect(split.train.map((t) => t.index)).toEqual(reference.train);
    const other = family.split(5, 0.75);
    expect([other.train.length, other.test.length, other.trainRatio]).toEqual([7500, 2500, 0.75]);
    expect(other.test.map((t) => t.index)).toEqual(pythonSplit(10000, 5, 0.75).test);
    expect(() => family.split(0, 1.5)).toThrow('Invalid trainRatio: got 1.5; expected a number in [0, 1].');
    expect(() => family.split(-1)).toThrow('Invalid seed: got -1');
  });

  it("'mean' mode: the oracle earns exactly maxReturn on every task", () => {
    // Means lie on a 2^-24 grid, so float32 rewards are exact and their float64 sums are too: compare with
    // toBe.
    const family = bernoulliBandit({ rewardMode: 'mean' });
    const env = family.make(family.tasks(), { autoReset: 'disabled' });
    env.reset({ seed: 0 });
    const actions = env.optimalActions!();
    const returns = new Float64Array(env.numEnvs);
    for (let t = 0; t < family.horizon; t++) {
      const { rewards } = env.step(actions);
      for (let i = 0; i < env.numEnvs; i++) returns[i]! += rewards[i]!;
    }
    family.tasks().forEach((task, i) => {
      expect(returns[i]).toBe(family.maxReturn!(task));
    });
  });

  it("'bernoulli' mode: the oracle matches maxReturn within a binomial bound; random play is far below", () => {
    const family = bernoulliBandit();
    const tasks = family.split().test.slice(0, 200);
    const episodes = 5;
    const env = family.make(tasks, { autoReset: 'same-step' });
    const oracle = env.optimalActions!();
    const expected = oracleExpectation(family, tasks, episodes);
    const earned = totalReward(env, episodes, () => oracle);
    expect(Math.abs(earned - expected.mean)).toBeLessThan(4 * expected.sd);

    const rng = new Rng(9);
    const random = new Int32Array(env.numEnvs);
    const randomEarned = totalReward(env, episodes, () => rng.fillInt(random, 10));
    // A random arm pays the average mean (about 0.5) against the best mean (about 10/11).
    expect(randomEarned).toBeLessThan(0.7 * expected.mean);
  });

  it('passes checkEnv in all three auto-reset modes', () => {
    const family = bernoulliBandit();
    const tasks = family.split().test.slice(0, 4);
    for (const autoReset of ['disabled', 'next-step', 'same-step'] as const) {
      expect(() => checkEnv(() => family.make(tasks, { envsPerTask: 2, autoReset }))).not.toThrow();
    }
  });

  it('rejects bad config with the field named', () => {
    expect(() => bernoulliBandit({ arms: 1 })).toThrow(
      'Invalid bernoulli-bandit.arms: got 1; expected an integer in [2, 1000000].',
    );
    expect(() => bernoulliBandit({ arms: 2.5 })).toThrow('Invalid bernoulli-bandit.arms: got 2.5');
    expect(() => bernoulliBandit({ horizon: 0 })).toThrow(
      'Invalid bernoulli-bandit.horizon: got 0; expected an integer in [1, 2147483647].',
    );
    expect(() => bernoulliBandit({ numTasks: 0 })).toThrow(
      'Invalid bernoulli-bandit.numTasks: got 0; expected an integer in [1, 10000000].',
    );
    expect(() => bernoulliBandit({ taskSeed: -3 })).toThrow('Invalid bernoulli-bandit.taskSeed: got -3');
    expect(() => bernoulliBandit({ rewardMode: 'gaussian' as 'mean' })).toThrow(
      'Invalid bernoulli-bandit.rewardMode: got "gaussian"; expected one of "bernoulli", "mean".',
    );
    expect(() => bernoulliBandit({ armz: 3 } as unknown as { arms: number })).toThrow(
      'Invalid bernoulli-bandit.armz: got 3; expected no such field; accepted fields are arms, horizon, numTasks, taskSeed, rewardMode.',
    );
    expect(() => bernoulliBandit(7 as unknown as { arms: number })).toThrow(
      'Invalid bernoulli-bandit: got 7; expected an object.',
    );
  });

  it('rejects out-of-range task indices and foreign tasks', () => {
    const family = bernoulliBandit({ numTasks: 10 });
    expect(() => family.task(10)).toThrow('Invalid index: got 10; expected an integer in [0, 9].');
    expect(() => family.task(-1)).toThrow('Invalid index: got -1');
    expect(() => family.task(1.5)).toThrow('Invalid index: got 1.5');

    const darkroomTask = {
      familyId: 'darkroom',
      index: 3,
      params: { goal: [1, 3] },
    } as unknown as TaskSpec<BanditParams>;
    expect(() => family.make(darkroomTask)).toThrow(
      'Invalid tasks.familyId: got "darkroom"; expected "bernoulli-bandit" (a task of this family).',
    );
    expect(() => family.make([family.task(0), darkroomTask])).toThrow(
      'Invalid tasks[1].familyId: got "darkroom"',
    );
    expect(() => family.maxReturn!(darkroomTask)).toThrow('Invalid task.familyId');
    expect(() => family.optimalAction!(darkroomTask, [0])).toThrow('Invalid task.familyId');
    // Same family id, other config: the params do not match this family's task.
    const fiveArms = bernoulliBandit({ arms: 5, numTasks: 10 });
    expect(() => family.make(fiveArms.task(2))).toThrow(
      /^Invalid tasks\.params: got .*; expected the params of bernoulli-bandit task 2 under this family's config/,
    );
    expect(() => family.make({ ...family.task(2), index: 12 })).toThrow(
      'Invalid tasks.index: got 12; expected an integer in [0, 9].',
    );
    expect(() => family.make([])).toThrow('Invalid tasks: got []; expected at least one task.');
    expect(() => family.make(family.task(0), { envsPerTask: 0 })).toThrow(
      'Invalid options.envsPerTask: got 0',
    );
    expect(() => family.make(family.task(0), { numEnvs: 2 } as unknown as { envsPerTask: number })).toThrow(
      'Invalid options.numEnvs: got 2; expected no such field; accepted fields are envsPerTask, autoReset.',
    );
    // A task round-tripped through JSON (as stored with histories) is still ours.
    const roundTripped = JSON.parse(JSON.stringify(family.task(4))) as TaskSpec<BanditParams>;
    expect(family.make(roundTripped).tasks[0]).toBe(family.task(4));
  });
});
