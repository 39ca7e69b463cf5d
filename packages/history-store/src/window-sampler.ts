import {
  type HistorySource,
  type HistoryWindow,
  InvalidArgumentError,
  Rng,
  rejectUnknownKeys,
  requireInteger,
  requireObject,
  requireSeed,
} from '@icrl/core';
import { forEachPiece, keptLength, keptSegments } from './episode-segments';
import { allocateField, fieldStepSize } from './field-arrays';
import { HISTORY_FIELDS, type HistoryField } from './history-schema';
import type { OutputArray } from './storage-dtype';
import { type IndexedHistory, WindowIndex } from './window-index';

/** Options of `WindowSampler`. */
export interface WindowSamplerOptions {
  /** Steps per window (DICP's n_transit, XLand's seq_len), e.g. 80. */
  readonly length: number;
  /** Windows per batch, e.g. 512. */
  readonly batchSize: number;
  /** Seed: batch i is the same for the same seed, file and options, on every run. */
  readonly seed: number;
  /**
   * Distance between consecutive window offsets: 1 (default) samples every offset, as DICP trains; XLand's
   * AD baseline uses `length / 2`.
   */
  readonly stride?: number;
  /** Keep every k-th episode of each stream (AD's subsample factor; episodes found from `dones`). Default 1. */
  readonly subsample?: number;
  /** Tasks to sample from (e.g. the train split). Default: every task of the source. */
  readonly tasks?: readonly number[];
  /** Use only the first n streams of each task (DICP's train_n_stream). Default: all. */
  readonly streams?: number;
  /** Use only the first n steps of each stream (DICP's train_source_timesteps). Default: all. */
  readonly steps?: number;
  /** Fields to return. Default: every field the sampled tasks hold. */
  readonly fields?: readonly HistoryField[];
}

/**
 * A batch of windows, flat and time-major within each window: `states[(b * length + t) * obsSize + i]`.
 * Ready to become `[batch, length, ...]` tensors.
 */
export interface WindowBatch {
  /** Windows in the batch. */
  readonly size: number;
  /** Steps per window. */
  readonly length: number;
  /** Task of each window, `[size]`. */
  readonly task: Int32Array;
  /** Stream of each window, `[size]`. */
  readonly stream: Int32Array;
  /** First step of each window, counted in kept steps (= time step when subsample is 1), `[size]`. */
  readonly offset: Int32Array;
  readonly states?: OutputArray;
  readonly actions?: OutputArray;
  readonly rewards?: Float32Array;
  readonly nextStates?: OutputArray;
  readonly dones?: Uint8Array;
  readonly optimalActions?: Int32Array;
  readonly success?: Float32Array;
}

/** Sources that can copy a field straight into a caller's array (HistoryReader) skip per-window allocations. */
interface FastSource extends HistorySource {
  readInto(
    task: number,
    field: HistoryField,
    stream: number,
    start: number,
    length: number,
    out: OutputArray,
    outOffset: number,
  ): void;
  fields(task: number): HistoryField[];
  readTask?(
    task: number,
    start?: number,
    length?: number,
    fields?: readonly HistoryField[],
  ): { dones: Uint8Array };
}

function isFast(source: HistorySource): source is FastSource {
  return (
    typeof (source as Partial<FastSource>).readInto === 'function' &&
    typeof (source as Partial<FastSource>).fields === 'function'
  );
}

/**
 * Seeded training windows from learning histories: uniform over every valid (task, stream, offset) window
 * of `length` steps lying inside one stream (DICP's ADDataset), or over offsets every `stride` steps
 * (XLand), optionally over every k-th episode only.
 *
 * @example
 * const sampler = new WindowSampler(reader, { length: 80, batchSize: 512, seed: 0 });
 * const batch = sampler.next(); // batch.states: Int32Array [512, 80, 2] for Darkroom
 * sampler.batch(0); // the first batch again, identical
 */
export class WindowSampler {
  /** Number of distinct windows the sampler draws from (uniformly, with replacement). */
  readonly windowCount: number;
  /** Fields each batch holds. */
  readonly fields: readonly HistoryField[];
  private readonly source: HistorySource;
  private readonly index: WindowIndex;
  private readonly options: Required<Pick<WindowSamplerOptions, 'length' | 'batchSize' | 'seed'>>;
  private readonly rng: Rng;
  private nextBatch = 0;

  /**
   * @throws InvalidArgumentError naming the option (`options.length`, `options.tasks[2]`, ...) when it is
   *   invalid or leaves no window to sample.
   */
  constructor(source: HistorySource, options: WindowSamplerOptions) {
    const o = requireObject('options', options);
    rejectUnknownKeys('options', o, [
      'length',
      'batchSize',
      'seed',
      'stride',
      'subsample',
      'tasks',
      'streams',
      'steps',
      'fields',
    ]);
    const length = requireInteger('options.length', o.length, { min: 1, max: 2 ** 24 });
    const batchSize = requireInteger('options.batchSize', o.batchSize, { min: 1, max: 2 ** 20 });
    const seed = requireSeed('options.seed', o.seed);
    const stride = o.stride === undefined ? 1 : requireInteger('options.stride', o.stride, { min: 1 });
    const subsample =
      o.subsample === undefined ? 1 : requireInteger('options.subsample', o.subsample, { min: 1 });
    const tasks =
      o.tasks === undefined ? [...source.taskIndices] : requireTaskList(o.tasks, source.taskIndices);
    if (tasks.length === 0) throw new InvalidArgumentError('options.tasks', o.tasks, 'at least one task');
    const streams =
      o.streams === undefined ? undefined : requireInteger('options.streams', o.streams, { min: 1 });
    const steps = o.steps === undefined ? undefined : requireInteger('options.steps', o.steps, { min: 1 });
    this.source = source;
    this.options = { length, batchSize, seed };
    this.rng = new Rng(seed);

    const held = tasks.map((t) => new Set(holds(source, t)));
    const common = HISTORY_FIELDS.filter((f) => held.every((s) => s.has(f)));
    if (o.fields !== undefined) {
      if (!Array.isArray(o.fields) || o.fields.length === 0) {
        throw new InvalidArgumentError(
          'options.fields',
          o.fields,
          `a non-empty array of fields among ${common.join(', ')}`,
        );
      }
      o.fields.forEach((f, i) => {
        if (!common.includes(f))
          throw new InvalidArgumentError(
            `options.fields[${i}]`,
            f,
            `a field every sampled task holds: ${common.join(', ')}`,
          );
      });
    }
    this.fields =
      o.fields === undefined
        ? common
        : HISTORY_FIELDS.filter((f) => (o.fields as HistoryField[]).includes(f));
    if (subsample > 1 && !common.includes('dones')) {
      throw new InvalidArgumentError(
        'options.subsample',
        subsample,
        '1 for histories without dones (episodes are found from dones)',
      );
    }

    const histories: IndexedHistory[] = [];
    let longest = 0;
    for (const task of tasks) {
      const info = source.taskInfo(task);
      const usableStreams = Math.min(streams ?? info.streams, info.streams);
      const usableSteps = Math.min(steps ?? info.length, info.length);
      const dones = subsample > 1 ? readDones(source, task, usableSteps, usableStreams) : null;
      for (let s = 0; s < usableStreams; s++) {
        const segments = dones === null ? null : keptSegments(dones[s]!, subsample, usableSteps);
        const kept = segments === null ? usableSteps : keptLength(segments);
        longest = Math.max(longest, kept);
        histories.push({ task, stream: s, length: kept, segments });
      }
    }
    this.index = new WindowIndex(histories, length, stride);
    if (this.index.count === 0) {
      throw new InvalidArgumentError(
        'options.length',
        length,
        `at most the longest usable history (${longest} steps)`,
      );
    }
    this.windowCount = this.index.count;
  }

  /** Index of the batch `next()` returns next (save it to resume sampling where it stopped). */
  get position(): number {
    return this.nextBatch;
  }

  set position(batchIndex: number) {
    this.nextBatch = requireInteger('position', batchIndex, { min: 0 });
  }

  /** The next batch. */
  next(): WindowBatch {
    return this.batch(this.nextBatch++);
  }

  /** Batch number `batchIndex`: a pure function of (seed, batchIndex, file, options). */
  batch(batchIndex: number): WindowBatch {
    requireInteger('batchIndex', batchIndex, { min: 0 });
    const { length, batchSize } = this.options;
    const rng = this.rng.fork(batchIndex);
    const picks = Array.from({ length: batchSize }, (_, row) => ({
      row,
      ...this.index.locate(this.index.draw(rng)),
    }));
    const meta = this.source.meta;
    const out: Partial<Record<HistoryField, OutputArray>> = {};
    for (const field of this.fields) out[field] = allocateField(meta, field, batchSize * length);
    const task = new Int32Array(batchSize);
    const stream = new Int32Array(batchSize);
    const offset = new Int32Array(batchSize);
    // Read in file order (task, stream, offset): neighbouring reads share HDF5's metadata caches.
    picks.sort(
      (a, b) => a.history.task - b.history.task || a.history.stream - b.history.stream || a.offset - b.offset,
    );
    for (const { row, history, offset: first } of picks) {
      task[row] = history.task;
      stream[row] = history.stream;
      offset[row] = first;
      const visit = (start: number, count: number, at: number) =>
        this.copy(history, start, count, out, row * length + at);
      if (history.segments === null) visit(first, length, 0);
      else forEachPiece(history.segments, first, length, visit);
    }
    return { size: batchSize, length, task, stream, offset, ...out } as WindowBatch;
  }

  private copy(
    history: IndexedHistory,
    start: number,
    count: number,
    out: Partial<Record<HistoryField, OutputArray>>,
    step: number,
  ): void {
    const source = this.source;
    if (isFast(source)) {
      for (const field of this.fields) {
        source.readInto(
          history.task,
          field,
          history.stream,
          start,
          count,
          out[field]!,
          step * fieldStepSize(source.meta, field),
        );
      }
      return;
    }
    const window = source.read(history.task, history.stream, start, count) as unknown as Record<
      string,
      OutputArray
    >;
    for (const field of this.fields)
      out[field]!.set(window[field]!, step * fieldStepSize(source.meta, field));
  }
}

function requireTaskList(value: unknown, present: readonly number[]): number[] {
  if (!Array.isArray(value))
    throw new InvalidArgumentError('options.tasks', value, 'an array of task indices');
  const known = new Set(present);
  value.forEach((t, i) => {
    if (!known.has(t))
      throw new InvalidArgumentError(
        `options.tasks[${i}]`,
        t,
        `a task index present in the source (${present.length} tasks)`,
      );
  });
  return [...new Set(value as number[])].sort((a, b) => a - b);
}

function holds(source: HistorySource, task: number): HistoryField[] {
  if (isFast(source)) return source.fields(task);
  const window = source.read(task, 0, 0, 0) as HistoryWindow;
  return HISTORY_FIELDS.filter((f) => (window as unknown as Record<string, unknown>)[f] !== undefined);
}

/** Dones of the first `steps` steps of each of the first `streams` streams, one array per stream. */
function readDones(source: HistorySource, task: number, steps: number, streams: number): Uint8Array[] {
  const fast = source as Partial<FastSource>;
  const all = source.taskInfo(task).streams;
  if (typeof fast.readTask === 'function') {
    const { dones } = fast.readTask(task, 0, steps, ['dones']); // time-major [steps, all]
    return Array.from({ length: streams }, (_, s) => {
      const d = new Uint8Array(steps);
      for (let t = 0; t < steps; t++) d[t] = dones[t * all + s]!;
      return d;
    });
  }
  return Array.from({ length: streams }, (_, s) => source.read(task, s, 0, steps).dones);
}
