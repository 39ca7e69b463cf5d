import {
  type AutoResetMode,
  type BoxSpace,
  type DiscreteSpace,
  InvalidArgumentError,
  ResetNeededError,
  Rng,
  rejectUnknownKeys,
  requireInteger,
  requireNumber,
  requireObject,
  requireOneOf,
  requireSeed,
  type TaskSpec,
  type VecEnv,
  type VecResetOptions,
  type VecStepResult,
} from '@icrl/core';
import { BANDIT_REWARD_MODES, type BanditParams, type BanditRewardMode, bestArm } from './bandit-task';

/**
 * Observation space of every bandit: a constant `Box(int32, [1], 0..0)` holding 0. Bandits have no state; the
 * dummy observation (DPT feeds a dummy state the same way) lets bandits share the `VecEnv`/history machinery.
 *
 * @example describeSpace(BANDIT_OBSERVATION_SPACE) === 'Box(int32, [1], 0..0)'
 */
export const BANDIT_OBSERVATION_SPACE: BoxSpace = Object.freeze({
  kind: 'box',
  shape: Object.freeze([1]),
  low: 0,
  high: 0,
  dtype: 'int32',
});

const AUTO_RESET_MODES: readonly AutoResetMode[] = ['disabled', 'next-step', 'same-step'];

// Per-env episode status.
const RUNNING = 0;
const ENDED = 1; // the episode ended and the env has not been reset since
const NEVER_RESET = 2;

/**
 * Options for `new BanditVecEnv(...)` (families fill them from `make(tasks, options)`).
 *
 * @example
 * new BanditVecEnv({ tasks: family.split().test, horizon: 100, envsPerTask: 4, autoReset: 'same-step' });
 */
export interface BanditVecEnvOptions {
  /** Tasks to run; every task needs the same number of arms. */
  tasks: readonly TaskSpec<BanditParams>[];
  /** Pulls per episode. */
  horizon: number;
  /** How a pull pays out. Default `bernoulli`. */
  rewardMode?: BanditRewardMode;
  /** Copies of each task. Default 1. */
  envsPerTask?: number;
  /** What happens when an episode ends. Default `disabled`. */
  autoReset?: AutoResetMode;
}

/**
 * A batch of multi-armed bandits, struct-of-arrays: the arm means of env i are
 * `means[i * arms .. (i + 1) * arms)`; result buffers are allocated once and overwritten by every step.
 * Env order is task-major: env = taskPosition * envsPerTask + stream.
 *
 * Each pull is one step; an episode is `horizon` pulls and ends truncated (never terminated: no state is
 * terminal). Env i draws its rewards from `Rng(seed).fork(task.index, stream)`, set by `reset({ seed })`, so
 * a (task, stream) pair pays the same sequence whatever batch it runs in. A first `reset()` without a seed
 * uses seed 0; `reset({ seed, mask })` reseeds only the masked envs. In `mean` reward mode no random numbers
 * are drawn.
 *
 * @example
 * const family = bernoulliBandit();
 * const env = family.make(family.split(0).test, { envsPerTask: 4, autoReset: 'same-step' });
 * env.reset({ seed: 1 });
 * const { rewards, truncated } = env.step(env.optimalActions()); // the oracle's pulls
 */
export class BanditVecEnv implements VecEnv {
  readonly numEnvs: number;
  readonly tasks: readonly TaskSpec<BanditParams>[];
  readonly observationSpace: BoxSpace = BANDIT_OBSERVATION_SPACE;
  readonly actionSpace: DiscreteSpace;
  readonly obsSize = 1;
  readonly horizon: number;
  readonly autoReset: AutoResetMode;
  /** Number of arms. */
  readonly arms: number;
  /** How a pull pays out. */
  readonly rewardMode: BanditRewardMode;
  /** Copies of each task. */
  readonly envsPerTask: number;

  private readonly means: Float64Array; // [numEnvs * arms]
  private readonly best: Int32Array; // [numEnvs] the oracle's arm
  private readonly steps: Int32Array; // [numEnvs] pulls so far in the current episode
  private readonly status: Uint8Array; // [numEnvs] RUNNING | ENDED | NEVER_RESET
  private readonly rngs: (Rng | null)[];
  private readonly obs: Int32Array; // always 0: bandits have no state
  private readonly result: VecStepResult;

  constructor(options: BanditVecEnvOptions) {
    const opts = requireObject('options', options);
    const taskList = opts.tasks;
    if (!Array.isArray(taskList) || taskList.length === 0) {
      throw new InvalidArgumentError('tasks', taskList, 'a non-empty array of bandit tasks');
    }
    this.horizon = requireInteger('horizon', opts.horizon, { min: 1, max: 2 ** 31 - 1 });
    this.rewardMode = requireOneOf('rewardMode', opts.rewardMode ?? 'bernoulli', BANDIT_REWARD_MODES);
    this.envsPerTask = requireInteger('options.envsPerTask', opts.envsPerTask ?? 1, { min: 1, max: 2 ** 24 });
    this.autoReset = requireOneOf('options.autoReset', opts.autoReset ?? 'disabled', AUTO_RESET_MODES);
    const arms = taskMeans(taskList[0], 0).length;
    this.arms = arms;
    this.actionSpace = Object.freeze({ kind: 'discrete', n: arms });

    const n = taskList.length * this.envsPerTask;
    this.numEnvs = n;
    this.means = new Float64Array(n * arms);
    this.best = new Int32Array(n);
    const tasks: TaskSpec<BanditParams>[] = [];
    for (const [k, task] of (taskList as readonly unknown[]).entries()) {
      const means = taskMeans(task, k);
      if (means.length !== arms) {
        throw new InvalidArgumentError(`tasks[${k}].params.means`, means, `${arms} means, as tasks[0] has`);
      }
      for (let s = 0; s < this.envsPerTask; s++) {
        const i = tasks.length;
        this.means.set(means, i * arms);
        this.best[i] = bestArm(means);
        tasks.push(task as TaskSpec<BanditParams>);
      }
    }
    this.tasks = Object.freeze(tasks);
    this.steps = new Int32Array(n);
    this.status = new Uint8Array(n).fill(NEVER_RESET);
    this.rngs = new Array<Rng | null>(n).fill(null);
    this.obs = new Int32Array(n);
    this.result = {
      obs: this.obs,
      rewards: new Float32Array(n),
      terminated: new Uint8Array(n), // stays 0: a bandit has no terminal state
      truncated: new Uint8Array(n),
      // The observation is constant, so the true last observation is the same zero row.
      finalObs: this.autoReset === 'same-step' ? new Int32Array(n) : null,
    };
  }

  /**
   * Resets all envs, or those where `mask[i]` is truthy, and returns the observations of all envs (all 0).
   * `seed` reseeds the envs being reset: env i then draws from `Rng(seed).fork(task.index, stream)`.
   */
  reset(options?: VecResetOptions): Int32Array {
    const opts = options === undefined ? {} : requireObject('options', options);
    rejectUnknownKeys('options', opts, ['seed', 'mask']);
    const seed = opts.seed === undefined ? undefined : requireSeed('options.seed', opts.seed);
    const mask = opts.mask === undefined ? undefined : this.checkMask(opts.mask);
    for (let i = 0; i < this.numEnvs; i++) {
      if (mask !== undefined && !mask[i]) continue;
      if (seed !== undefined || this.rngs[i] === null) {
        const stream = i % this.envsPerTask;
        this.rngs[i] = new Rng(seed ?? 0).fork(this.tasks[i]!.index, stream);
      }
      this.steps[i] = 0;
      this.status[i] = RUNNING;
    }
    return this.obs;
  }

  /**
   * Pulls arm `actions[i]` in env i. Every action and every env's status is checked before anything changes:
   * a bad action throws `InvalidArgumentError` naming `actions[i]`, an env that needs a reset throws
   * `ResetNeededError`, and the batch is left as it was.
   */
  step(actions: ArrayLike<number>): VecStepResult {
    const n = this.numEnvs;
    const arms = this.arms;
    if (actions === null || typeof actions !== 'object' || actions.length !== n) {
      throw new InvalidArgumentError('actions', actions, `an array of ${n} actions (one per env)`);
    }
    for (let i = 0; i < n; i++) {
      const a = actions[i]!;
      if (!Number.isInteger(a) || a < 0 || a >= arms) {
        throw new InvalidArgumentError(`actions[${i}]`, a, `an integer in [0, ${arms - 1}]`);
      }
    }
    const status = this.status;
    for (let i = 0; i < n; i++) {
      if (status[i] === NEVER_RESET) throw new ResetNeededError(i, 'step() was called before reset()');
      if (status[i] === ENDED && this.autoReset === 'disabled') {
        throw new ResetNeededError(
          i,
          "its episode has ended and autoReset is 'disabled'; call reset({ mask })",
        );
      }
    }

    const { rewards, truncated } = this.result;
    const means = this.means;
    const horizon = this.horizon;
    const paysMean = this.rewardMode === 'mean';
    const sameStep = this.autoReset === 'same-step';
    for (let i = 0; i < n; i++) {
      if (status[i] === ENDED) {
        // next-step: this step is the reset; the action is ignored (Gymnasium >= 1.0).
        status[i] = RUNNING;
        this.steps[i] = 0;
        rewards[i] = 0;
        truncated[i] = 0;
        continue;
      }
      const p = means[i * arms + actions[i]!]!;
      rewards[i] = paysMean ? p : this.rngs[i]!.float() < p ? 1 : 0;
      if (++this.steps[i]! < horizon) {
        truncated[i] = 0;
        continue;
      }
      truncated[i] = 1;
      // same-step: the reset happens now; obs and finalObs are the same constant row.
      if (sameStep) this.steps[i] = 0;
      else status[i] = ENDED;
    }
    return this.result;
  }

  /** The oracle's arm (argmax mean, lowest index on ties) of every env; fills `out` when given. */
  optimalActions(out?: Int32Array): Int32Array {
    if (out !== undefined && !(out instanceof Int32Array && out.length === this.numEnvs)) {
      throw new InvalidArgumentError('out', out, `an Int32Array of length ${this.numEnvs}`);
    }
    const result = out ?? new Int32Array(this.numEnvs);
    result.set(this.best);
    return result;
  }

  /** Nothing to release. */
  close(): void {}

  private checkMask(mask: unknown): ArrayLike<number | boolean> {
    const expected = `an array of ${this.numEnvs} booleans or 0/1 numbers (one per env)`;
    if (mask === null || typeof mask !== 'object' || (mask as ArrayLike<unknown>).length !== this.numEnvs) {
      throw new InvalidArgumentError('options.mask', mask, expected);
    }
    const entries = mask as ArrayLike<unknown>;
    for (let i = 0; i < this.numEnvs; i++) {
      const m = entries[i];
      if (typeof m !== 'boolean' && typeof m !== 'number') {
        throw new InvalidArgumentError(`options.mask[${i}]`, m, 'a boolean or a number');
      }
    }
    return entries as ArrayLike<number | boolean>;
  }
}

/** The validated means of a task; its index is checked too (it names the RNG stream). */
function taskMeans(task: unknown, k: number): readonly number[] {
  const spec = requireObject(`tasks[${k}]`, task);
  requireSeed(`tasks[${k}].index`, spec.index);
  const params = requireObject(`tasks[${k}].params`, spec.params);
  const means = params.means;
  if (!Array.isArray(means) || means.length < 2) {
    throw new InvalidArgumentError(`tasks[${k}].params.means`, means, 'an array of at least 2 arm means');
  }
  for (const [a, m] of means.entries()) {
    requireNumber(`tasks[${k}].params.means[${a}]`, m, { min: 0, max: 1 });
  }
  return means as readonly number[];
}
