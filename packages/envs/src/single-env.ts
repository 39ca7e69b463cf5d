import {
  type AutoResetMode,
  contains,
  describeSpace,
  type EnvFamily,
  InvalidArgumentError,
  type JsonObject,
  rejectUnknownKeys,
  requireObject,
  type Space,
  type SpaceArray,
  type TaskSpec,
  type VecEnv,
} from '@icrl/core';

/**
 * What `SingleEnv.reset`/`step` report beside the observation.
 *
 * @example const [, , , truncated, { finalObs }] = env.step(0); // finalObs set on a same-step episode end
 */
export interface SingleEnvInfo {
  /**
   * `same-step` auto-reset only, on the step that ended an episode: the true last observation (`obs` is
   * already the reset observation).
   */
  readonly finalObs?: SpaceArray;
}

/**
 * Gymnasium's `reset` result: `[obs, info]`.
 *
 * @example const [obs, info]: SingleResetResult = env.reset({ seed: 0 });
 */
export type SingleResetResult = [obs: SpaceArray, info: SingleEnvInfo];

/**
 * Gymnasium's `step` result: `[obs, reward, terminated, truncated, info]`.
 *
 * @example const [obs, reward, terminated, truncated, info]: SingleStepResult = env.step(1);
 */
export type SingleStepResult = [
  obs: SpaceArray,
  reward: number,
  terminated: boolean,
  truncated: boolean,
  info: SingleEnvInfo,
];

/**
 * Options for `makeSingleEnv`.
 *
 * @example makeSingleEnv(family, task, { autoReset: 'same-step' })
 */
export interface SingleEnvOptions {
  /** What happens when an episode ends (see `AutoResetMode`). Default `disabled`. */
  autoReset?: AutoResetMode;
}

/**
 * One environment with Gymnasium's shape, over any core `VecEnv` of exactly one env: `reset({ seed })`
 * returns `[obs, info]`, `step(action)` returns `[obs, reward, terminated, truncated, info]`. Unlike the
 * vector env's buffers, everything returned is a fresh copy, safe to keep. The auto-reset mode is the wrapped
 * env's: `disabled` (stepping after the end throws `ResetNeededError`; call `reset()`), `next-step` (the step
 * after the end resets and ignores its action) or `same-step` (the ending step returns the reset observation
 * and `info.finalObs`).
 *
 * @example
 * const family = bernoulliBandit();
 * const env = makeSingleEnv(family, family.task(0));
 * const [obs, info] = env.reset({ seed: 42 });
 * const [next, reward, terminated, truncated] = env.step(3);
 */
export class SingleEnv {
  /** The wrapped vector env (`numEnvs === 1`), e.g. for `optimalActions()`. */
  readonly vecEnv: VecEnv;
  /** Space of the observation. */
  readonly observationSpace: Space;
  /** Space of the action. */
  readonly actionSpace: Space;
  /** Steps per episode before truncation. */
  readonly horizon: number;
  /** Behaviour when an episode ends. */
  readonly autoReset: AutoResetMode;
  /** The task this env runs. */
  readonly task: TaskSpec;

  private readonly scalarAction = new Float64Array(1); // reused to pass a number action as a batch of one

  /** @throws InvalidArgumentError when `vecEnv` holds more (or fewer) than one env. */
  constructor(vecEnv: VecEnv) {
    if (vecEnv === null || typeof vecEnv !== 'object' || typeof vecEnv.step !== 'function') {
      throw new InvalidArgumentError('vecEnv', vecEnv, 'a VecEnv');
    }
    if (vecEnv.numEnvs !== 1) {
      throw new InvalidArgumentError(
        'vecEnv.numEnvs',
        vecEnv.numEnvs,
        '1: SingleEnv wraps exactly one env (make it with one task and envsPerTask 1)',
      );
    }
    this.vecEnv = vecEnv;
    this.observationSpace = vecEnv.observationSpace;
    this.actionSpace = vecEnv.actionSpace;
    this.horizon = vecEnv.horizon;
    this.autoReset = vecEnv.autoReset;
    this.task = vecEnv.tasks[0]!;
  }

  /**
   * Starts an episode and returns `[obs, info]`. `seed` reseeds the env's random stream; without it the
   * stream continues (a first reset without a seed uses the wrapped env's default).
   *
   * @example const [obs] = env.reset({ seed: 0 });
   */
  reset(options: { seed?: number } = {}): SingleResetResult {
    const opts = requireObject('options', options);
    rejectUnknownKeys('options', opts, ['seed']);
    const obs = this.vecEnv.reset(opts.seed === undefined ? {} : { seed: opts.seed as number });
    return [obs.slice(), {}];
  }

  /**
   * Takes one action and returns `[obs, reward, terminated, truncated, info]`. A discrete action is a number
   * (or a one-element array); a box action is an array of `flatSize(actionSpace)` numbers. An action outside
   * the action space throws `InvalidArgumentError` naming `action`.
   *
   * @example const [obs, reward, terminated, truncated, info] = env.step(2);
   */
  step(action: number | ArrayLike<number>): SingleStepResult {
    const wellFormed = typeof action === 'number' || (typeof action === 'object' && action !== null);
    if (!wellFormed || !contains(this.actionSpace, action)) {
      throw new InvalidArgumentError('action', action, `an element of ${describeSpace(this.actionSpace)}`);
    }
    let actions: ArrayLike<number>;
    if (typeof action === 'number') {
      this.scalarAction[0] = action;
      actions = this.scalarAction;
    } else {
      actions = action;
    }
    const result = this.vecEnv.step(actions);
    const terminated = result.terminated[0] === 1;
    const truncated = result.truncated[0] === 1;
    const info: SingleEnvInfo =
      result.finalObs !== null && (terminated || truncated) ? { finalObs: result.finalObs.slice() } : {};
    return [result.obs.slice(), result.rewards[0]!, terminated, truncated, info];
  }

  /** Releases the wrapped env. */
  close(): void {
    this.vecEnv.close();
  }
}

/**
 * A `SingleEnv` running `task` of `family`:
 * `new SingleEnv(family.make(task, { envsPerTask: 1, autoReset }))`.
 *
 * @example
 * const family = bernoulliBandit({ rewardMode: 'mean' });
 * const env = makeSingleEnv(family, family.task(0), { autoReset: 'same-step' });
 */
export function makeSingleEnv<P extends JsonObject>(
  family: EnvFamily<P>,
  task: TaskSpec<P>,
  options: SingleEnvOptions = {},
): SingleEnv {
  const opts = requireObject('options', options);
  rejectUnknownKeys('options', opts, ['autoReset']);
  const autoReset = opts.autoReset as AutoResetMode | undefined;
  return new SingleEnv(
    family.make(task, autoReset === undefined ? { envsPerTask: 1 } : { envsPerTask: 1, autoReset }),
  );
}
