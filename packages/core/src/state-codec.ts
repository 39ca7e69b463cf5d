import { InvalidArgumentError } from './errors/invalid-argument-error';
import { boxBounds, type Space } from './spaces';

/**
 * Numbers the cells of a finite integer space 0 .. size-1: a Discrete observation is its own index; an int32
 * Box with finite bounds is read as mixed-radix digits (obs[d] - low[d]) of sizes high[d] - low[d] + 1, first
 * dimension most significant. Darkroom's (x, y) in 0..8 becomes x·9 + y, the reference's 81-way index
 * (`map_dark_states`; `decode` is its `map_dark_states_inverse`). Tabular learners index their tables with
 * it, transformers their query-state embedding and next-state head.
 *
 * @example
 * const codec = StateCodec.of(darkroom().observationSpace)!; // size 81
 * codec.index([2, 3], 0); // 21
 */
export class StateCodec {
  private constructor(
    /** Number of cells. */
    readonly size: number,
    /** Scalars per observation. */
    readonly width: number,
    private readonly low: Int32Array,
    private readonly radix: Int32Array,
  ) {}

  /**
   * The codec of a space, or null when its cells cannot be numbered: a float or unbounded box, or more than
   * `maxStates` cells (default 2^24).
   */
  static of(space: Space, maxStates: number = 1 << 24): StateCodec | null {
    if (space.kind === 'discrete')
      return space.n <= maxStates
        ? new StateCodec(space.n, 1, new Int32Array(1), new Int32Array([space.n]))
        : null;
    if (space.dtype !== 'int32') return null;
    const { low, high } = boxBounds(space);
    const radix = new Int32Array(low.length);
    let size = 1;
    for (let d = 0; d < low.length; d++) {
      const lo = low[d]!;
      const hi = high[d]!;
      if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) return null;
      radix[d] = hi - lo + 1;
      size *= hi - lo + 1;
      if (size > maxStates) return null;
    }
    return new StateCodec(size, low.length, Int32Array.from(low), radix);
  }

  /** The index of the observation at `obs[offset .. offset + width)`. Throws outside the space. */
  index(obs: ArrayLike<number>, offset: number): number {
    let index = 0;
    for (let d = 0; d < this.width; d++) {
      const v = obs[offset + d]! - this.low[d]!;
      if (!(v >= 0 && v < this.radix[d]! && Number.isInteger(v))) {
        throw new InvalidArgumentError(
          'observation',
          Array.from({ length: this.width }, (_, j) => obs[offset + j]),
          'a cell inside the observation space',
        );
      }
      index = index * this.radix[d]! + v;
    }
    return index;
  }

  /** Writes the observation of cell `index` at `out[offset ..]`: the inverse of `index`. */
  decode(index: number, out: { [i: number]: number }, offset: number): void {
    if (!(Number.isInteger(index) && index >= 0 && index < this.size))
      throw new InvalidArgumentError('index', index, `an integer in [0, ${this.size})`);
    let rest = index;
    for (let d = this.width - 1; d >= 0; d--) {
      out[offset + d] = this.low[d]! + (rest % this.radix[d]!);
      rest = Math.floor(rest / this.radix[d]!);
    }
  }
}
