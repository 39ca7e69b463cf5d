// Meta-World env throughput on mujoco-js: env steps per second per task on one core, after warm-up (V8 tiers
// the WebAssembly up during the first ~1000 steps), under uniformly random actions, horizon 100 with same-step
// auto-reset (so every 100th step includes a reset, as in DICP's collection). Median of several rounds.
// Also: the physics ceiling (5 mj_step + 1 mj_forward on a bare MjData), a batch of all 50 train variations,
// and the start-up costs.
// Run: pnpm --filter @icrl/metaworld bench   (assets: METAWORLD_ASSETS, default ../../../shared/metaworld/assets)

import { resolve } from 'node:path';
import { Rng } from '@icrl/core';
import { loadCompiledTask } from '../src/compiled-task';
import { METAWORLD_TASK_NAMES, type MetaworldTaskName, metaworldMl1 } from '../src/index';

const ASSETS = resolve(process.env.METAWORLD_ASSETS ?? '../../../shared/metaworld/assets');
const WARMUP_STEPS = 3000;
const ROUNDS = 5;
const ROUND_MS = 400;
const RING = 256; // pre-drawn actions, so the loop measures the env and not the RNG

function medianRate(stepOnce: (k: number) => void, envsPerCall: number): number {
  let k = 0;
  for (let w = 0; w < WARMUP_STEPS / envsPerCall; w++) stepOnce(k++);
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    let calls = 0;
    let elapsed = 0;
    do {
      for (let c = 0; c < 20; c++) stepOnce(k++);
      calls += 20;
      elapsed = performance.now() - t0;
    } while (elapsed < ROUND_MS);
    rates.push((calls * envsPerCall) / (elapsed / 1000));
  }
  return rates.sort((a, b) => a - b)[ROUNDS >> 1]!;
}

function actionRing(numEnvs: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: RING }, () =>
    Float32Array.from({ length: 4 * numEnvs }, () => rng.uniform(-1, 1)),
  );
}

interface Row {
  task: MetaworldTaskName;
  loadMs: number;
  resetMs: number;
  single: number;
  batch50: number;
  ceiling: number;
}

const rows: Row[] = [];
for (const task of METAWORLD_TASK_NAMES) {
  const t0 = performance.now();
  const family = await metaworldMl1(task, { assetsDir: ASSETS });
  const loadMs = performance.now() - t0;

  const env = family.make(family.task(0), { autoReset: 'same-step' });
  env.reset();
  const ring1 = actionRing(1, 1);
  const single = medianRate((k) => env.step(ring1[k % RING]!), 1);
  const r0 = performance.now();
  for (let k = 0; k < 200; k++) env.reset();
  const resetMs = (performance.now() - r0) / 200;
  env.close();

  const batch = family.make(family.split().train, { autoReset: 'same-step' });
  batch.reset();
  const ring50 = actionRing(50, 2);
  const batch50 = medianRate((k) => batch.step(ring50[k % RING]!), 50);
  batch.close();

  // Physics ceiling: what MuJoCo alone costs per env step on a bare MjData after the hand reset.
  const compiled = await loadCompiledTask(ASSETS, task, 'v3');
  const { mj, model } = compiled;
  const data = new mj.MjData(model);
  (data.qpos as Float64Array).set(compiled.handState.subarray(0, compiled.nq));
  const ceiling = medianRate(() => {
    for (let s = 0; s < 5; s++) mj.mj_step(model, data);
    mj.mj_forward(model, data);
  }, 1);
  data.delete();
  compiled.release();
  family.dispose();
  rows.push({ task, loadMs, resetMs, single, batch50, ceiling });
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(8);
console.log(
  `Meta-World ML1 on mujoco-js 0.0.7 (MuJoCo 3.3.8), Node ${process.version}, one thread; random actions, ` +
    `horizon 100, same-step auto-reset; median of ${ROUNDS} rounds after ${WARMUP_STEPS} warm-up steps`,
);
console.log('');
console.log(
  '| task            | env steps/s (1 env) | 50 envs batched | physics ceiling | reset ms | load ms |',
);
console.log(
  '|-----------------|--------------------:|----------------:|----------------:|---------:|--------:|',
);
for (const r of rows) {
  console.log(
    `| ${r.task.padEnd(15)} | ${fmt(r.single).padStart(19)} | ${fmt(r.batch50).padStart(15)} | ` +
      `${fmt(r.ceiling).padStart(15)} | ${r.resetMs.toFixed(2).padStart(8)} | ${r.loadMs.toFixed(0).padStart(7)} |`,
  );
}
console.log('');
console.log('load ms: WebAssembly start (first task only) + asset copy + compile + hand-reset cache.');
console.log(
  'Goal: >= 7,000 env steps/s per task; the feasibility probe measured 7.7-10.7k on this machine class.',
);
for (const r of rows) console.log(`metric metaworld.steps_per_s.${r.task} ${Math.round(r.single)} steps/s`);
