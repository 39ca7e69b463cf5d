import {
  type AutoResetMode,
  type BoxSpace,
  type DiscreteSpace,
  type EnvFamily,
  InvalidArgumentError,
  type JsonObject,
  type MakeOptions,
  pythonSplit,
  rejectUnknownKeys,
  requireInteger,
  requireObject,
  requireOneOf,
  type TaskSpec,
  type TaskSplit,
} from '@icrl/core';
import { type GridCell, type GridStart, resolveStart } from './grid-config';
import { expectedGridMaxReturn, gridMaxReturn } from './grid-max-return';
import { baseOracleMove, invertPermutation, NUM_GRID_ACTIONS } from './grid-moves';
import { type GridRewardRule, GridVecEnv } from './grid-vec-env';

// The EnvFamily machinery the three gridworld families share: task lookup and validation, splits, make(),
// max return and the oracle. Each family only says how its tasks are numbered and what a task's cells are.

/** What a task puts on the grid. */
export interface GridTaskLayout {
  readonly goal: GridCell;
  /** Key cell, for the `key-then-goal` rule only. */
  readonly key: GridCell | null;
  /** Base move executed by each agent action (`actionMap[a]`). */
  readonly actionMap: readonly number[];
}

/** A gridworld family: what `createGridFamily` needs to know. */
export interface GridFamilyDefinition<P extends JsonObject> {
  readonly id: string;
  readonly config: JsonObject;
  readonly size: number;
  readonly horizon: number;
  readonly start: GridStart;
  readonly rewardRule: GridRewardRule;
  readonly numTasks: number;
  readonly defaultTrainRatio: number;
  readonly defaultSplitSeed: number;
  /** Parameters of the task with this (valid) index. */
  params(index: number): P;
  /** Cells and action map of a task with these (canonical) parameters. */
  layout(params: P): GridTaskLayout;
}

/**
 * A gridworld `EnvFamily` (Darkroom, Dark Key-to-Door, Darkroom-Permuted). Beyond the interface: `make` returns
 * a `GridVecEnv` (with inspection and rendering helpers), and `maxReturn`/`optimalAction` are always defined.
 * `split()` records the realised train fraction (73/81 for Darkroom's 0.9), as `TaskSplit.trainRatio` asks.
 *
 * @example
 * const family: GridFamily<DarkroomTaskParams> = darkroom();
 * const task = family.task(12);                 // goal (1, 3)
 * family.maxReturn(task);                       // 17: the goal is 4 steps from the centre
 * family.optimalAction(task, [4, 4]);           // 1 (x-1)
 */
export interface GridFamily<P extends JsonObject = JsonObject> extends EnvFamily<P> {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: DiscreteSpace;
  /** Side length of the grid. */
  readonly size: number;
  /** Start mode or cell. */
  readonly start: GridStart;
  /** What pays a reward. */
  readonly rewardRule: GridRewardRule;
  make(tasks: TaskSpec<P> | readonly TaskSpec<P>[], options?: MakeOptions): GridVecEnv;
  /**
   * Largest return one episode of the task can earn (the oracle earns exactly this). With `start: 'random'`
   * it is the expectation over the uniform start cell, so per-episode returns may exceed it.
   */
  maxReturn(task: TaskSpec<P>): number;
  /** The oracle's action at `obs` = `[x, y]`; Key-to-Door needs `hidden.hasKey` (see `GridVecEnv.hiddenState`). */
  optimalAction(task: TaskSpec<P>, obs: ArrayLike<number>, hidden?: JsonObject): number;
}

const AUTO_RESET_MODES: readonly AutoResetMode[] = ['disabled', 'next-step', 'same-step'];
/** Upper bound on envs in one VecEnv (about 100 bytes each): a typo in envsPerTask should not eat the heap. */
const MAX_ENVS = 2 ** 22;

/** Builds the `EnvFamily` object for a gridworld definition (already validated by the family's factory). */
export function createGridFamily<P extends JsonObject>(def: GridFamilyDefinition<P>): GridFamily<P> {
  const { id, size, horizon, numTasks, rewardRule } = def;
  const start = resolveStart(def.start, size);
  const observationSpace: BoxSpace = Object.freeze({
    kind: 'box',
    shape: Object.freeze([2]),
    low: 0,
    high: size - 1,
    dtype: 'int32',
  });
  const actionSpace: DiscreteSpace = Object.freeze({ kind: 'discrete', n: NUM_GRID_ACTIONS });
  const makeTask = (index: number): TaskSpec<P> =>
    Object.freeze({ familyId: id, index, params: deepFreeze(def.params(index)) });
  let allTasks: readonly TaskSpec<P>[] | null = null;

  const task = (index: number): TaskSpec<P> =>
    makeTask(requireInteger(`${id} task index`, index, { min: 0, max: numTasks - 1 }));

  /** The canonical task equal to `value`, or a clear error saying why `value` is not a task of this family. */
  const resolveTask = (field: string, value: unknown): TaskSpec<P> => {
    const expected = `a task of family "${id}" (from its tasks(), task(i) or split())`;
    if (typeof value !== 'object' || value === null) throw new InvalidArgumentError(field, value, expected);
    const t = value as Partial<TaskSpec>;
    if (t.familyId !== id) {
      throw new InvalidArgumentError(`${field}.familyId`, t.familyId, `"${id}" (${expected})`);
    }
    if (typeof t.index !== 'number' || !Number.isInteger(t.index) || t.index < 0 || t.index >= numTasks) {
      throw new InvalidArgumentError(`${field}.index`, t.index, `an integer in [0, ${numTasks - 1}]`);
    }
    const canonical = makeTask(t.index);
    // Same id but another config (another size, say) numbers its tasks differently: compare the parameters.
    if (JSON.stringify(t.params) !== JSON.stringify(canonical.params)) {
      throw new InvalidArgumentError(
        `${field}.params`,
        t.params,
        `${JSON.stringify(canonical.params)}, the parameters of task ${t.index} of this "${id}" family (is the task from a family with another config?)`,
      );
    }
    return canonical;
  };

  return Object.freeze({
    id,
    config: deepFreeze(def.config),
    observationSpace,
    actionSpace,
    horizon,
    numTasks,
    defaultTrainRatio: def.defaultTrainRatio,
    defaultSplitSeed: def.defaultSplitSeed,
    size,
    start: def.start,
    rewardRule,

    tasks(): readonly TaskSpec<P>[] {
      allTasks ??= Object.freeze(Array.from({ length: numTasks }, (_, i) => makeTask(i)));
      return allTasks;
    },

    task,

    split(seed = def.defaultSplitSeed, trainRatio = def.defaultTrainRatio): TaskSplit<P> {
      const { train, test } = pythonSplit(numTasks, seed, trainRatio);
      return Object.freeze({
        train: Object.freeze(train.map(makeTask)),
        test: Object.freeze(test.map(makeTask)),
        seed,
        trainRatio: train.length / numTasks,
      });
    },

    make(tasks: TaskSpec<P> | readonly TaskSpec<P>[], options: MakeOptions = {}): GridVecEnv {
      const opts = requireObject('options', options);
      rejectUnknownKeys('options', opts, ['envsPerTask', 'autoReset']);
      const list = Array.isArray(tasks) ? (tasks as readonly unknown[]) : [tasks];
      if (list.length === 0) throw new InvalidArgumentError('tasks', tasks, 'at least one task');
      const envsPerTask = requireInteger('options.envsPerTask', opts.envsPerTask ?? 1, {
        min: 1,
        max: Math.max(1, Math.floor(MAX_ENVS / list.length)),
      });
      const autoReset = requireOneOf('options.autoReset', opts.autoReset ?? 'disabled', AUTO_RESET_MODES);
      const canonical = list.map((t, k) => resolveTask(Array.isArray(tasks) ? `tasks[${k}]` : 'tasks', t));
      const layouts = canonical.map((t) => def.layout(t.params));
      return new GridVecEnv({
        size,
        horizon,
        start,
        rewardRule,
        tasks: canonical,
        goals: layouts.map((l) => l.goal),
        keys: rewardRule === 'key-then-goal' ? layouts.map((l) => l.key!) : null,
        actionMaps: layouts.map((l) => l.actionMap),
        envsPerTask,
        autoReset,
      });
    },

    maxReturn(value: TaskSpec<P>): number {
      const { goal, key } = def.layout(resolveTask('task', value).params);
      return start === 'random'
        ? expectedGridMaxReturn(rewardRule, horizon, size, goal, key)
        : gridMaxReturn(rewardRule, horizon, start, goal, key);
    },

    optimalAction(value: TaskSpec<P>, obs: ArrayLike<number>, hidden?: JsonObject): number {
      const { goal, key, actionMap } = def.layout(resolveTask('task', value).params);
      const ok =
        obs !== null &&
        typeof obs === 'object' &&
        obs.length === 2 &&
        Array.from(obs).every((v) => Number.isInteger(v) && v >= 0 && v < size);
      if (!ok) throw new InvalidArgumentError('obs', obs, `[x, y] with x and y integers in [0, ${size - 1}]`);
      let target = goal;
      if (key !== null) {
        const hasKey = hidden?.hasKey;
        if (typeof hasKey !== 'boolean') {
          throw new InvalidArgumentError(
            'hidden.hasKey',
            hasKey,
            'true or false: the Key-to-Door oracle needs to know whether the key is held',
          );
        }
        if (!hasKey) target = key;
      }
      const move = baseOracleMove(obs[0]!, obs[1]!, target[0], target[1]);
      return invertPermutation(actionMap)[move]!;
    },
  });
}

/** Freezes task parameters or a config (objects of scalars and arrays) so shared objects stay canonical. */
function deepFreeze<T extends JsonObject>(params: T): T {
  for (const v of Object.values(params)) if (typeof v === 'object' && v !== null) Object.freeze(v);
  return Object.freeze(params);
}
