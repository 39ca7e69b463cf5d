import { flatSize, type HistoryMeta } from '@icrl/core';
import type { HistoryField } from './history-schema';
import type { OutputArray } from './storage-dtype';

/** Elements per step of a field in the arrays handed to a model (obs and action sizes from the meta). */
export function fieldStepSize(meta: HistoryMeta, field: HistoryField): number {
  if (field === 'states' || field === 'nextStates') return flatSize(meta.observationSpace);
  if (field === 'actions') return flatSize(meta.actionSpace);
  return 1;
}

/**
 * A zeroed array for `steps` steps of a field, typed as `HistoryWindow` types it: observations and actions
 * as their space's dtype (Int32Array for int32/discrete, Float32Array for float32), rewards and success
 * Float32Array, dones Uint8Array, optimal actions Int32Array.
 *
 * @example allocateField(meta, 'states', 80) // Int32Array(160) for Darkroom
 */
export function allocateField(meta: HistoryMeta, field: HistoryField, steps: number): OutputArray {
  const size = steps * fieldStepSize(meta, field);
  const isFloat = (space: HistoryMeta['observationSpace']) =>
    space.kind === 'box' && space.dtype === 'float32';
  if (field === 'states' || field === 'nextStates')
    return isFloat(meta.observationSpace) ? new Float32Array(size) : new Int32Array(size);
  if (field === 'actions') return isFloat(meta.actionSpace) ? new Float32Array(size) : new Int32Array(size);
  if (field === 'dones') return new Uint8Array(size);
  if (field === 'optimalActions') return new Int32Array(size);
  return new Float32Array(size);
}
