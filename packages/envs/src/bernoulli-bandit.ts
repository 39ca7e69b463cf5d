import { type EnvFamily, pythonSplit, Rng, requireInteger } from '@icrl/core';
import { BANDIT_BASE_VALIDATORS, type BanditConfigBase, resolveConfig } from './bandit-config';
import { createBanditFamily } from './bandit-family';
import { type BanditParams, drawArmMeans } from './bandit-task';

/**
 * Config of the Bernoulli multi-armed bandit family; every field is optional in `bernoulliBandit(overrides)`.
 *
 * @example
 * bernoulliBandit({ arms: 5, horizon: 500 }).config; // { arms: 5, horizon: 500, numTasks: 10000, ... }
 */
export interface BernoulliBanditConfig extends BanditConfigBase {
  /** Number of arms. Default 10. */
  arms: number;
  /** Pulls per episode. Default 100. */
  horizon: number;
  /** Tasks in the canonical enumeration. Default 10000. */
  numTasks: number;
  /** Seed of the task distribution. Default 0. */
  taskSeed: number;
  /** `bernoulli`: 1 with the arm's mean as probability, else 0; `mean`: the mean. Default `bernoulli`. */
  rewardMode: BanditConfigBase['rewardMode'];
}

/**
 * Params of a Bernoulli bandit task: `{ means }`.
 *
 * @example bernoulliBandit().task(0).params.means.length === 10
 */
export type BernoulliBanditParams = BanditParams;

/**
 * Defaults of `bernoulliBandit()`.
 *
 * @example BERNOULLI_BANDIT_DEFAULTS.arms === 10
 */
export const BERNOULLI_BANDIT_DEFAULTS: Readonly<BernoulliBanditConfig> = Object.freeze({
  arms: 10,
  horizon: 100,
  numTasks: 10000,
  taskSeed: 0,
  rewardMode: 'bernoulli',
});

const ID = 'bernoulli-bandit';

/**
 * The Bernoulli multi-armed bandit family (preset `bernoulli-bandit`).
 *
 * - Task i's arm means are drawn U[0, 1) from `new Rng(taskSeed).fork(i)`, so a task depends only on
 *   `taskSeed`, `arms` and `i`, never on how many tasks exist. Means lie on a 2^-24 grid so that they are
 *   exact float32 rewards (see `drawArmMeans`). Params: `{ means: [...] }`.
 * - Observation: bandits have none; every env observes a constant 0 in `Box(int32, [1], 0..0)`, as DPT feeds
 *   a dummy state. Action: `Discrete(arms)`, the arm to pull.
 * - An episode is `horizon` pulls and ends truncated (`truncated = 1`, `terminated = 0`).
 * - `maxReturn(task)` = horizon × max mean (expected return in `bernoulli` mode, exact in `mean` mode);
 *   `optimalAction(task)` = argmax mean, lowest index on ties.
 * - `split(seed = 0, trainRatio = 0.9)` is `pythonSplit(numTasks, seed, trainRatio)`: CPython's
 *   `random.seed(seed); random.shuffle(range(numTasks))`, the first `round(numTasks * trainRatio)` train.
 *
 * @example
 * const family = bernoulliBandit({ arms: 5, horizon: 500 });
 * const { test } = family.split();
 * const env = family.make(test.slice(0, 8), { autoReset: 'same-step' });
 * env.reset({ seed: 0 });
 * const { rewards } = env.step(env.optimalActions!());
 */
export function bernoulliBandit(
  overrides?: Partial<BernoulliBanditConfig>,
): EnvFamily<BernoulliBanditParams> {
  const config = resolveConfig(ID, overrides, BERNOULLI_BANDIT_DEFAULTS, {
    ...BANDIT_BASE_VALIDATORS,
    // An upper bound so that `tasks()` and splits fail fast instead of exhausting memory.
    numTasks: (field, value) => requireInteger(field, value, { min: 1, max: 10_000_000 }),
  });
  const root = new Rng(config.taskSeed);
  return createBanditFamily<BernoulliBanditParams>({
    id: ID,
    config: { ...config },
    arms: config.arms,
    horizon: config.horizon,
    rewardMode: config.rewardMode,
    numTasks: config.numTasks,
    defaultTrainRatio: 0.9,
    defaultSplitSeed: 0,
    drawParams: (index) => ({ means: drawArmMeans(root.fork(index), config.arms) }),
    split(seed = 0, trainRatio = 0.9, task) {
      const { train, test } = pythonSplit(config.numTasks, seed, trainRatio);
      return {
        train: train.map(task),
        test: test.map(task),
        seed,
        trainRatio: train.length / config.numTasks,
      };
    },
  });
}
