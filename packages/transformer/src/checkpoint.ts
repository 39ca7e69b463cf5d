import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InvalidArgumentError, InvalidFileError, type RngState } from '@icrl/core';
import * as tf from '@tensorflow/tfjs-core';
import { ADModel, type InContextModel } from './ad';
import type { AdamW } from './adamw';
import { configDiff, type ModelConfig, resolveModelConfig } from './config';
import { IDTModel } from './idt';
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors';

// A checkpoint is a directory:
//   config.json          { format, version, model: ModelConfig, train?: TrainConfig }
//   model.safetensors    the weights, PyTorch state-dict names and shapes (Linear weight [out, in])
//   optimizer.safetensors AdamW moments `exp_avg.<param>`, `exp_avg_sq.<param>` (training checkpoints)
//   state.json           step, optimizer step, sampler and dropout RNG states (training checkpoints)
// It is written whole into `<dir>.tmp`, fsynced, and swapped in by renames (`dir` → `<dir>.old`, `.tmp` →
// `dir`, then `.old` removed): a crash leaves either the previous checkpoint or the new one, never a mix, and
// readers fall back to `<dir>.old` if the crash fell between the two renames.

export const CHECKPOINT_FORMAT = 'icrl-transformer-checkpoint';
export const CHECKPOINT_VERSION = 1;

/** Where a training run stands, enough to continue it exactly. */
export interface TrainingState {
  /** Optimizer updates done. */
  readonly step: number;
  readonly samplerState: RngState;
  readonly dropoutState: RngState;
  /** Total loss of the last step. */
  readonly lastLoss: number;
}

/** What `saveCheckpoint` writes. */
export interface CheckpointContents {
  readonly model: InContextModel;
  readonly optimizer?: AdamW;
  /** The resolved training settings (JSON), stored so `resume` can refuse a changed run. */
  readonly train?: Record<string, unknown>;
  readonly state?: TrainingState;
}

/** Builds the model a config describes (fresh weights from `config.seed`). */
export function createModel(config: ModelConfig): InContextModel {
  return config.kind === 'idt' ? new IDTModel(config) : new ADModel(config);
}

/** The model's weights as named tensors (copies). */
export function modelTensors(model: InContextModel): Map<string, NamedTensor> {
  const out = new Map<string, NamedTensor>();
  for (const [name, v] of model.params.vars)
    out.set(name, { shape: v.shape, data: v.dataSync() as Float32Array });
  return out;
}

function writeFileSynced(path: string, data: Uint8Array | string): void {
  const fd = openSync(path, 'w');
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    fsyncSync(fd);
    closeSync(fd);
  } catch {
    // some filesystems refuse directory fsync; the renames are still atomic
  }
}

/** Writes a checkpoint directory atomically (see the file comment). */
export function saveCheckpoint(dir: string, contents: CheckpointContents): void {
  const tmp = `${dir}.tmp`;
  const old = `${dir}.old`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const step = String(contents.state?.step ?? 0);
  const config = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model: contents.model.config,
    ...(contents.train ? { train: contents.train } : {}),
  };
  writeFileSynced(join(tmp, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileSynced(
    join(tmp, 'model.safetensors'),
    encodeSafetensors(modelTensors(contents.model), { format: 'pt', step }),
  );
  if (contents.optimizer) {
    writeFileSynced(
      join(tmp, 'optimizer.safetensors'),
      encodeSafetensors(contents.optimizer.stateTensors(), { format: 'pt', step }),
    );
  }
  if (contents.state) {
    writeFileSynced(
      join(tmp, 'state.json'),
      `${JSON.stringify({ ...contents.state, optimizerStep: contents.optimizer?.step ?? 0 }, null, 2)}\n`,
    );
  }
  fsyncDir(tmp);
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  fsyncDir(dirname(dir));
  rmSync(old, { recursive: true, force: true });
}

/** The directory holding the last complete checkpoint at `dir` (itself, or `<dir>.old` after a torn swap), or null. */
export function checkpointDir(dir: string): string | null {
  if (existsSync(join(dir, 'config.json'))) return dir;
  if (existsSync(join(`${dir}.old`, 'config.json'))) return `${dir}.old`;
  return null;
}

function readJson(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidFileError(path, `cannot be read (${(err as Error).message})`);
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new InvalidFileError(path, 'is not a JSON object');
  }
}

/** Reads and validates `config.json` of a checkpoint. */
export function readCheckpointConfig(dir: string): {
  model: ModelConfig;
  train?: Record<string, unknown>;
  dir: string;
} {
  const found = checkpointDir(dir);
  if (found === null)
    throw new InvalidFileError(join(dir, 'config.json'), 'no checkpoint here (config.json is missing)');
  const path = join(found, 'config.json');
  const json = readJson(path);
  if (json.format !== CHECKPOINT_FORMAT)
    throw new InvalidFileError(path, `format is ${JSON.stringify(json.format)}, not ${CHECKPOINT_FORMAT}`);
  if (json.version !== CHECKPOINT_VERSION)
    throw new InvalidFileError(
      path,
      `version ${json.version} is not supported (this library reads ${CHECKPOINT_VERSION})`,
    );
  let model: ModelConfig;
  try {
    model = resolveModelConfig(json.model as ModelConfig, 'model');
  } catch (err) {
    throw new InvalidFileError(path, `its model config is invalid: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const train = json.train as Record<string, unknown> | undefined;
  return train === undefined ? { model, dir: found } : { model, train, dir: found };
}

/** Reads a safetensors file (whole), as `InvalidFileError` on any fault. */
export function readSafetensors(path: string): {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
} {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new InvalidFileError(path, `cannot be read (${(err as Error).message})`);
  }
  return decodeSafetensors(bytes, path);
}

/**
 * Copies weights into the model. Every parameter must be present with its exact shape and nothing else may be
 * there; otherwise one `InvalidFileError` names the first offending tensor, and the model is left unchanged.
 */
export function loadWeights(
  model: InContextModel,
  tensors: ReadonlyMap<string, NamedTensor>,
  path: string,
): void {
  for (const [name, v] of model.params.vars) {
    const t = tensors.get(name);
    if (t === undefined)
      throw new InvalidFileError(path, `tensor ${name} is missing (it does not match this model's config)`);
    if (t.shape.join(',') !== v.shape.join(',')) {
      throw new InvalidFileError(
        path,
        `tensor ${name} has shape [${t.shape.join(', ')}], the model expects [${v.shape.join(', ')}]`,
      );
    }
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i]!))
        throw new InvalidFileError(path, `tensor ${name} holds a non-finite value at index ${i}`);
    }
  }
  for (const name of tensors.keys()) {
    if (!model.params.vars.has(name))
      throw new InvalidFileError(path, `tensor ${name} is not a parameter of this model`);
  }
  for (const [name, v] of model.params.vars) {
    const t = tensors.get(name)!;
    tf.tidy(() => v.assign(tf.tensor(t.data, [...t.shape])));
  }
}

/**
 * Loads a checkpoint for inference: `config.json` and `model.safetensors`. Pass `expected` to refuse a
 * checkpoint whose config differs (the error names the differing fields).
 */
export function loadModel(dir: string, expected?: ModelConfig): InContextModel {
  const { model: config, dir: found } = readCheckpointConfig(dir);
  if (expected !== undefined) {
    const diff = configDiff(expected, config);
    if (diff.length > 0) {
      throw new InvalidArgumentError(
        'model',
        Object.fromEntries(diff.map((k) => [k, (expected as unknown as Record<string, unknown>)[k]])),
        `the config of the checkpoint at ${basename(found)} (${diff.map((k) => `${k}: ${JSON.stringify((config as unknown as Record<string, unknown>)[k])}`).join(', ')})`,
      );
    }
  }
  const path = join(found, 'model.safetensors');
  const { tensors } = readSafetensors(path);
  const model = createModel(config);
  try {
    loadWeights(model, tensors, path);
  } catch (err) {
    model.dispose();
    throw err;
  }
  return model;
}
