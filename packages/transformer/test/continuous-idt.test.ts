import {
  HISTORY_SCHEMA_VERSION,
  type HistoryMeta,
  type HistorySource,
  type HistoryWindow,
  Rng,
} from '@icrl/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { IDTAgent, IDTModel, IdtRollingState, initBackend, resolveModelConfig, train } from '../src/index';

// IDT's Meta-World variant (spec §3.2: Linears instead of Embeddings, Gaussian NLL on actions, MSE on the
// clipped reward) on a synthetic continuous source whose behaviour is a known function of the state:
// a = (−s₀, s₁ / 2) + N(0, 0.05²), r = 5 + 2·a₀ (so the reward head has something to learn), episodes of 10 steps.

const meta: HistoryMeta = {
  schemaVersion: HISTORY_SCHEMA_VERSION,
  envId: 'point-map',
  envConfig: {},
  observationSpace: { kind: 'box', shape: [3], low: -1, high: 1, dtype: 'float32' },
  actionSpace: { kind: 'box', shape: [2], low: -1, high: 1, dtype: 'float32' },
  source: { algorithm: 'scripted', settings: {} },
  streams: 2,
  subsample: 1,
  seed: 0,
};
const HORIZON = 10;
const T = 60;
const target = (s: ArrayLike<number>, o: number) => [-s[o]!, s[o + 1]! / 2];

/** Each stream is generated once, so windows at any offset agree with each other. */
function stream(task: number, s: number): HistoryWindow {
  const rng = new Rng(task * 10 + s);
  const states = Float32Array.from({ length: 3 * T }, () => rng.uniform(-1, 1));
  const actions = new Float32Array(2 * T);
  const rewards = new Float32Array(T);
  for (let t = 0; t < T; t++) {
    const [a0, a1] = target(states, 3 * t);
    actions[2 * t] = a0! + rng.normal(0, 0.05);
    actions[2 * t + 1] = a1! + rng.normal(0, 0.05);
    rewards[t] = 5 + 2 * actions[2 * t]!;
  }
  const nextStates = Float32Array.from({ length: 3 * T }, (_, i) => states[(i + 3) % (3 * T)]!);
  const dones = Uint8Array.from({ length: T }, (_, t) => ((t + 1) % HORIZON === 0 ? 1 : 0));
  return { length: T, states, actions, rewards, nextStates, dones };
}
const streams = new Map<string, HistoryWindow>();
const source: HistorySource = {
  meta,
  taskIndices: [0, 1, 2],
  taskInfo: (task) => ({ task: { familyId: 'point-map', index: task, params: {} }, length: T, streams: 2 }),
  read(task, s, start, length): HistoryWindow {
    const key = `${task}/${s}`;
    if (!streams.has(key)) streams.set(key, stream(task, s));
    const w = streams.get(key)!;
    return {
      length,
      states: w.states.slice(3 * start, 3 * (start + length)),
      actions: w.actions.slice(2 * start, 2 * (start + length)),
      rewards: w.rewards.slice(start, start + length),
      nextStates: w.nextStates.slice(3 * start, 3 * (start + length)),
      dones: w.dones.slice(start, start + length),
    };
  },
  close() {},
};

const SIZES = { nLayer: 1, nEmbd: 16, nHead: 2, nInner: 32, nTransit: 20, lowPerHigh: 5, dimZ: 4 };
const idtConfig = (dynamics: boolean) =>
  resolveModelConfig({
    envId: meta.envId,
    observationSpace: meta.observationSpace,
    actionSpace: meta.actionSpace,
    kind: 'idt',
    dynamics,
    ...SIZES,
  });

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

/** Mean |action − target(obs)| of `agent` over 3 episodes of 4 envs with random observations. */
function actionError(agent: IDTAgent): number {
  const rng = new Rng(99);
  agent.reset(4, { seed: 5 });
  let err = 0;
  let count = 0;
  for (let t = 0; t < 3 * HORIZON; t++) {
    const obs = Float32Array.from({ length: 12 }, () => rng.uniform(-1, 1));
    const actions = agent.act(obs) as Float32Array;
    for (let i = 0; i < 4; i++) {
      const want = target(obs, 3 * i);
      err += Math.abs(actions[2 * i]! - want[0]!) + Math.abs(actions[2 * i + 1]! - want[1]!);
      count += 2;
    }
    agent.observe({
      obs,
      actions,
      rewards: Float32Array.from({ length: 4 }, (_, i) => 5 + 2 * actions[2 * i]!),
      nextObs: Float32Array.from({ length: 12 }, () => rng.uniform(-1, 1)),
      terminated: new Uint8Array(4),
      truncated: new Uint8Array(4).fill((t + 1) % HORIZON === 0 ? 1 : 0),
    });
  }
  return err / count;
}

/** Predicted reward at the a_j token of a one-step segment, for each of `actions` after the same state. */
function predictedRewards(model: IDTModel, actions: number[][]): number[] {
  const B = actions.length;
  const c = model.config.lowPerHigh;
  return tf.tidy(() => {
    const z = tf.zeros([B, c, model.config.dimZ]) as tf.Tensor3D;
    const states = Float32Array.from({ length: 3 * B }, (_, i) => [0.2, -0.3, 0.1][i % 3]!);
    const h = model.decisionsStream(
      z,
      1,
      states,
      Float32Array.from(actions.flat()),
      new Float32Array(B),
      null,
    );
    return Array.from(model.decisionHeads(h).reward!.dataSync());
  });
}

describe('continuous IDT / DICP-IDT (Meta-World variant)', () => {
  it('embeds raw vectors with Linears and has a Gaussian action head, a reward head and no next-state head', () => {
    const config = idtConfig(true);
    const model = new IDTModel(config);
    const shapes = Object.fromEntries([...model.params.vars].map(([k, v]) => [k, v.shape]));
    expect(shapes['reviewing.embed_state.weight']).toEqual([16, 3]); // Linear(dim_obs → d)
    expect(shapes['reviewing.embed_action.weight']).toEqual([16, 2]);
    expect(shapes['reviewing.embed_reward.weight']).toEqual([16, 1]);
    expect(shapes['making.embed_state.weight']).toEqual([16, 3]);
    expect(shapes['decisions.embed_action.weight']).toEqual([16, 2]);
    expect(shapes['decisions.pred_action.weight']).toEqual([4, 16]); // mean ‖ log-variance
    expect(shapes['decisions.pred_reward.weight']).toEqual([1, 16]);
    expect(shapes['decisions.pred_next_state.weight']).toBeUndefined();
    const r = predictedRewards(model, [[5, 5]]);
    expect(r[0]).toBeGreaterThanOrEqual(0); // clipped to [0, rewardMax]
    expect(r[0]).toBeLessThanOrEqual(config.rewardMax);
    model.dispose();
  });

  it('the rolling state keeps raw vectors: observation, action and reward of every step', () => {
    const config = idtConfig(false);
    const model = new IDTModel(config);
    const context = new IdtRollingState(model, 100);
    context.reset(2);
    const obs = Float32Array.of(0.1, 0.2, 0.3, -0.1, -0.2, -0.3);
    const states = context.stateInputs(obs);
    expect(states).toEqual(obs);
    context.startSegment(states);
    context.observe({
      obs,
      actions: Float32Array.of(0.5, -0.5, 0.25, 0.75),
      rewards: Float32Array.of(1.5, 2.5),
      nextObs: obs,
      terminated: new Uint8Array(2),
      truncated: new Uint8Array(2),
    });
    const next = context.stepInputs(Float32Array.of(1, 1, 1, 2, 2, 2));
    expect(next.steps).toBe(2);
    expect(next.states).toEqual(Float32Array.of(0.1, 0.2, 0.3, 1, 1, 1, -0.1, -0.2, -0.3, 2, 2, 2));
    expect(next.actions).toEqual(Float32Array.of(0.5, -0.5, 0, 0, 0.25, 0.75, 0, 0));
    expect(next.rewards).toEqual(Float32Array.of(1.5, 0, 2.5, 0));
    model.dispose();
  });

  it('learns: the trained policy follows the data behaviour and the reward head its reward, untrained ones do not', {
    timeout: 60_000,
  }, async () => {
    const before = tf.memory().numTensors;
    const untrained = new IDTModel(idtConfig(true));
    const run = await train({
      source,
      model: { kind: 'idt', dynamics: true, ...SIZES },
      train: { steps: 150, batchSize: 8, lr: 3e-3, seed: 0 },
      backend: 'wasm',
    });
    for (const e of run.log) {
      expect(Number.isFinite(e.actionLoss)).toBe(true);
      expect(Number.isFinite(e.rewardLoss!)).toBe(true);
      expect(e.nextStateLoss).toBeUndefined();
    }
    const trained = run.model as IDTModel;
    const initial = 1000; // DICP's Meta-World RTG₀: 10 per step × horizon
    const errUntrained = actionError(new IDTAgent(untrained, { initialReturn: initial }));
    const [low, high] = predictedRewards(trained, [
      [-0.8, 0],
      [0.8, 0],
    ]);
    const errTrained = actionError(new IDTAgent(trained, { initialReturn: initial }));
    untrained.dispose();
    trained.dispose();
    console.log(
      `continuous IDT: |a − a*| untrained ${errUntrained.toFixed(3)}, trained ${errTrained.toFixed(3)}; ` +
        `r̂(a₀ = −0.8) ${low!.toFixed(2)}, r̂(a₀ = 0.8) ${high!.toFixed(2)} (data: 3.4, 6.6)`,
    );
    expect(errTrained).toBeLessThan(0.5 * errUntrained);
    expect(high! - low!).toBeGreaterThan(1.6); // the data's gap is 3.2
    expect(tf.memory().numTensors).toBe(before);
  });
});
