// Inference with a model exported to ONNX, as a PyTorch user would run one: `model.onnx` + `config.json` in,
// OrtAgent on the 8 held-out Darkroom goals out, with returns and milliseconds per step.
// Usage: pnpm start [--onnx model.onnx --config config.json] [--train-steps 300]
// Without --onnx, it first writes out/model.onnx and out/config.json itself (a tiny AD trained here).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate, type InContextAgent, RandomAgent } from '@icrl/core';
import { makeEnvFamily } from '@icrl/envs';
import { OrtAgent } from '@icrl/transformer';
import { loadModelFiles, writeModelFiles } from './model-files';

const { values } = parseArgs({
  options: {
    onnx: { type: 'string' },
    config: { type: 'string' },
    'train-steps': { type: 'string', default: '300' },
  },
});
let files = { onnx: values.onnx, config: values.config };
if (files.onnx === undefined || files.config === undefined) {
  const dir = join(import.meta.dirname, '..', 'out');
  mkdirSync(dir, { recursive: true });
  const steps = Number(values['train-steps']);
  console.log(`no --onnx/--config given: training a tiny AD for ${steps} updates and exporting it to ${dir}`);
  files = await writeModelFiles(dir, steps);
}

// From here on, only the two files are used, exactly as with a PyTorch export.
const ort = await loadModelFiles(files.onnx!, files.config!);
const c = ort.config;
console.log(
  `loaded ${files.onnx}: ${c.kind}, ${c.nLayer} layers, d ${c.nEmbd}, ${c.nHead} heads, nTransit ${c.nTransit}`,
);
console.log(`inputs:  ${[...ort.session.inputs.keys()].join(', ')}`);
console.log(`outputs: ${[...ort.session.outputs.keys()].join(', ')}\n`);

const family = makeEnvFamily(c.envId);
const test = family.split().test;
const options = { episodes: 10, runsPerTask: 4, seed: 7 };
const agents: [string, InContextAgent][] = [
  ['OrtAgent, KV cache', new OrtAgent(ort, { seed: 1 })],
  ['OrtAgent, re-encode', new OrtAgent(ort, { seed: 1, kvCache: false })],
  ['random', new RandomAgent(family.actionSpace, 1)],
];
const envs = test.length * options.runsPerTask;
console.log(
  `${test.length} held-out goals x ${options.runsPerTask} runs = ${envs} envs stepped as one batch`,
);
console.log(`${'agent'.padEnd(22)}${'return per episode (mean)'.padEnd(52)}ms/step: wall  cpu`);
for (const [label, agent] of agents) {
  const cpu0 = process.cpuUsage();
  const r = await evaluate(agent, family, test, options);
  const { user, system } = process.cpuUsage(cpu0);
  const steps = r.envSteps / envs; // batched steps
  const [wall, cpu] = [(r.wallSeconds * 1000) / steps, (user + system) / 1000 / steps];
  const returns = r.mean.map((m) => m.toFixed(1).padStart(5)).join('');
  console.log(
    `${label.padEnd(22)}${returns.padEnd(52)}${wall.toFixed(2).padStart(13)}${cpu.toFixed(2).padStart(5)}`,
  );
}
await ort.dispose();
