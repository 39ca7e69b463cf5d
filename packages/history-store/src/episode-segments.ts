/**
 * The steps AD's episode subsampling keeps: every k-th episode of a stream (episodes 0, k, 2k, ...), as
 * `[start, end)` ranges of time steps. An episode ends at a step whose `done` is 1; steps after the last
 * done form a final, unfinished episode. With k = 1 the whole history is one range.
 *
 * @example keptSegments(Uint8Array.of(0, 1, 0, 1, 0, 1), 2) // Int32Array [0, 2, 4, 6]: episodes 0 and 2
 */
export function keptSegments(dones: ArrayLike<number>, k: number, length = dones.length): Int32Array {
  if (k === 1) return Int32Array.of(0, length);
  const ranges: number[] = [];
  let episode = 0;
  let start = 0;
  for (let t = 0; t < length; t++) {
    if (dones[t] !== 0 || t === length - 1) {
      if (episode % k === 0) {
        // Merge with the previous kept range when contiguous (never with k > 1, but keeps ranges canonical).
        if (ranges.length > 0 && ranges[ranges.length - 1] === start) ranges[ranges.length - 1] = t + 1;
        else ranges.push(start, t + 1);
      }
      episode++;
      start = t + 1;
    }
  }
  return Int32Array.from(ranges);
}

/** Total steps in a list of `[start, end)` ranges. */
export function keptLength(segments: Int32Array): number {
  let n = 0;
  for (let i = 0; i < segments.length; i += 2) n += segments[i + 1]! - segments[i]!;
  return n;
}

/**
 * Calls `visit(start, count, outOffset)` for the pieces of time steps that make up kept positions
 * `[offset, offset + length)` (positions count kept steps only, in order).
 */
export function forEachPiece(
  segments: Int32Array,
  offset: number,
  length: number,
  visit: (start: number, count: number, outOffset: number) => void,
): void {
  let skipped = 0;
  let done = 0;
  for (let i = 0; i < segments.length && done < length; i += 2) {
    const a = segments[i]!;
    const b = segments[i + 1]!;
    const size = b - a;
    if (skipped + size <= offset) {
      skipped += size;
      continue;
    }
    const from = a + Math.max(0, offset - skipped);
    const count = Math.min(b - from, length - done);
    visit(from, count, done);
    done += count;
    skipped += size;
  }
}
