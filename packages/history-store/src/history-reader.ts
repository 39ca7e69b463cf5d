import {
  type HistoryMeta,
  type HistorySource,
  type HistoryWindow,
  InvalidArgumentError,
  InvalidFileError,
  rejectUnknownKeys,
  requireInteger,
  requireObject,
  requireOneOf,
  type TaskHistoryInfo,
  type TransitionBatch,
} from '@icrl/core';
import { detectLayout, taskGroupNames } from './detect-layout';
import { allocateField, fieldStepSize } from './field-arrays';
import { type ForeignMeta, foreignTaskInfo, inferForeignMeta } from './foreign-meta';
import { Hdf5File } from './hdf5-file';
import { readRootMeta, readTaskAttrs } from './history-attributes';
import { stepShape } from './history-meta';
import {
  type FieldLayout,
  HISTORY_FIELDS,
  type HistoryField,
  type HistoryLayout,
  readTaskLayout,
  SCHEMA_VERSION_ATTR,
  type TaskLayout,
} from './history-schema';
import { allocateRaw, copyRows, dtypeSize, type OutputArray, type RawArray, rawView } from './storage-dtype';
import { type CachedTask, TaskCache, taskBytes } from './task-cache';

/** Options of `HistoryReader.open`. */
export interface HistoryReaderOptions {
  /**
   * The file's layout: `icrl` (written here), `dicp` (DICP's h5py files, time-major), `xland` (XLand-100B,
   * stream-major), or `auto` (default) to detect it.
   */
  readonly layout?: 'auto' | HistoryLayout;
  /** Meta for files that carry none (dicp, xland): overrides what the reader infers. */
  readonly meta?: ForeignMeta;
  /**
   * Memory the reader may use to keep whole tasks (default 512 MiB). When the file's payload fits, tasks
   * are kept in memory after their first read and windows are copied from there; otherwise every read goes
   * to the file (one HDF5 read per field), so memory stays small whatever the file size.
   */
  readonly cacheBytes?: number;
}

/** Everything known about one task of an open file. */
interface ReaderTask {
  readonly layout: TaskLayout;
  readonly info: TaskHistoryInfo;
}

const MAX_READ_BYTES = 64 << 20; // keep every single HDF5 read far below the 2 GB wasm heap

/**
 * Reads learning histories: files written by `HistoryWriter`, and DICP- or XLand-100B-layout files written
 * by h5py. Tasks are read lazily; small files are kept in memory, large ones are read slice by slice.
 *
 * @example
 * const reader = await HistoryReader.open('/tmp/darkroom.h5');
 * const window = reader.read(reader.taskIndices[0]!, 0, 0, 80); // stream 0, steps 0..79
 * window.states; // Int32Array [80, 2]
 * reader.close();
 */
export class HistoryReader implements HistorySource {
  readonly path: string;
  readonly layout: HistoryLayout;
  readonly meta: HistoryMeta;
  readonly taskIndices: readonly number[];
  /** Bytes of data in the file (all fields of all tasks). */
  readonly payloadBytes: number;
  private readonly file: Hdf5File;
  private readonly tasks: Map<number, ReaderTask>;
  private readonly cache: TaskCache | null;

  private constructor(
    file: Hdf5File,
    layout: HistoryLayout,
    meta: HistoryMeta,
    tasks: Map<number, ReaderTask>,
    cacheBytes: number,
  ) {
    this.file = file;
    this.path = file.path;
    this.layout = layout;
    this.meta = meta;
    this.tasks = tasks;
    this.taskIndices = [...tasks.keys()].sort((a, b) => a - b);
    let payload = 0;
    for (const task of tasks.values()) payload += taskBytes(task.layout);
    this.payloadBytes = payload;
    this.cache = payload <= cacheBytes ? new TaskCache(cacheBytes) : null;
  }

  /**
   * Opens a history file and validates every task group (datasets present, dtypes, shapes, attributes).
   *
   * @throws InvalidArgumentError for bad options; InvalidFileError naming the file, group and field for a
   *   file that is not HDF5, truncated, of a newer schema, or whose datasets are missing, mistyped or
   *   disagree with its attributes.
   */
  static async open(path: string, options?: HistoryReaderOptions): Promise<HistoryReader> {
    if (typeof path !== 'string' || path.length === 0)
      throw new InvalidArgumentError('path', path, 'a file path');
    const opts = options === undefined ? {} : requireObject('options', options);
    rejectUnknownKeys('options', opts, ['layout', 'meta', 'cacheBytes']);
    const requested =
      opts.layout === undefined
        ? 'auto'
        : requireOneOf('options.layout', opts.layout, ['auto', 'icrl', 'dicp', 'xland'] as const);
    const cacheBytes =
      opts.cacheBytes === undefined
        ? 512 << 20
        : requireInteger('options.cacheBytes', opts.cacheBytes, { min: 0 });
    const given = opts.meta === undefined ? {} : (requireObject('options.meta', opts.meta) as ForeignMeta);

    const file = await Hdf5File.open(path, 'r');
    try {
      const layout = requested === 'auto' ? detectLayout(file) : requested;
      if (layout === 'icrl' && !file.attrNames('/').includes(SCHEMA_VERSION_ATTR)) {
        throw new InvalidFileError(
          file.path,
          `it was not written by @icrl/history-store (no "${SCHEMA_VERSION_ATTR}" attribute); pass { layout: 'dicp' } or { layout: 'xland' } for files written by h5py.`,
        );
      }
      const tasks = new Map<number, ReaderTask>();
      let meta: HistoryMeta;
      if (layout === 'icrl') {
        if (opts.meta !== undefined)
          throw new InvalidArgumentError(
            'options.meta',
            opts.meta,
            'undefined for icrl files (they carry their own meta)',
          );
        meta = readRootMeta(file).meta;
        for (const name of taskGroupNames(file)) {
          const attrs = readTaskAttrs(file, name);
          if (attrs.streams !== meta.streams) {
            throw new InvalidFileError(
              file.path,
              `group "${name}", attribute "streams": ${attrs.streams}, but the file's meta says ${meta.streams} streams.`,
            );
          }
          const taskLayout = readTaskLayout(file, 'icrl', Number(name), name, {
            observationShape: stepShape(meta.observationSpace),
            actionShape: stepShape(meta.actionSpace),
            streams: attrs.streams,
            length: attrs.length,
          });
          tasks.set(Number(name), {
            layout: taskLayout,
            info: { ...attrs.taskMeta, length: attrs.length, streams: attrs.streams, summary: attrs.summary },
          });
        }
      } else {
        const layouts = taskGroupNames(file).map((name) =>
          readTaskLayout(file, layout, Number(name), name, {}),
        );
        if (layouts.length === 0) throw new InvalidFileError(file.path, 'it has no task groups.');
        meta = inferForeignMeta(file, layout, layouts[0]!, given);
        for (const taskLayout of layouts) {
          // Every task must agree with the (inferred or given) spaces, as icrl files are checked against theirs.
          const checked = readTaskLayout(file, layout, taskLayout.index, String(taskLayout.index), {
            observationShape:
              taskLayout.fields.states!.stepShape.length === 0 ? [] : stepShape(meta.observationSpace),
            actionShape: stepShape(meta.actionSpace),
          });
          tasks.set(taskLayout.index, {
            layout: checked,
            info: foreignTaskInfo(file, layout, checked, meta),
          });
        }
      }
      return new HistoryReader(file, layout, meta, tasks, cacheBytes);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  private task(taskIndex: unknown): ReaderTask {
    const task = typeof taskIndex === 'number' ? this.tasks.get(taskIndex) : undefined;
    if (task === undefined) {
      const range =
        this.taskIndices.length > 0 ? `${this.taskIndices[0]}..${this.taskIndices.at(-1)}` : 'none';
      throw new InvalidArgumentError(
        'taskIndex',
        taskIndex,
        `a task present in the file (${this.taskIndices.length} tasks, indices ${range})`,
      );
    }
    return task;
  }

  /** Facts about one task: its TaskSpec, split, seed, length, streams and (icrl files) return curve. */
  taskInfo(taskIndex: number): TaskHistoryInfo {
    return this.task(taskIndex).info;
  }

  /** The fields a task holds (`nextStates` is derived for XLand files, which do not store it). */
  fields(taskIndex: number): HistoryField[] {
    const layout = this.task(taskIndex).layout;
    return HISTORY_FIELDS.filter(
      (f) => layout.fields[f] !== undefined || (f === 'nextStates' && layout.fields.states !== undefined),
    );
  }

  /** Elements per step of a field in the arrays this reader returns. */
  stepSize(field: HistoryField): number {
    return fieldStepSize(this.meta, field);
  }

  /** A zeroed output array for `steps` steps of a field, of the type `read()` returns for it. */
  allocate(field: HistoryField, steps: number): OutputArray {
    return allocateField(this.meta, field, steps);
  }

  private checkRange(task: ReaderTask, stream: unknown, start: unknown, length: unknown): void {
    requireInteger('stream', stream, { min: 0, max: task.layout.streams - 1 });
    requireInteger('start', start, { min: 0, max: task.layout.length });
    requireInteger('length', length, { min: 0, max: task.layout.length - (start as number) });
  }

  /**
   * Steps `[start, start + length)` of one stream of one task.
   *
   * @throws InvalidArgumentError when the task, stream or range is not in the file.
   */
  read(taskIndex: number, stream: number, start: number, length: number): HistoryWindow {
    const task = this.task(taskIndex);
    this.checkRange(task, stream, start, length);
    const out: Partial<Record<HistoryField, OutputArray>> = {};
    for (const field of this.fields(taskIndex)) {
      const array = this.allocate(field, length);
      this.readInto(taskIndex, field, stream, start, length, array, 0);
      out[field] = array;
    }
    return { length, ...out } as unknown as HistoryWindow;
  }

  /**
   * Copies steps `[start, start + length)` of one field of one stream into `out` from `outOffset` on
   * (the sampler's primitive; ranges are not re-checked here).
   */
  readInto(
    taskIndex: number,
    field: HistoryField,
    stream: number,
    start: number,
    length: number,
    out: OutputArray,
    outOffset: number,
  ): void {
    if (length === 0) return;
    const task = this.task(taskIndex);
    const layout = task.layout;
    const f = layout.fields[field];
    if (f === undefined) {
      if (field === 'nextStates' && layout.fields.states) {
        this.derivedNextStates(taskIndex, stream, start, length, out, outOffset);
        return;
      }
      throw new InvalidArgumentError(
        'field',
        field,
        `one of the fields task ${taskIndex} holds: ${this.fields(taskIndex).join(', ')}`,
      );
    }
    const cached = this.cached(task);
    if (cached !== null) {
      const raw = cached[field]!;
      if (f.streamMajor)
        copyRows(
          f.dtype,
          raw,
          (stream * layout.length + start) * f.stepSize,
          f.stepSize,
          f.stepSize,
          length,
          out,
          outOffset,
        );
      else
        copyRows(
          f.dtype,
          raw,
          (start * layout.streams + stream) * f.stepSize,
          layout.streams * f.stepSize,
          f.stepSize,
          length,
          out,
          outOffset,
        );
      return;
    }
    const zeros = f.stepShape.map(() => 0);
    const offset = f.streamMajor ? [stream, start, ...zeros] : [start, stream, ...zeros];
    const count = f.streamMajor ? [1, length, ...f.stepShape] : [length, 1, ...f.stepShape];
    const n = length * f.stepSize;
    const bytes = this.file.read(f.path, offset, count, dtypeSize(f.dtype));
    copyRows(f.dtype, rawView(f.dtype, bytes.buffer, bytes.byteOffset, n), 0, n, n, 1, out, outOffset);
  }

  /**
   * XLand files do not store next_states. As SB3 logs it, the next state of step t is the state of step
   * t + 1 of the same stream (the reset observation after an episode ends); the last step of a history,
   * whose successor was never logged, repeats its own state.
   */
  private derivedNextStates(
    taskIndex: number,
    stream: number,
    start: number,
    length: number,
    out: OutputArray,
    outOffset: number,
  ): void {
    const total = this.task(taskIndex).layout.length;
    const available = Math.min(length, total - start - 1);
    const step = this.stepSize('states');
    if (available > 0) this.readInto(taskIndex, 'states', stream, start + 1, available, out, outOffset);
    for (let t = Math.max(available, 0); t < length; t++) {
      this.readInto(taskIndex, 'states', stream, total - 1, 1, out, outOffset + t * step);
    }
  }

  /** The task's raw data from the cache, loading it when the whole file fits; null when reads go to disk. */
  private cached(task: ReaderTask): CachedTask | null {
    if (this.cache === null) return null;
    const hit = this.cache.get(task.layout.index);
    if (hit !== undefined) return hit;
    const loaded: CachedTask = {};
    for (const f of Object.values(task.layout.fields)) loaded[f.field] = this.readWhole(task.layout, f);
    return this.cache.put(task.layout.index, loaded, taskBytes(task.layout));
  }

  /** A whole dataset, raw, read in slices along its first axis. */
  private readWhole(layout: TaskLayout, f: FieldLayout): RawArray {
    const [rows, cols] = f.streamMajor ? [layout.streams, layout.length] : [layout.length, layout.streams];
    const rowElements = cols * f.stepSize;
    const size = dtypeSize(f.dtype);
    const raw = allocateRaw(f.dtype, rows * rowElements);
    const target = new Uint8Array(raw.buffer);
    const rowsPerRead = Math.max(1, Math.floor(MAX_READ_BYTES / Math.max(1, rowElements * size)));
    for (let r0 = 0; r0 < rows; r0 += rowsPerRead) {
      const n = Math.min(rowsPerRead, rows - r0);
      const bytes = this.file.read(
        f.path,
        [r0, 0, ...f.stepShape.map(() => 0)],
        [n, cols, ...f.stepShape],
        size,
      );
      target.set(bytes, r0 * rowElements * size);
    }
    return raw;
  }

  /**
   * Steps `[start, start + length)` of every stream of a task, time-major like `TransitionBatch`
   * (`states` is `[length, streams, obsSize]`): the bulk read DICP's loaders do, in bounded slices.
   * `fields` limits what is read (default: every field the task holds).
   */
  readTask(taskIndex: number, start = 0, length?: number, fields?: readonly HistoryField[]): TransitionBatch {
    const task = this.task(taskIndex);
    const wanted = fields ?? this.fields(taskIndex);
    const steps = length ?? task.layout.length - start;
    this.checkRange(task, 0, start, steps);
    const streams = task.layout.streams;
    const out: Partial<Record<HistoryField, OutputArray>> = {};
    const cached = this.cached(task);
    for (const field of wanted) {
      if (!this.fields(taskIndex).includes(field)) {
        throw new InvalidArgumentError(
          'fields',
          field,
          `one of the fields task ${taskIndex} holds: ${this.fields(taskIndex).join(', ')}`,
        );
      }
      const array = this.allocate(field, steps * streams);
      const f = task.layout.fields[field];
      const step = this.stepSize(field);
      if (f !== undefined && !f.streamMajor) {
        // Time-major on disk: contiguous rows, read in slices of whole time steps.
        if (cached !== null) {
          copyRows(
            f.dtype,
            cached[field]!,
            start * streams * step,
            steps * streams * step,
            steps * streams * step,
            1,
            array,
            0,
          );
        } else {
          const rowsPerRead = Math.max(1, Math.floor(MAX_READ_BYTES / (streams * step * dtypeSize(f.dtype))));
          for (let t0 = 0; t0 < steps; t0 += rowsPerRead) {
            const n = Math.min(rowsPerRead, steps - t0);
            const count = n * streams * step;
            const bytes = this.file.read(
              f.path,
              [start + t0, 0, ...f.stepShape.map(() => 0)],
              [n, streams, ...f.stepShape],
              dtypeSize(f.dtype),
            );
            copyRows(
              f.dtype,
              rawView(f.dtype, bytes.buffer, bytes.byteOffset, count),
              0,
              count,
              count,
              1,
              array,
              t0 * streams * step,
            );
          }
        }
      } else {
        // Stream-major on disk (or derived): one stream at a time, scattered into time-major order.
        const one = this.allocate(field, steps);
        for (let s = 0; s < streams; s++) {
          this.readInto(taskIndex, field, s, start, steps, one, 0);
          for (let t = 0; t < steps; t++) {
            const from = t * step;
            array.set(one.subarray(from, from + step), (t * streams + s) * step);
          }
        }
      }
      out[field] = array;
    }
    return { length: steps, ...out } as unknown as TransitionBatch;
  }

  /** Closes the file and drops cached tasks. */
  close(): void {
    this.cache?.clear();
    this.file.close();
  }
}
