import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InvalidFileError, type JsonObject, requireObject } from '@icrl/core';
import { ENV_PRESET_NAMES, type EnvPresetName, makeEnvFamily } from '@icrl/envs';
import { HistoryWriter } from '@icrl/history-store';
import { collect, makeAlgorithm, PPO_PRESET_ENVS, ppoPresetFor, SOURCE_ALGORITHMS } from '@icrl/source-rl';
import { writeJsonAtomic } from '../atomic-write';
import { BUDGET_NAMES, BUDGETS, type BudgetName } from '../budgets';
import { FieldErrors } from '../field-errors';
import { fileKind } from '../input-files';
import type { Io } from '../io';
import { JsonlLog } from '../jsonl-log';
import type { CommandSpec, ParsedCommand } from '../options';
import { Progress } from '../progress';
import { provenance } from '../provenance';
import { differingKeys, RECORD_FORMATS, RECORD_VERSION, readRecord } from '../record-files';
import { UsageError } from '../usage-error';

export const collectSpec: CommandSpec = {
  name: 'collect',
  summary:
    'Runs a source RL algorithm from scratch on the train tasks of a split and writes every transition to an HDF5 file (DICP layout). Resumable: rerun the same command after a kill and it continues.',
  usage: 'icrl collect --env <preset> --algo <name> --out <file.h5> [options]',
  options: [
    {
      flag: 'env',
      key: 'env',
      type: 'string',
      arg: '<preset>',
      choices: ENV_PRESET_NAMES,
      required: true,
      doc: 'env preset',
    },
    {
      flag: 'algo',
      key: 'algo',
      type: 'string',
      arg: '<name>',
      choices: Object.keys(SOURCE_ALGORITHMS),
      doc: 'source algorithm',
      defaultText: "the budget's",
    },
    {
      flag: 'out',
      key: 'out',
      type: 'string',
      arg: '<file.h5>',
      required: true,
      doc: 'HDF5 file to write (.h5 or .hdf5)',
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
      flag: 'split-seed',
      key: 'splitSeed',
      type: 'integer',
      arg: '<n>',
      min: 0,
      doc: 'seed of the train/test split',
      defaultText: "the preset's",
    },
    {
      flag: 'tasks',
      key: 'tasks',
      type: 'integer',
      arg: '<n>',
      min: 0,
      doc: 'first n train tasks only (0: all)',
      defaultText: "the budget's",
    },
    {
      flag: 'streams',
      key: 'streams',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'parallel streams per task',
      defaultText: "the budget's",
    },
    {
      flag: 'steps',
      key: 'steps',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'env steps per stream',
      defaultText: "the budget's",
    },
    {
      flag: 'seed',
      key: 'seed',
      type: 'integer',
      arg: '<n>',
      min: 0,
      doc: 'root seed (task t learns with seed + t)',
      defaultText: '0',
    },
    {
      flag: 'workers',
      key: 'workers',
      type: 'integer',
      arg: '<n|auto>',
      min: 0,
      auto: true,
      doc: 'worker threads for the learners (0: main thread)',
      defaultText: 'auto',
    },
    {
      flag: 'tasks-per-batch',
      key: 'tasksPerBatch',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'tasks learning in lockstep (a kill loses at most these)',
      defaultText: "the budget's",
    },
  ],
  configOnly: [
    {
      key: 'settings',
      doc: "the algorithm's settings, e.g. { maxPerf: 0.9 } (merged over the budget's or preset's)",
    },
  ],
  examples: [
    'icrl collect --env darkroom --algo ad-epsilon --out runs/darkroom.h5',
    'icrl collect --env darkroom --algo ppo --budget paper --out runs/darkroom-ppo.h5',
    'icrl collect --env dark-key-to-door --algo ppo --tasks 100 --streams 20 --steps 500 --out dktd.h5',
  ],
};

/** Everything that defines a collection job (what its record stores and a rerun must match). */
export interface CollectRequest {
  readonly env: EnvPresetName;
  readonly algorithm: string;
  readonly settings: JsonObject;
  readonly splitSeed: number;
  readonly tasks: number;
  readonly streams: number;
  readonly stepsPerStream: number;
  readonly seed: number;
}

/** A validated collection job and how to run it. */
export interface CollectJob {
  readonly request: CollectRequest;
  readonly out: string;
  readonly workers: number | 'auto';
  readonly tasksPerBatch: number;
  readonly budget: BudgetName;
}

/** The record written beside the HDF5 file once it is complete. */
export interface CollectRecord {
  readonly format: string;
  readonly version: number;
  readonly request: CollectRequest;
  readonly file: string;
  readonly taskIndices: readonly number[];
  readonly transitions: number;
  readonly envSteps: number;
  /** Seconds of the invocation that completed the file (earlier, interrupted attempts are in the log). */
  readonly wallSeconds: number;
  readonly tasksResumed: number;
  readonly budget: BudgetName;
  readonly finishedAt: string;
  readonly provenance: Record<string, unknown>;
}

/** `<stem>.collect.json` and `<stem>.collect.jsonl` beside `<stem>.h5`. */
export function collectRecordPath(out: string): string {
  return join(dirname(out), `${basename(out, extname(out))}.collect.json`);
}
function collectLogPath(out: string): string {
  return join(dirname(out), `${basename(out, extname(out))}.collect.jsonl`);
}

/** Default algorithm settings: the budget's for its own algorithm, DICP's preset for PPO, else the defaults. */
function defaultSettings(env: EnvPresetName, budget: BudgetName, algorithm: string): JsonObject {
  const b = BUDGETS[env][budget].collect;
  if (algorithm === b.algorithm) return b.settings;
  if (algorithm === 'ppo' && PPO_PRESET_ENVS.includes(env)) return ppoPresetFor(env) as unknown as JsonObject;
  return {};
}

/** Resolves and validates a collection job; nothing is written. */
export function resolveCollectJob(input: {
  env: EnvPresetName;
  out: string;
  budget?: BudgetName;
  algo?: string;
  settings?: unknown;
  splitSeed?: number;
  tasks?: number;
  streams?: number;
  steps?: number;
  seed?: number;
  workers?: number | 'auto';
  tasksPerBatch?: number;
}): CollectJob {
  const errors = new FieldErrors();
  const budget = input.budget ?? 'quick';
  const b = BUDGETS[input.env][budget].collect;
  const algorithm = input.algo ?? b.algorithm;
  const extra =
    input.settings === undefined ? {} : errors.check(() => requireObject('config.settings', input.settings));
  const settings = { ...defaultSettings(input.env, budget, algorithm), ...(extra ?? {}) } as JsonObject;
  errors.check(() => makeAlgorithm(algorithm, settings));
  const family = makeEnvFamily(input.env);
  const splitSeed = input.splitSeed ?? family.split().seed;
  const ext = extname(input.out).toLowerCase();
  if (ext !== '.h5' && ext !== '.hdf5')
    errors.add(
      `Invalid --out: got ${JSON.stringify(input.out)}; expected a file name ending in .h5 or .hdf5.`,
    );
  const kind = fileKind(input.out);
  if (kind === 'directory')
    errors.add(`Invalid --out: ${input.out} is a directory; expected an HDF5 file path.`);
  errors.throwIfAny();
  if (kind !== 'missing' && kind !== 'hdf5') {
    throw new InvalidFileError(input.out, 'exists and is not an HDF5 file; refusing to replace it');
  }
  const request: CollectRequest = {
    env: input.env,
    algorithm,
    settings,
    splitSeed,
    tasks: input.tasks ?? b.tasks,
    streams: input.streams ?? b.streams,
    stepsPerStream: input.steps ?? b.stepsPerStream,
    seed: input.seed ?? 0,
  };
  const split = family.split(splitSeed);
  if (request.tasks > split.train.length) {
    throw new UsageError(
      `Invalid --tasks: got ${request.tasks}; expected at most ${split.train.length} (the split's train tasks), or 0 for all.`,
    );
  }
  // The algorithm's own checks against the env (batch vs rollout, spaces) before anything is written.
  makeAlgorithm(algorithm, settings).check(family.observationSpace, family.actionSpace, request.streams);
  return {
    request,
    out: resolve(input.out),
    workers: input.workers ?? 'auto',
    tasksPerBatch: input.tasksPerBatch ?? b.tasksPerBatch,
    budget,
  };
}

/** Whether `out` already holds this job, complete. A different job there is a usage error. */
export function collectIsComplete(job: CollectJob): CollectRecord | null {
  const record = readRecord<CollectRecord>(collectRecordPath(job.out), 'collect');
  if (record === null) return null;
  const diff = differingKeys(
    record.request as unknown as Record<string, unknown>,
    job.request as unknown as Record<string, unknown>,
  );
  if (diff.length > 0) {
    throw new UsageError(
      `${job.out} holds a different collection (differing: ${diff.join(', ')}); choose another --out or delete it and ${collectRecordPath(job.out)}.`,
    );
  }
  return existsSync(job.out) && statSync(job.out).isFile() ? record : null;
}

/** Runs (or resumes, or skips) a collection job. */
export async function runCollectJob(job: CollectJob, io: Io): Promise<CollectRecord> {
  const done = collectIsComplete(job);
  if (done !== null) {
    io.err.write(
      `collect: ${job.out} is already complete (${done.taskIndices.length} tasks); nothing to do\n`,
    );
    return done;
  }
  const { request: r } = job;
  const family = makeEnvFamily(r.env);
  const split = family.split(r.splitSeed);
  const tasks = r.tasks > 0 ? split.train.slice(0, r.tasks) : split.train;
  const log = new JsonlLog(collectLogPath(job.out));
  log.write('start', { request: r, out: job.out });
  const started = performance.now();
  const progress = new Progress(io, 'collect', tasks.length, 'tasks');
  const writer = new HistoryWriter(job.out);
  let lastDone = -1;
  const result = await collect({
    algorithm: makeAlgorithm(r.algorithm, r.settings),
    family,
    tasks,
    split,
    streams: r.streams,
    stepsPerStream: r.stepsPerStream,
    seed: r.seed,
    sink: writer,
    workers: job.workers,
    tasksPerBatch: job.tasksPerBatch,
    onProgress: (p) => {
      progress.update(
        p.tasksDone,
        `(${(p.transitions / Math.max(p.elapsedS, 1e-3)).toExponential(1)} transitions/s)`,
      );
      if (p.tasksDone !== lastDone) {
        lastDone = p.tasksDone;
        log.write('progress', {
          tasksDone: p.tasksDone,
          tasksTotal: p.tasksTotal,
          transitions: p.transitions,
          elapsedS: p.elapsedS,
        });
      }
    },
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const transitions = tasks.length * r.streams * r.stepsPerStream;
  const record: CollectRecord = {
    format: RECORD_FORMATS.collect,
    version: RECORD_VERSION,
    request: r,
    file: job.out,
    taskIndices: tasks.map((t) => t.index),
    transitions,
    envSteps: transitions,
    wallSeconds,
    tasksResumed: result.tasksResumed.length,
    budget: job.budget,
    finishedAt: new Date().toISOString(),
    provenance: provenance(),
  };
  writeJsonAtomic(collectRecordPath(job.out), record);
  log.write('done', { wallSeconds, transitions, tasksResumed: result.tasksResumed.length });
  progress.finish(
    `wrote ${job.out}: ${tasks.length} tasks × ${r.streams} streams × ${r.stepsPerStream} steps`,
  );
  return record;
}

/** `icrl collect`. */
export async function collectCommand(parsed: ParsedCommand, io: Io): Promise<void> {
  const v = parsed.values as Parameters<typeof resolveCollectJob>[0];
  const job = resolveCollectJob({ ...v, settings: parsed.configOnly.settings });
  const record = await runCollectJob(job, io);
  io.out.write(`${record.file}\n`);
}
