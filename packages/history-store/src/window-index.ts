import type { Rng } from '@icrl/core';

// Every valid window of every usable history, numbered 0..count-1 without materialising them: history h
// contributes floor((len_h - L) / stride) + 1 windows (none when len_h < L), and a binary search over the
// running totals turns a uniform draw in [0, count) into (history, offset). Uniform over windows, not over
// tasks: a longer history contributes proportionally more windows, as DICP's ADDataset does.

/** One history (task × stream) the sampler draws windows from. */
export interface IndexedHistory {
  readonly task: number;
  readonly stream: number;
  /** Usable (kept) steps. */
  readonly length: number;
  /** Kept `[start, end)` time ranges when episodes are subsampled; null when the steps are 0..length-1. */
  readonly segments: Int32Array | null;
}

/**
 * Numbered windows over histories.
 *
 * @example
 * const index = new WindowIndex(histories, 80, 1);
 * const { history, offset } = index.locate(index.draw(rng));
 */
export class WindowIndex {
  /** Number of windows. */
  readonly count: number;
  private readonly ends: Float64Array;

  constructor(
    readonly histories: readonly IndexedHistory[],
    readonly length: number,
    readonly stride: number,
  ) {
    this.ends = new Float64Array(histories.length);
    let total = 0;
    histories.forEach((h, i) => {
      total += h.length >= length ? Math.floor((h.length - length) / stride) + 1 : 0;
      this.ends[i] = total;
    });
    this.count = total;
  }

  /** A uniform window number in [0, count): unbiased below 2^32, 53-bit uniform beyond. */
  draw(rng: Rng): number {
    return this.count <= 2 ** 32 ? rng.int(this.count) : Math.floor(rng.float() * this.count);
  }

  /** The history and the window's first (kept) position for window number `n`. */
  locate(n: number): { history: IndexedHistory; offset: number } {
    let lo = 0;
    let hi = this.ends.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ends[mid]! > n) hi = mid;
      else lo = mid + 1;
    }
    const before = lo === 0 ? 0 : this.ends[lo - 1]!;
    return { history: this.histories[lo]!, offset: (n - before) * this.stride };
  }
}
