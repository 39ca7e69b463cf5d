import type { JsonObject } from './json';
import type { Space, SpaceArray } from './spaces';
import type { TaskSpec } from './task';

/** Version of the learning-history schema these interfaces describe. */
export const HISTORY_SCHEMA_VERSION = 1;

/**
 * What a whole learning-history dataset means: which env, which source algorithm, how it was seeded. Stored
 * with the data (HDF5 attributes in `@icrl/history-store`).
 */
export interface HistoryMeta {
  /** Schema version the data was written with (`HISTORY_SCHEMA_VERSION`). */
  readonly schemaVersion: number;
  /** Family id (`darkroom`, ...). */
  readonly envId: string;
  /** The family's resolved config. */
  readonly envConfig: JsonObject;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  /** Source algorithm that produced the histories and its settings (`{ algorithm: 'ppo', settings: {...} }`). */
  readonly source: { readonly algorithm: string; readonly settings: JsonObject };
  /** Parallel learner streams per task (DICP: 100). */
  readonly streams: number;
  /** Keep every k-th episode (AD's subsample factor; 1 keeps everything). */
  readonly subsample: number;
  /** Root seed of the collection. */
  readonly seed: number;
  /** How the family's tasks were split, if the dataset follows a split. */
  readonly split?: { readonly seed: number; readonly trainRatio: number };
}

/** Per-task metadata of a history. */
export interface TaskHistoryMeta {
  readonly task: TaskSpec;
  /** Which side of the split the task is on, if known. */
  readonly split?: 'train' | 'test';
  /** Seed of this task's learner (DICP: alg_seed + task index). */
  readonly seed?: number;
}

/** Summary written when a task's history is complete. */
export interface TaskHistorySummary {
  /** The source's learning curve: mean return over streams of each completed episode, in order. */
  readonly episodeReturns: readonly number[];
}

/**
 * A block of consecutive steps of one task, time-major over all its streams (the DICP/XLand layout):
 * element (t, s) of a per-step field is at `t * streams + s`; observations add a trailing `obsSize`.
 */
export interface TransitionBatch {
  /** Steps in the block. */
  readonly length: number;
  /** Observations before each step, `[length, streams, obsSize]`. */
  readonly states: SpaceArray;
  /** Actions, `[length, streams(, actionSize)]`. */
  readonly actions: SpaceArray;
  /** Rewards, `[length, streams]`. */
  readonly rewards: Float32Array;
  /** Observations after each step, `[length, streams, obsSize]` (the reset observation where an episode ended, as SB3 logs it). */
  readonly nextStates: SpaceArray;
  /** 1 where an episode ended at this step (terminated or truncated), `[length, streams]`. */
  readonly dones: Uint8Array;
  /** Oracle actions for `states` (DPT labels), `[length, streams]`. */
  readonly optimalActions?: Int32Array;
  /** Success flags (Meta-World), `[length, streams]`. */
  readonly success?: Float32Array;
}

/** Where a source algorithm writes its learning histories. */
export interface HistorySink {
  /**
   * Starts a dataset, or resumes one with the same meta: returns the indices of tasks already complete, which
   * the caller must not write again.
   */
  open(meta: HistoryMeta): Promise<{ readonly completeTasks: readonly number[] }>;
  /** Announces a task before its first batch. */
  beginTask(meta: TaskHistoryMeta): void | Promise<void>;
  /** Appends the next block of the task's history. */
  append(taskIndex: number, batch: TransitionBatch): void | Promise<void>;
  /** Marks the task complete. */
  endTask(taskIndex: number, summary: TaskHistorySummary): void | Promise<void>;
  /** Flushes and makes the dataset visible (atomically: a killed job never leaves a file that looks complete). */
  close(): Promise<void>;
}

/** A window of one stream of one task's history, `[length, ...]` per field. */
export interface HistoryWindow {
  readonly length: number;
  readonly states: SpaceArray;
  readonly actions: SpaceArray;
  readonly rewards: Float32Array;
  readonly nextStates: SpaceArray;
  readonly dones: Uint8Array;
  readonly optimalActions?: Int32Array;
  readonly success?: Float32Array;
}

/** Per-task facts a reader exposes. */
export interface TaskHistoryInfo extends TaskHistoryMeta {
  /** Steps per stream. */
  readonly length: number;
  /** Number of streams. */
  readonly streams: number;
  readonly summary?: TaskHistorySummary;
}

/** Where a trainer reads learning histories from. */
export interface HistorySource {
  readonly meta: HistoryMeta;
  /** Indices of the tasks present. */
  readonly taskIndices: readonly number[];
  /** Facts about one task. */
  taskInfo(taskIndex: number): TaskHistoryInfo;
  /** Steps `[start, start + length)` of one stream of one task. */
  read(taskIndex: number, stream: number, start: number, length: number): HistoryWindow;
  close(): void | Promise<void>;
}
