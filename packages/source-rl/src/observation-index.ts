import { type BoxSpace, boxBounds, InvalidArgumentError, type Space } from '@icrl/core';

/**
 * Maps observations of a finite space to table rows: a Discrete observation is its own index; an int32 Box
 * with finite bounds is read as mixed-radix digits (obs[d] - low[d]) of sizes high[d] - low[d] + 1, first
 * dimension most significant. Darkroom's (x, y) in 0..8 becomes x * 9 + y, the reference's 81-way index.
 *
 * @example
 * const index = ObservationIndex.for('tabular-q', darkroom().observationSpace); // 81 states
 * index.of(new Int32Array([2, 3]), 0); // 21
 */
export class ObservationIndex {
  private constructor(
    /** Number of distinct observations. */
    readonly size: number,
    private readonly width: number,
    private readonly low: Int32Array,
    private readonly radix: Int32Array,
  ) {}

  /** Largest table an index may address. */
  static readonly MAX_STATES = 1 << 24;

  /** The index of a space, or an `InvalidArgumentError` naming `${algorithm}: observationSpace`. */
  static for(algorithm: string, space: Space): ObservationIndex {
    if (space.kind === 'discrete')
      return new ObservationIndex(space.n, 1, new Int32Array(1), new Int32Array([space.n]));
    const expected = `a Discrete space or an int32 Box with finite integer bounds of at most ${ObservationIndex.MAX_STATES} cells (a tabular method needs finitely many states)`;
    const box = space as BoxSpace;
    if (box.dtype !== 'int32')
      throw new InvalidArgumentError(`${algorithm}: observationSpace`, space, expected);
    const bounds = boxBounds(box);
    const width = bounds.low.length;
    const low = new Int32Array(width);
    const radix = new Int32Array(width);
    let size = 1;
    for (let d = 0; d < width; d++) {
      const lo = bounds.low[d]!;
      const hi = bounds.high[d]!;
      if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) {
        throw new InvalidArgumentError(`${algorithm}: observationSpace`, space, expected);
      }
      low[d] = lo;
      radix[d] = hi - lo + 1;
      size *= hi - lo + 1;
      if (size > ObservationIndex.MAX_STATES)
        throw new InvalidArgumentError(`${algorithm}: observationSpace`, space, expected);
    }
    return new ObservationIndex(size, width, low, radix);
  }

  /** Row of the observation of env `env` in a batch `obs` (`[numEnvs * width]`). */
  of(obs: ArrayLike<number>, env: number): number {
    let index = 0;
    const at = env * this.width;
    for (let d = 0; d < this.width; d++) index = index * this.radix[d]! + (obs[at + d]! - this.low[d]!);
    return index;
  }
}

/** Whether every observation of the space is the same (a bandit's dummy state). */
export function isConstantSpace(space: Space): boolean {
  if (space.kind === 'discrete') return space.n === 1;
  const { low, high } = boxBounds(space);
  return low.every((lo, d) => lo === high[d]);
}
