import type { GridCell } from './grid-config';
import type { GridRewardRule } from './grid-vec-env';

// Largest return one episode can earn, in closed form. Rewards are paid on the cell reached *after* a move, so
// a target at Manhattan distance d is first paid on step max(d, 1): even a target under the start needs one
// step (stay). The oracle (x first, then y) reaches every target by a shortest path, so it earns exactly this.

const manhattan = (a: GridCell, b: GridCell) => Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]);

/**
 * Max return from a fixed start cell.
 * - `every-step`: clip(horizon + 1 - d, 0, horizon), d = |goal - start|₁ (on the goal from step max(d, 1) on).
 * - `first-visit`: 1 if max(d, 1) <= horizon, else 0.
 * - `key-then-goal`: the key pays at step tk = max(|key - start|₁, 1), the goal at tk + max(|goal - key|₁, 1)
 *   (a goal under the key needs one more step, because one step never pays twice); 1 for each within horizon.
 *
 * @example gridMaxReturn('every-step', 20, [4, 4], [8, 8], null) // 13
 */
export function gridMaxReturn(
  rule: GridRewardRule,
  horizon: number,
  start: GridCell,
  goal: GridCell,
  key: GridCell | null,
): number {
  if (rule === 'key-then-goal') {
    const tKey = Math.max(manhattan(start, key!), 1);
    const tGoal = tKey + Math.max(manhattan(key!, goal), 1);
    return (tKey <= horizon ? 1 : 0) + (tGoal <= horizon ? 1 : 0);
  }
  const d = manhattan(start, goal);
  if (rule === 'first-visit') return Math.max(d, 1) <= horizon ? 1 : 0;
  return Math.min(Math.max(horizon + 1 - d, 0), horizon);
}

/**
 * Max return averaged over a uniformly random start cell (what `start: 'random'` families report, since the
 * best return of one episode depends on where it starts).
 *
 * @example expectedGridMaxReturn('every-step', 2, 2, [0, 0], null) // 1.75: starts (1, 1) earn 1, the others 2
 */
export function expectedGridMaxReturn(
  rule: GridRewardRule,
  horizon: number,
  size: number,
  goal: GridCell,
  key: GridCell | null,
): number {
  let sum = 0;
  for (let x = 0; x < size; x++) {
    for (let y = 0; y < size; y++) sum += gridMaxReturn(rule, horizon, [x, y], goal, key);
  }
  return sum / (size * size);
}
