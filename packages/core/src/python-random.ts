import { InvalidArgumentError } from './errors/invalid-argument-error';
import { requireInteger, requireSeed } from './validate';

// CPython's `random.Random` (MT19937) for the calls in-context RL references depend on, bit for bit:
// `random.seed(int)`, `getrandbits`, `random()`, `randrange(n)` and `shuffle(list)`. The DICP reference splits
// its tasks with `random.seed(env_split_seed); random.shuffle(list(range(n)))`, so reproducing its test tasks
// needs exactly this generator. Port of Matsumoto & Nishimura's mt19937ar.c as CPython uses it
// (init_by_array for integer seeds, `_randbelow_with_getrandbits` for ranges).

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** CPython-compatible Mersenne Twister. Not fast and not for sampling in hot loops: use `Rng` there. */
export class PythonRandom {
  private readonly mt = new Uint32Array(N);
  private mti = N + 1;

  /** Same as Python's `random.Random(seed)`, for a safe integer seed >= 0. */
  constructor(seed: number) {
    this.seed(seed);
  }

  /**
   * NumPy's legacy generator, `np.random.seed(seed)` (`RandomState`): the same MT19937 seeded with `init_genrand`
   * instead of `init_by_array`; `random()` is then NumPy's `random_sample()` and `uniform` its `uniform`. Meta-World
   * draws its ML1 task variations from it. `seed` is an integer in [0, 2^32).
   */
  static numpyLegacy(seed: number): PythonRandom {
    requireInteger('seed', seed, { min: 0, max: 4294967295 });
    const rng = new PythonRandom(0);
    rng.initGenrand(seed);
    return rng;
  }

  /** Same as Python's `random.seed(seed)` for an integer seed: the key is |seed| in 32-bit little-endian words. */
  seed(seed: number): void {
    requireSeed('seed', seed);
    const key: number[] = [];
    let rest = seed;
    do {
      key.push(rest % 4294967296);
      rest = Math.floor(rest / 4294967296);
    } while (rest > 0);
    this.initByArray(key);
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      // 1812433253 * prev + i, modulo 2^32, without losing precision
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = N;
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000; // MSB is 1, assuring a non-zero initial array
  }

  /** Next 32-bit output (`genrand_uint32`). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Python's `random.random()`: a float in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Python's `random.uniform(a, b)` (and NumPy's `uniform`): `a + (b - a) * random()`. */
  uniform(a: number, b: number): number {
    return a + (b - a) * this.random();
  }

  /** Python's `getrandbits(k)` for 0 <= k <= 53 (words are consumed least-significant first, as CPython does). */
  getrandbits(k: number): number {
    if (!Number.isInteger(k) || k < 0 || k > 53)
      throw new InvalidArgumentError('k', k, 'an integer in [0, 53]');
    if (k === 0) return 0;
    if (k <= 32) return this.nextUint32() >>> (32 - k);
    const lo = this.nextUint32();
    const hi = this.nextUint32() >>> (64 - k);
    return hi * 4294967296 + lo;
  }

  /** Python's `randrange(n)` (= `_randbelow(n)`): uniform integer in [0, n). */
  randbelow(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('n', n, 'an integer >= 1');
    const k = bitLength(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  /** Python's `random.shuffle(items)`, in place; returns `items`. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }
}

function bitLength(n: number): number {
  let bits = 0;
  while (n > 0) {
    bits++;
    n = Math.floor(n / 2);
  }
  return bits;
}

/** Python's `round(x)` for x >= 0: round half to even. */
export function pythonRound(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Train/test task indices as the DICP reference draws them. */
export interface IndexSplit {
  /** Indices of the training tasks, in the reference's (shuffled) order. */
  train: number[];
  /** Indices of the held-out tasks, in the reference's (shuffled) order. */
  test: number[];
}

/**
 * Splits task indices 0..n-1 exactly as the DICP reference does:
 * `idx = list(range(n)); random.seed(seed); random.shuffle(idx)`, the first `round(n * trainRatio)` train.
 */
export function pythonSplit(n: number, seed: number, trainRatio: number): IndexSplit {
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('numTasks', n, 'an integer >= 1');
  if (typeof trainRatio !== 'number' || !(trainRatio >= 0 && trainRatio <= 1)) {
    throw new InvalidArgumentError('trainRatio', trainRatio, 'a number in [0, 1]');
  }
  const order = Array.from({ length: n }, (_, i) => i);
  new PythonRandom(seed).shuffle(order);
  const nTrain = pythonRound(n * trainRatio);
  return { train: order.slice(0, nTrain), test: order.slice(nTrain) };
}
