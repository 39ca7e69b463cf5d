import {
  HISTORY_SCHEMA_VERSION,
  type HistoryMeta,
  type HistorySource,
  type HistoryWindow,
  Rng,
} from '@icrl/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADModel, initBackend, resolveModelConfig, TransformerAgent, train } from '../src/index';

// The Meta-World variant (spec §1.5) on a synthetic continuous source: float observations, 2-D actions in
// [-1, 1], dense rewards in [0, 10].
const meta: HistoryMeta = {
  schemaVersion: HISTORY_SCHEMA_VERSION,
  envId: 'point-reach',
  envConfig: {},
  observationSpace: { kind: 'box', shape: [3], low: -1, high: 1, dtype: 'float32' },
  actionSpace: { kind: 'box', shape: [2], low: -1, high: 1, dtype: 'float32' },
  source: { algorithm: 'random', settings: {} },
  streams: 2,
  subsample: 1,
  seed: 0,
};

const T = 40;
const source: HistorySource = {
  meta,
  taskIndices: [0, 1],
  taskInfo: (task) => ({ task: { familyId: 'point-reach', index: task, params: {} }, length: T, streams: 2 }),
  read(task, stream, start, length): HistoryWindow {
    const rng = new Rng(task * 10 + stream).fork(start);
    const f = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
    return {
      length,
      states: f(3 * length),
      actions: f(2 * length),
      rewards: Float32Array.from({ length }, () => rng.uniform(0, 10)),
      nextStates: f(3 * length),
      dones: new Uint8Array(length),
    };
  },
  close() {},
};

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

describe('continuous actions and rewards (Meta-World variant)', () => {
  it('has a Gaussian action head, a clipped reward head and no next-state head', () => {
    const model = new ADModel(
      resolveModelConfig({
        envId: 'point-reach',
        observationSpace: meta.observationSpace,
        actionSpace: meta.actionSpace,
        dynamics: true,
        nLayer: 1,
        nEmbd: 16,
        nHead: 2,
        nInner: 32,
        nTransit: 6,
      }),
    );
    const shapes = Object.fromEntries([...model.params.vars].map(([k, v]) => [k, v.shape]));
    expect(shapes['embed_context.weight']).toEqual([16, 3 + 2 + 1 + 3]); // Linear(2·dim_obs + act + 1 → d)
    expect(shapes['embed_query_state.weight']).toEqual([16, 3]); // Linear(dim_obs → d)
    expect(shapes['embed_query_action.weight']).toEqual([16, 2]); // Linear(act → d)
    expect(shapes['pred_action.weight']).toEqual([4, 16]); // mean ‖ log-variance
    expect(shapes['pred_reward.weight']).toEqual([1, 16]);
    expect(shapes['pred_next_state.weight']).toBeUndefined();
    const input = model.windowInput({ size: 1, ...source.read(0, 0, 0, 6) });
    expect(input.contextLength).toBe(5);
    model.dispose();
  });

  it('trains (Gaussian NLL + reward MSE) and samples continuous actions in context', async () => {
    const before = tf.memory().numTensors;
    const run = await train({
      source,
      model: { dynamics: true, nLayer: 1, nEmbd: 16, nHead: 2, nInner: 32, nTransit: 6 },
      train: { steps: 3, batchSize: 4, lr: 1e-3 },
      backend: 'wasm',
    });
    for (const e of run.log) {
      expect(Number.isFinite(e.actionLoss)).toBe(true);
      expect(e.rewardLoss).toBeGreaterThan(0);
      expect(e.nextStateLoss).toBeUndefined();
    }
    const model = run.model as ADModel;
    const pred = model.predict({
      size: 1,
      contextLength: 0,
      context: new Float32Array(0),
      queryStates: [0.1, 0.2, 0.3],
      queryActions: [0.5, -0.5],
    });
    const r = pred.reward!.dataSync()[0]!;
    expect(r).toBeGreaterThanOrEqual(0);
    expect(r).toBeLessThanOrEqual(10);
    tf.dispose(Object.values(pred));
    const agent = new TransformerAgent(model, { ownsModel: true });
    agent.reset(3);
    const actions = agent.act(new Float32Array(9));
    expect(actions).toBeInstanceOf(Float32Array);
    expect(actions.length).toBe(6);
    agent.observe({
      obs: new Float32Array(9),
      actions,
      rewards: new Float32Array(3),
      nextObs: new Float32Array(9),
      terminated: new Uint8Array(3),
      truncated: new Uint8Array(3),
    });
    expect(agent.contextLength).toBe(1);
    agent.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
