import { rejectUnknownKeys, requireInteger, requireObject, requireOneOf, requireSeed } from '@icrl/core';
import { BANDIT_REWARD_MODES, type BanditRewardMode } from './bandit-task';

// Config parsing shared by the bandit presets: a partial override object merged over documented defaults,
// each field validated under its dotted name (`bernoulli-bandit.arms`), unknown fields rejected (typos never
// pass).

/**
 * Validates one config field; `field` is its dotted name for the error message.
 *
 * @example const arms: FieldValidator<number> = (field, value) => requireInteger(field, value, { min: 2 });
 */
export type FieldValidator<T> = (field: string, value: unknown) => T;

/**
 * One validator per config field.
 *
 * @example const validators: ConfigValidators<BanditConfigBase> = BANDIT_BASE_VALIDATORS;
 */
export type ConfigValidators<C> = { readonly [K in keyof C]: FieldValidator<C[K]> };

/**
 * Largest arm count accepted: far beyond any bandit in the literature, small enough to fail before an OOM.
 *
 * @example bernoulliBandit({ arms: MAX_ARMS + 1 }); // throws InvalidArgumentError
 */
export const MAX_ARMS = 1_000_000;

/**
 * Fields every bandit preset shares.
 *
 * @example `{ arms: 10, horizon: 100, taskSeed: 0, rewardMode: 'bernoulli' }`
 */
export interface BanditConfigBase {
  /** Number of arms (the action space is `Discrete(arms)`). */
  arms: number;
  /** Pulls per episode; the episode is truncated after the last one. */
  horizon: number;
  /** Seed the task distribution is drawn from (tasks are reproducible from it alone). */
  taskSeed: number;
  /** How a pull pays out. */
  rewardMode: BanditRewardMode;
}

/**
 * Validators for the shared fields.
 *
 * @example resolveConfig(id, overrides, defaults, { ...BANDIT_BASE_VALIDATORS, numTasks: positiveInteger });
 */
export const BANDIT_BASE_VALIDATORS: ConfigValidators<BanditConfigBase> = {
  arms: (field, value) => requireInteger(field, value, { min: 2, max: MAX_ARMS }),
  // The step counter is an Int32Array.
  horizon: (field, value) => requireInteger(field, value, { min: 1, max: 2 ** 31 - 1 }),
  taskSeed: requireSeed,
  rewardMode: (field, value) => requireOneOf(field, value, BANDIT_REWARD_MODES),
};

/**
 * Merges `overrides` over `defaults`, validating every field as `${id}.${field}`. A field given as
 * `undefined` takes its default; a field not in `defaults` throws `InvalidArgumentError`.
 *
 * @example
 * resolveConfig('bernoulli-bandit', { arms: 5 }, defaults, validators); // { arms: 5, horizon: 100, ... }
 */
export function resolveConfig<C extends object>(
  id: string,
  overrides: unknown,
  defaults: C,
  validators: ConfigValidators<C>,
): C {
  const given = overrides === undefined ? {} : requireObject(id, overrides);
  const keys = Object.keys(defaults) as (keyof C & string)[];
  rejectUnknownKeys(id, given, keys);
  const resolved = { ...defaults };
  for (const key of keys) {
    const value = given[key];
    resolved[key] = validators[key](`${id}.${key}`, value === undefined ? defaults[key] : value);
  }
  return resolved;
}
