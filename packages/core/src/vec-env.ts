import type { Space, SpaceArray } from './spaces';
import type { TaskSpec } from './task';

/**
 * What a vector env does when one of its episodes ends. Never silent: you pick one when you make the env.
 * - `disabled`: the env stays ended; stepping it throws `ResetNeededError` until `reset({ mask })` resets it.
 * - `next-step` (Gymnasium >= 1.0): the *next* `step()` resets the ended envs instead of stepping them; their
 *   action is ignored and they report reward 0, terminated 0, truncated 0 and the reset observation.
 * - `same-step` (Stable-Baselines3 / DICP reference): the step that ends an episode already returns the reset
 *   observation in `obs`; the true last observation is in `finalObs`.
 */
export type AutoResetMode = 'disabled' | 'next-step' | 'same-step';

/**
 * Result of `VecEnv.step`, struct-of-arrays over the envs. The arrays belong to the env and are overwritten by
 * its next `reset()`/`step()`: copy what you keep.
 */
export interface VecStepResult {
  /** Observations, `[numEnvs * obsSize]` (see `AutoResetMode` for ended envs). */
  readonly obs: SpaceArray;
  /** Rewards, `[numEnvs]`. */
  readonly rewards: Float32Array;
  /** 1 where the episode reached a terminal state of the MDP (no bootstrapping past it), else 0. */
  readonly terminated: Uint8Array;
  /** 1 where the episode was cut by the time limit (the state is not terminal: bootstrap from it), else 0. */
  readonly truncated: Uint8Array;
  /**
   * `same-step` only: the true last observation of every env whose episode ended on this step, `[numEnvs *
   * obsSize]`; rows of envs that did not end equal `obs`. `null` for the other modes.
   */
  readonly finalObs: SpaceArray | null;
}

/** Options for `VecEnv.reset`. */
export interface VecResetOptions {
  /** Reseeds every env: env i draws from `Rng(seed).fork(task.index, stream)`. Omit to continue the streams. */
  seed?: number;
  /** Resets only the envs where `mask[i]` is truthy (others keep running). */
  mask?: ArrayLike<number | boolean>;
}

/**
 * A batch of environments stepped together, struct-of-arrays on typed arrays (Gymnasium's `VectorEnv` with
 * flat buffers). Env `i` runs `tasks[i]`. Observations of env `i` are `obs[i * obsSize .. (i + 1) * obsSize)`.
 *
 * @example
 * const env = family.make(family.split(0).test, { envsPerTask: 4, autoReset: 'same-step' });
 * let obs = env.reset({ seed: 0 });
 * const { rewards, truncated } = env.step(new Int32Array(env.numEnvs).fill(4));
 */
export interface VecEnv {
  /** Number of envs in the batch. */
  readonly numEnvs: number;
  /** Task of each env, `[numEnvs]`. */
  readonly tasks: readonly TaskSpec[];
  /** Space of one env's observation. */
  readonly observationSpace: Space;
  /** Space of one env's action. */
  readonly actionSpace: Space;
  /** Scalars per observation (`flatSize(observationSpace)`). */
  readonly obsSize: number;
  /** Steps per episode before truncation. */
  readonly horizon: number;
  /** Behaviour when an episode ends. */
  readonly autoReset: AutoResetMode;
  /** Resets all envs (or those in `mask`) and returns the observations of all envs, `[numEnvs * obsSize]`. */
  reset(options?: VecResetOptions): SpaceArray;
  /**
   * Steps every env with `actions` (`[numEnvs]` for discrete actions, `[numEnvs * actionSize]` for boxes).
   * Invalid actions throw `InvalidArgumentError` naming the env index; nothing is clipped silently.
   */
  step(actions: ArrayLike<number>): VecStepResult;
  /**
   * The oracle's action for each env in its current state (hidden state included, e.g. whether a key is held),
   * when the family knows one. Used for DPT labels and regret.
   */
  optimalActions?(out?: SpaceArray): SpaceArray;
  /**
   * For tasks with a success criterion (Meta-World's `info['success']`): 1 where the episode the last step
   * belonged to has succeeded at any of its steps (with `same-step` auto-reset, the episode that just ended),
   * `[numEnvs]`. `rollout` and `evaluate` report per-episode and cumulative success from it.
   */
  episodeSuccesses?(): Uint8Array;
  /** Releases resources (a no-op for plain TypeScript envs). */
  close(): void;
}
