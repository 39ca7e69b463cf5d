import { boxBounds, InvalidArgumentError, type Space, StateCodec } from '@icrl/core';

/**
 * Maps observations of a finite space to table rows through `@icrl/core`'s `StateCodec` (Darkroom's (x, y)
 * becomes x * 9 + y, the reference's 81-way index); a space without one is refused naming the algorithm.
 *
 * @example
 * const index = ObservationIndex.for('tabular-q', darkroom().observationSpace); // 81 states
 * index.of(new Int32Array([2, 3]), 0); // 21
 */
export class ObservationIndex {
  private constructor(private readonly codec: StateCodec) {}

  /** Largest table an index may address. */
  static readonly MAX_STATES = 1 << 24;

  /** Number of distinct observations. */
  get size(): number {
    return this.codec.size;
  }

  /** The index of a space, or an `InvalidArgumentError` naming `${algorithm}: observationSpace`. */
  static for(algorithm: string, space: Space): ObservationIndex {
    const codec = StateCodec.of(space, ObservationIndex.MAX_STATES);
    if (codec === null) {
      throw new InvalidArgumentError(
        `${algorithm}: observationSpace`,
        space,
        `a Discrete space or an int32 Box with finite integer bounds of at most ${ObservationIndex.MAX_STATES} cells (a tabular method needs finitely many states)`,
      );
    }
    return new ObservationIndex(codec);
  }

  /** Row of the observation of env `env` in a batch `obs` (`[numEnvs * width]`). */
  of(obs: ArrayLike<number>, env: number): number {
    return this.codec.index(obs, env * this.codec.width);
  }
}

/** Whether every observation of the space is the same (a bandit's dummy state). */
export function isConstantSpace(space: Space): boolean {
  if (space.kind === 'discrete') return space.n === 1;
  const { low, high } = boxBounds(space);
  return low.every((lo, d) => lo === high[d]);
}
