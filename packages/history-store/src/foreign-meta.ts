import {
  HISTORY_SCHEMA_VERSION,
  type HistoryMeta,
  type JsonObject,
  type Space,
  type TaskHistoryInfo,
} from '@icrl/core';
import type { Hdf5File } from './hdf5-file';
import { validateHistoryMeta } from './history-meta';
import type { HistoryLayout, TaskLayout } from './history-schema';
import { copyRows, dtypeSize, isIntegerDtype, rawView, type StorageDtype } from './storage-dtype';

// Files written by h5py (DICP, XLand-100B) carry no meta. The reader infers what the data shows (spaces,
// streams) and takes the rest from the caller's `meta` option, with neutral defaults.

/** Meta fields a caller may supply for a foreign file. */
export type ForeignMeta = Partial<Omit<HistoryMeta, 'schemaVersion'>>;

const INTEGER_BOUNDS: Partial<Record<StorageDtype, [number, number]>> = {
  bool: [0, 1],
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
};

function inferBox(dtype: StorageDtype, shape: readonly number[]): Space {
  const integer = isIntegerDtype(dtype);
  const bounds = INTEGER_BOUNDS[dtype];
  return {
    kind: 'box',
    shape: shape.length === 0 ? [1] : [...shape],
    low: bounds ? bounds[0] : -Infinity,
    high: bounds ? bounds[1] : Infinity,
    dtype: integer ? 'int32' : 'float32',
  };
}

/** Largest action in task `layout` (to size a discrete action space); reads the actions dataset once. */
function maxAction(file: Hdf5File, layout: TaskLayout): number {
  const f = layout.fields.actions!;
  const shape = f.streamMajor ? [layout.streams, layout.length] : [layout.length, layout.streams];
  let max = 0;
  const rowsPerRead = Math.max(1, Math.floor((16 << 20) / (shape[1]! * dtypeSize(f.dtype))));
  for (let r0 = 0; r0 < shape[0]!; r0 += rowsPerRead) {
    const rows = Math.min(rowsPerRead, shape[0]! - r0);
    const n = rows * shape[1]!;
    const bytes = file.read(f.path, [r0, 0], [rows, shape[1]!], dtypeSize(f.dtype));
    const out = new Int32Array(n);
    copyRows(f.dtype, rawView(f.dtype, bytes.buffer, bytes.byteOffset, n), 0, n, n, 1, out, 0);
    for (let i = 0; i < n; i++) if (out[i]! > max) max = out[i]!;
  }
  return max;
}

/**
 * Meta for a DICP or XLand file: spaces inferred from the first task's datasets (integer scalar actions
 * become `discrete` with n = largest action + 1), overridden by `given`.
 */
export function inferForeignMeta(
  file: Hdf5File,
  layout: HistoryLayout,
  first: TaskLayout,
  given: ForeignMeta,
): HistoryMeta {
  const states = first.fields.states!;
  const actions = first.fields.actions!;
  const actionSpace: Space =
    given.actionSpace ??
    (isIntegerDtype(actions.dtype) && actions.stepShape.length === 0
      ? { kind: 'discrete', n: maxAction(file, first) + 1 }
      : inferBox(actions.dtype, actions.stepShape));
  const xlandEnv = layout === 'xland' ? file.readAttr(first.group, 'env-id') : undefined;
  const meta = {
    schemaVersion: HISTORY_SCHEMA_VERSION,
    envId: given.envId ?? (typeof xlandEnv === 'string' ? xlandEnv : layout),
    envConfig: given.envConfig ?? {},
    observationSpace: given.observationSpace ?? inferBox(states.dtype, states.stepShape),
    actionSpace,
    source: given.source ?? { algorithm: 'unknown', settings: {} },
    streams: given.streams ?? first.streams,
    subsample: given.subsample ?? 1,
    seed: given.seed ?? 0,
    ...(given.split ? { split: given.split } : {}),
  };
  return validateHistoryMeta(meta, 'options.meta');
}

/** Per-task facts of a foreign file: XLand's group attributes become the task's params. */
export function foreignTaskInfo(
  file: Hdf5File,
  layout: HistoryLayout,
  task: TaskLayout,
  meta: HistoryMeta,
): TaskHistoryInfo {
  const params: Record<string, string | number> = {};
  if (layout === 'xland') {
    for (const name of ['benchmark-id', 'ruleset-id', 'env-id']) {
      const value = file.readAttr(task.group, name);
      if (typeof value === 'string' || typeof value === 'number') params[name] = value;
    }
  }
  return {
    task: { familyId: meta.envId, index: task.index, params: params as JsonObject },
    length: task.length,
    streams: task.streams,
  };
}
