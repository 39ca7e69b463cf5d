import type { EvaluationResult, JsonObject } from '@icrl/core';
import type { CollectRecord } from './commands/collect';
import type { TrainRecord } from './commands/train';
import { readRecord } from './record-files';

/** One evaluated method: an `EvaluationResult` plus what it was. */
export interface MethodResult extends EvaluationResult {
  /** Name in plots and tables (`ad`, `dicp-ad+beam`, `random`, `oracle`, `ad-epsilon`). */
  readonly name: string;
  /** A trained model, or a baseline. */
  readonly role: 'model' | 'baseline';
  /** Planner settings for models (`none` for the policy alone). */
  readonly planner: {
    readonly planner: string;
    readonly beam: number;
    readonly depth: number;
    readonly samples: number;
  } | null;
  /** Inference backend (`onnxruntime-node` or the tfjs backend), null for baselines. */
  readonly backend: string | null;
}

/** What `icrl eval` writes: everything needed to reproduce and plot it. */
export interface ResultsFile {
  readonly format: string;
  readonly version: number;
  /** The resolved evaluation request (a rerun of the same request is skipped by `icrl run`). */
  readonly request: JsonObject;
  readonly env: { readonly id: string; readonly config: JsonObject };
  readonly split: { readonly seed: number; readonly trainRatio: number; readonly test: readonly number[] };
  readonly methods: readonly MethodResult[];
  /** Where the model came from: its training run and the collection of its data, when known. */
  readonly stages: { readonly collect: CollectRecord | null; readonly train: TrainRecord | null };
  readonly budget: string | null;
  readonly wallSeconds: number;
  readonly envSteps: number;
  readonly finishedAt: string;
  readonly provenance: Record<string, unknown>;
}

/** Reads and checks a results file (`InvalidFileError` for anything else). */
export function readResults(path: string): ResultsFile {
  return readRecord<ResultsFile>(path, 'results')!;
}
