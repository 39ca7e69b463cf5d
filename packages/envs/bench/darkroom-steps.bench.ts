// Darkroom step throughput: env-steps per second for 1 env and for 1,024 batched envs under uniformly random
// actions, steady state (after warm-up, median of several rounds), on the one thread Node runs it on.
// Run: pnpm --filter @icrl/envs bench   (or: npx tsx --conditions=@icrl/source bench/darkroom-steps.bench.ts)

import { type AutoResetMode, Rng } from '@icrl/core';
import { darkroom, type GridVecEnv } from '../src/index';

const ROUNDS = 9;
const ROUND_MS = 250;
const WARMUP_MS = 500;
const RING = 64; // pre-drawn action batches, so the timed loop measures the env and not the RNG
const REFERENCE = 5.6e7; // the NumPy-vectorised reference Darkroom, 1,024 envs (given figure, not re-measured here)
const MODE: AutoResetMode = 'same-step'; // what collection with the DICP reference (SB3) uses

const family = darkroom();

function makeEnv(numEnvs: number): GridVecEnv {
  // Tasks cycle through the 81 goals so every goal is in play.
  const tasks = Array.from({ length: numEnvs }, (_, i) => family.task(i % family.numTasks));
  const env = family.make(tasks, { autoReset: MODE });
  env.reset({ seed: 0 });
  return env;
}

/** Median env-steps/s of `ROUNDS` rounds of about `ROUND_MS` each, after `WARMUP_MS` of warm-up. */
function measure(numEnvs: number, stepOnce: (k: number) => void): number {
  const chunk = Math.max(1, Math.round(200_000 / numEnvs)); // steps between clock reads
  let k = 0;
  const runFor = (ms: number): number => {
    const t0 = performance.now();
    let calls = 0;
    let elapsed = 0;
    do {
      for (let c = 0; c < chunk; c++) stepOnce(k++);
      calls += chunk;
      elapsed = performance.now() - t0;
    } while (elapsed < ms);
    return (calls * numEnvs) / (elapsed / 1000);
  };
  runFor(WARMUP_MS);
  const rates = Array.from({ length: ROUNDS }, () => runFor(ROUND_MS)).sort((a, b) => a - b);
  return rates[ROUNDS >> 1]!;
}

function actionRing(numEnvs: number): Int32Array[] {
  const rng = new Rng(1);
  return Array.from({ length: RING }, () => rng.fillInt(new Int32Array(numEnvs), 5));
}

function benchRing(numEnvs: number): number {
  const env = makeEnv(numEnvs);
  const ring = actionRing(numEnvs);
  return measure(numEnvs, (k) => {
    env.step(ring[k & (RING - 1)]!);
  });
}

function benchWithSampling(numEnvs: number): number {
  const env = makeEnv(numEnvs);
  const rng = new Rng(2);
  const actions = new Int32Array(numEnvs);
  return measure(numEnvs, () => {
    env.step(rng.fillInt(actions, 5));
  });
}

const fmt = (x: number) => x.toExponential(2).replace('e+', 'e');

const single = benchRing(1);
const batched = benchRing(1024);
const batchedSampling = benchWithSampling(1024);

console.log(
  `Darkroom ${family.config.size}x${family.config.size}, horizon ${family.horizon}, autoReset '${MODE}', ` +
    `uniformly random actions; Node ${process.version}, one thread; median of ${ROUNDS} rounds`,
);
console.log('');
console.log('| case                                   |  envs |  env-steps/s |');
console.log('|----------------------------------------|------:|-------------:|');
console.log(`| single env, pre-drawn actions          |     1 | ${fmt(single).padStart(12)} |`);
console.log(`| batched, pre-drawn actions             |  1024 | ${fmt(batched).padStart(12)} |`);
console.log(`| batched, actions drawn by Rng.fillInt  |  1024 | ${fmt(batchedSampling).padStart(12)} |`);
console.log('');
console.log(`metric envs.darkroom.steps_per_s.single ${fmt(single)} steps/s`);
console.log(`metric envs.darkroom.steps_per_s.batched1024 ${fmt(batched)} steps/s`);
console.log(`metric envs.darkroom.steps_per_s.batched1024_with_rng ${fmt(batchedSampling)} steps/s`);
console.log(`NumPy-vectorised reference (1,024 envs): ${fmt(REFERENCE)} steps/s`);
console.log(`ratio batched1024 / reference: ${(batched / REFERENCE).toFixed(2)}x`);
