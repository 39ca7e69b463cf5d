import {
  canonicalJson,
  HISTORY_SCHEMA_VERSION,
  type HistoryMeta,
  InvalidArgumentError,
  InvalidFileError,
  type TaskHistoryMeta,
  type TaskHistorySummary,
} from '@icrl/core';
import type { AttrValue, Hdf5File } from './hdf5-file';
import { parseCanonicalJson, validateHistoryMeta, validateTaskSpec } from './history-meta';
import { ROOT_ATTRS, TASK_ATTRS } from './history-schema';
import { LIBRARY_VERSION } from './version';
import type { StorageLayout } from './writer-options';

// The attributes that say what a history means. Every piece of meta is stored twice: once as a readable
// attribute for h5py users (`env_id`, `streams`, `episode_returns`, ...) and once, at the root, as the exact
// canonical JSON (`icrl_meta`) that the reader restores meta from and that resume compares.

/** Writes the root attributes of an icrl file. */
export function writeRootAttrs(file: Hdf5File, meta: HistoryMeta, storage: StorageLayout): void {
  // The file was just created: nothing to replace.
  const put = (name: string, value: string | number, kind?: 'int' | 'int64' | 'float') =>
    file.writeAttr('/', name, value, kind, true);
  put(ROOT_ATTRS.schemaVersion, meta.schemaVersion);
  put(ROOT_ATTRS.libraryVersion, LIBRARY_VERSION);
  put(ROOT_ATTRS.meta, canonicalJson(meta));
  put(ROOT_ATTRS.storage, canonicalJson(storage));
  put(ROOT_ATTRS.envId, meta.envId);
  put(ROOT_ATTRS.envConfig, canonicalJson(meta.envConfig));
  put(ROOT_ATTRS.observationSpace, canonicalJson(meta.observationSpace));
  put(ROOT_ATTRS.actionSpace, canonicalJson(meta.actionSpace));
  put(ROOT_ATTRS.sourceAlgorithm, meta.source.algorithm);
  put(ROOT_ATTRS.sourceSettings, canonicalJson(meta.source.settings));
  put(ROOT_ATTRS.streams, meta.streams);
  put(ROOT_ATTRS.subsample, meta.subsample);
  put(ROOT_ATTRS.seed, meta.seed, 'int64');
  if (meta.split) {
    put(ROOT_ATTRS.splitSeed, meta.split.seed, 'int64');
    put(ROOT_ATTRS.splitTrainRatio, meta.split.trainRatio, 'float');
  }
}

/** Writes the attributes of one task group. */
export function writeTaskAttrs(
  file: Hdf5File,
  group: string,
  taskMeta: TaskHistoryMeta,
  summary: TaskHistorySummary,
  length: number,
  streams: number,
): void {
  // The group was just created: nothing to replace.
  const put = (name: string, value: string | number | readonly number[], kind?: 'int' | 'int64' | 'float') =>
    file.writeAttr(group, name, value, kind, true);
  put(TASK_ATTRS.task, canonicalJson(taskMeta.task));
  put(TASK_ATTRS.taskIndex, taskMeta.task.index);
  put(TASK_ATTRS.taskParams, canonicalJson(taskMeta.task.params));
  if (taskMeta.split !== undefined) put(TASK_ATTRS.split, taskMeta.split);
  if (taskMeta.seed !== undefined) put(TASK_ATTRS.seed, taskMeta.seed, 'int64');
  put(TASK_ATTRS.length, length);
  put(TASK_ATTRS.streams, streams);
  put(TASK_ATTRS.episodeReturns, summary.episodeReturns, 'float');
  if (summary.episodeReturns.length > 0) {
    // XLand-100B filters histories on their final return; keep it at hand.
    put(TASK_ATTRS.finalReturn, summary.episodeReturns.at(-1)!, 'float');
  }
}

function attrError(file: Hdf5File, where: string, name: string, what: string): InvalidFileError {
  return new InvalidFileError(file.path, `${where}, attribute "${name}": ${what}`);
}

function requireAttr(file: Hdf5File, path: string, where: string, name: string): AttrValue {
  const value = file.readAttr(path, name);
  if (value === undefined) throw attrError(file, where, name, 'the attribute is missing.');
  return value;
}

function integerAttr(file: Hdf5File, path: string, where: string, name: string): number {
  const value = requireAttr(file, path, where, name);
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw attrError(file, where, name, `expected an integer, found ${JSON.stringify(value)}.`);
  }
  return value;
}

function jsonAttr(file: Hdf5File, path: string, where: string, name: string): unknown {
  const value = requireAttr(file, path, where, name);
  if (typeof value !== 'string') throw attrError(file, where, name, 'expected a JSON string.');
  try {
    return parseCanonicalJson(value);
  } catch (error) {
    throw new InvalidFileError(file.path, `${where}, attribute "${name}": not valid JSON.`, { cause: error });
  }
}

/** The schema version an icrl file declares (checked against this reader's). */
export function readSchemaVersion(file: Hdf5File): number {
  const version = integerAttr(file, '/', 'root', ROOT_ATTRS.schemaVersion);
  if (version > HISTORY_SCHEMA_VERSION) {
    throw attrError(
      file,
      'root',
      ROOT_ATTRS.schemaVersion,
      `the file uses history schema version ${version}, newer than the version this reader understands (${HISTORY_SCHEMA_VERSION}); upgrade @icrl/history-store.`,
    );
  }
  if (version < 1)
    throw attrError(file, 'root', ROOT_ATTRS.schemaVersion, `invalid schema version ${version}.`);
  return version;
}

/** Meta and storage layout of an icrl file. */
export function readRootMeta(file: Hdf5File): {
  meta: HistoryMeta;
  storage: unknown;
  libraryVersion: string;
} {
  readSchemaVersion(file);
  const raw = jsonAttr(file, '/', 'root', ROOT_ATTRS.meta);
  let meta: HistoryMeta;
  try {
    meta = validateHistoryMeta(raw, 'icrl_meta');
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw attrError(file, 'root', ROOT_ATTRS.meta, error.message);
  }
  const storage = file.readAttr('/', ROOT_ATTRS.storage);
  const libraryVersion = file.readAttr('/', ROOT_ATTRS.libraryVersion);
  return {
    meta,
    storage: typeof storage === 'string' ? parseCanonicalJson(storage) : undefined,
    libraryVersion: typeof libraryVersion === 'string' ? libraryVersion : 'unknown',
  };
}

/** Task meta, summary and declared sizes of one icrl task group. */
export function readTaskAttrs(
  file: Hdf5File,
  groupName: string,
): { taskMeta: TaskHistoryMeta; summary: TaskHistorySummary; length: number; streams: number } {
  const path = `/${groupName}`;
  const where = `group "${groupName}"`;
  let task: TaskHistoryMeta['task'];
  try {
    task = validateTaskSpec(jsonAttr(file, path, where, TASK_ATTRS.task), 'task');
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    throw attrError(file, where, TASK_ATTRS.task, error.message);
  }
  const split = file.readAttr(path, TASK_ATTRS.split);
  if (split !== undefined && split !== 'train' && split !== 'test') {
    throw attrError(
      file,
      where,
      TASK_ATTRS.split,
      `expected "train" or "test", found ${JSON.stringify(split)}.`,
    );
  }
  const seed =
    file.readAttr(path, TASK_ATTRS.seed) === undefined
      ? undefined
      : integerAttr(file, path, where, TASK_ATTRS.seed);
  const returns = requireAttr(file, path, where, TASK_ATTRS.episodeReturns);
  const episodeReturns = typeof returns === 'number' ? [returns] : returns;
  if (!Array.isArray(episodeReturns) || !episodeReturns.every((r) => typeof r === 'number')) {
    throw attrError(file, where, TASK_ATTRS.episodeReturns, 'expected an array of numbers.');
  }
  return {
    taskMeta: {
      task,
      ...(split !== undefined ? { split: split as 'train' | 'test' } : {}),
      ...(seed !== undefined ? { seed } : {}),
    },
    summary: { episodeReturns: episodeReturns as number[] },
    length: integerAttr(file, path, where, TASK_ATTRS.length),
    streams: integerAttr(file, path, where, TASK_ATTRS.streams),
  };
}
