import { InvalidArgumentError } from './errors/invalid-argument-error';
import type { Rng } from './rng';

/** Element type of an array-valued space. `int32` for grid coordinates and discrete actions. */
export type SpaceDtype = 'int32' | 'float32';

/**
 * A finite set of actions or observations {0, 1, ..., n-1}, as Gymnasium's `Discrete(n)`.
 * Vectorised values are stored one int32 per env.
 */
export interface DiscreteSpace {
  readonly kind: 'discrete';
  /** Number of elements. */
  readonly n: number;
}

/**
 * A box in R^shape, as Gymnasium's `Box(low, high, shape, dtype)`. `low`/`high` are one number for every
 * element, or one per element (flattened, row-major). Use `-Infinity`/`Infinity` for unbounded dims.
 *
 * @example Darkroom's observation: `{ kind: 'box', shape: [2], low: 0, high: 8, dtype: 'int32' }`
 */
export interface BoxSpace {
  readonly kind: 'box';
  readonly shape: readonly number[];
  readonly low: number | readonly number[];
  readonly high: number | readonly number[];
  readonly dtype: SpaceDtype;
}

/** An observation or action space. */
export type Space = DiscreteSpace | BoxSpace;

/** Typed array holding a batch of values of a space: Int32Array for `int32`/discrete, Float32Array otherwise. */
export type SpaceArray = Int32Array | Float32Array;

/** Number of scalars one element of the space occupies in a flat batch (1 for discrete). */
export function flatSize(space: Space): number {
  if (space.kind === 'discrete') return 1;
  return space.shape.reduce((a, b) => a * b, 1);
}

/** The dtype one element of the space is stored with. */
export function spaceDtype(space: Space): SpaceDtype {
  return space.kind === 'discrete' ? 'int32' : space.dtype;
}

/** A zeroed typed array for `count` elements of the space. */
export function allocateBatch(space: Space, count: number): SpaceArray {
  const size = flatSize(space) * count;
  return spaceDtype(space) === 'int32' ? new Int32Array(size) : new Float32Array(size);
}

function boundAt(bound: number | readonly number[], i: number): number {
  return typeof bound === 'number' ? bound : bound[i]!;
}

/** Per-element bounds of a box (its `low`/`high` are one number for every element, or one each). */
export function boxBounds(space: BoxSpace): { low: Float64Array; high: Float64Array } {
  const n = flatSize(space);
  return {
    low: Float64Array.from({ length: n }, (_, i) => boundAt(space.low, i)),
    high: Float64Array.from({ length: n }, (_, i) => boundAt(space.high, i)),
  };
}

/** Whether `value` (one element, flattened) lies in the space. */
export function contains(space: Space, value: ArrayLike<number> | number): boolean {
  if (space.kind === 'discrete') {
    const x = typeof value === 'number' ? value : value.length === 1 ? value[0] : Number.NaN;
    return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < space.n;
  }
  const size = flatSize(space);
  const arr = typeof value === 'number' ? [value] : value;
  if (arr.length !== size) return false;
  for (let i = 0; i < size; i++) {
    const x = arr[i]!;
    if (Number.isNaN(x) || x < boundAt(space.low, i) || x > boundAt(space.high, i)) return false;
    if (space.dtype === 'int32' && !Number.isInteger(x)) return false;
  }
  return true;
}

/**
 * Fills `out` with `count` uniform samples of the space (discrete: uniform index; bounded box: uniform in
 * [low, high], integers inclusive). Unbounded boxes cannot be sampled uniformly and throw.
 */
export function sampleBatch(
  space: Space,
  rng: Rng,
  out: SpaceArray,
  count = out.length / flatSize(space),
): SpaceArray {
  if (space.kind === 'discrete') {
    for (let i = 0; i < count; i++) out[i] = rng.int(space.n);
    return out;
  }
  const size = flatSize(space);
  for (let e = 0; e < count; e++) {
    for (let i = 0; i < size; i++) {
      const lo = boundAt(space.low, i);
      const hi = boundAt(space.high, i);
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
        throw new InvalidArgumentError('space', space, 'a bounded box to sample from');
      }
      out[e * size + i] = space.dtype === 'int32' ? lo + rng.int(hi - lo + 1) : rng.uniform(lo, hi);
    }
  }
  return out;
}

/** A short human-readable rendering, e.g. `Discrete(5)` or `Box(int32, [2], 0..8)`. */
export function describeSpace(space: Space): string {
  if (space.kind === 'discrete') return `Discrete(${space.n})`;
  const range = (b: number | readonly number[]) => (typeof b === 'number' ? String(b) : `[${b.join(', ')}]`);
  return `Box(${space.dtype}, [${space.shape.join(', ')}], ${range(space.low)}..${range(space.high)})`;
}
