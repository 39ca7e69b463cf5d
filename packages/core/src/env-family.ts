import type { JsonObject } from './json';
import type { Space } from './spaces';
import type { TaskSpec, TaskSplit } from './task';
import type { AutoResetMode, VecEnv } from './vec-env';

/** Options for `EnvFamily.make`. */
export interface MakeOptions {
  /** Copies of each task (parallel "streams", e.g. DICP's 100 PPO actors). Default 1. */
  envsPerTask?: number;
  /** What happens when an episode ends. Default `disabled` (stepping an ended env throws). */
  autoReset?: AutoResetMode;
}

/**
 * A family of related tasks (Darkroom's 81 goals, Key-to-Door's 6561 key/door pairs, a bandit distribution):
 * what in-context RL trains across and generalises over.
 *
 * @example
 * const family = darkroom();                       // preset of AD/DICP
 * const { train, test } = family.split(0);         // 73 / 8, exactly the DICP reference's split seed 0
 * const env = family.make(test, { envsPerTask: 10, autoReset: 'next-step' });
 */
export interface EnvFamily<P extends JsonObject = JsonObject> {
  /** Stable id (the preset name, e.g. `darkroom`, `dark-key-to-door`). */
  readonly id: string;
  /** The fully resolved configuration, stored with every history so it can be reproduced. */
  readonly config: JsonObject;
  /** Space of one observation. */
  readonly observationSpace: Space;
  /** Space of one action. */
  readonly actionSpace: Space;
  /** Steps per episode. */
  readonly horizon: number;
  /** Number of tasks in the canonical enumeration. */
  readonly numTasks: number;
  /** Train ratio the reference uses for this family. */
  readonly defaultTrainRatio: number;
  /** Split seed the reference's config uses for this family. */
  readonly defaultSplitSeed: number;
  /** All tasks in canonical order (index i at position i). */
  tasks(): readonly TaskSpec<P>[];
  /** The task with this index; throws for an index outside [0, numTasks). */
  task(index: number): TaskSpec<P>;
  /** Train/test tasks for a split seed (reproducing the reference's split where one exists). */
  split(seed?: number, trainRatio?: number): TaskSplit<P>;
  /** A vector env running the given tasks (each `envsPerTask` times, task-major: env = task * envsPerTask + stream). */
  make(tasks: TaskSpec<P> | readonly TaskSpec<P>[], options?: MakeOptions): VecEnv;
  /** Largest (expected) return one episode of the task can earn. */
  maxReturn?(task: TaskSpec<P>): number;
  /**
   * The oracle's action for an observation of the task. `hidden` carries state the observation lacks (e.g.
   * `{ hasKey: true }` in Key-to-Door), so stored histories can be labelled for DPT.
   */
  optimalAction?(task: TaskSpec<P>, obs: ArrayLike<number>, hidden?: JsonObject): number;
}
