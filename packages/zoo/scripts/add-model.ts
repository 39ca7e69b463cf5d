// Adds a trained model to the zoo: copies its weights, exports ONNX, evaluates it on the held-out tasks of its
// env (policy, and the DICP planner for dynamics models), and writes the model card and the checksums.
//   pnpm --filter @icrl/zoo add-model --train <train out dir> --name <env>/<model> --episodes 20 --runs 4 \
//     --data "<how the histories were made>" --command "<the command that reproduces the run>"
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate, RandomAgent } from '@icrl/core';
import { ENV_PRESET_NAMES, makeEnvFamily } from '@icrl/envs';
import {
  type ADModel,
  exportOnnx,
  loadModel,
  OrtAgent,
  OrtModel,
  readCheckpointConfig,
} from '@icrl/transformer';
import { sha256File } from '../src/verify-zoo-model';
import { readZooIndex, writeZooIndex, type ZooEntry, type ZooResults } from '../src/zoo-index';
import { zooRoot } from '../src/zoo-paths';
import { plannerAgent, planOptions } from './planner';

const { values: a } = parseArgs({
  options: {
    train: { type: 'string' },
    name: { type: 'string' },
    episodes: { type: 'string', default: '20' },
    runs: { type: 'string', default: '4' },
    data: { type: 'string', default: '' },
    command: { type: 'string', default: '' },
    'wall-s': { type: 'string', default: '' },
    'split-seed': { type: 'string' }, // default: the env's DICP split (family.split())
  },
});
if (!a.train || !a.name || !/^[a-z0-9-]+\/[a-z0-9-]+$/.test(a.name)) {
  throw new Error('usage: add-model --train <dir> --name <env>/<model> [--episodes --runs --data --command]');
}
const env = a.name.split('/')[0]!;
if (!(ENV_PRESET_NAMES as readonly string[]).includes(env)) throw new Error(`unknown env preset ${env}`);
const ckpt = join(a.train, 'checkpoint');
const { model: config, train: trainConfig } = readCheckpointConfig(ckpt);
const family = makeEnvFamily(env as 'darkroom');
if (config.envId !== family.id)
  throw new Error(`the checkpoint was trained on ${config.envId}, not ${family.id}`);
const split = a['split-seed'] === undefined ? family.split() : family.split(Number(a['split-seed']));
const episodes = Number(a.episodes);
const runsPerTask = Number(a.runs);
const model = loadModel(ckpt) as ADModel;

const opts = { episodes, runsPerTask, seed: 7 };
// On onnxruntime (its actions equal the tfjs model's: the zoo test checks it), 10× faster than tfjs here.
const ort = await OrtModel.fromModel(model);
const policy = await evaluate(new OrtAgent(ort, { seed: 1 }), family, split.test, opts);
await ort.dispose();
const planned = config.dynamics
  ? await evaluate(await plannerAgent(model, family), family, split.test, opts)
  : undefined;
const random = await evaluate(new RandomAgent(family.actionSpace), family, split.test, opts);
const optimum = split.test.reduce((s, t) => s + family.maxReturn(t), 0) / split.test.length;
const results: ZooResults = {
  episodes,
  runs: policy.returns.length,
  policy: policy.mean,
  policyCi95: policy.ci95,
  ...(planned ? { planner: planned.mean, plannerCi95: planned.ci95 } : {}),
  random: random.mean,
  optimum,
};

const root = zooRoot();
const dir = join(root, a.name);
mkdirSync(dir, { recursive: true });
copyFileSync(join(ckpt, 'config.json'), join(dir, 'config.json'));
copyFileSync(join(ckpt, 'model.safetensors'), join(dir, 'model.safetensors'));
writeFileSync(join(dir, 'model.onnx'), exportOnnx(model));
const files = Object.fromEntries(
  ['config.json', 'model.safetensors', 'model.onnx'].map((f) => [f, sha256File(join(dir, f))]),
);
const entry: ZooEntry = { name: a.name, env, kind: config.kind, dynamics: config.dynamics, files, results };

// The run's log (`train.jsonl`, one line per update), summarised: mean loss over each tenth of the run.
const logPath = join(a.train, 'train.jsonl');
const logLines = existsSync(logPath)
  ? readFileSync(logPath, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { step: number; loss: number; ms: number })
  : [];
const tenth = Math.max(1, Math.ceil(logLines.length / 10));
const logRows = Array.from({ length: Math.ceil(logLines.length / tenth) }, (_, k) => {
  const part = logLines.slice(k * tenth, (k + 1) * tenth);
  const loss = part.reduce((t, e) => t + e.loss, 0) / part.length;
  return `| ${part[0]!.step}–${part.at(-1)!.step} | ${loss.toFixed(3)} |`;
});
const trainLog =
  logRows.length > 0
    ? `\n\nTraining log (\`train.jsonl\` of the run, mean loss per tenth):\n\n| updates | loss |\n|---|---|\n${logRows.join('\n')}`
    : '';

const f1 = (x: number) => x.toFixed(2);
const at = (xs: readonly number[], ci: readonly number[] | undefined, e: number) =>
  e <= xs.length ? `${f1(xs[e - 1]!)}${ci ? ` ± ${f1(ci[e - 1]!)}` : ''}` : '—';
const marks = [1, 5, 10, 20, 50, 100].filter((e) => e <= episodes);
const row = (label: string, xs: readonly number[], ci?: readonly number[]) =>
  `| ${label} | ${marks.map((e) => at(xs, ci, e)).join(' | ')} |`;
const card = `# zoo:${a.name}

${config.dynamics ? 'DICP-AD' : 'AD'} (${config.kind}, ${config.dynamics ? 'with' : 'without'} DICP's reward and next-state heads) for \`${env}\`.

## Held-out results

Mean return per in-context episode on the ${split.test.length} held-out tasks of split seed ${split.seed}
(${runsPerTask} runs each, context kept across episodes, evaluation seed 7; ± is the 95% CI half-width).
Optimum ${f1(optimum)}.

| method | ${marks.map((e) => `ep ${e}`).join(' | ')} |
|---|${marks.map(() => '---').join('|')}|
${row('policy', policy.mean, policy.ci95)}
${planned ? `${row(`planner (${planOptions(family)})`, planned.mean, planned.ci95)}\n` : ''}${row('random', random.mean, random.ci95)}

## Data

${a.data || '(not recorded)'}

## Model and training

- model: ${JSON.stringify(config)}
- training: ${JSON.stringify(trainConfig ?? {})}
- wall time: ${a['wall-s'] ? `${a['wall-s']} s` : '(not recorded)'}${trainLog}

## Reproduce

\`\`\`sh
${a.command || '(not recorded)'}
\`\`\`

## Files (sha256)

${Object.entries(files)
  .map(([f, h]) => `- \`${f}\` ${h}`)
  .join('\n')}
`;
writeFileSync(join(dir, 'card.md'), card);

let models: ZooEntry[] = [];
try {
  models = readZooIndex(root).models.filter((m) => m.name !== a.name);
} catch {
  // first model of a new zoo
}
models.push(entry);
writeZooIndex(root, models);
console.log(readFileSync(join(dir, 'card.md'), 'utf8'));
model.dispose();
