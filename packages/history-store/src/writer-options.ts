import {
  type HistoryMeta,
  InvalidArgumentError,
  rejectUnknownKeys,
  requireBoolean,
  requireInteger,
  requireObject,
  spaceDtype,
} from '@icrl/core';
import { WRITABLE_DTYPES, type WritableDtype } from './storage-dtype';

/** Options of `HistoryWriter`. Every field is optional; the defaults give DICP's exact layout. */
export interface HistoryWriterOptions {
  /**
   * Stored dtypes, for compact files. Defaults follow DICP: observations and actions in their space's
   * dtype (int32 for gridworlds, float32 for Meta-World) and rewards in the observations' dtype (int32
   * gridworld rewards, float32 Meta-World rewards). `uint8` observations are XLand's compact choice; values
   * that do not fit are rejected at `append`, never wrapped. float16 cannot be written (h5wasm 0.10.3
   * cannot create 2-byte float datasets); float16 files written by h5py are readable.
   */
  readonly dtypes?: {
    readonly states?: WritableDtype;
    readonly actions?: WritableDtype;
    readonly rewards?: WritableDtype;
  };
  /** Steps per HDF5 chunk along the time axis (one stream per chunk). Default 1024. */
  readonly chunkLength?: number;
  /** gzip level 1..9 for every dataset (XLand uses 6); 0 stores chunks uncompressed. Default 0. */
  readonly compression?: number;
  /**
   * Discard what is at `path` (and its partial data) when it belongs to a different job, instead of
   * refusing to mix jobs. Default false.
   */
  readonly overwrite?: boolean;
}

/** How each field is stored: fixed when the job starts, recorded in the file, identical on resume. */
export interface StorageLayout {
  readonly dtypes: {
    readonly states: WritableDtype;
    readonly actions: WritableDtype;
    readonly rewards: WritableDtype;
    readonly nextStates: WritableDtype;
    readonly dones: 'uint8';
    readonly optimalActions: 'int32';
    readonly success: 'float32';
  };
  readonly chunkLength: number;
  readonly compression: number;
}

/** Validated writer options (meta-independent part). */
export interface ResolvedWriterOptions {
  readonly dtypes: NonNullable<HistoryWriterOptions['dtypes']>;
  readonly chunkLength: number;
  readonly compression: number;
  readonly overwrite: boolean;
}

const DTYPE_HINT = `one of ${WRITABLE_DTYPES.map((d) => `"${d}"`).join(', ')} (float16 and bool cannot be created by h5wasm 0.10.3; files that use them are readable)`;

/**
 * Validates writer options, before anything is written.
 *
 * @throws InvalidArgumentError naming the field (`options.dtypes.rewards`, `options.chunkLength`, ...).
 */
export function validateWriterOptions(value: unknown): ResolvedWriterOptions {
  const options = value === undefined ? {} : requireObject('options', value);
  rejectUnknownKeys('options', options, ['dtypes', 'chunkLength', 'compression', 'overwrite']);
  const dtypes: Record<string, WritableDtype> = {};
  if (options.dtypes !== undefined) {
    const given = requireObject('options.dtypes', options.dtypes);
    rejectUnknownKeys('options.dtypes', given, ['states', 'actions', 'rewards']);
    for (const [key, dtype] of Object.entries(given)) {
      if (dtype === undefined) continue;
      if (!(WRITABLE_DTYPES as readonly unknown[]).includes(dtype)) {
        throw new InvalidArgumentError(`options.dtypes.${key}`, dtype, DTYPE_HINT);
      }
      dtypes[key] = dtype as WritableDtype;
    }
  }
  const chunkLength =
    options.chunkLength === undefined
      ? 1024
      : requireInteger('options.chunkLength', options.chunkLength, { min: 1, max: 1 << 20 });
  const compression =
    options.compression === undefined
      ? 0
      : requireInteger('options.compression', options.compression, { min: 0, max: 9 });
  const overwrite =
    options.overwrite === undefined ? false : requireBoolean('options.overwrite', options.overwrite);
  return { dtypes, chunkLength, compression, overwrite };
}

/** The storage layout of a job: options' dtypes over the DICP defaults for the meta's spaces. */
export function resolveStorage(options: ResolvedWriterOptions, meta: HistoryMeta): StorageLayout {
  const observation = spaceDtype(meta.observationSpace);
  const states = options.dtypes.states ?? observation;
  return {
    dtypes: {
      states,
      nextStates: states,
      actions: options.dtypes.actions ?? spaceDtype(meta.actionSpace),
      rewards: options.dtypes.rewards ?? observation,
      dones: 'uint8',
      optimalActions: 'int32',
      success: 'float32',
    },
    chunkLength: options.chunkLength,
    compression: options.compression,
  };
}
