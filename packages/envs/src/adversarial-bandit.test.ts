import { checkEnv, PythonRandom, type TaskSpec } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { type AdversarialBanditParams, adversarialBandit } from './adversarial-bandit';
import { bestArm } from './bandit-task';

/** Fraction of tasks whose best arm has the favoured parity, and the binomial standard error at p = 0.95. */
function favouredRate(tasks: readonly TaskSpec<AdversarialBanditParams>[]) {
  const hits = tasks.filter((t) => bestArm(t.params.means) % 2 === (t.params.favoured === 'odd' ? 1 : 0));
  return { rate: hits.length / tasks.length, se: Math.sqrt((0.95 * 0.05) / tasks.length) };
}

describe('adversarialBandit', () => {
  it("has AD's shape: 10 arms, 100 trials, 1000 odd-favouring train and 100 even-favouring test tasks", () => {
    const family = adversarialBandit();
    expect(family.id).toBe('adversarial-bandit');
    expect(family.config).toEqual({
      arms: 10,
      horizon: 100,
      numTrainTasks: 1000,
      numTestTasks: 100,
      taskSeed: 0,
      rewardMode: 'bernoulli',
    });
    expect([family.numTasks, family.horizon, family.defaultTrainRatio]).toEqual([1100, 100, 1000 / 1100]);
    expect(family.actionSpace).toEqual({ kind: 'discrete', n: 10 });
    expect(family.task(999).params.favoured).toBe('odd');
    expect(family.task(1000).params.favoured).toBe('even');
    for (const t of family.tasks()) expect(t.params.means.every((m) => m >= 0 && m < 1)).toBe(true);
  });

  it('puts the best arm on the favoured parity 95% of the time, in train and in test tasks', () => {
    const { train, test } = adversarialBandit().split();
    const trainRate = favouredRate(train);
    expect(Math.abs(trainRate.rate - 0.95)).toBeLessThan(4 * trainRate.se);
    const testRate = favouredRate(test);
    expect(Math.abs(testRate.rate - 0.95)).toBeLessThan(4 * testRate.se);
    // 100 test tasks give a loose bound; a bigger test set pins the even-arm rate down as tightly as train's.
    const many = adversarialBandit({ numTestTasks: 2000 }).split().test;
    const manyRate = favouredRate(many);
    expect(Math.abs(manyRate.rate - 0.95)).toBeLessThan(4 * manyRate.se);
    // The favoured best arm is spread over all arms of that parity.
    const oddBest = new Set(train.map((t) => bestArm(t.params.means)).filter((a) => a % 2 === 1));
    expect([...oddBest].sort()).toEqual([1, 3, 5, 7, 9]);
  });

  it('keeps test tasks fixed when the number of train tasks changes', () => {
    const a = adversarialBandit();
    const b = adversarialBandit({ numTrainTasks: 10 });
    expect(b.task(10).params).toEqual(a.task(1000).params);
    expect(b.task(3)).toEqual(a.task(3));
    expect(adversarialBandit({ taskSeed: 1 }).task(3)).not.toEqual(a.task(3));
  });

  it('splits by construction; the seed only shuffles the order', () => {
    const family = adversarialBandit();
    const split = family.split();
    expect([split.train.length, split.test.length, split.seed, split.trainRatio]).toEqual([
      1000,
      100,
      0,
      1000 / 1100,
    ]);
    expect(split.train.every((t) => t.params.favoured === 'odd' && t.index < 1000)).toBe(true);
    expect(split.test.every((t) => t.params.favoured === 'even' && t.index >= 1000)).toBe(true);
    const other = family.split(7);
    expect(other.test.map((t) => t.index)).not.toEqual(split.test.map((t) => t.index));
    expect(other.test.map((t) => t.index).sort((x, y) => x - y)).toEqual(
      split.test.map((t) => t.index).sort((x, y) => x - y),
    );
    // CPython's shuffle, train first then test, from one generator.
    const rng = new PythonRandom(7);
    const train = rng.shuffle(Array.from({ length: 1000 }, (_, i) => i));
    const test = rng.shuffle(Array.from({ length: 100 }, (_, i) => 1000 + i));
    expect(other.train.map((t) => t.index)).toEqual(train);
    expect(other.test.map((t) => t.index)).toEqual(test);
    // A ratio that rounds to the construction's split is accepted.
    expect(family.split(0, 1000 / 1100).train).toHaveLength(1000);
    expect(family.split(0, 0.909).train).toHaveLength(1000);
  });

  it('rejects a trainRatio that differs from the construction', () => {
    const family = adversarialBandit();
    expect(() => family.split(0, 0.9)).toThrow(
      'Invalid trainRatio: got 0.9; expected 1000/1100 (adversarial-bandit splits by construction: train tasks ' +
        'favour odd arms, test tasks even arms); omit trainRatio.',
    );
    expect(() => family.split(0, 2)).toThrow(
      'Invalid trainRatio: got 2; expected a finite number in [0, 1].',
    );
    expect(() => family.split(-1)).toThrow('Invalid seed: got -1');
  });

  it("'mean' mode: the oracle earns exactly maxReturn on every task", () => {
    const family = adversarialBandit({ rewardMode: 'mean' });
    const env = family.make(family.tasks(), { autoReset: 'same-step' });
    env.reset({ seed: 0 });
    const oracle = env.optimalActions!();
    const returns = new Float64Array(env.numEnvs);
    for (let t = 0; t < family.horizon; t++) {
      const { rewards } = env.step(oracle);
      for (let i = 0; i < env.numEnvs; i++) returns[i]! += rewards[i]!;
    }
    family.tasks().forEach((task, i) => {
      expect(returns[i]).toBe(family.maxReturn!(task)); // exact: see drawArmMeans
      expect(oracle[i]).toBe(family.optimalAction!(task, [0]));
    });
  });

  it("'bernoulli' mode: the oracle matches maxReturn within a binomial bound", () => {
    const family = adversarialBandit();
    const { test } = family.split();
    const episodes = 10;
    const env = family.make(test, { autoReset: 'same-step' });
    env.reset({ seed: 3 });
    const oracle = env.optimalActions!();
    let earned = 0;
    for (let t = 0; t < episodes * family.horizon; t++) for (const r of env.step(oracle).rewards) earned += r;
    let mean = 0;
    let variance = 0;
    for (const task of test) {
      const p = family.maxReturn!(task) / family.horizon;
      mean += episodes * family.horizon * p;
      variance += episodes * family.horizon * p * (1 - p);
    }
    expect(Math.abs(earned - mean)).toBeLessThan(4 * Math.sqrt(variance));
  });

  it('passes checkEnv in all three auto-reset modes', () => {
    const family = adversarialBandit();
    const tasks = [family.task(0), family.task(1050)];
    for (const autoReset of ['disabled', 'next-step', 'same-step'] as const) {
      expect(() => checkEnv(() => family.make(tasks, { envsPerTask: 3, autoReset }))).not.toThrow();
    }
  });

  it('rejects bad config and foreign tasks', () => {
    expect(() => adversarialBandit({ numTrainTasks: 0 })).toThrow(
      'Invalid adversarial-bandit.numTrainTasks: got 0; expected an integer in [1, 5000000].',
    );
    expect(() => adversarialBandit({ numTestTasks: 1.5 })).toThrow(
      'Invalid adversarial-bandit.numTestTasks: got 1.5',
    );
    expect(() => adversarialBandit({ arms: 1 })).toThrow('Invalid adversarial-bandit.arms: got 1');
    expect(() => adversarialBandit({ numTasks: 10 } as unknown as { arms: number })).toThrow(
      'Invalid adversarial-bandit.numTasks: got 10; expected no such field; accepted fields are arms, horizon, ' +
        'numTrainTasks, numTestTasks, taskSeed, rewardMode.',
    );
    const family = adversarialBandit();
    expect(() => family.task(1100)).toThrow('Invalid index: got 1100; expected an integer in [0, 1099].');
    const flipped = { ...family.task(5), params: { ...family.task(5).params, favoured: 'even' as const } };
    expect(() => family.make(flipped)).toThrow('Invalid tasks.params');
  });

  it('works with an odd number of arms', () => {
    const family = adversarialBandit({ arms: 3, numTrainTasks: 400, numTestTasks: 400 });
    const { train, test } = family.split();
    expect(favouredRate(train).rate).toBeGreaterThan(0.9);
    expect(favouredRate(test).rate).toBeGreaterThan(0.9);
    expect(new Set(train.map((t) => bestArm(t.params.means)))).toEqual(new Set([0, 1, 2]));
  });
});
