import {
  type EnvFamily,
  IcrlError,
  InvalidArgumentError,
  type JsonObject,
  type MakeOptions,
  rejectUnknownKeys,
  requireBoolean,
  requireInteger,
  requireNumber,
  requireObject,
  requireOneOf,
  type TaskSpec,
  type TaskSplit,
} from '@icrl/core';
import { type CompiledTask, loadCompiledTask, WELD_SETTINGS, type WeldSetting } from './compiled-task';
import {
  METAWORLD_ACTION_SPACE,
  type MetaworldObservationMode,
  MetaworldVecEnv,
  type Ml1TaskParams,
  metaworldObservationSpace,
} from './metaworld-vec-env';
import { METAWORLD_TASK_NAMES, type MetaworldTaskName } from './task-spec';
import { MAX_ML1_SEED, ML1_VARIATIONS, ml1TaskVectors } from './task-vectors';

/** Options of `metaworldMl1(task, options)`. */
export interface MetaworldMl1Options {
  /**
   * Meta-World's assets folder: `metaworld/envs/assets_v2` of a Meta-World checkout (v2 layout, as at the
   * commit DICP pins). Only the files the task's XML references are read; textures may be absent.
   */
  assetsDir: string;
  /** ML1 seed (`metaworld.ML1(env_name, seed)`): train variations from it, test from seed + 1. Default 0. */
  seed?: number;
  /** Steps per episode, 1..500 (Meta-World's `max_path_length` is 500). Default 100, as DICP runs ML1. */
  horizon?: number;
  /** `full` (39 dims) or `dicp` (the first 11, as DICP's models see it). Default `full`. */
  observation?: MetaworldObservationMode;
  /** Observe the goal (MT1) instead of zeros (ML1). Default false. */
  observeGoal?: boolean;
  /** The mocap weld setting; see `WeldSetting`. Default `v3` (the only one that works on MuJoCo 3). */
  weld?: WeldSetting;
}

/** An ML1 family of one task: 50 train + 50 test variations, batched envs on MuJoCo WebAssembly. */
export interface MetaworldFamily extends EnvFamily<Ml1TaskParams> {
  /** The Meta-World task (`push`). */
  readonly taskName: MetaworldTaskName;
  /** The assets folder the model was read from. */
  readonly assetsDir: string;
  make(
    tasks: TaskSpec<Ml1TaskParams> | readonly TaskSpec<Ml1TaskParams>[],
    options?: MakeOptions,
  ): MetaworldVecEnv;
  /** Releases the family's hold on the compiled model (envs already made keep working until closed). */
  dispose(): void;
}

const OPTION_KEYS = ['assetsDir', 'seed', 'horizon', 'observation', 'observeGoal', 'weld'];
const OBSERVATION_MODES: readonly MetaworldObservationMode[] = ['full', 'dicp'];

/**
 * Meta-World's ML1 benchmark for one task, as DICP runs it: the v2 task definitions (39-d observation, mocap
 * actions, dense reward in [0, 10], success flag) on MuJoCo 3 physics through mujoco-js, with Meta-World
 * v3's weld setting. Tasks 0..49 are ML1's train variations for `seed`, 50..99 its test variations (drawn with
 * seed + 1), each bit-identical to Meta-World's. Loading is asynchronous (WebAssembly start + model compile,
 * under a second); `make` is synchronous.
 *
 * @example
 * const family = await metaworldMl1('pick-place', { assetsDir: '/path/to/Metaworld/metaworld/envs/assets_v2' });
 * const { train, test } = family.split(); // 50 / 50
 * const env = family.make(test, { autoReset: 'same-step' });
 * env.reset();
 * env.step(env.optimalActions());
 * env.close();
 * family.dispose();
 */
export async function metaworldMl1(
  task: MetaworldTaskName,
  options: MetaworldMl1Options,
): Promise<MetaworldFamily> {
  const name = requireOneOf('task', task, METAWORLD_TASK_NAMES);
  const opts = requireObject('options', options);
  rejectUnknownKeys('options', opts, OPTION_KEYS);
  if (typeof opts.assetsDir !== 'string' || opts.assetsDir.length === 0) {
    throw new InvalidArgumentError(
      'options.assetsDir',
      opts.assetsDir,
      "the path of Meta-World's assets folder (metaworld/envs/assets_v2 of a Meta-World checkout)",
    );
  }
  const assetsDir = opts.assetsDir;
  const seed = requireInteger('options.seed', opts.seed ?? 0, { min: 0, max: MAX_ML1_SEED });
  const horizon = requireInteger('options.horizon', opts.horizon ?? 100, { min: 1, max: 500 });
  const observation = requireOneOf('options.observation', opts.observation ?? 'full', OBSERVATION_MODES);
  const observeGoal = requireBoolean('options.observeGoal', opts.observeGoal ?? false);
  const weld = requireOneOf('options.weld', opts.weld ?? 'v3', WELD_SETTINGS);
  const compiled = await loadCompiledTask(assetsDir, name, weld);
  try {
    return createFamily(compiled, { assetsDir, seed, horizon, observation, observeGoal, weld });
  } catch (error) {
    compiled.release();
    throw error;
  }
}

interface ResolvedOptions {
  assetsDir: string;
  seed: number;
  horizon: number;
  observation: MetaworldObservationMode;
  observeGoal: boolean;
  weld: WeldSetting;
}

function createFamily(compiled: CompiledTask, o: ResolvedOptions): MetaworldFamily {
  const spec = compiled.spec;
  const id = `metaworld-ml1-${spec.name}`;
  const { train, test } = ml1TaskVectors(spec, o.seed);
  const numTasks = 2 * ML1_VARIATIONS;
  const all: readonly TaskSpec<Ml1TaskParams>[] = Object.freeze(
    [...train, ...test].map((rv, index) => {
      const split = index < ML1_VARIATIONS ? 'train' : 'test';
      const params: Ml1TaskParams = Object.freeze({
        task: spec.name,
        split,
        variation: index % ML1_VARIATIONS,
        seed: o.seed,
        randVec: Object.freeze(rv),
      });
      return Object.freeze({ familyId: id, index, params });
    }),
  );
  const config: JsonObject = Object.freeze({
    benchmark: 'ML1',
    task: spec.name,
    envName: spec.envName,
    seed: o.seed,
    horizon: o.horizon,
    observation: o.observation,
    observeGoal: o.observeGoal,
    weld: o.weld,
    metaworld: '83ac03c (v2 tasks) on MuJoCo 3 (mujoco-js 0.0.7)',
  });
  let disposed = false;

  const ownTask = (field: string, value: unknown): TaskSpec<Ml1TaskParams> => {
    const given = requireObject(field, value);
    if (given.familyId !== id) {
      throw new InvalidArgumentError(`${field}.familyId`, given.familyId, `"${id}" (a task of this family)`);
    }
    const index = requireInteger(`${field}.index`, given.index, { min: 0, max: numTasks - 1 });
    const canonical = all[index]!;
    if (JSON.stringify(given.params) !== JSON.stringify(canonical.params)) {
      throw new InvalidArgumentError(
        `${field}.params`,
        given.params,
        `the params of ${id} task ${index} for ML1 seed ${o.seed}; take tasks from task(), tasks() or split()`,
      );
    }
    return canonical;
  };

  const makeEnv = (tasks: readonly TaskSpec<Ml1TaskParams>[], options?: MakeOptions) =>
    new MetaworldVecEnv({
      compiled,
      tasks,
      horizon: o.horizon,
      observation: o.observation,
      observeGoal: o.observeGoal,
      envsPerTask: options?.envsPerTask,
      autoReset: options?.autoReset,
    });

  return {
    id,
    config,
    taskName: spec.name,
    assetsDir: o.assetsDir,
    observationSpace: metaworldObservationSpace(spec, o.observation, o.observeGoal),
    actionSpace: METAWORLD_ACTION_SPACE,
    horizon: o.horizon,
    numTasks,
    defaultTrainRatio: 0.5,
    defaultSplitSeed: o.seed,
    tasks: () => all,
    task(index: number) {
      return all[requireInteger('index', index, { min: 0, max: numTasks - 1 })]!;
    },
    split(seed?: number, trainRatio?: number): TaskSplit<Ml1TaskParams> {
      if (seed !== undefined && seed !== o.seed) {
        requireInteger('seed', seed, { min: 0, max: MAX_ML1_SEED });
        throw new InvalidArgumentError(
          'seed',
          seed,
          `${o.seed}: ML1's variations are fixed by the family's seed; make a family with ` +
            `metaworldMl1('${spec.name}', { ..., seed: ${seed} }) for that split`,
        );
      }
      if (trainRatio !== undefined && requireNumber('trainRatio', trainRatio) !== 0.5) {
        throw new InvalidArgumentError(
          'trainRatio',
          trainRatio,
          '0.5 (ML1 has 50 train and 50 test variations); omit it',
        );
      }
      return {
        train: all.slice(0, ML1_VARIATIONS),
        test: all.slice(ML1_VARIATIONS),
        seed: o.seed,
        trainRatio: 0.5,
      };
    },
    make(tasks, options) {
      if (disposed) throw new IcrlError(`This ${id} family was disposed; make envs before dispose().`);
      const list = Array.isArray(tasks)
        ? (tasks as readonly unknown[]).map((t, k) => ownTask(`tasks[${k}]`, t))
        : [ownTask('tasks', tasks)];
      if (list.length === 0) throw new InvalidArgumentError('tasks', tasks, 'at least one task');
      const opts = options === undefined ? {} : requireObject('options', options);
      rejectUnknownKeys('options', opts, ['envsPerTask', 'autoReset']);
      return makeEnv(list, opts as MakeOptions);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      compiled.release();
    },
  };
}
