import {
  InvalidArgumentError,
  rejectUnknownKeys,
  requireNumber,
  requireObject,
  requireSeed,
} from '@icrl/core';
import {
  type GridRewardMode,
  type GridStart,
  mergeOverrides,
  parseActionOrder,
  parseHorizon,
  parseRewardMode,
  parseSize,
  parseStart,
  startToJson,
} from './grid-config';
import { createGridFamily, type GridFamily } from './grid-family';
import { IDENTITY_ACTION_ORDER } from './grid-moves';

// Darkroom (Laskin et al. 2022, "In-context RL with Algorithm Distillation"; DICP `gw/env/darkroom.py`): an
// empty room whose goal cell is invisible. The agent sees only its own (x, y) and must find the goal by
// exploring, then return to it in later episodes: the in-context learning problem in its smallest form.

/** Parameters of a Darkroom task: the hidden goal cell. */
export type DarkroomTaskParams = { readonly goal: readonly [number, number] };

/** Everything that defines a Darkroom MDP. Implementations differ in each field, so all are explicit. */
export interface DarkroomConfig {
  /** Side length of the square grid, in [2, 1024]. Tasks: one per cell, `size * size`. */
  readonly size: number;
  /** Steps per episode; the last one is truncated. */
  readonly horizon: number;
  /** Start cell or mode. `'random'` draws a uniform cell at every reset. */
  readonly start: GridStart;
  /** `'every-step'` pays 1 on every step on the goal, `'first-visit'` only the first time per episode. */
  readonly rewardMode: GridRewardMode;
  /**
   * Base move executed by each agent action: agent action a moves by `GRID_MOVES[actionOrder[a]]`. The
   * default `[0, 1, 2, 3, 4]` is the DICP/DPT order (x+1, x-1, y+1, y-1, stay); change it to match
   * another implementation's action ids.
   */
  readonly actionOrder: readonly number[];
}

/** Family metadata for `createDarkroom`. */
export interface DarkroomFamilyOptions {
  /** Family id (and `familyId` of its tasks). Default `'darkroom'`. */
  readonly id?: string;
  /** Default `trainRatio` of `split()`. Default 0.9. */
  readonly defaultTrainRatio?: number;
  /** Default `seed` of `split()`. Default 0. */
  readonly defaultSplitSeed?: number;
}

const MAX_SIZE = 1024;

/** The AD/DICP Darkroom: 9x9, 20 steps, centre start, 1 per step on the goal, 81 tasks. */
export const DARKROOM_CONFIG: DarkroomConfig = Object.freeze({
  size: 9,
  horizon: 20,
  start: 'center',
  rewardMode: 'every-step',
  actionOrder: IDENTITY_ACTION_ORDER,
});

/** AD's Dark Room Hard: 17x17, 20 steps, centre start, 1 only the first time the goal is reached. */
export const DARKROOM_HARD_CONFIG: DarkroomConfig = Object.freeze({
  ...DARKROOM_CONFIG,
  size: 17,
  rewardMode: 'first-visit',
});

/** DPT's Darkroom: 10x10, 100 steps, start (0, 0), 1 per step on the goal. */
export const DARKROOM_DPT_CONFIG: DarkroomConfig = Object.freeze({
  ...DARKROOM_CONFIG,
  size: 10,
  horizon: 100,
  start: 'origin',
});

/**
 * A Darkroom family from any config (fields not given take `DARKROOM_CONFIG`'s values). Task i has its goal at
 * `(i // size, i % size)`, the DICP HDF5 numbering. `split()` reproduces the DICP reference's
 * `random.seed(seed); random.shuffle(list(range(n)))` split. Invalid fields throw `InvalidArgumentError`
 * naming `<id>.<field>` before anything is built.
 *
 * @example
 * const family = createDarkroom({ size: 5, horizon: 12, start: 'random' }, { id: 'darkroom-small' });
 * family.numTasks; // 25
 */
export function createDarkroom(
  config: Partial<DarkroomConfig> = {},
  options: DarkroomFamilyOptions = {},
): GridFamily<DarkroomTaskParams> {
  return buildDarkroom(DARKROOM_CONFIG, config, options);
}

/**
 * The AD/DICP Darkroom (`DARKROOM_CONFIG`), id `darkroom`: 81 goals, split 73/8 with DICP's seed 0.
 *
 * @example
 * const family = darkroom();
 * const { train, test } = family.split(); // exactly the DICP reference's split seed 0
 * const env = family.make(test, { envsPerTask: 10, autoReset: 'same-step' });
 */
export function darkroom(overrides: Partial<DarkroomConfig> = {}): GridFamily<DarkroomTaskParams> {
  return buildDarkroom(DARKROOM_CONFIG, overrides, { id: 'darkroom' });
}

/**
 * AD's Dark Room Hard (`DARKROOM_HARD_CONFIG`), id `darkroom-hard`: 289 goals, each paying once; split 0.9
 * with seed 0 (AD publishes no split, so this follows DICP's Darkroom convention).
 *
 * @example darkroomHard().maxReturn(darkroomHard().task(0)) // 1
 */
export function darkroomHard(overrides: Partial<DarkroomConfig> = {}): GridFamily<DarkroomTaskParams> {
  return buildDarkroom(DARKROOM_HARD_CONFIG, overrides, { id: 'darkroom-hard' });
}

/**
 * DPT's Darkroom (`DARKROOM_DPT_CONFIG`), id `darkroom-dpt`: 100 goals, split 80/20 (DPT's ratio). DPT shuffles
 * its goals with NumPy, which is not reproduced: `split()` uses the same CPython shuffle as the DICP families,
 * so its test goals differ from DPT's.
 *
 * @example darkroomDpt().maxReturn(darkroomDpt().task(99)) // 83: goal (9, 9) is 18 steps from (0, 0)
 */
export function darkroomDpt(overrides: Partial<DarkroomConfig> = {}): GridFamily<DarkroomTaskParams> {
  return buildDarkroom(DARKROOM_DPT_CONFIG, overrides, { id: 'darkroom-dpt', defaultTrainRatio: 0.8 });
}

function buildDarkroom(
  defaults: DarkroomConfig,
  overrides: unknown,
  options: DarkroomFamilyOptions,
): GridFamily<DarkroomTaskParams> {
  const opts = requireObject('options', options);
  rejectUnknownKeys('options', opts, ['id', 'defaultTrainRatio', 'defaultSplitSeed']);
  const id = opts.id ?? 'darkroom';
  if (typeof id !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/.test(id)) {
    throw new InvalidArgumentError('options.id', id, 'a lower-case id such as "darkroom-small"');
  }
  const c = mergeOverrides(id, { ...defaults }, overrides);
  const size = parseSize(id, c.size, MAX_SIZE);
  const horizon = parseHorizon(id, c.horizon);
  const start = parseStart(id, c.start, size);
  const rewardMode = parseRewardMode(id, c.rewardMode);
  const actionOrder = parseActionOrder(id, c.actionOrder);
  const defaultTrainRatio = requireNumber('options.defaultTrainRatio', opts.defaultTrainRatio ?? 0.9, {
    min: 0,
    max: 1,
  });
  const defaultSplitSeed = requireSeed('options.defaultSplitSeed', opts.defaultSplitSeed ?? 0);
  return createGridFamily<DarkroomTaskParams>({
    id,
    config: { size, horizon, start: startToJson(start), rewardMode, actionOrder },
    size,
    horizon,
    start,
    rewardRule: rewardMode,
    numTasks: size * size,
    defaultTrainRatio,
    defaultSplitSeed,
    params: (i) => ({ goal: [Math.floor(i / size), i % size] }),
    layout: (params) => ({ goal: params.goal, key: null, actionMap: actionOrder }),
  });
}
