import type { Rng } from '@icrl/core';

/** One softmax sample from a uniform `u` (as `sampleDiscrete` in @icrl/transformer draws it). */
export function sampleOne(logits: ArrayLike<number>, offset: number, k: number, u: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let a = 0; a < k; a++) max = Math.max(max, logits[offset + a]!);
  let z = 0;
  for (let a = 0; a < k; a++) z += Math.exp(logits[offset + a]! - max);
  let left = u * z;
  for (let a = 0; a < k; a++) {
    left -= Math.exp(logits[offset + a]! - max);
    if (left < 0) return a;
  }
  return k - 1;
}

/**
 * Actions in the order of sampling without replacement from softmax(logits) (`torch.multinomial` with
 * `replacement=False`): the first is drawn with `first` (one uniform draw, exactly as a plain policy sample),
 * the rest from `rng`, each among the actions not drawn yet.
 */
export function samplingOrder(
  logits: ArrayLike<number>,
  offset: number,
  k: number,
  first: number,
  rng: Rng,
): Int32Array {
  const order = new Int32Array(k);
  const left = Array.from({ length: k }, (_, a) => a);
  let max = Number.NEGATIVE_INFINITY;
  for (let a = 0; a < k; a++) max = Math.max(max, logits[offset + a]!);
  const w = left.map((a) => Math.exp(logits[offset + a]! - max));
  for (let i = 0; i < k; i++) {
    let z = 0;
    for (const a of left) z += w[a]!;
    let u = (i === 0 ? first : rng.float()) * z;
    let pick = left.length - 1;
    for (let j = 0; j < left.length; j++) {
      u -= w[left[j]!]!;
      if (u < 0) {
        pick = j;
        break;
      }
    }
    order[i] = left[pick]!;
    left.splice(pick, 1);
  }
  return order;
}

/** The `l` actions with the highest logits, ties to the lower index, in index order. */
export function topActions(logits: ArrayLike<number>, offset: number, k: number, l: number): Set<number> {
  const idx = Array.from({ length: k }, (_, a) => a);
  idx.sort((a, b) => logits[offset + b]! - logits[offset + a]! || a - b);
  return new Set(idx.slice(0, l));
}
