import { type EvaluationResult, evaluate, RandomAgent } from '@icrl/core';
import { createDarkroom } from '@icrl/envs';
import * as tf from '@tensorflow/tfjs-core';
import { type ADModel, type TrainResult, TransformerAgent, train, WindowDrawer } from '../src/index';
import { noisyOracleHistories } from './helpers';

// The CI learning test's setting, shared by the AD and DICP-AD test files (which vitest runs in parallel).
// Chosen by measurement to fit CI (~2 minutes per model on one core of the project's 2-core machine):
// - env: Darkroom 7 × 7, horizon 12, centre start, reward 1 per step on the goal — the DICP Darkroom scaled down
//   (9 × 9 / horizon 20 needs ~2× the tokens per window); 49 goals, CPython split seed 0 at 0.9 → 44 train
//   goals, 5 held out. Fewer goals (5 × 5: 20 train goals) were memorised instead of read from the context.
// - histories: 44 goals × 10 streams × 20 episodes of an explore-then-exploit learner (helpers.ts): uniform
//   random until the episode of its first reward, then ε-greedy (ε 0.3) toward the goal it found.
// - model: the reference block with 2 layers (not 4), d 32, 4 heads, MLP 128, n_transit 24 (2 episodes), dropout 0.1.
// - training: 1,500 updates (AD) or 3,500 (DICP-AD, whose extra losses slow the policy down) of batch 64,
//   AdamW lr 1e-2 (cosine to 0), wd 0.01, clip 1 — the reference's optimiser; 96K / 224K windows against the
//   paper's 25.6M.
// - evaluation: `evaluate` on the 5 held-out goals × 8 runs, 8 consecutive episodes, context kept across them.

export const family = createDarkroom({ size: 7, horizon: 12 }, { id: 'darkroom-7x7' });
export const split = family.split(0, 0.9);
export const EPISODES = 8;

export function histories(seed: number) {
  return noisyOracleHistories({
    family,
    tasks: split.train,
    streams: 10,
    episodes: 20,
    seed,
    discovery: true,
  });
}

export async function trainSmall(dynamics: boolean, steps = 1500): Promise<TrainResult> {
  return train({
    source: histories(1),
    backend: 'wasm',
    model: { dynamics, nLayer: 2, nEmbd: 32, nHead: 4, nInner: 128, nTransit: 24 },
    train: { steps, batchSize: 64, lr: 1e-2, seed: 0, logEvery: 100 },
  });
}

export interface Curve {
  readonly model: EvaluationResult;
  readonly random: EvaluationResult;
  readonly first: number;
  readonly last: number;
  readonly randomMean: number;
}

/** The model and a random agent on the held-out goals; first = mean of episodes 1–2, last = of the last 3. */
export async function heldOutCurve(model: ADModel): Promise<Curve> {
  const agent = new TransformerAgent(model, { seed: 1 });
  const res = await evaluate(agent, family, split.test, { episodes: EPISODES, runsPerTask: 8, seed: 7 });
  const rnd = await evaluate(new RandomAgent(family.actionSpace), family, split.test, {
    episodes: EPISODES,
    runsPerTask: 8,
    seed: 7,
  });
  const avg = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    model: res,
    random: rnd,
    first: avg(res.mean.slice(0, 2)),
    last: avg(res.mean.slice(-3)),
    randomMean: avg(rnd.mean),
  };
}

/** Reward and next-state accuracy of a DICP model on windows of held-out goals' histories, with chance levels. */
export function dynamicsAccuracy(model: ADModel) {
  const held = noisyOracleHistories({
    family,
    tasks: split.test,
    streams: 10,
    episodes: 20,
    seed: 99,
    discovery: true,
  });
  const batch = new WindowDrawer(held, model.config.nTransit, 3).next(1000);
  const out = model.predict(model.windowInput(batch));
  const reward = tf.tidy(() => out.reward!.argMax(1).dataSync());
  const next = tf.tidy(() => out.nextState!.argMax(1).dataSync());
  tf.dispose(Object.values(out));
  const n = batch.length;
  const e = model.encoding;
  let rewardHits = 0;
  let positives = 0;
  let positiveHits = 0;
  let nextHits = 0;
  const nextCounts = new Map<number, number>();
  for (let i = 0; i < batch.size; i++) {
    const q = i * n + n - 1;
    const r = batch.rewards[q]!;
    if (reward[i] === r) rewardHits++;
    if (r > 0) {
      positives++;
      if (reward[i] === 1) positiveHits++;
    }
    const s2 = e.stateIndex(batch.nextStates, q * e.obsSize);
    if (next[i] === s2) nextHits++;
    nextCounts.set(s2, (nextCounts.get(s2) ?? 0) + 1);
  }
  const size = batch.size;
  return {
    rewardAccuracy: rewardHits / size,
    /** Share of rewarded steps predicted as rewarded (always-0 scores 0 here). */
    rewardRecall: positiveHits / positives,
    /** Accuracy of always predicting the commoner reward class. */
    rewardChance: Math.max(positives, size - positives) / size,
    nextStateAccuracy: nextHits / size,
    /** Accuracy of always predicting the commonest next state. */
    nextStateChance: Math.max(...nextCounts.values()) / size,
  };
}
