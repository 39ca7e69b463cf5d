import {
  type EnvFamily,
  InvalidArgumentError,
  PythonRandom,
  pythonRound,
  Rng,
  requireInteger,
  requireNumber,
  requireSeed,
} from '@icrl/core';
import { BANDIT_BASE_VALIDATORS, type BanditConfigBase, resolveConfig } from './bandit-config';
import { createBanditFamily } from './bandit-family';
import { type BanditParams, bestArm, drawArmMeans } from './bandit-task';

/**
 * Config of AD's adversarial bandit; every field is optional in `adversarialBandit(overrides)`.
 *
 * @example adversarialBandit({ numTestTasks: 500, rewardMode: 'mean' })
 */
export interface AdversarialBanditConfig extends BanditConfigBase {
  /** Number of arms. Default 10. */
  arms: number;
  /** Pulls (trials) per episode. Default 100. */
  horizon: number;
  /** Tasks favouring odd arms: task indices 0..numTrainTasks-1. Default 1000. */
  numTrainTasks: number;
  /** Tasks favouring even arms: the indices after the train tasks. Default 100. */
  numTestTasks: number;
  /** Seed of the task distribution. Default 0. */
  taskSeed: number;
  /** `bernoulli`: 1 with the arm's mean as probability, else 0; `mean`: the mean. Default `bernoulli`. */
  rewardMode: BanditConfigBase['rewardMode'];
}

/**
 * Which arms a task favours: odd arms (1, 3, 5, ...) for train tasks, even arms (0, 2, 4, ...) for test
 * tasks.
 *
 * @example adversarialBandit().task(0).params.favoured === 'odd'
 */
export type ArmParity = 'odd' | 'even';

/**
 * Params of an adversarial bandit task: its arm means and the parity it favours.
 *
 * @example `{ means: [0.1, 0.97, ...], favoured: 'odd' }`
 */
export type AdversarialBanditParams = BanditParams & { readonly favoured: ArmParity };

/**
 * Defaults of `adversarialBandit()`: AD's 10 arms and 100 trials.
 *
 * @example ADVERSARIAL_BANDIT_DEFAULTS.numTrainTasks === 1000
 */
export const ADVERSARIAL_BANDIT_DEFAULTS: Readonly<AdversarialBanditConfig> = Object.freeze({
  arms: 10,
  horizon: 100,
  numTrainTasks: 1000,
  numTestTasks: 100,
  taskSeed: 0,
  rewardMode: 'bernoulli',
});

/**
 * Probability that a task's best arm has the favoured parity (AD: "95% of the time").
 *
 * @example FAVOURED_PARITY_PROBABILITY === 0.95
 */
export const FAVOURED_PARITY_PROBABILITY = 0.95;

const ID = 'adversarial-bandit';
const MAX_TASKS_PER_GROUP = 5_000_000;

/**
 * The adversarial bandit of Algorithm Distillation (Laskin et al., 2022), preset `adversarial-bandit`:
 * 10 arms, 100 trials per episode; "train tasks favour odd arms 95% of the time, evaluation tasks even arms".
 *
 * Our interpretation (the paper gives no more detail): each task draws its arm means U[0, 1); then with
 * probability 0.95 the largest mean is swapped onto a uniformly chosen arm of the task's *favoured* parity
 * (odd arms for train tasks, even arms for test tasks), otherwise onto a uniformly chosen arm of the other
 * parity. So the best arm of a train task is odd with probability 0.95, and evaluation is out of
 * distribution.
 *
 * - Tasks 0..numTrainTasks-1 favour odd arms, the next numTestTasks favour even arms;
 *   params `{ means, favoured: 'odd' | 'even' }`. Train task k draws from `Rng(taskSeed).fork(0, k)`,
 *   test task k from `Rng(taskSeed).fork(1, k)`: a test task does not change when the number of train
 *   tasks does.
 * - Observation, actions, episodes, rewards, `maxReturn` and `optimalAction` are as in `bernoulliBandit`.
 * - `split(seed = 0, trainRatio?)`: the split is fixed by construction (train = odd-favouring, test =
 *   even-favouring). `seed` only shuffles the order within each part, with CPython's `random.shuffle` (train
 *   first, then test, from one `PythonRandom(seed)`). A `trainRatio` that does not give numTrainTasks train
 *   tasks after rounding (`round(numTasks * trainRatio)`) throws `InvalidArgumentError`; omit it.
 *
 * @example
 * const family = adversarialBandit();
 * const { train, test } = family.split(0); // 1000 odd-favouring, 100 even-favouring tasks
 * const env = family.make(test, { autoReset: 'same-step' });
 */
export function adversarialBandit(
  overrides?: Partial<AdversarialBanditConfig>,
): EnvFamily<AdversarialBanditParams> {
  const groupSize = (field: string, value: unknown) =>
    requireInteger(field, value, { min: 1, max: MAX_TASKS_PER_GROUP });
  const config = resolveConfig(ID, overrides, ADVERSARIAL_BANDIT_DEFAULTS, {
    ...BANDIT_BASE_VALIDATORS,
    numTrainTasks: groupSize,
    numTestTasks: groupSize,
  });
  const numTrain = config.numTrainTasks;
  const numTasks = numTrain + config.numTestTasks;
  const ratio = numTrain / numTasks;
  const root = new Rng(config.taskSeed);

  const drawParams = (index: number): AdversarialBanditParams => {
    const favoured: ArmParity = index < numTrain ? 'odd' : 'even';
    const rng = favoured === 'odd' ? root.fork(0, index) : root.fork(1, index - numTrain);
    const means = drawArmMeans(rng, config.arms);
    const favouredBit = favoured === 'odd' ? 1 : 0;
    const parity = rng.float() < FAVOURED_PARITY_PROBABILITY ? favouredBit : 1 - favouredBit;
    // Arms of parity q are q, q + 2, ...: floor(arms / 2) odd ones and ceil(arms / 2) even ones.
    const count = parity === 1 ? Math.floor(config.arms / 2) : Math.ceil(config.arms / 2);
    const target = parity + 2 * rng.int(count);
    const best = bestArm(means);
    [means[best], means[target]] = [means[target]!, means[best]!];
    return { means, favoured };
  };

  return createBanditFamily<AdversarialBanditParams>({
    id: ID,
    config: { ...config },
    arms: config.arms,
    horizon: config.horizon,
    rewardMode: config.rewardMode,
    numTasks,
    defaultTrainRatio: ratio,
    defaultSplitSeed: 0,
    drawParams,
    split(seed = 0, trainRatio, task) {
      requireSeed('seed', seed);
      if (trainRatio !== undefined) {
        requireNumber('trainRatio', trainRatio, { min: 0, max: 1 });
        if (pythonRound(numTasks * trainRatio) !== numTrain) {
          throw new InvalidArgumentError(
            'trainRatio',
            trainRatio,
            `${numTrain}/${numTasks} (${ID} splits by construction: ` +
              'train tasks favour odd arms, test tasks even arms); omit trainRatio',
          );
        }
      }
      const shuffler = new PythonRandom(seed);
      const indices = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
      const train = shuffler.shuffle(indices(0, numTrain)).map((i) => task(i));
      const test = shuffler.shuffle(indices(numTrain, numTasks)).map((i) => task(i));
      return { train, test, seed, trainRatio: ratio };
    },
  });
}
