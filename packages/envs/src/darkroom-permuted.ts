import {
  type GridRewardMode,
  type GridStart,
  mergeOverrides,
  parseCell,
  parseHorizon,
  parseRewardMode,
  parseSize,
  parseStart,
  startToJson,
} from './grid-config';
import { createGridFamily, type GridFamily } from './grid-family';
import { NUM_GRID_ACTIONS } from './grid-moves';
import { lexicographicPermutations } from './permutations';

// Darkroom-Permuted (DICP `DarkroomPermuted` in `gw/env/darkroom.py`): the goal is fixed and known, but what
// each action does is not. A task is a permutation of the five moves, so the agent must learn its controls in
// context.

/** Parameters of a Darkroom-Permuted task: agent action a executes base move `permutation[a]`. */
export type DarkroomPermutedTaskParams = { readonly permutation: readonly number[] };

/** Everything that defines a Darkroom-Permuted MDP. */
export interface DarkroomPermutedConfig {
  /** Side length of the grid, in [2, 1024]. */
  readonly size: number;
  /** Steps per episode; the last one is truncated. */
  readonly horizon: number;
  /** Start cell or mode (see `GridStart`). */
  readonly start: GridStart;
  /** The fixed goal cell. Default: the far corner `[size - 1, size - 1]`. */
  readonly goal: readonly [number, number];
  /** How the goal pays (see `GridRewardMode`). */
  readonly rewardMode: GridRewardMode;
}

/** The DICP Darkroom-Permuted: 9x9, 50 steps, start (0, 0), goal (8, 8), 1 per step on the goal; max return 35. */
export const DARKROOM_PERMUTED_CONFIG: DarkroomPermutedConfig = Object.freeze({
  size: 9,
  horizon: 50,
  start: 'origin',
  goal: Object.freeze([8, 8]) as readonly [number, number],
  rewardMode: 'every-step',
});

const ID = 'darkroom-permuted';
const PERMUTATIONS = lexicographicPermutations(NUM_GRID_ACTIONS);

/**
 * Darkroom-Permuted, id `darkroom-permuted` (`DARKROOM_PERMUTED_CONFIG`, any field overridable; overriding
 * `size` alone moves the goal to the new far corner). 120 tasks: task i is the i-th permutation of [0..4] in
 * Python `itertools.permutations` order; split 108/12 with DICP's seed 4.
 *
 * @example
 * const family = darkroomPermuted();
 * family.task(1).params; // { permutation: [0, 1, 2, 4, 3] }: action 3 stays, action 4 moves y-1
 */
export function darkroomPermuted(
  overrides: Partial<DarkroomPermutedConfig> = {},
): GridFamily<DarkroomPermutedTaskParams> {
  const given = overrides as Partial<DarkroomPermutedConfig> | undefined;
  const c = mergeOverrides(ID, { ...DARKROOM_PERMUTED_CONFIG }, overrides);
  const size = parseSize(ID, c.size, 1024);
  const horizon = parseHorizon(ID, c.horizon);
  const start = parseStart(ID, c.start, size);
  const goal =
    given?.goal === undefined ? ([size - 1, size - 1] as const) : parseCell(`${ID}.goal`, c.goal, size);
  const rewardMode = parseRewardMode(ID, c.rewardMode);
  return createGridFamily<DarkroomPermutedTaskParams>({
    id: ID,
    config: { size, horizon, start: startToJson(start), goal: [goal[0], goal[1]], rewardMode },
    size,
    horizon,
    start,
    rewardRule: rewardMode,
    numTasks: PERMUTATIONS.length,
    defaultTrainRatio: 0.9,
    defaultSplitSeed: 4,
    params: (i) => ({ permutation: PERMUTATIONS[i]!.slice() }),
    layout: (params) => ({ goal, key: null, actionMap: params.permutation }),
  });
}
