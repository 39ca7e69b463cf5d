// DICP-AD's beam search on a trained model, showing what it imagined: for some planned steps on one held-out
// Darkroom goal, the real cell, the best imagined path (actions, predicted cells and rewards), the action taken
// and whether it overruled the policy; then the return per episode with and without planning.
// Usage: pnpm start [--checkpoint <dir>] [--goal 0] [--episodes 8] [--runs 4] [--run 0] [--show 8]
// Without --checkpoint, it loads zoo:darkroom/dicp-ad from @icrl/zoo.
import { parseArgs } from 'node:util';
import { type ADModel, type InContextModel, initBackend, loadModel, OrtModel } from '@icrl/transformer';
import { loadZooModel } from '@icrl/zoo';
import { formatStep, runPlanning } from './planning';

const { values } = parseArgs({
  options: {
    checkpoint: { type: 'string' },
    goal: { type: 'string', default: '0' },
    episodes: { type: 'string', default: '8' },
    runs: { type: 'string', default: '4' },
    run: { type: 'string', default: '0' },
    show: { type: 'string', default: '8' },
  },
});
const int = (name: 'goal' | 'episodes' | 'runs' | 'run' | 'show', min: number) => {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`--${name} must be an integer ≥ ${min}, got ${values[name]}`);
  return v;
};

await initBackend('wasm');
let model: InContextModel;
if (values.checkpoint !== undefined) {
  model = loadModel(values.checkpoint);
  console.log(`checkpoint ${values.checkpoint}`);
} else {
  const zoo = loadZooModel('darkroom/dicp-ad', { env: 'darkroom' });
  model = zoo.model;
  console.log(`zoo:${zoo.entry.name} (${zoo.entry.env})`);
}
const c = model.config;
if (c.kind !== 'ad' || !c.dynamics)
  throw new Error(`needs a DICP-AD model (kind ad, dynamics), got ${c.kind}`);
console.log(
  `${c.nLayer} layers, d ${c.nEmbd}, nTransit ${c.nTransit}: planning from step ${c.nTransit} on\n`,
);
const ort = await OrtModel.fromModel(model as ADModel);

const [episodes, runs, run, show] = [int('episodes', 1), int('runs', 1), int('run', 0), int('show', 0)];
if (run >= runs) throw new Error(`--run must be below --runs (${runs}), got ${run}`);
const result = await runPlanning(ort, { goal: int('goal', 0), episodes, runs });
console.log(
  `held-out goal ${JSON.stringify(result.task.params.goal)}, run ${run} of ${runs}; each line: the real cell, ` +
    'the imagined path (action→predicted cell per level), predicted rewards r̂, the action taken',
);
const trace = result.trace.filter((s) => s.run === run);
for (const episode of new Set([trace[0]?.episode, trace.at(-1)?.episode])) {
  if (episode === undefined) continue;
  for (const step of trace.filter((s) => s.episode === episode).slice(0, show)) console.log(formatStep(step));
  console.log('  …');
}
const { planned, changed } = result.stats;
console.log(`\nplanned ${planned} steps (all runs); the search overruled the policy's sample in ${changed}`);
const row = (xs: readonly number[]) => xs.map((x) => x.toFixed(2).padStart(6)).join('');
console.log(
  `${'episode'.padEnd(21)}${Array.from({ length: episodes }, (_, k) => String(k + 1).padStart(6)).join('')}`,
);
console.log(`${'with planning'.padEnd(21)}${row(result.withPlanning)}   (mean of ${runs} runs)`);
console.log(`${'policy alone (AD)'.padEnd(21)}${row(result.withoutPlanning)}`);
console.log(`${`run ${run}, planning`.padEnd(21)}${row(result.runReturns[run]!)}`);
await ort.dispose();
model.dispose();
