import type { Rng } from '@icrl/core';

// What every bandit task is made of: a vector of arm means, drawn so that the env can pay them exactly.

/**
 * How a pull pays out.
 * - `bernoulli`: 1 with probability equal to the arm's mean, else 0 (the bandits of AD and DPT's Bernoulli
 *   case).
 * - `mean`: the arm's mean itself, deterministically. Exact tests and low-variance evaluation use it.
 *
 * @example
 * const exact = bernoulliBandit({ rewardMode: 'mean' }); // the oracle earns exactly maxReturn
 */
export type BanditRewardMode = 'bernoulli' | 'mean';

/**
 * The reward modes, for validation and CLI choices.
 *
 * @example BANDIT_REWARD_MODES.includes(flag) // is a --reward-mode flag valid?
 */
export const BANDIT_REWARD_MODES: readonly BanditRewardMode[] = ['bernoulli', 'mean'];

/**
 * Parameters of one bandit task: the mean payout of each arm, each in [0, 1).
 *
 * @example `{ means: [0.13, 0.87, 0.42] }`: arm 1 is best, a pull of it pays 1 with probability 0.87.
 */
export type BanditParams = { readonly means: readonly number[] };

const TWO_POW_24 = 16777216;

/**
 * Draws `arms` means uniformly from [0, 1) on a grid of 2^-24.
 *
 * Why the grid: rewards live in a `Float32Array`, and multiples of 2^-24 in [0, 1) are exactly representable
 * in float32. So in `mean` mode a reward *is* the task's mean, and a return (a float64 sum of at most 2^29 of
 * them) is exact: the oracle's return equals `maxReturn` to the last bit.
 *
 * @example
 * const means = drawArmMeans(new Rng(0).fork(7), 10); // task 7's means under taskSeed 0
 */
export function drawArmMeans(rng: Rng, arms: number): number[] {
  const means = new Array<number>(arms);
  for (let a = 0; a < arms; a++) means[a] = (rng.nextUint32() >>> 8) / TWO_POW_24;
  return means;
}

/**
 * Index of the largest mean, the lowest index on ties: the oracle's arm.
 *
 * @example bestArm([0.2, 0.9, 0.9]) === 1
 */
export function bestArm(means: ArrayLike<number>): number {
  let best = 0;
  for (let a = 1; a < means.length; a++) if (means[a]! > means[best]!) best = a;
  return best;
}
