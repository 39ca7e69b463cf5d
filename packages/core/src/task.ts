import type { JsonObject } from './json';

/**
 * One task of an environment family: a goal cell, a key/door pair, an action permutation, the arm means of a
 * bandit. Tasks are numbered 0..numTasks-1 in the family's canonical order (the order the DICP reference
 * enumerates them, so `index` is the HDF5 group name of that task's history).
 *
 * @example Darkroom goal (1, 3): `{ familyId: 'darkroom', index: 12, params: { goal: [1, 3] } }`
 */
export interface TaskSpec<P extends JsonObject = JsonObject> {
  /** Id of the family that owns the task (`darkroom`, `dark-key-to-door`, ...). */
  readonly familyId: string;
  /** Position in the family's canonical enumeration. */
  readonly index: number;
  /** What makes this task different from the others; JSON, so it can be stored with histories. */
  readonly params: P;
}

/** Train and held-out tasks, plus how the split was drawn (so it can be stored and reproduced). */
export interface TaskSplit<P extends JsonObject = JsonObject> {
  readonly train: readonly TaskSpec<P>[];
  readonly test: readonly TaskSpec<P>[];
  /** Seed the split was drawn with. */
  readonly seed: number;
  /** Fraction of tasks in `train` (after rounding). */
  readonly trainRatio: number;
}
