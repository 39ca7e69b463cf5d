// The five moves every gridworld here shares, in the DICP/DPT reference order, and the oracle that walks to a cell.

/** Number of actions in every gridworld: the four moves plus "stay". */
export const NUM_GRID_ACTIONS = 5;

/**
 * The base moves in the reference order (DICP `gw/env/darkroom.py`, DPT): index = base action.
 * A family's `actionOrder` (or a Darkroom-Permuted task) maps agent actions onto these.
 */
export const GRID_MOVES = Object.freeze(['x+1', 'x-1', 'y+1', 'y-1', 'stay'] as const);

/** The "stay" base action. */
export const STAY = 4;

/** x offset of each base move. */
export const MOVE_DX: readonly number[] = Object.freeze([1, -1, 0, 0, 0]);
/** y offset of each base move. */
export const MOVE_DY: readonly number[] = Object.freeze([0, 0, 1, -1, 0]);

/** The identity action order: agent action a is base move a. */
export const IDENTITY_ACTION_ORDER: readonly number[] = Object.freeze([0, 1, 2, 3, 4]);

/**
 * The reference oracle's base move from (x, y) towards (tx, ty): along x first, then along y, else stay.
 *
 * @example baseOracleMove(4, 4, 2, 7) // 1 (x-1)
 */
export function baseOracleMove(x: number, y: number, tx: number, ty: number): number {
  if (x < tx) return 0;
  if (x > tx) return 1;
  if (y < ty) return 2;
  if (y > ty) return 3;
  return STAY;
}

/**
 * The inverse of a permutation: `inverse[perm[a]] === a`, so the agent action that executes base move m is
 * `inverse[m]` (the reference's `perm.index(m)`).
 *
 * @example invertPermutation([1, 2, 0]) // [2, 0, 1]
 */
export function invertPermutation(perm: readonly number[]): number[] {
  const inverse = new Array<number>(perm.length);
  perm.forEach((m, a) => {
    inverse[m] = a;
  });
  return inverse;
}
