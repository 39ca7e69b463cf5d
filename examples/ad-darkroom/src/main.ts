// Algorithm Distillation on Darkroom, end to end. Full run: `pnpm start` (~4-5 minutes on one core).
// Smaller budget: `pnpm start --steps 200 --goals 10 --episodes 10 --runs 2` (or ICRL_AD_STEPS=200, ...).
import { parseArgs } from 'node:util';
import { runAdDarkroom } from './pipeline';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: process.env.ICRL_AD_STEPS ?? '2000' },
    goals: { type: 'string', default: process.env.ICRL_AD_GOALS ?? '73' },
    episodes: { type: 'string', default: process.env.ICRL_AD_EPISODES ?? '20' },
    runs: { type: 'string', default: process.env.ICRL_AD_RUNS ?? '4' },
  },
});
const int = (name: keyof typeof values) => {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`--${name} must be a positive integer, got ${values[name]}`);
  return v;
};
const steps = int('steps');
const every = Math.max(1, Math.round(steps / 10));
const losses: number[] = [];

console.log(`AD on Darkroom: ${int('goals')} train goals, ${steps} updates, held-out evaluation on 8 goals`);
const result = await runAdDarkroom({
  steps,
  goals: int('goals'),
  episodes: int('episodes'),
  runs: int('runs'),
  onLog: (e) => {
    losses.push(e.loss);
    if (e.step % every === 0) {
      const mean = losses.splice(0).reduce((a, b) => a + b, 0) / every;
      const range = `${e.step - every + 1}-${e.step}`;
      console.log(`  updates ${range.padStart(9)}: mean loss ${mean.toFixed(3)}`);
    }
  },
});
console.log(
  `collected ${result.transitions} AD-epsilon transitions in ${result.collectS.toFixed(1)} s; ` +
    `trained in ${result.trainS.toFixed(0)} s (${result.log[0]!.backend})\n`,
);

const { ad, random, oracle } = result;
console.log(`return per episode on the held-out goals (mean of ${ad.returns.length} runs, ±95% CI)`);
console.log(
  `${'episode'.padStart(7)}  ${'AD'.padStart(12)}  ${'random'.padStart(7)}  ${'oracle'.padStart(7)}`,
);
for (let k = 0; k < ad.episodes; k++) {
  const cell = `${ad.mean[k]!.toFixed(1)} ±${ad.ci95[k]!.toFixed(1)}`;
  console.log(
    `${String(k + 1).padStart(7)}  ${cell.padStart(12)}  ${random.mean[k]!.toFixed(1).padStart(7)}  ${oracle.mean[k]!.toFixed(1).padStart(7)}`,
  );
}
const avg = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const k = Math.min(3, Math.floor(ad.episodes / 2)) || 1;
const [first, last] = [avg(ad.mean.slice(0, k)), avg(ad.mean.slice(-k))];
console.log(
  `\nAD, first ${k} vs last ${k} episodes: ${first.toFixed(2)} -> ${last.toFixed(2)} (no weight updates)`,
);
