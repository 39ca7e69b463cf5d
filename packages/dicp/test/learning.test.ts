import { evaluate, RandomAgent } from '@icrl/core';
import { type ADModel, OrtModel } from '@icrl/transformer';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { EPISODES, family, split, trainSmall } from '../../transformer/test/learning-setting';
import { DicpAgent } from '../src/index';

// The CI learning test of planning: ONE DICP-AD model trained with @icrl/transformer's CI recipe (Darkroom 7 × 7,
// horizon 12, 44 train / 5 held-out goals, noisy-oracle histories, 2 layers, d 32, n_transit 24, 3,500 updates;
// see packages/transformer/test/learning-setting.ts), then on the held-out goals × 8 runs, 8 episodes:
// the same model acting from its policy alone (AD-style, `plan: false`) against the cached beam search (K 10,
// L 5, depth 6 = size − 1), and a random agent. Planning starts at step 24 (episode 3).

const avg = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

it('DICP-AD with beam planning does at least as well as its own policy on held-out goals, both beat random', {
  timeout: 900_000,
}, async () => {
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  const run = await trainSmall(true, 3500);
  const trainSeconds = (performance.now() - t0) / 1000;
  const model = run.model as ADModel;
  const ort = await OrtModel.fromModel(model);
  const opts = { episodes: EPISODES, runsPerTask: 8, seed: 7 };
  const policy = new DicpAgent(ort, { family, plan: false, seed: 1 });
  const planner = new DicpAgent(ort, { family, seed: 1 });
  const t1 = performance.now();
  const ad = await evaluate(policy, family, split.test, opts);
  const t2 = performance.now();
  const dicp = await evaluate(planner, family, split.test, opts);
  const t3 = performance.now();
  const random = await evaluate(new RandomAgent(family.actionSpace), family, split.test, opts);
  const last = (r: typeof ad) => avg(r.mean.slice(-3));
  const fmt = (r: typeof ad) => r.mean.map((m) => m.toFixed(2)).join(' ');
  console.log(
    `DICP-AD: ${run.backend}, trained ${trainSeconds.toFixed(0)} s (${run.step} updates); held-out return per episode — ` +
      `policy alone ${fmt(ad)} (last 3: ${last(ad).toFixed(3)}, ${((t2 - t1) / 1000).toFixed(1)} s); ` +
      `beam planning ${fmt(dicp)} (last 3: ${last(dicp).toFixed(3)}, ${((t3 - t2) / 1000).toFixed(1)} s; ` +
      `${planner.planStats.planned} planned steps, ${planner.planStats.changed} overruled the policy); ` +
      `random ${fmt(random)} (mean ${avg(random.mean).toFixed(3)})`,
  );
  expect(last(dicp)).toBeGreaterThanOrEqual(last(ad));
  expect(last(ad)).toBeGreaterThan(avg(random.mean) + 1.5);
  expect(last(dicp)).toBeGreaterThan(avg(random.mean) + 1.5);
  expect(planner.planStats.planned).toBe(40 * (EPISODES * family.horizon - 24));
  await ort.dispose();
  model.dispose();
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});
