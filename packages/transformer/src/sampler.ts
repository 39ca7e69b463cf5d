import {
  allocateBatch,
  flatSize,
  type HistorySource,
  InvalidArgumentError,
  Rng,
  type RngState,
  requireInteger,
} from '@icrl/core';
import type { WindowArrays } from './encoding';

/** Which part of a history source training may draw from (DICP's `train_n_stream`, `train_source_timesteps`). */
export interface WindowSelection {
  /** Task indices to sample (e.g. the train split). Default: every task of the source. */
  readonly tasks?: readonly number[];
  /** Use only the first n streams of each task. Default: all. */
  readonly streams?: number;
  /** Use only the first n steps of each stream. Default: all. */
  readonly steps?: number;
}

/**
 * Seeded training windows over any `HistorySource`: uniform, with replacement, over every `(task, stream,
 * offset)` window of `length` steps inside one stream — DICP's `ADDataset`, whose size is
 * `(T − n_transit + 1) × #streams`; offsets are not aligned to episodes. Its state is one `Rng`, so a resumed
 * run draws exactly the windows the uninterrupted run would have.
 */
export class WindowDrawer {
  /** Distinct windows drawn from. */
  readonly windowCount: number;
  private readonly pairs: { task: number; stream: number; windows: number }[] = [];
  private readonly cumulative: Float64Array;
  private rng: Rng;
  private readonly obsSize: number;
  private readonly actionSize: number;

  /**
   * @throws InvalidArgumentError `model.nTransit` when `length` exceeds the shortest selected stream (no
   *   window would fit it), or naming the bad selection field.
   */
  constructor(
    private readonly source: HistorySource,
    readonly length: number,
    seed: number,
    selection: WindowSelection = {},
  ) {
    const tasks = selection.tasks ?? source.taskIndices;
    if (tasks.length === 0) throw new InvalidArgumentError('train.tasks', tasks, 'at least one task');
    tasks.forEach((t, i) => {
      if (!source.taskIndices.includes(t)) {
        throw new InvalidArgumentError(`train.tasks[${i}]`, t, 'a task index present in the histories');
      }
    });
    if (selection.streams !== undefined) requireInteger('train.streams', selection.streams, { min: 1 });
    if (selection.steps !== undefined) requireInteger('train.sourceSteps', selection.steps, { min: 1 });
    let shortest = Number.POSITIVE_INFINITY;
    for (const task of tasks) {
      const info = source.taskInfo(task);
      const steps = Math.min(selection.steps ?? info.length, info.length);
      shortest = Math.min(shortest, steps);
      const streams = Math.min(selection.streams ?? info.streams, info.streams);
      for (let s = 0; s < streams; s++) this.pairs.push({ task, stream: s, windows: steps - length + 1 });
    }
    if (length > shortest) {
      throw new InvalidArgumentError(
        'model.nTransit',
        length,
        `at most the histories' stream length (${shortest} steps in the shortest selected stream)`,
      );
    }
    this.cumulative = new Float64Array(this.pairs.length);
    let total = 0;
    this.pairs.forEach((p, i) => {
      total += p.windows;
      this.cumulative[i] = total;
    });
    this.windowCount = total;
    this.rng = new Rng(seed).fork(0x5a4d);
    this.obsSize = flatSize(source.meta.observationSpace);
    this.actionSize = flatSize(source.meta.actionSpace);
  }

  /** The next `size` windows as flat `[size, length, ...]` arrays. */
  next(size: number): WindowArrays {
    const n = this.length;
    const meta = this.source.meta;
    const states = allocateBatch(meta.observationSpace, size * n);
    const nextStates = allocateBatch(meta.observationSpace, size * n);
    const actions = allocateBatch(meta.actionSpace, size * n);
    const rewards = new Float32Array(size * n);
    const dones = new Uint8Array(size * n);
    let optimalActions: Int32Array | undefined;
    let returnsToGo: Float32Array | undefined;
    for (let b = 0; b < size; b++) {
      const u = Math.floor(this.rng.float() * this.windowCount);
      let lo = 0;
      let hi = this.cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.cumulative[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      const pair = this.pairs[lo]!;
      const offset = u - (lo === 0 ? 0 : this.cumulative[lo - 1]!);
      const w = this.source.read(pair.task, pair.stream, offset, n);
      states.set(w.states, b * n * this.obsSize);
      nextStates.set(w.nextStates, b * n * this.obsSize);
      actions.set(w.actions, b * n * this.actionSize);
      rewards.set(w.rewards, b * n);
      dones.set(w.dones, b * n);
      const rtg = (w as { returnsToGo?: Float32Array }).returnsToGo; // IDTHistories windows
      if (rtg !== undefined) {
        returnsToGo ??= new Float32Array(size * n);
        returnsToGo.set(rtg, b * n);
      }
      if (w.optimalActions !== undefined) {
        optimalActions ??= new Int32Array(size * n);
        optimalActions.set(w.optimalActions, b * n);
      }
    }
    return {
      size,
      length: n,
      states,
      actions,
      rewards,
      nextStates,
      dones,
      ...(optimalActions ? { optimalActions } : {}),
      ...(returnsToGo ? { returnsToGo } : {}),
    };
  }

  /** Where the drawer is (for checkpoints). */
  get state(): RngState {
    return this.rng.getState();
  }

  set state(saved: RngState) {
    this.rng = Rng.fromState(saved);
  }
}
