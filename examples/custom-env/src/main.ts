// Plugging your own environment into icrl: the family in ./treasure-line.ts implements @icrl/core's EnvFamily and
// VecEnv, so checkEnv validates it and every other package (collect, train, evaluate) works with it unchanged.
// Usage: pnpm start [--steps 800]
import { parseArgs } from 'node:util';
import { checkEnv, describeSpace, evaluate, RandomAgent } from '@icrl/core';
import { OracleAgent } from '@icrl/envs';
import { adEpsilon, collect, MemoryHistoryStore } from '@icrl/source-rl';
import { type ADModel, TransformerAgent, train } from '@icrl/transformer';
import { treasureLine } from './treasure-line';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '800' } } });
const steps = Number(values.steps);

// 1. Validate the env against the VecEnv contract, in every auto-reset mode.
const family = treasureLine({ length: 9, horizon: 12 }); // 81 (start, treasure) tasks
for (const autoReset of ['disabled', 'next-step', 'same-step'] as const) {
  checkEnv(() => family.make(family.tasks(), { envsPerTask: 2, autoReset }));
}
const split = family.split();
console.log(
  `${family.id}: ${family.numTasks} tasks, obs ${describeSpace(family.observationSpace)}, ` +
    `actions ${describeSpace(family.actionSpace)}, horizon ${family.horizon}; checkEnv passed`,
);
const show = (tasks: typeof split.test) =>
  tasks.map((t) => `${t.params.start}->${t.params.treasure}`).join(' ');
console.log(`${split.train.length} training tasks; held out (start->treasure): ${show(split.test)}`);

// 2. Learning histories: the env's own oracle (optimalActions) with AD-epsilon's decaying noise.
const store = new MemoryHistoryStore();
const collected = await collect({
  algorithm: adEpsilon({ maxPerf: 1 }),
  family,
  tasks: split.train,
  split,
  streams: 10,
  stepsPerStream: 20 * family.horizon,
  seed: 0,
  sink: store,
});
console.log(`collected ${collected.transitions} transitions`);

// 3. A tiny AD transformer whose context holds two episodes.
const t0 = performance.now();
const run = await train({
  source: store,
  backend: 'wasm',
  model: { nLayer: 2, nEmbd: 32, nHead: 4, nInner: 64, nTransit: 2 * family.horizon + 1 },
  train: { steps, batchSize: 32, lr: 1e-2, seed: 0 },
});
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const [first, last] = [
  mean(run.log.slice(0, 20).map((e) => e.loss)),
  mean(run.log.slice(-20).map((e) => e.loss)),
];
const seconds = ((performance.now() - t0) / 1000).toFixed(0);
console.log(
  `trained ${steps} updates in ${seconds} s: mean loss of the first / last 20 updates ${first.toFixed(3)} -> ${last.toFixed(3)}`,
);

// 4. In-context evaluation on the held-out tasks: 20 episodes with the context kept across them.
const options = { episodes: 20, runsPerTask: 8, seed: 1 };
const model = run.model as ADModel;
const results = [
  await evaluate(new TransformerAgent(model, { seed: 1 }), family, split.test, options),
  await evaluate(new RandomAgent(family.actionSpace, 1), family, split.test, options),
  await evaluate((env) => new OracleAgent(env), family, split.test, options),
];
model.dispose();
console.log(
  `\nreturn per episode, held-out tasks (${split.test.length} x ${options.runsPerTask} runs, mean)`,
);
const row = (label: string, cells: string[]) =>
  console.log(`${label.padEnd(7)}${cells.map((c) => c.padStart(5)).join('')}`);
row(
  'episode',
  Array.from({ length: options.episodes }, (_, k) => String(k + 1)),
);
for (const r of results)
  row(
    r.agent,
    r.mean.map((m) => m.toFixed(1)),
  );
