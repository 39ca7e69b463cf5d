import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidFileError } from '@icrl/core';
import { HistoryReader } from '@icrl/history-store';
import { readCheckpointConfig } from '@icrl/transformer';
import { fileKind, requireInput } from '../input-files';
import type { Io } from '../io';
import { readOnnxSummary } from '../onnx-metadata';
import type { CommandSpec, ParsedCommand } from '../options';
import { RECORD_FORMATS, readRecord } from '../record-files';
import type { ResultsFile } from '../results';
import type { CollectRecord } from './collect';
import type { RunRecord } from './run';
import type { TrainRecord } from './train';

export const infoSpec: CommandSpec = {
  name: 'info',
  summary:
    'Says what a file holds: learning histories (.h5), a training run or checkpoint directory, an ONNX model, a results file, a run directory or a record.',
  usage: 'icrl info <file|dir> [--json]',
  positionals: { name: '<file|dir>', doc: 'what to describe', min: 1, max: 1 },
  options: [{ flag: 'json', key: 'json', type: 'boolean', doc: 'print one JSON object instead of text' }],
  examples: [
    'icrl info runs/darkroom/histories.h5',
    'icrl info runs/darkroom/ad',
    'icrl info runs/darkroom/eval-ad.json',
  ],
};

/** A description: its kind, a few summary lines, and the details as JSON. */
export interface Description {
  readonly kind: string;
  readonly lines: readonly string[];
  readonly details: Record<string, unknown>;
}

async function describeHistories(path: string): Promise<Description> {
  const reader = await HistoryReader.open(path);
  try {
    const m = reader.meta;
    const tasks = reader.taskIndices;
    const infos = tasks.map((t) => reader.taskInfo(t));
    const steps = infos.reduce((n, i) => n + i.length * i.streams, 0);
    const finals = infos
      .map((i) => i.summary?.episodeReturns.at(-1))
      .filter((x): x is number => x !== undefined);
    const meanFinal = finals.length ? finals.reduce((a, b) => a + b, 0) / finals.length : null;
    return {
      kind: 'histories',
      lines: [
        `learning histories of ${m.envId} (HDF5)`,
        `source: ${m.source.algorithm} ${JSON.stringify(m.source.settings)}`,
        `tasks: ${tasks.length} (${tasks.slice(0, 12).join(', ')}${tasks.length > 12 ? ', …' : ''})`,
        `streams × steps: ${m.streams} × ${infos[0]?.length ?? 0}; transitions: ${steps.toLocaleString('en-US')}`,
        `seed ${m.seed}${m.split ? `, split seed ${m.split.seed} (train ratio ${m.split.trainRatio.toFixed(3)})` : ''}`,
        ...(meanFinal !== null ? [`source's final return (mean over tasks): ${meanFinal.toFixed(2)}`] : []),
      ],
      details: { meta: m, tasks, transitions: steps, meanFinalReturn: meanFinal },
    };
  } finally {
    await reader.close();
  }
}

function describeTrainRecord(r: TrainRecord): string[] {
  const m = r.request.model;
  const t = r.request.train;
  return [
    `${m.dynamics ? 'DICP-' : ''}${m.kind.toUpperCase()} training run (${r.status})`,
    `env ${m.envId}; ${m.nLayer} layers, d ${m.nEmbd}, ${m.nHead} heads, MLP ${m.nInner}, context ${m.nTransit}`,
    `${t.steps} updates × batch ${t.batchSize}, lr ${t.lr}, seed ${t.seed}`,
    `data: ${r.request.data.path} (fingerprint ${r.request.data.fingerprint})`,
    ...(r.request.init ? [`weights started from ${r.request.init.model} (--init)`] : []),
    ...(r.result
      ? [
          `final loss ${r.result.finalLoss.toFixed(4)} after ${r.result.steps} updates, ${r.result.trainSeconds.toFixed(1)} s on ${r.result.backend}${r.result.onnx ? `; ONNX: ${r.result.onnx}` : ''}`,
        ]
      : []),
  ];
}

function describeResults(r: ResultsFile): string[] {
  // `icrl eval --tasks n` plays the first n held-out tasks; the file still records the whole split.
  const played = typeof r.request.tasks === 'number' ? `; the first ${r.request.tasks} played` : '';
  return [
    `results of ${r.env.id}: ${r.split.test.length} held-out tasks (split seed ${r.split.seed}${played}), budget ${r.budget ?? '—'}`,
    ...r.methods.map(
      (m) =>
        `${m.name}: ${m.episodes} episodes × ${m.returns.length} runs; mean return ${m.mean[0]?.toFixed(2)} → ${m.mean.at(-1)?.toFixed(2)}${m.maxReturn !== null ? ` (optimum ${m.maxReturn.toFixed(2)})` : ''}`,
    ),
    `wall ${r.wallSeconds.toFixed(1)} s, ${r.envSteps.toLocaleString('en-US')} env steps`,
  ];
}

function describeJson(path: string): Description {
  let value: { format?: unknown };
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as { format?: unknown };
  } catch (err) {
    throw new InvalidFileError(path, `is not valid JSON (${(err as Error).message})`);
  }
  switch (value?.format) {
    case RECORD_FORMATS.results: {
      const r = readRecord<ResultsFile>(path, 'results')!;
      return { kind: 'results', lines: describeResults(r), details: r as unknown as Record<string, unknown> };
    }
    case RECORD_FORMATS.collect: {
      const r = readRecord<CollectRecord>(path, 'collect')!;
      return {
        kind: 'collect-record',
        lines: [
          `collection record of ${r.file}: ${r.request.algorithm} on ${r.taskIndices.length} tasks, ${r.transitions.toLocaleString('en-US')} transitions, ${r.wallSeconds.toFixed(1)} s`,
        ],
        details: r as unknown as Record<string, unknown>,
      };
    }
    case RECORD_FORMATS.train: {
      const r = readRecord<TrainRecord>(path, 'train')!;
      return {
        kind: 'train-record',
        lines: describeTrainRecord(r),
        details: r as unknown as Record<string, unknown>,
      };
    }
    case RECORD_FORMATS.run:
      return describeRun(readRecord<RunRecord>(path, 'run')!);
    default:
      throw new InvalidFileError(
        path,
        `is JSON but not an icrl file (format ${JSON.stringify(value?.format ?? null)})`,
      );
  }
}

function describeRun(r: RunRecord): Description {
  return {
    kind: 'run',
    lines: [
      `icrl run of ${r.preset}, ${r.budgetName} budget (${r.status}), planner ${r.planner}, seed ${r.seed}`,
      ...Object.entries(r.stages).map(([s, v]) => `${s}: ${v.status}, ${v.wallSeconds.toFixed(1)} s`),
    ],
    details: r as unknown as Record<string, unknown>,
  };
}

/** Describes any file or directory icrl reads or writes. */
export async function describe(path: string): Promise<Description> {
  requireInput(path, 'File');
  const kind = fileKind(path);
  if (kind === 'hdf5') return describeHistories(path);
  if (kind === 'json') return describeJson(path);
  if (kind === 'onnx') {
    const s = readOnnxSummary(path);
    const info = s.metadata.icrl ? (JSON.parse(s.metadata.icrl) as Record<string, unknown>) : null;
    return {
      kind: 'onnx',
      lines: [
        `ONNX model ${s.graphName} (IR ${s.irVersion}, opset ${s.opset ?? '?'}, ${s.producer}, ${s.bytes.toLocaleString('en-US')} bytes)`,
        `inputs: ${s.inputs.join(', ')}`,
        `outputs: ${s.outputs.join(', ')}`,
        ...(info ? [`icrl: ${JSON.stringify(info)}`] : []),
      ],
      details: { ...s, icrl: info },
    };
  }
  if (kind === 'directory') {
    if (existsSync(join(path, 'run.json')))
      return describeRun(readRecord<RunRecord>(join(path, 'run.json'), 'run')!);
    if (existsSync(join(path, 'train-run.json'))) {
      const r = readRecord<TrainRecord>(join(path, 'train-run.json'), 'train')!;
      return {
        kind: 'train-run',
        lines: describeTrainRecord(r),
        details: r as unknown as Record<string, unknown>,
      };
    }
    const ckpt = existsSync(join(path, 'checkpoint')) ? join(path, 'checkpoint') : path;
    const { model, train } = readCheckpointConfig(ckpt);
    const state = existsSync(join(ckpt, 'state.json'))
      ? JSON.parse(readFileSync(join(ckpt, 'state.json'), 'utf8'))
      : null;
    return {
      kind: 'checkpoint',
      lines: [
        `checkpoint of a ${model.dynamics ? 'DICP-' : ''}${model.kind.toUpperCase()} model for ${model.envId}: ${model.nLayer} layers, d ${model.nEmbd}, context ${model.nTransit}`,
        ...(state
          ? [
              `step ${state.step}${train ? ` of ${String(train.steps)}` : ''}, last loss ${Number(state.lastLoss).toFixed(4)}`,
            ]
          : []),
      ],
      details: { model, train, state },
    };
  }
  throw new InvalidFileError(
    path,
    'is not a file icrl knows (HDF5 histories, ONNX model, icrl JSON, or a run/checkpoint directory)',
  );
}

/** `icrl info`. */
export async function infoCommand(parsed: ParsedCommand, io: Io): Promise<void> {
  const d = await describe(parsed.positionals[0]!);
  if (parsed.values.json) io.out.write(`${JSON.stringify({ kind: d.kind, ...d.details }, null, 2)}\n`);
  else io.out.write(`${d.lines.join('\n')}\n`);
}
