import { IcrlError, PythonRandom, requireInteger } from '@icrl/core';
import type { MetaworldTaskSpec } from './task-spec';

// ML1's task variations, generated as metaworld/__init__.py `_make_tasks` generates them: `np.random.seed(seed)`,
// then for each of the 50 variations one `env.reset()` with the random vector unfrozen. A reset runs
// `reset_model` twice (once itself, once inside Gymnasium's reset after `mj_resetData`); each pass draws a fresh
// vector `np.random.uniform(low, high)` and redraws while the task's rejection rule holds. The vector kept is
// the last one drawn. Train uses `seed`, test `seed + 1`.

/** Variations per split in Meta-World's ML1 (`_N_GOALS`). */
export const ML1_VARIATIONS = 50;

/** Largest ML1 seed: `np.random.seed` takes integers in [0, 2^32). */
export const MAX_ML1_SEED = 2 ** 32 - 2; // seed + 1 must also be valid for the test split

/** Draws `count` variations of `spec` from NumPy's legacy generator seeded with `seed`. */
export function generateTaskVectors(
  spec: MetaworldTaskSpec,
  seed: number,
  count = ML1_VARIATIONS,
): number[][] {
  requireInteger('seed', seed, { min: 0, max: 2 ** 32 - 1 });
  const rng = PythonRandom.numpyLegacy(seed); // np.random.seed(seed): MT19937 with NumPy's legacy seeding
  // np.random.uniform(low, high) over a vector: one draw per component, in order.
  const uniform = () => spec.randLow.map((lo, j) => rng.uniform(lo, spec.randHigh[j]!));
  const draw = () => {
    let rv = uniform();
    while (spec.reject?.(rv)) rv = uniform();
    return rv;
  };
  const vectors: number[][] = [];
  for (let k = 0; k < count; k++) {
    draw(); // first reset_model pass: its vector is overwritten by the second
    vectors.push(draw());
  }
  // Meta-World asserts the variations are unique (np.unique over rows); with continuous draws they always are.
  const keys = new Set(vectors.map((v) => v.join(',')));
  if (keys.size !== vectors.length) {
    throw new IcrlError(`${spec.envName}: only ${keys.size} unique variations for seed ${seed}`);
  }
  return vectors;
}

/**
 * ML1's train and test variations of a task for a seed, equal to Meta-World's `ML1(env_name, seed)` (v2
 * tasks): each entry is the task's random vector `rand_vec` (object position, then goal or box position).
 *
 * @example
 * const { train, test } = ml1TaskVectors(TASK_SPECS.reach, 0);
 * train[0]; // [-0.0124825577474615, 0.689177300078208, 0.02, -0.0233..., 0.8791..., 0.1822...]
 */
export function ml1TaskVectors(
  spec: MetaworldTaskSpec,
  seed: number,
): { train: number[][]; test: number[][] } {
  requireInteger('seed', seed, { min: 0, max: MAX_ML1_SEED });
  return { train: generateTaskVectors(spec, seed), test: generateTaskVectors(spec, seed + 1) };
}
