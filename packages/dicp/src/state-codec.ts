import { boxBounds, InvalidArgumentError, type Space } from '@icrl/core';

/**
 * Writes the observation of state index `index` at `out[offset ..]`: the inverse of `Encoding.stateIndex`
 * (mixed radix over the box, last dimension fastest — DICP's `map_dark_states_inverse`).
 */
export function decodeState(space: Space, index: number, out: Float32Array, offset: number): void {
  if (space.kind !== 'box')
    throw new InvalidArgumentError('observationSpace', space.kind, 'a box of grid cells');
  const { low, high } = boxBounds(space);
  let rest = index;
  for (let i = low.length - 1; i >= 0; i--) {
    const range = high[i]! - low[i]! + 1;
    out[offset + i] = low[i]! + (rest % range);
    rest = Math.floor(rest / range);
  }
}
