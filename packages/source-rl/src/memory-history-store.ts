import {
  flatSize,
  type HistoryMeta,
  type HistorySink,
  type HistorySource,
  type HistoryWindow,
  IcrlError,
  InvalidArgumentError,
  requireInteger,
  requireObject,
  type SpaceArray,
  spaceDtype,
  type TaskHistoryInfo,
  type TaskHistoryMeta,
  type TaskHistorySummary,
  type TransitionBatch,
} from '@icrl/core';

/** One complete task's history, time-major as appended: element (t, s) at `t * streams + s`. */
export interface StoredTaskHistory {
  readonly meta: TaskHistoryMeta;
  readonly length: number;
  readonly states: SpaceArray;
  readonly actions: SpaceArray;
  readonly rewards: Float32Array;
  readonly nextStates: SpaceArray;
  readonly dones: Uint8Array;
  readonly optimalActions?: Int32Array;
  readonly success?: Float32Array;
  readonly summary: TaskHistorySummary;
}

type Field = 'states' | 'actions' | 'rewards' | 'nextStates' | 'dones' | 'optimalActions' | 'success';
const FIELDS: readonly Field[] = [
  'states',
  'actions',
  'rewards',
  'nextStates',
  'dones',
  'optimalActions',
  'success',
];
type Chunks = Partial<Record<Field, ArrayLike<number>[]>>;

interface ActiveTask {
  readonly meta: TaskHistoryMeta;
  length: number;
  readonly chunks: Chunks;
  optional: { optimalActions: boolean; success: boolean } | null;
}

/**
 * Learning histories in memory: a `HistorySink` for `collect()` and a `HistorySource` for trainers, with the
 * sink's resume semantics (open with the same meta again: complete tasks are reported, a half-written task is
 * discarded). For tests, small experiments and piping histories straight into training without a file.
 *
 * @example
 * const store = new MemoryHistoryStore();
 * await collect({ algorithm: ppo(ppoPresetFor('darkroom')), family, tasks, streams: 4, stepsPerStream: 100, seed: 0, sink: store });
 * const window = store.read(tasks[0].index, 0, 0, 20); // stream 0, steps 0..19
 */
export class MemoryHistoryStore implements HistorySink, HistorySource {
  private metaValue: HistoryMeta | null = null;
  private metaJson = '';
  private readonly complete = new Map<number, StoredTaskHistory>();
  private readonly active = new Map<number, ActiveTask>();

  /** The dataset meta (after `open`). */
  get meta(): HistoryMeta {
    if (this.metaValue === null) throw new IcrlError('MemoryHistoryStore: open(meta) has not been called.');
    return this.metaValue;
  }

  /** Indices of the complete tasks, ascending. */
  get taskIndices(): readonly number[] {
    return [...this.complete.keys()].sort((a, b) => a - b);
  }

  async open(meta: HistoryMeta): Promise<{ readonly completeTasks: readonly number[] }> {
    requireObject('meta', meta);
    const json = JSON.stringify(meta);
    if (this.metaValue !== null && json !== this.metaJson) {
      throw new InvalidArgumentError(
        'meta',
        meta,
        'the meta this store was opened with (one store holds one dataset)',
      );
    }
    requireInteger('meta.streams', meta.streams, { min: 1 });
    this.metaValue = meta;
    this.metaJson = json;
    this.active.clear(); // a task begun but never ended is discarded, as after a crash
    return { completeTasks: this.taskIndices };
  }

  beginTask(meta: TaskHistoryMeta): void {
    this.requireOpen();
    const index = meta.task.index;
    if (this.complete.has(index) || this.active.has(index)) {
      throw new InvalidArgumentError(
        'taskMeta.task.index',
        index,
        'a task not complete and not being written',
      );
    }
    this.active.set(index, { meta, length: 0, chunks: {}, optional: null });
  }

  append(taskIndex: number, batch: TransitionBatch): void {
    const task = this.activeTask(taskIndex);
    const length = requireInteger('batch.length', batch.length, { min: 0 });
    const { streams, observationSpace, actionSpace } = this.meta;
    const optional = {
      optimalActions: batch.optimalActions !== undefined,
      success: batch.success !== undefined,
    };
    // The first batch that is written decides which optional fields the task carries.
    const decided = task.optional ?? optional;
    const sizes: Record<Field, number> = {
      states: flatSize(observationSpace),
      actions: flatSize(actionSpace),
      rewards: 1,
      nextStates: flatSize(observationSpace),
      dones: 1,
      optimalActions: 1,
      success: 1,
    };
    for (const field of FIELDS) {
      const value = batch[field];
      const required = field !== 'optimalActions' && field !== 'success';
      if (
        !required &&
        optional[field as 'optimalActions' | 'success'] !== decided[field as 'optimalActions' | 'success']
      ) {
        throw new InvalidArgumentError(
          `batch.${field}`,
          value,
          `present in every batch of task ${taskIndex} or in none`,
        );
      }
      if (value === undefined) {
        if (required) throw new InvalidArgumentError(`batch.${field}`, value, 'a typed array');
        continue;
      }
      const expected = length * streams * sizes[field];
      if (!ArrayBuffer.isView(value) || (value as ArrayLike<number>).length !== expected) {
        throw new InvalidArgumentError(
          `batch.${field}`,
          value,
          `a typed array of ${expected} values (length x streams x size)`,
        );
      }
    }
    task.optional = decided;
    for (const field of FIELDS) {
      const value = batch[field];
      if (value === undefined) continue;
      const list = task.chunks[field] ?? [];
      list.push(value.slice());
      task.chunks[field] = list;
    }
    task.length += length;
  }

  endTask(taskIndex: number, summary: TaskHistorySummary): void {
    const task = this.activeTask(taskIndex);
    const { observationSpace, actionSpace } = this.meta;
    const cat = (field: Field, make: (n: number) => SpaceArray | Uint8Array) => {
      const list = task.chunks[field] ?? [];
      const out = make(list.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const c of list) {
        out.set(c, at);
        at += c.length;
      }
      return out;
    };
    const space = (dtype: string) => (n: number) =>
      dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
    const stored: StoredTaskHistory = {
      meta: task.meta,
      length: task.length,
      states: cat('states', space(spaceDtype(observationSpace))) as SpaceArray,
      actions: cat('actions', space(spaceDtype(actionSpace))) as SpaceArray,
      rewards: cat('rewards', (n) => new Float32Array(n)) as Float32Array,
      nextStates: cat('nextStates', space(spaceDtype(observationSpace))) as SpaceArray,
      dones: cat('dones', (n) => new Uint8Array(n)) as Uint8Array,
      ...(task.optional?.optimalActions
        ? { optimalActions: cat('optimalActions', (n) => new Int32Array(n)) as Int32Array }
        : {}),
      ...(task.optional?.success
        ? { success: cat('success', (n) => new Float32Array(n)) as Float32Array }
        : {}),
      summary: { episodeReturns: [...summary.episodeReturns] },
    };
    this.active.delete(taskIndex);
    this.complete.set(taskIndex, stored);
  }

  async close(): Promise<void> {
    if (this.active.size > 0) {
      throw new IcrlError(
        `MemoryHistoryStore: task(s) ${[...this.active.keys()].join(', ')} were begun but not ended.`,
      );
    }
  }

  /** A complete task's history, time-major (`undefined` if the task is not complete). */
  task(taskIndex: number): StoredTaskHistory | undefined {
    return this.complete.get(taskIndex);
  }

  taskInfo(taskIndex: number): TaskHistoryInfo {
    const t = this.requireComplete(taskIndex);
    return { ...t.meta, length: t.length, streams: this.meta.streams, summary: t.summary };
  }

  read(taskIndex: number, stream: number, start: number, length: number): HistoryWindow {
    const t = this.requireComplete(taskIndex);
    const streams = this.meta.streams;
    requireInteger('stream', stream, { min: 0, max: streams - 1 });
    requireInteger('start', start, { min: 0, max: t.length });
    requireInteger('length', length, { min: 0, max: t.length - start });
    const obs = flatSize(this.meta.observationSpace);
    const act = flatSize(this.meta.actionSpace);
    const pick = <A extends SpaceArray | Uint8Array>(src: A, size: number): A => {
      const out = new (src.constructor as new (n: number) => A)(length * size);
      for (let i = 0; i < length; i++) {
        const from = ((start + i) * streams + stream) * size;
        out.set(src.subarray(from, from + size) as never, i * size);
      }
      return out;
    };
    return {
      length,
      states: pick(t.states, obs),
      actions: pick(t.actions, act),
      rewards: pick(t.rewards, 1),
      nextStates: pick(t.nextStates, obs),
      dones: pick(t.dones, 1),
      ...(t.optimalActions ? { optimalActions: pick(t.optimalActions, 1) } : {}),
      ...(t.success ? { success: pick(t.success, 1) } : {}),
    };
  }

  private requireOpen(): void {
    if (this.metaValue === null) throw new IcrlError('MemoryHistoryStore: open(meta) has not been called.');
  }

  private activeTask(taskIndex: number): ActiveTask {
    this.requireOpen();
    const task = this.active.get(taskIndex);
    if (task === undefined) {
      throw new InvalidArgumentError(
        'taskIndex',
        taskIndex,
        'a task begun with beginTask() and not yet ended',
      );
    }
    return task;
  }

  private requireComplete(taskIndex: number): StoredTaskHistory {
    const t = this.complete.get(taskIndex);
    if (t === undefined)
      throw new InvalidArgumentError(
        'taskIndex',
        taskIndex,
        `a complete task (${this.taskIndices.join(', ')})`,
      );
    return t;
  }
}
