import { InvalidArgumentError, requireInteger, requireNumber } from '@icrl/core';

/** Inputs of `computeGae`: one rollout of `nSteps` steps of `numEnvs` envs, time-major (`t * numEnvs + env`). */
export interface GaeInput {
  /** Rewards of each step. */
  readonly rewards: ArrayLike<number>;
  /** V(s_t), the value of the observation each step was taken in. */
  readonly values: ArrayLike<number>;
  /** 1 where the episode reached a terminal state at this step (no bootstrapping past it). */
  readonly terminated: ArrayLike<number>;
  /** 1 where the episode was cut by the time limit at this step. */
  readonly truncated: ArrayLike<number>;
  /** V(true last observation) of each truncated step (read only where truncated and not terminated). */
  readonly finalValues: ArrayLike<number>;
  /** V(observation after the rollout's last step), `[numEnvs]` (read only where that step ended nothing). */
  readonly lastValues: ArrayLike<number>;
  readonly numEnvs: number;
  readonly gamma: number;
  readonly gaeLambda: number;
  /**
   * Bootstrap truncated episodes from V(final observation), as SB3 does for `TimeLimit.truncated` (it adds
   * gamma * V(terminal_observation) to the reward). Default true; false treats truncation as termination.
   */
  readonly bootstrapTruncated?: boolean;
}

/** Advantages and returns (= advantages + values), time-major like the input. */
export interface GaeResult {
  readonly advantages: Float64Array;
  readonly returns: Float64Array;
}

/**
 * Generalised advantage estimation exactly as Stable-Baselines3's `RolloutBuffer.compute_returns_and_advantage`
 * (with `collect_rollouts`' timeout bootstrapping folded in): with done_t = terminated_t | truncated_t and
 * r'_t = r_t + gamma * V(final_t) where truncated_t and not terminated_t,
 *
 *   delta_t = r'_t + gamma * V_{t+1} * (1 - done_t) - V_t,   A_t = delta_t + gamma * lambda * (1 - done_t) * A_{t+1},
 *
 * V_{t+1} being `values` of the next step, or `lastValues` after the last one; returns = A + V.
 *
 * @example
 * const { advantages, returns } = computeGae({
 *   rewards: [0, 1], values: [0.5, 0.5], terminated: [0, 0], truncated: [0, 1], finalValues: [0, 2],
 *   lastValues: [0.4], numEnvs: 1, gamma: 0.99, gaeLambda: 0.95,
 * });
 */
export function computeGae(input: GaeInput, out?: GaeResult): GaeResult {
  const n = requireInteger('numEnvs', input.numEnvs, { min: 1 });
  const gamma = requireNumber('gamma', input.gamma, { min: 0, max: 1 });
  const lambda = requireNumber('gaeLambda', input.gaeLambda, { min: 0, max: 1 });
  const { rewards, values, terminated, truncated, finalValues, lastValues } = input;
  const size = rewards.length;
  if (size % n !== 0)
    throw new InvalidArgumentError('rewards', rewards, `a length that is a multiple of numEnvs = ${n}`);
  for (const [field, arr] of Object.entries({ values, terminated, truncated, finalValues })) {
    if (arr.length !== size) throw new InvalidArgumentError(field, arr, `${size} entries, as rewards has`);
  }
  if (lastValues.length !== n)
    throw new InvalidArgumentError('lastValues', lastValues, `${n} entries (one per env)`);
  const bootstrap = input.bootstrapTruncated ?? true;
  const advantages = out?.advantages ?? new Float64Array(size);
  const returns = out?.returns ?? new Float64Array(size);
  const steps = size / n;
  for (let e = 0; e < n; e++) {
    let next = 0; // A_{t+1}
    for (let t = steps - 1; t >= 0; t--) {
      const i = t * n + e;
      const term = terminated[i]! !== 0;
      const trunc = truncated[i]! !== 0;
      const done = term || trunc;
      let reward = rewards[i]!;
      if (bootstrap && trunc && !term) reward += gamma * finalValues[i]!;
      const nextValue = t === steps - 1 ? lastValues[e]! : values[i + n]!;
      const notDone = done ? 0 : 1;
      const delta = reward + gamma * nextValue * notDone - values[i]!;
      next = delta + gamma * lambda * notDone * next;
      advantages[i] = next;
      returns[i] = next + values[i]!;
    }
  }
  return { advantages, returns };
}
