import { type BoxSpace, flatSize } from '@icrl/core';

/** Per-element bounds of a Box (its `low`/`high` are one number for all elements, or one each). */
export function boxBounds(space: BoxSpace): { low: Float64Array; high: Float64Array } {
  const n = flatSize(space);
  const at = (b: number | readonly number[], i: number) => (typeof b === 'number' ? b : b[i]!);
  return {
    low: Float64Array.from({ length: n }, (_, i) => at(space.low, i)),
    high: Float64Array.from({ length: n }, (_, i) => at(space.high, i)),
  };
}
