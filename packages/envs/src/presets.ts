import { type EnvFamily, InvalidArgumentError } from '@icrl/core';
import { adversarialBandit } from './adversarial-bandit';
import { bernoulliBandit } from './bernoulli-bandit';
import { darkKeyToDoor } from './dark-key-to-door';
import { darkroom, darkroomDpt, darkroomHard } from './darkroom';
import { darkroomPermuted } from './darkroom-permuted';

/** Every env preset by name, each named after the paper whose settings it carries (see the README table). */
export const ENV_PRESETS = {
  darkroom,
  'darkroom-hard': darkroomHard,
  'darkroom-dpt': darkroomDpt,
  'dark-key-to-door': darkKeyToDoor,
  'darkroom-permuted': darkroomPermuted,
  'bernoulli-bandit': bernoulliBandit,
  'adversarial-bandit': adversarialBandit,
} as const;

/** Name of an env preset. */
export type EnvPresetName = keyof typeof ENV_PRESETS;

/** Names of all env presets, in documentation order. */
export const ENV_PRESET_NAMES = Object.keys(ENV_PRESETS) as readonly EnvPresetName[];

type PresetOverrides<N extends EnvPresetName> = NonNullable<Parameters<(typeof ENV_PRESETS)[N]>[0]>;

/**
 * The env family of a preset, with optional config overrides (validated: an unknown preset or field throws one
 * `InvalidArgumentError` naming it and listing what is accepted). What the CLI and config files call.
 *
 * @example
 * const family = makeEnvFamily('dark-key-to-door');
 * const small = makeEnvFamily('darkroom', { size: 5, horizon: 12 });
 */
export function makeEnvFamily<N extends EnvPresetName>(
  name: N,
  overrides?: PresetOverrides<N>,
): ReturnType<(typeof ENV_PRESETS)[N]>;
export function makeEnvFamily(name: string, overrides?: Record<string, unknown>): EnvFamily;
export function makeEnvFamily(name: string, overrides: Record<string, unknown> = {}): EnvFamily {
  if (typeof name !== 'string' || !Object.hasOwn(ENV_PRESETS, name)) {
    throw new InvalidArgumentError('preset', name, `one of ${ENV_PRESET_NAMES.join(', ')}`);
  }
  const factory = ENV_PRESETS[name as EnvPresetName] as (o: Record<string, unknown>) => EnvFamily;
  return factory(overrides);
}
