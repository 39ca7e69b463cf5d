import { join } from 'node:path';
import { InvalidArgumentError } from '@icrl/core';
import { type InContextModel, loadModel, OrtModel, readCheckpointConfig } from '@icrl/transformer';
import { verifyZooModel } from './verify-zoo-model';
import { type ZooEntry, zooEntry } from './zoo-index';
import { zooRoot } from './zoo-paths';

/** Options of `loadZooModel` / `loadZooOrtModel`. */
export interface LoadZooOptions {
  /** Env preset the caller will run the model on; a model trained on another env is refused. */
  readonly env?: string;
  /** Zoo folder (default: this package's `models/`). */
  readonly root?: string;
}

function checked(name: string, options: LoadZooOptions): { entry: ZooEntry; dir: string } {
  const root = options.root ?? zooRoot();
  const entry = zooEntry(name, root);
  if (options.env !== undefined && options.env !== entry.env) {
    throw new InvalidArgumentError(
      'env',
      options.env,
      `${entry.env}: zoo:${entry.name} was trained on ${entry.env} and only acts sensibly there`,
    );
  }
  return { entry, dir: verifyZooModel(entry, root) };
}

/**
 * A zoo model as a TensorFlow.js model (for `TransformerAgent`, planners, fine-tuning), after its checksums
 * pass. The caller owns the model and must `dispose()` it.
 *
 * @example
 * const { model, entry } = loadZooModel('darkroom/ad', { env: 'darkroom' });
 */
export function loadZooModel(
  name: string,
  options: LoadZooOptions = {},
): { entry: ZooEntry; model: InContextModel } {
  const { entry, dir } = checked(name, options);
  return { entry, model: loadModel(dir) };
}

/** A zoo model on onnxruntime-node (for `OrtAgent`), after its checksums pass. Close it with `session.dispose()`. */
export async function loadZooOrtModel(
  name: string,
  options: LoadZooOptions = {},
): Promise<{ entry: ZooEntry; model: OrtModel }> {
  const { entry, dir } = checked(name, options);
  const { model: config } = readCheckpointConfig(dir);
  return { entry, model: await OrtModel.load(join(dir, 'model.onnx'), config) };
}
