import {
  InvalidArgumentError,
  rejectUnknownKeys,
  requireInteger,
  requireObject,
  requireOneOf,
} from '@icrl/core';
import { NUM_GRID_ACTIONS } from './grid-moves';
import { isPermutation } from './permutations';

// Parsers for the config fields the gridworld families share. Each throws one InvalidArgumentError naming the
// field as `<family id>.<field>`, so a bad preset override fails before any table is built.

/** A cell of the grid as `[x, y]`, both in `[0, size)`. */
export type GridCell = readonly [number, number];

/**
 * Where episodes start: `'center'` = (size // 2, size // 2) (AD, DICP), `'origin'` = (0, 0) (DPT), an explicit
 * cell, or `'random'`: a uniform cell drawn at every reset from the env's seeded stream (x first, then y). With
 * `'random'`, `maxReturn` is the expectation over the start cell.
 *
 * @example darkroom({ start: [0, 8] }) // every episode starts in the top-left corner
 */
export type GridStart = 'center' | 'origin' | 'random' | GridCell;

/** How a goal pays: `'every-step'` 1 on every step on the goal (AD, DICP); `'first-visit'` 1 the first time only. */
export type GridRewardMode = 'every-step' | 'first-visit';

/** The reward modes accepted by `rewardMode`. */
export const GRID_REWARD_MODES: readonly GridRewardMode[] = ['every-step', 'first-visit'];

/**
 * Merges config overrides over a family's defaults: `overrides` must be an object (or undefined) whose fields
 * the family has; fields set to `undefined` keep their default. Values are validated by the caller.
 */
export function mergeOverrides(
  id: string,
  defaults: Record<string, unknown>,
  overrides: unknown,
): Record<string, unknown> {
  const obj = overrides === undefined ? {} : requireObject(id, overrides);
  rejectUnknownKeys(id, obj, Object.keys(defaults));
  const merged = { ...defaults };
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) merged[k] = v;
  return merged;
}

/** Side length of the square grid: an integer in [2, maxSize]. */
export function parseSize(id: string, value: unknown, maxSize: number): number {
  return requireInteger(`${id}.size`, value, { min: 2, max: maxSize });
}

/** Steps per episode: an integer >= 1. */
export function parseHorizon(id: string, value: unknown): number {
  return requireInteger(`${id}.horizon`, value, { min: 1, max: 2 ** 31 - 1 });
}

/** A cell `[x, y]` inside a `size` x `size` grid (returned as a fresh array). */
export function parseCell(field: string, value: unknown, size: number): [number, number] {
  const ok =
    Array.isArray(value) &&
    value.length === 2 &&
    value.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < size);
  if (!ok) throw new InvalidArgumentError(field, value, `[x, y] with x and y integers in [0, ${size - 1}]`);
  return [value[0], value[1]];
}

/** A start mode or cell (see `GridStart`). */
export function parseStart(id: string, value: unknown, size: number): GridStart {
  if (value === 'center' || value === 'origin' || value === 'random') return value;
  if (Array.isArray(value)) {
    try {
      return parseCell(`${id}.start`, value, size);
    } catch {
      // fall through to the message that lists every accepted form
    }
  }
  throw new InvalidArgumentError(
    `${id}.start`,
    value,
    `"center", "origin", "random" or [x, y] with x and y integers in [0, ${size - 1}]`,
  );
}

/** A reward mode (see `GridRewardMode`). */
export function parseRewardMode(id: string, value: unknown): GridRewardMode {
  return requireOneOf(`${id}.rewardMode`, value, GRID_REWARD_MODES);
}

/** A permutation of the five base moves (returned as a fresh array). */
export function parseActionOrder(id: string, value: unknown): number[] {
  if (!isPermutation(value, NUM_GRID_ACTIONS)) {
    throw new InvalidArgumentError(`${id}.actionOrder`, value, 'a permutation of [0, 1, 2, 3, 4]');
  }
  return value.slice();
}

/** The start cell of a fixed start mode, or `'random'`. */
export function resolveStart(start: GridStart, size: number): GridCell | 'random' {
  if (start === 'center') return [size >> 1, size >> 1];
  if (start === 'origin') return [0, 0];
  return start;
}

/** The start as stored in a resolved (JSON) config: the mode name or a copied cell. */
export function startToJson(start: GridStart): string | number[] {
  return typeof start === 'string' ? start : [start[0], start[1]];
}
