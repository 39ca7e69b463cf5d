import {
  type EnvFamily,
  InvalidArgumentError,
  type JsonObject,
  type MakeOptions,
  rejectUnknownKeys,
  requireInteger,
  requireObject,
  type TaskSpec,
  type TaskSplit,
} from '@icrl/core';
import { type BanditParams, type BanditRewardMode, bestArm } from './bandit-task';
import { BANDIT_OBSERVATION_SPACE, BanditVecEnv } from './bandit-vec-env';

// The EnvFamily both bandit presets share: tasks drawn lazily from a per-task generator and cached,
// membership checks on every task handed back in, and the batched BanditVecEnv. A preset supplies its config,
// its task generator and its split rule.

/**
 * What a bandit preset supplies to `createBanditFamily`.
 *
 * @example see `bernoulliBandit` and `adversarialBandit`, the two presets built on it.
 */
export interface BanditFamilySpec<P extends BanditParams> {
  /** Preset id (`bernoulli-bandit`, `adversarial-bandit`). */
  id: string;
  /** The fully resolved config, stored with histories. */
  config: JsonObject;
  arms: number;
  horizon: number;
  rewardMode: BanditRewardMode;
  numTasks: number;
  defaultTrainRatio: number;
  defaultSplitSeed: number;
  /** Params of task `index`; must be a pure function of the config and the index. */
  drawParams(index: number): P;
  /** The preset's split rule; `task(i)` gives the canonical tasks. */
  split(
    seed: number | undefined,
    trainRatio: number | undefined,
    task: (index: number) => TaskSpec<P>,
  ): TaskSplit<P>;
}

/**
 * Builds a bandit `EnvFamily` from a preset's spec. Tasks are frozen and cached; `make`, `maxReturn` and
 * `optimalAction` accept only tasks of this family under this config (same `familyId`, index in range and the
 * same params as `task(index)`), so a task from another family or another config throws
 * `InvalidArgumentError`.
 *
 * @example
 * const config = { arms: 3, horizon: 10, numTasks: 50, taskSeed: 0, rewardMode: 'mean' } as const;
 * const family = createBanditFamily({
 *   id: 'my-bandit', config, ...config, defaultTrainRatio: 0.8, defaultSplitSeed: 0,
 *   drawParams: (i) => ({ means: drawArmMeans(new Rng(0).fork(i), 3) }),
 *   split: (seed = 0, ratio = 0.8, task) => { const s = pythonSplit(50, seed, ratio);
 *     return { train: s.train.map(task), test: s.test.map(task), seed, trainRatio: s.train.length / 50 }; },
 * });
 */
export function createBanditFamily<P extends BanditParams>(spec: BanditFamilySpec<P>): EnvFamily<P> {
  const { id, numTasks } = spec;
  const cache: (TaskSpec<P> | undefined)[] = new Array(numTasks);
  let all: readonly TaskSpec<P>[] | undefined;

  const taskAt = (index: number): TaskSpec<P> => {
    let task = cache[index];
    if (task === undefined) {
      const params = spec.drawParams(index);
      Object.freeze(params.means);
      task = Object.freeze({ familyId: id, index, params: Object.freeze(params) });
      cache[index] = task;
    }
    return task;
  };

  const task = (index: number): TaskSpec<P> =>
    taskAt(requireInteger('index', index, { min: 0, max: numTasks - 1 }));

  // A task handed back in must be one of ours: the canonical task with that index.
  const ownTask = (field: string, value: unknown): TaskSpec<P> => {
    const given = requireObject(field, value);
    if (given.familyId !== id) {
      throw new InvalidArgumentError(`${field}.familyId`, given.familyId, `"${id}" (a task of this family)`);
    }
    const index = requireInteger(`${field}.index`, given.index, { min: 0, max: numTasks - 1 });
    const canonical = taskAt(index);
    if (JSON.stringify(given.params) !== JSON.stringify(canonical.params)) {
      throw new InvalidArgumentError(
        `${field}.params`,
        given.params,
        `the params of ${id} task ${index} under this family's config; ` +
          'take tasks from task(), tasks() or split()',
      );
    }
    return canonical;
  };

  return {
    id,
    config: spec.config,
    observationSpace: BANDIT_OBSERVATION_SPACE,
    actionSpace: Object.freeze({ kind: 'discrete', n: spec.arms }),
    horizon: spec.horizon,
    numTasks,
    defaultTrainRatio: spec.defaultTrainRatio,
    defaultSplitSeed: spec.defaultSplitSeed,
    tasks() {
      if (all === undefined) all = Object.freeze(Array.from({ length: numTasks }, (_, i) => taskAt(i)));
      return all;
    },
    task,
    split(seed, trainRatio) {
      return spec.split(seed, trainRatio, taskAt);
    },
    make(tasks: TaskSpec<P> | readonly TaskSpec<P>[], options?: MakeOptions) {
      const list = isTaskList(tasks)
        ? tasks.map((t, k) => ownTask(`tasks[${k}]`, t))
        : [ownTask('tasks', tasks)];
      if (list.length === 0) throw new InvalidArgumentError('tasks', tasks, 'at least one task');
      const opts = options === undefined ? {} : requireObject('options', options);
      rejectUnknownKeys('options', opts, ['envsPerTask', 'autoReset']);
      return new BanditVecEnv({
        tasks: list,
        horizon: spec.horizon,
        rewardMode: spec.rewardMode,
        envsPerTask: opts.envsPerTask as MakeOptions['envsPerTask'],
        autoReset: opts.autoReset as MakeOptions['autoReset'],
      });
    },
    maxReturn(t) {
      const { means } = ownTask('task', t).params;
      return spec.horizon * means[bestArm(means)]!;
    },
    optimalAction(t) {
      return bestArm(ownTask('task', t).params.means);
    },
  };
}

function isTaskList<P extends JsonObject>(
  tasks: TaskSpec<P> | readonly TaskSpec<P>[],
): tasks is readonly TaskSpec<P>[] {
  return Array.isArray(tasks);
}
