// The two files a PyTorch user brings, and how icrl opens them. `writeModelFiles` stands in for the PyTorch side
// (export_from_pytorch.py) so the example runs with one command; `loadModelFiles` is the part a PyTorch user uses.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeEnvFamily } from '@icrl/envs';
import { adEpsilon, collect, MemoryHistoryStore } from '@icrl/source-rl';
import { ADModel, exportOnnx, initBackend, OrtModel, resolveModelConfig, train } from '@icrl/transformer';

/** The model: DICP's AD for Darkroom, scaled down (2 layers, d 32, context of 39 transitions ~ 2 episodes). */
export const MODEL = { nLayer: 2, nEmbd: 32, nHead: 4, nInner: 128, nTransit: 40 } as const;

/**
 * Writes `model.onnx` and `config.json` into `dir`: an AD model trained for `steps` updates on AD-epsilon
 * histories of the 73 training goals (0: random weights), exported with `exportOnnx`.
 */
export async function writeModelFiles(dir: string, steps: number): Promise<{ onnx: string; config: string }> {
  const family = makeEnvFamily('darkroom');
  let model: ADModel;
  if (steps > 0) {
    const split = family.split();
    const store = new MemoryHistoryStore();
    const algorithm = adEpsilon({ maxPerf: 1 });
    await collect({
      algorithm,
      family,
      tasks: split.train,
      split,
      streams: 10,
      stepsPerStream: 400,
      seed: 0,
      sink: store,
    });
    const run = await train({
      source: store,
      backend: 'wasm',
      model: MODEL,
      train: { steps, batchSize: 32, seed: 0 },
    });
    model = run.model as ADModel;
  } else {
    await initBackend('wasm');
    const spaces = { observationSpace: family.observationSpace, actionSpace: family.actionSpace };
    model = new ADModel(resolveModelConfig({ envId: family.id, ...spaces, ...MODEL }));
  }
  const files = { onnx: join(dir, 'model.onnx'), config: join(dir, 'config.json') };
  writeFileSync(files.onnx, exportOnnx(model));
  writeFileSync(files.config, `${JSON.stringify(model.config, null, 2)}\n`);
  model.dispose();
  return files;
}

/**
 * Opens a model from its files: `config.json` is validated (every field named on error) and the ONNX graph is
 * checked against it (input/output names, types and dims; every mismatch listed in one InvalidArgumentError).
 */
export async function loadModelFiles(onnxPath: string, configPath: string): Promise<OrtModel> {
  const config = resolveModelConfig(JSON.parse(readFileSync(configPath, 'utf8')), 'config.json');
  return OrtModel.load(onnxPath, config);
}
