import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HistoryMeta } from '@icrl/core';
import { ENV_PRESET_NAMES, type EnvPresetName } from '@icrl/envs';
import { HistoryReader } from '@icrl/history-store';
import {
  type ADModel,
  architectureDiff,
  checkpointDir,
  exportOnnx,
  MODEL_KINDS,
  type ModelConfig,
  type ModelKind,
  modelConfigForHistory,
  resolveTrainConfig,
  type TrainConfig,
  train,
} from '@icrl/transformer';
import { writeFileAtomic, writeJsonAtomic } from '../atomic-write';
import { BUDGET_NAMES, BUDGETS, type BudgetName } from '../budgets';
import { FieldErrors } from '../field-errors';
import { fileKind, requireHdf5 } from '../input-files';
import type { Io } from '../io';
import { findModel } from '../model-files';
import type { CommandSpec, ParsedCommand } from '../options';
import { Progress } from '../progress';
import { provenance } from '../provenance';
import { canonicalJson, differingKeys, RECORD_FORMATS, RECORD_VERSION, readRecord } from '../record-files';
import { UsageError } from '../usage-error';

export const trainSpec: CommandSpec = {
  name: 'train',
  summary:
    'Trains an AD, DPT or IDT transformer (DICP with --dynamics) on learning histories, checkpointing into --out; rerunning the same command resumes an unfinished run exactly. AD and DPT models are exported to <out>/model.onnx at the end.',
  usage: 'icrl train --data <file.h5> --model ad|dpt|idt [--dynamics] --out <dir> [options]',
  options: [
    {
      flag: 'data',
      key: 'data',
      type: 'string',
      arg: '<file.h5>',
      required: true,
      doc: 'learning histories (icrl collect)',
    },
    {
      flag: 'model',
      key: 'model',
      type: 'string',
      arg: '<kind>',
      choices: MODEL_KINDS,
      doc: 'model family',
      defaultText: 'ad',
    },
    {
      flag: 'dynamics',
      key: 'dynamics',
      type: 'boolean',
      doc: 'DICP: add the reward and next-state heads (DICP-AD, DICP-DPT, DICP-IDT)',
    },
    {
      flag: 'out',
      key: 'out',
      type: 'string',
      arg: '<dir>',
      required: true,
      doc: 'run directory (checkpoint/, train.jsonl, model.onnx, train-run.json)',
    },
    {
      flag: 'budget',
      key: 'budget',
      type: 'string',
      arg: '<name>',
      choices: BUDGET_NAMES,
      doc: 'budget the defaults below come from',
      defaultText: 'quick',
    },
    {
      flag: 'steps',
      key: 'steps',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'optimizer updates',
      defaultText: "the budget's",
    },
    {
      flag: 'batch',
      key: 'batch',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'windows per update',
      defaultText: "the budget's",
    },
    {
      flag: 'lr',
      key: 'lr',
      type: 'number',
      arg: '<x>',
      min: 0,
      exclusiveMin: true,
      doc: 'peak learning rate (cosine decay to 0)',
      defaultText: "the budget's",
    },
    {
      flag: 'seed',
      key: 'seed',
      type: 'integer',
      arg: '<n>',
      min: 0,
      doc: 'seed of the weights, windows and dropout',
      defaultText: '0',
    },
    {
      flag: 'workers',
      key: 'workers',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'data-parallel worker threads',
      defaultText: 'one per core for big updates',
    },
    {
      flag: 'layers',
      key: 'layers',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'transformer blocks',
      defaultText: "the budget's",
    },
    {
      flag: 'embd',
      key: 'embd',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'model width d',
      defaultText: "the budget's",
    },
    {
      flag: 'heads',
      key: 'heads',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'attention heads',
      defaultText: "the budget's",
    },
    {
      flag: 'inner',
      key: 'inner',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'MLP hidden size',
      defaultText: "the budget's",
    },
    {
      flag: 'context',
      key: 'context',
      type: 'integer',
      arg: '<n>',
      min: 2,
      doc: 'transitions per window (n_transit)',
      defaultText: "the budget's",
    },
    {
      flag: 'init',
      key: 'init',
      type: 'string',
      arg: '<model>',
      doc: "start from this model's weights (an icrl train directory, a checkpoint, zoo:<env>/<model>) with a fresh optimizer and schedule; its architecture must match",
      defaultText: 'random weights',
    },
    {
      flag: 'checkpoint-every',
      key: 'checkpointEvery',
      type: 'integer',
      arg: '<n>',
      min: 0,
      doc: 'checkpoint every n updates',
      defaultText: "the budget's",
    },
  ],
  examples: [
    'icrl train --data runs/darkroom.h5 --model ad --out runs/ad',
    'icrl train --data runs/darkroom.h5 --model ad --dynamics --out runs/dicp-ad --steps 5000',
    'icrl train --data runs/darkroom.h5 --model ad --dynamics --init runs/dicp-ad --lr 0.005 --steps 5000 --out runs/dicp-ad-more',
  ],
};

/** What defines a training run (a rerun must match it to resume). */
export interface TrainRequest {
  readonly data: { readonly path: string; readonly fingerprint: string; readonly envId: string };
  readonly model: ModelConfig;
  readonly train: TrainConfig;
  /** `--init`: the model whose weights the run starts from (as given, resolved), absent for random weights. */
  readonly init?: { readonly model: string; readonly checkpoint: string };
}

/** A validated training job. */
export interface TrainJob {
  readonly request: TrainRequest;
  readonly out: string;
  readonly workers: number | undefined;
  readonly budget: BudgetName;
  /** The histories' meta and split (what eval needs to find the held-out tasks). */
  readonly dataMeta: HistoryMeta;
}

/** `<out>/train-run.json`: written when the run starts (`running`) and when it is complete (`done`). */
export interface TrainRecord {
  readonly format: string;
  readonly version: number;
  readonly status: 'running' | 'done';
  readonly request: TrainRequest;
  readonly dataMeta: HistoryMeta;
  readonly budget: BudgetName;
  /** Set when done. */
  readonly result?: {
    readonly steps: number;
    readonly finalLoss: number;
    readonly backend: string;
    /** Sum of the update times in train.jsonl (interrupted attempts' lost updates excluded). */
    readonly trainSeconds: number;
    readonly onnx: string | null;
    readonly finishedAt: string;
  };
  readonly provenance: Record<string, unknown>;
}

export function trainRecordPath(out: string): string {
  return join(out, 'train-run.json');
}

/** A stable fingerprint of a history file's content description (meta + task list + lengths). */
function fingerprint(reader: HistoryReader): string {
  const tasks = reader.taskIndices.map((t) => [t, reader.taskInfo(t).length, reader.taskInfo(t).streams]);
  return createHash('sha256')
    .update(canonicalJson({ meta: reader.meta, tasks }))
    .digest('hex')
    .slice(0, 16);
}

/** Validates a training job against its data; nothing is written. The reader stays open for the caller. */
export async function resolveTrainJob(input: {
  data: string;
  out: string;
  model?: ModelKind;
  dynamics?: boolean;
  budget?: BudgetName;
  steps?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  workers?: number;
  layers?: number;
  embd?: number;
  heads?: number;
  inner?: number;
  context?: number;
  checkpointEvery?: number;
  init?: string;
}): Promise<{ job: TrainJob; reader: HistoryReader }> {
  requireHdf5(input.data, '--data');
  if (fileKind(input.out) !== 'missing' && fileKind(input.out) !== 'directory') {
    throw new UsageError(`Invalid --out: ${input.out} exists and is not a directory.`);
  }
  const reader = await HistoryReader.open(input.data);
  try {
    const budget = input.budget ?? 'quick';
    const envId = reader.meta.envId;
    const b = (ENV_PRESET_NAMES as readonly string[]).includes(envId)
      ? BUDGETS[envId as EnvPresetName][budget]
      : BUDGETS.darkroom[budget];
    const errors = new FieldErrors();
    const model = errors.check(() =>
      modelConfigForHistory(reader.meta, {
        kind: input.model ?? 'ad',
        dynamics: input.dynamics ?? false,
        nLayer: input.layers ?? b.model.nLayer,
        nEmbd: input.embd ?? b.model.nEmbd,
        nHead: input.heads ?? b.model.nHead,
        nInner: input.inner ?? b.model.nInner,
        nTransit: input.context ?? b.model.nTransit,
        seed: input.seed ?? 0,
      }),
    );
    const trainConfig = errors.check(() =>
      resolveTrainConfig({
        steps: input.steps ?? b.train.steps,
        batchSize: input.batch ?? b.train.batchSize,
        lr: input.lr ?? b.train.lr,
        seed: input.seed ?? 0,
        checkpointEvery: input.checkpointEvery ?? b.train.checkpointEvery,
      }),
    );
    errors.throwIfAny();
    const shortest = Math.min(...reader.taskIndices.map((t) => reader.taskInfo(t).length));
    if (model!.nTransit > shortest) {
      throw new UsageError(
        `Invalid --context: got ${model!.nTransit}; expected at most ${shortest}, the length of the shortest stream in ${input.data}.`,
      );
    }
    const init = input.init === undefined ? undefined : initModel(input.init, model!);
    const job: TrainJob = {
      request: {
        data: { path: resolve(input.data), fingerprint: fingerprint(reader), envId },
        model: model!,
        train: trainConfig!,
        ...(init !== undefined ? { init } : {}),
      },
      out: resolve(input.out),
      workers: input.workers,
      budget,
      dataMeta: reader.meta,
    };
    return { job, reader };
  } catch (err) {
    await reader.close();
    throw err;
  }
}

/** The flag that sets each model-config field (to name it when `--init`'s architecture differs). */
const MODEL_FLAGS: Record<string, string> = {
  kind: '--model',
  dynamics: '--dynamics',
  nLayer: '--layers',
  nEmbd: '--embd',
  nHead: '--heads',
  nInner: '--inner',
  nTransit: '--context',
};

/** Resolves `--init` to a checkpoint whose architecture equals `model`'s (the seed may differ). */
function initModel(input: string, model: ModelConfig): { model: string; checkpoint: string } {
  const found = findModel(input, '--init');
  if (found.checkpoint === null) {
    throw new UsageError(
      `Invalid --init: ${input} has no checkpoint (model.safetensors) to start from; give its icrl train directory instead.`,
    );
  }
  const diff = architectureDiff(model, found.config);
  if (diff.length > 0) {
    const fields = diff.map(
      (k) =>
        `${MODEL_FLAGS[k] ?? k} ${JSON.stringify((model as unknown as Record<string, unknown>)[k])} here, ${JSON.stringify((found.config as unknown as Record<string, unknown>)[k])} there`,
    );
    throw new UsageError(
      `Invalid --init: ${input} is a different model (${fields.join('; ')}); its weights can only start a run of the same architecture and env.`,
    );
  }
  return { model: input.startsWith('zoo:') ? input : found.path, checkpoint: found.checkpoint };
}

/**
 * What `out` holds for this job: `done` (skip), `resume` (a matching unfinished run), `fresh`. A different
 * run there is a usage error naming what differs.
 */
export function trainState(job: TrainJob): 'done' | 'resume' | 'fresh' {
  const record = readRecord<TrainRecord>(trainRecordPath(job.out), 'train');
  const ckpt = checkpointDir(join(job.out, 'checkpoint'));
  if (record === null) {
    if (ckpt !== null) {
      throw new UsageError(
        `${job.out} holds a checkpoint that icrl train did not start (no train-run.json); choose another --out.`,
      );
    }
    return 'fresh';
  }
  const a = { ...record.request, data: record.request.data.fingerprint } as Record<string, unknown>;
  const b = { ...job.request, data: job.request.data.fingerprint } as Record<string, unknown>;
  const diff = differingKeys(a, b).flatMap((k) =>
    k === 'data' || k === 'init'
      ? [k]
      : differingKeys(a[k] as Record<string, unknown>, b[k] as Record<string, unknown>).map(
          (f) => `${k}.${f}`,
        ),
  );
  if (diff.length > 0) {
    throw new UsageError(
      `${job.out} holds a different training run (differing: ${diff.join(', ')}); choose another --out, or delete the directory to start over.`,
    );
  }
  const onnxOk = !exportsOnnx(job.request.model) || existsSync(join(job.out, 'model.onnx'));
  if (record.status === 'done' && onnxOk) return 'done';
  return ckpt === null ? 'fresh' : 'resume';
}

function exportsOnnx(model: ModelConfig): boolean {
  return model.kind === 'ad' || model.kind === 'dpt';
}

/** Seconds spent in the updates logged in train.jsonl. */
function loggedSeconds(out: string): number {
  const path = join(out, 'train.jsonl');
  if (!existsSync(path)) return 0;
  let ms = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      ms += Number((JSON.parse(line) as { ms?: number }).ms ?? 0);
    } catch {
      // a torn last line of a killed run
    }
  }
  return ms / 1000;
}

/** Runs, resumes or skips a training job; closes the reader. */
export async function runTrainJob(job: TrainJob, reader: HistoryReader, io: Io): Promise<TrainRecord> {
  try {
    const state = trainState(job);
    const recordPath = trainRecordPath(job.out);
    const label = `train ${job.request.model.dynamics ? 'dicp-' : ''}${job.request.model.kind}`;
    if (state === 'done') {
      io.err.write(`${label}: ${job.out} is already complete; nothing to do\n`);
      return readRecord<TrainRecord>(recordPath, 'train')!;
    }
    const base = {
      format: RECORD_FORMATS.train,
      version: RECORD_VERSION,
      request: job.request,
      dataMeta: job.dataMeta,
      budget: job.budget,
    };
    if (state === 'fresh')
      writeJsonAtomic(recordPath, { ...base, status: 'running', provenance: provenance() });
    const progress = new Progress(io, label, job.request.train.steps, 'updates');
    const run = await train({
      source: reader,
      model: job.request.model,
      train: job.request.train,
      outDir: job.out,
      resume: state === 'resume',
      ...(job.request.init !== undefined ? { initFrom: job.request.init.checkpoint } : {}),
      ...(job.workers !== undefined ? { workers: job.workers } : {}),
      onLog: (e) => progress.update(e.step, `loss ${e.loss.toFixed(3)}`),
    });
    try {
      let onnx: string | null = null;
      if (exportsOnnx(job.request.model)) {
        onnx = join(job.out, 'model.onnx');
        writeJsonAtomic(join(job.out, 'model.json'), job.request.model);
        writeFileAtomic(onnx, exportOnnx(run.model as ADModel));
      }
      const finalLoss = (() => {
        const lines = readFileSync(join(job.out, 'train.jsonl'), 'utf8').trim().split('\n');
        return Number((JSON.parse(lines.at(-1)!) as { loss: number }).loss);
      })();
      const record: TrainRecord = {
        ...base,
        status: 'done',
        result: {
          steps: run.step,
          finalLoss,
          backend: run.backend,
          trainSeconds: loggedSeconds(job.out),
          onnx,
          finishedAt: new Date().toISOString(),
        },
        provenance: provenance(),
      };
      writeJsonAtomic(recordPath, record);
      progress.finish(
        `done: ${run.step} updates, final loss ${finalLoss.toFixed(3)}, backend ${run.backend}`,
      );
      return record;
    } finally {
      run.model.dispose();
    }
  } finally {
    await reader.close();
  }
}

/** `icrl train`. */
export async function trainCommand(parsed: ParsedCommand, io: Io): Promise<void> {
  const { job, reader } = await resolveTrainJob(parsed.values as never);
  const record = await runTrainJob(job, reader, io);
  io.out.write(`${record.result?.onnx ?? job.out}\n`);
}

/** Whether a directory is an icrl train output (for eval and info). */
export function isTrainDir(path: string): boolean {
  return existsSync(trainRecordPath(path)) && statSync(path).isDirectory();
}
