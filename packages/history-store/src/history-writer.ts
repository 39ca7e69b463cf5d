import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  canonicalJson,
  flatSize,
  HISTORY_SCHEMA_VERSION,
  type HistoryMeta,
  type HistorySink,
  InvalidArgumentError,
  InvalidFileError,
  requireInteger,
  requireObject,
  type TaskHistoryMeta,
  type TaskHistorySummary,
  type TransitionBatch,
} from '@icrl/core';
import { assembleHistory, type TaskSource } from './assemble-history';
import { WriterStateError } from './errors/writer-state-error';
import {
  firstDifference,
  parseCanonicalJson,
  stepShape,
  validateHistoryMeta,
  validateSummary,
  validateTaskHistoryMeta,
} from './history-meta';
import { openPreviousFile, type PreviousFile } from './previous-file';
import { stagedSource } from './staged-source';
import { type JobRecord, StagingDir, type TaskStage } from './staging-dir';
import { allocateRaw, dtypeSize, encodeInto, type RawArray, type WritableDtype } from './storage-dtype';
import {
  type HistoryWriterOptions,
  type ResolvedWriterOptions,
  resolveStorage,
  type StorageLayout,
  validateWriterOptions,
} from './writer-options';

type BatchField = 'states' | 'actions' | 'rewards' | 'nextStates' | 'dones' | 'optimalActions' | 'success';

interface DatasetPlan {
  readonly field: BatchField;
  readonly name: string;
  readonly dtype: WritableDtype;
  readonly stepShape: readonly number[];
  readonly stepSize: number;
  readonly required: boolean;
  readonly input: string;
}

interface ActiveTask {
  readonly taskMeta: TaskHistoryMeta;
  readonly stage: TaskStage;
  length: number;
  /** Whether this task's batches carry optimalActions/success (decided by its first batch). */
  optional: { optimalActions: boolean; success: boolean } | null;
}

const JOB_FORMAT = 'icrl-history-staging';

/**
 * Writes learning histories to an HDF5 file in the DICP layout (group per task, time-major datasets),
 * streaming each batch to disk, crash-safe and resumable.
 *
 * Batches go to raw files under `<path>.partial/` (a task becomes complete by an atomic rename when it
 * ends); `close()` builds the HDF5 file from the complete tasks and renames it to `path`. A killed run
 * leaves no file at `path`; opening a writer for the same job (same meta and options) reports the tasks
 * already complete and discards the one that was half-written.
 *
 * @example
 * const sink = new HistoryWriter('/tmp/darkroom.h5');
 * const { completeTasks } = await sink.open(meta);
 * sink.beginTask({ task, split: 'train', seed: 0 });
 * sink.append(task.index, batch); // as many times as needed
 * sink.endTask(task.index, { episodeReturns: [0, 1, 1] });
 * await sink.close(); // /tmp/darkroom.h5 now exists
 */
export class HistoryWriter implements HistorySink {
  /** Absolute path of the file `close()` produces. */
  readonly path: string;
  private readonly options: ResolvedWriterOptions;
  private readonly staging: StagingDir;
  private state: 'new' | 'open' | 'closed' = 'new';
  private meta!: HistoryMeta;
  private storage!: StorageLayout;
  private plans: DatasetPlan[] = [];
  private previous: PreviousFile | null = null;
  private readonly complete = new Set<number>();
  private readonly active = new Map<number, ActiveTask>();
  private readonly buffers = new Map<string, RawArray>();

  /**
   * @param path the HDF5 file to produce.
   * @param options stored dtypes, chunking, compression (validated here, before anything is written).
   */
  constructor(path: string, options?: HistoryWriterOptions) {
    if (typeof path !== 'string' || path.length === 0)
      throw new InvalidArgumentError('path', path, 'a file path');
    this.options = validateWriterOptions(options);
    this.path = resolve(path);
    this.staging = new StagingDir(`${this.path}.partial`);
  }

  /** Where partial data lives until `close()`. */
  get partialPath(): string {
    return this.staging.dir;
  }

  /**
   * Starts the job, or resumes it: returns the tasks already complete (in `path` from an earlier run, or
   * in its partial data), which the caller must not write again.
   *
   * @throws InvalidArgumentError for invalid meta; InvalidFileError when `path` or its partial data hold a
   *   different job (unless `overwrite`).
   */
  async open(meta: HistoryMeta): Promise<{ readonly completeTasks: readonly number[] }> {
    if (this.state !== 'new')
      throw new WriterStateError('open() was already called on this writer; create a new HistoryWriter.');
    this.meta = validateHistoryMeta(meta);
    this.storage = resolveStorage(this.options, this.meta);
    this.plans = planDatasets(this.meta, this.storage);
    const job: JobRecord = {
      format: JOB_FORMAT,
      schemaVersion: HISTORY_SCHEMA_VERSION,
      meta: canonicalJson(this.meta),
      storage: canonicalJson(this.storage),
    };

    if (existsSync(this.path)) {
      const previous = await openPreviousFile(this.path, this.plans, this.meta.streams).catch(
        (error: unknown) => {
          if (this.options.overwrite) return null;
          throw error;
        },
      );
      if (previous !== null) {
        const diff = jobDifference(job, previous.job);
        if (diff === null) this.previous = previous;
        else {
          previous.close();
          if (!this.options.overwrite) {
            throw new InvalidFileError(
              this.path,
              `it already holds a different job (${diff}); choose another path or pass { overwrite: true } to replace it.`,
            );
          }
        }
      }
    }

    if (this.staging.exists()) {
      const diff = jobDifference(job, this.staging.readJob());
      if (diff !== null) {
        if (!this.options.overwrite) {
          throw new InvalidFileError(
            this.staging.dir,
            `it holds the partial data of a different job (${diff}); delete it, choose another path or pass { overwrite: true }.`,
          );
        }
        this.staging.remove();
        this.staging.create(job);
      } else {
        this.staging.discardIncomplete();
      }
    } else {
      this.staging.create(job);
    }

    for (const task of this.staging.completeTasks(this.meta.streams)) this.complete.add(task.index);
    for (const index of this.previous?.taskIndices ?? []) this.complete.add(index);
    this.state = 'open';
    return { completeTasks: [...this.complete].sort((a, b) => a - b) };
  }

  private requireOpen(what: string): void {
    if (this.state === 'new') throw new WriterStateError(`${what} before open(); call open(meta) first.`);
    if (this.state === 'closed')
      throw new WriterStateError(`${what} after close() or abandon(); this writer is finished.`);
  }

  /** Announces a task before its first batch. */
  beginTask(taskMeta: TaskHistoryMeta): void {
    this.requireOpen('beginTask()');
    validateTaskHistoryMeta(taskMeta);
    const index = taskMeta.task.index;
    if (this.complete.has(index)) {
      throw new InvalidArgumentError(
        'taskMeta.task.index',
        index,
        'a task that is not complete yet (open() listed this one in completeTasks)',
      );
    }
    if (this.active.has(index)) {
      throw new InvalidArgumentError(
        'taskMeta.task.index',
        index,
        'a task that is not already being written',
      );
    }
    const stage = this.staging.beginTask(index);
    for (const plan of this.plans) if (plan.required) stage.append(plan.name, new Uint8Array(0));
    this.active.set(index, { taskMeta, stage, length: 0, optional: null });
  }

  private activeTask(taskIndex: unknown, what: string): ActiveTask {
    this.requireOpen(what);
    const task = typeof taskIndex === 'number' ? this.active.get(taskIndex) : undefined;
    if (task === undefined) {
      throw new InvalidArgumentError(
        'taskIndex',
        taskIndex,
        'the index of a task begun with beginTask() and not yet ended',
      );
    }
    return task;
  }

  /**
   * Appends the next block of a task's history (time-major over all streams).
   *
   * @throws InvalidArgumentError naming the field (`batch.states`, `batch.rewards[17]`) when the batch has
   *   the wrong sizes or types, or values its stored dtype cannot hold; nothing of that batch is written.
   */
  append(taskIndex: number, batch: TransitionBatch): void {
    const task = this.activeTask(taskIndex, 'append()');
    const b = requireObject('batch', batch);
    const length = requireInteger('batch.length', b.length, { min: 0, max: 2 ** 31 - 1 });
    const streams = this.meta.streams;
    const optional = { optimalActions: b.optimalActions !== undefined, success: b.success !== undefined };
    if (task.optional === null) task.optional = optional;
    for (const key of ['optimalActions', 'success'] as const) {
      if (optional[key] !== task.optional[key]) {
        throw new InvalidArgumentError(
          `batch.${key}`,
          b[key],
          `${task.optional[key] ? 'present' : 'absent'}, as in the first batch of task ${taskIndex} (a task's batches all carry the field or none does)`,
        );
      }
    }
    // Encode every field first, so a batch with a bad value writes nothing.
    const encoded: [DatasetPlan, Uint8Array][] = [];
    for (const plan of this.plans) {
      const value = b[plan.field];
      if (value === undefined && !plan.required) continue;
      const count = length * streams * plan.stepSize;
      const src = requireTypedArray(`batch.${plan.field}`, value, plan.input, count);
      if (plan.field === 'dones') {
        for (let i = 0; i < src.length; i++) {
          if (src[i] !== 0 && src[i] !== 1)
            throw new InvalidArgumentError(`batch.dones[${i}]`, src[i], '0 or 1');
        }
      }
      let buffer = this.buffers.get(plan.name);
      if (buffer === undefined || buffer.length < count) {
        buffer = allocateRaw(plan.dtype, Math.max(count, 1024));
        this.buffers.set(plan.name, buffer);
      }
      try {
        encodeInto(`batch.${plan.field}`, plan.dtype, src, buffer, 0);
      } catch (error) {
        if (!(error instanceof InvalidArgumentError) || plan.field !== 'rewards') throw error;
        throw new InvalidArgumentError(
          error.field,
          error.value,
          `${error.expected}; rewards default to the observations' dtype, as DICP stores them: pass { dtypes: { rewards: 'float32' } } for fractional rewards`,
        );
      }
      encoded.push([plan, new Uint8Array(buffer.buffer, 0, count * dtypeSize(plan.dtype))]);
    }
    for (const [plan, bytes] of encoded) task.stage.append(plan.name, bytes);
    task.length += length;
  }

  /** Marks a task complete: its data becomes durable and survives a crash from here on. */
  endTask(taskIndex: number, summary: TaskHistorySummary): void {
    const task = this.activeTask(taskIndex, 'endTask()');
    validateSummary(summary);
    const datasets: Record<string, number> = {};
    for (const plan of this.plans) {
      const present = plan.required || (task.optional?.[plan.field as 'optimalActions' | 'success'] ?? false);
      if (present) datasets[plan.name] = plan.stepSize * dtypeSize(plan.dtype);
    }
    task.stage.finish({
      taskMeta: task.taskMeta,
      summary: { episodeReturns: [...summary.episodeReturns] },
      length: task.length,
      datasets,
    });
    this.active.delete(taskIndex);
    this.complete.add(taskIndex);
  }

  /**
   * Builds the HDF5 file from every complete task and renames it to `path` (atomically); then removes the
   * partial data.
   *
   * @throws WriterStateError when a task was begun but not ended (the partial data is kept).
   */
  async close(): Promise<void> {
    this.requireOpen('close()');
    if (this.active.size > 0) {
      throw new WriterStateError(
        `cannot close: task(s) ${[...this.active.keys()].join(', ')} were begun but not ended; end them, or call abandon() to keep the partial data for a later resume.`,
      );
    }
    const staged = this.staging.completeTasks(this.meta.streams);
    if (staged.length === 0 && this.previous !== null) {
      // Resumed a finished job and wrote nothing new: the file at `path` is already the answer.
      this.previous.close();
      this.staging.remove();
      this.state = 'closed';
      return;
    }
    const sources: TaskSource[] = staged.map((task) => stagedSource(task, this.plans, this.meta.streams));
    const stagedIndices = new Set(staged.map((t) => t.index));
    for (const index of this.previous?.taskIndices ?? []) {
      if (!stagedIndices.has(index)) sources.push(this.previous!.source(index));
    }
    try {
      await assembleHistory(
        this.path,
        join(this.staging.dir, 'assembling.h5'),
        this.meta,
        this.storage,
        sources,
      );
    } finally {
      for (const source of sources) source.close?.();
      this.previous?.close();
    }
    this.staging.remove();
    this.state = 'closed';
  }

  /**
   * Stops without building the file, keeping the partial data (complete tasks survive; tasks being written
   * are discarded by the next open()). What a crash does, minus the crash.
   */
  abandon(): void {
    for (const task of this.active.values()) task.stage.closeFiles();
    this.active.clear();
    this.previous?.close();
    this.state = 'closed';
  }
}

function jobDifference(a: JobRecord, b: JobRecord): string | null {
  const meta = firstDifference(parseCanonicalJson(a.meta), parseCanonicalJson(b.meta));
  if (meta !== null) return `meta.${meta} differs`;
  const storage = firstDifference(parseCanonicalJson(a.storage), parseCanonicalJson(b.storage));
  if (storage !== null)
    return `the stored layout differs at ${storage} (writer options dtypes/chunkLength/compression)`;
  return null;
}

/** The datasets a job writes, in DICP order and naming. */
export function planDatasets(meta: HistoryMeta, storage: StorageLayout): DatasetPlan[] {
  const obs = stepShape(meta.observationSpace);
  const act = stepShape(meta.actionSpace);
  const obsSize = flatSize(meta.observationSpace);
  const actSize = flatSize(meta.actionSpace);
  const d = storage.dtypes;
  const SPACE = 'an Int32Array or Float32Array';
  return [
    {
      field: 'states',
      name: 'states',
      dtype: d.states,
      stepShape: obs,
      stepSize: obsSize,
      required: true,
      input: SPACE,
    },
    {
      field: 'actions',
      name: 'actions',
      dtype: d.actions,
      stepShape: act,
      stepSize: actSize,
      required: true,
      input: SPACE,
    },
    {
      field: 'rewards',
      name: 'rewards',
      dtype: d.rewards,
      stepShape: [],
      stepSize: 1,
      required: true,
      input: 'a Float32Array',
    },
    {
      field: 'nextStates',
      name: 'next_states',
      dtype: d.nextStates,
      stepShape: obs,
      stepSize: obsSize,
      required: true,
      input: SPACE,
    },
    {
      field: 'dones',
      name: 'dones',
      dtype: d.dones,
      stepShape: [],
      stepSize: 1,
      required: true,
      input: 'a Uint8Array',
    },
    {
      field: 'optimalActions',
      name: 'optimal_actions',
      dtype: d.optimalActions,
      stepShape: [],
      stepSize: 1,
      required: false,
      input: 'an Int32Array',
    },
    {
      field: 'success',
      name: 'success',
      dtype: d.success,
      stepShape: [],
      stepSize: 1,
      required: false,
      input: 'a Float32Array',
    },
  ];
}

function requireTypedArray(
  field: string,
  value: unknown,
  expected: string,
  count: number,
): Int32Array | Float32Array | Uint8Array {
  const ok =
    (expected === 'an Int32Array or Float32Array' &&
      (value instanceof Int32Array || value instanceof Float32Array)) ||
    (expected === 'a Float32Array' && value instanceof Float32Array) ||
    (expected === 'an Int32Array' && value instanceof Int32Array) ||
    (expected === 'a Uint8Array' && value instanceof Uint8Array);
  if (!ok) throw new InvalidArgumentError(field, value, `${expected} of length ${count}`);
  const array = value as Int32Array | Float32Array | Uint8Array;
  if (array.length !== count)
    throw new InvalidArgumentError(
      field,
      value,
      `${expected} of length ${count} (batch.length × streams × elements per step)`,
    );
  return array;
}
