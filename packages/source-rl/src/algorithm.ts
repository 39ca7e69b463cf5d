import type { JsonObject, Space, SpaceArray, VecTransition } from '@icrl/core';

/**
 * What a learner group is built for: `numTasks` tasks x `streams` streams stepped in lockstep, env
 * `k * streams + s` being stream s of the group's k-th task (the task-major order of `EnvFamily.make`).
 */
export interface LearnerSpec {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly streams: number;
  /** Family index of each task (used in error messages). */
  readonly taskIndices: readonly number[];
  /** Seed of each task's learner: every random draw of task k comes from `new Rng(taskSeeds[k])`. */
  readonly taskSeeds: readonly number[];
  /** Steps per episode of the env (episodes may end earlier). */
  readonly horizon: number;
  /** Steps per stream the run will take, when known (the AD-ε schedule needs it). */
  readonly totalSteps?: number;
}

/**
 * A source algorithm learning many tasks at once in lockstep. Each task has its own parameters and random
 * streams, so a task's results do not depend on the other tasks of its group.
 */
export interface BatchedLearner {
  /**
   * Actions for the current observations, `[numEnvs]` (discrete) or `[numEnvs * actionSize]` (boxes), already
   * inside the action space. `optimalActions` are the env's oracle actions for these observations (same layout;
   * a Box env's may lie outside its bounds), passed when the algorithm asked for them (`SourceAlgorithm.needsOracle`).
   */
  act(obs: SpaceArray, optimalActions: SpaceArray | null): SpaceArray;
  /** Receives the transition that followed `act`; `last` says no further step follows (skip pointless updates). */
  observe(transition: VecTransition, last?: boolean): void;
  /** The latest training metrics, averaged over tasks (`losses/*`, `charts/*` names as CleanRL). */
  metrics(): Record<string, number>;
}

/**
 * A configured source algorithm: a name and resolved settings (stored with every history), a check of the
 * env's spaces, and a factory of lockstep learners. Made by `ppo()`, `a2c()`, `tabularQ()`, `ucb1()`,
 * `thompsonSampling()`, `adEpsilon()`.
 *
 * @example
 * const algorithm = ppo(ppoPresetFor('darkroom'));
 * algorithm.check(family.observationSpace, family.actionSpace); // throws InvalidArgumentError if unusable
 */
export interface SourceAlgorithm {
  /** Registry name (`ppo`, `a2c`, `tabular-q`, `ucb1`, `thompson`, `ad-epsilon`). */
  readonly name: string;
  /** Every hyperparameter, defaults filled in (JSON: stored in `HistoryMeta.source.settings`). */
  readonly settings: JsonObject;
  /** Whether `act` needs the env's oracle actions. */
  readonly needsOracle: boolean;
  /**
   * Throws `InvalidArgumentError` naming the field when the algorithm cannot run on these spaces or with
   * this many streams (e.g. a batch size larger than the rollout).
   */
  check(observationSpace: Space, actionSpace: Space, streams: number): void;
  createLearner(spec: LearnerSpec): BatchedLearner;
}
