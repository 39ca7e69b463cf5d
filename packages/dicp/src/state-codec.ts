import { InvalidArgumentError, type Space } from '@icrl/core';

/**
 * Writes the observation of state index `index` at `out[offset ..]`: the inverse of `Encoding.stateIndex`
 * (mixed radix over the box, last dimension fastest — DICP's `map_dark_states_inverse`).
 */
export function decodeState(space: Space, index: number, out: Float32Array, offset: number): void {
  if (space.kind !== 'box')
    throw new InvalidArgumentError('observationSpace', space.kind, 'a box of grid cells');
  const n = space.shape.reduce((a, b) => a * b, 1);
  let rest = index;
  for (let i = n - 1; i >= 0; i--) {
    const lo = typeof space.low === 'number' ? space.low : space.low[i]!;
    const hi = typeof space.high === 'number' ? space.high : space.high[i]!;
    const range = hi - lo + 1;
    out[offset + i] = lo + (rest % range);
    rest = Math.floor(rest / range);
  }
}
