import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidFileError } from '@icrl/core';
import { type ModelConfig, readCheckpointConfig, resolveModelConfig } from '@icrl/transformer';
import { verifyZooModel, zooEntry } from '@icrl/zoo';
import { type CollectRecord, collectRecordPath } from './commands/collect';
import { type TrainRecord, trainRecordPath } from './commands/train';
import { describeKind, fileKind } from './input-files';
import { readRecord } from './record-files';
import { UsageError } from './usage-error';

/** A model on disk, found from `--model <dir|model.onnx>`, with where it came from. */
export interface ModelFiles {
  /** What the user passed, resolved. */
  readonly path: string;
  readonly config: ModelConfig;
  /** The ONNX file, when there is one (AD/DPT); null: load the checkpoint with tfjs (IDT). */
  readonly onnx: string | null;
  /** The checkpoint directory, when there is one. */
  readonly checkpoint: string | null;
  /** `train-run.json` and the collection record of its data, when known. */
  readonly train: TrainRecord | null;
  readonly collect: CollectRecord | null;
}

function readModelJson(path: string): ModelConfig {
  try {
    return resolveModelConfig(JSON.parse(readFileSync(path, 'utf8')));
  } catch (err) {
    throw new InvalidFileError(path, `is not a model config (${(err as Error).message})`);
  }
}

function collectFor(train: TrainRecord | null): CollectRecord | null {
  if (train === null) return null;
  try {
    return readRecord<CollectRecord>(collectRecordPath(train.request.data.path), 'collect');
  } catch {
    return null; // provenance only: a moved or replaced data file must not stop an evaluation
  }
}

/** A pretrained model of `@icrl/zoo` (`zoo:<env>/<model>`), after its checksums pass. */
function zooModel(input: string, flag: string): ModelFiles {
  let entry: ReturnType<typeof zooEntry>;
  try {
    entry = zooEntry(input);
  } catch (err) {
    throw new UsageError(`Invalid ${flag}: ${(err as Error).message}`);
  }
  const dir = verifyZooModel(entry);
  const { model } = readCheckpointConfig(dir);
  return {
    path: input,
    config: model,
    onnx: join(dir, 'model.onnx'),
    checkpoint: dir,
    train: null,
    collect: null,
  };
}

/**
 * Resolves `--model` (or the option named by `flag`): `zoo:<env>/<model>`, an `icrl train` directory (model.onnx +
 * model.json, or checkpoint/), a bare checkpoint directory, or a `.onnx` file with `model.json` beside it.
 */
export function findModel(input: string, flag = '--model'): ModelFiles {
  if (input.startsWith('zoo:')) return zooModel(input, flag);
  const path = resolve(input);
  const kind = fileKind(path);
  if (kind === 'missing') throw new UsageError(`${flag} ${input} does not exist.`);
  if (kind === 'directory') {
    const train = readRecord<TrainRecord>(trainRecordPath(path), 'train');
    if (train !== null) {
      if (train.status !== 'done') {
        throw new UsageError(
          `${flag} ${input} is an unfinished training run; rerun its icrl train command to finish it.`,
        );
      }
      const onnx = existsSync(join(path, 'model.onnx')) ? join(path, 'model.onnx') : null;
      return {
        path,
        config: train.request.model,
        onnx,
        checkpoint: join(path, 'checkpoint'),
        train,
        collect: collectFor(train),
      };
    }
    const ckpt = existsSync(join(path, 'checkpoint')) ? join(path, 'checkpoint') : path;
    const { model } = readCheckpointConfig(ckpt);
    return { path, config: model, onnx: null, checkpoint: ckpt, train: null, collect: null };
  }
  if (kind !== 'onnx') {
    throw new InvalidFileError(
      path,
      `is not an ONNX model or a model directory (it looks like ${describeKind(kind)})`,
    );
  }
  const dir = dirname(path);
  const configPath = join(dir, 'model.json');
  if (!existsSync(configPath)) {
    throw new UsageError(
      `${flag} ${input}: the model's config is missing; icrl eval reads it from model.json beside ${basename(path)} (icrl train writes both).`,
    );
  }
  const train =
    existsSync(trainRecordPath(dir)) && statSync(dir).isDirectory()
      ? readRecord<TrainRecord>(trainRecordPath(dir), 'train')
      : null;
  return {
    path,
    config: readModelJson(configPath),
    onnx: path,
    checkpoint: null,
    train,
    collect: collectFor(train),
  };
}
