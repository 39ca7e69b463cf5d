import type { EnvFamily, Space, VecTransition } from '@icrl/core';
import { ADModel, initBackend, OrtModel, resolveModelConfig } from '@icrl/transformer';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GreedyAgent } from './greedy-agent';
import type { WorldModel, WorldModelInput } from './world-model';

// The continuous one-step greedy search (spec §2.4) on a hand-built model with a known reward, and on a real
// continuous DICP-AD model (tfjs and onnxruntime agree).

const observationSpace: Space = { kind: 'box', shape: [3], low: -1, high: 1, dtype: 'float32' };
const actionSpace: Space = { kind: 'box', shape: [2], low: -1, high: 1, dtype: 'float32' };
const family = {
  id: 'reach-test',
  horizon: 10,
  observationSpace,
  actionSpace,
  config: {},
} as unknown as EnvFamily;
const N_TRANSIT = 6;
const config = resolveModelConfig({
  envId: family.id,
  observationSpace,
  actionSpace,
  dynamics: true,
  nTransit: N_TRANSIT,
  nLayer: 1,
  nEmbd: 8,
  nHead: 2,
  nInner: 8,
});

/** Policy N((0.1, −0.2), 1); reward 10 − 5·|a − (0.8, 0.8)|₁ clipped to [0, 10]. Records the candidates seen. */
class Stub implements WorldModel {
  readonly config = config;
  readonly candidates: number[][] = [];
  readonly calls: number[] = [];
  predict(input: WorldModelInput) {
    this.calls.push(input.size);
    const action = new Float32Array(input.size * 4);
    const reward = new Float32Array(input.size);
    for (let i = 0; i < input.size; i++) {
      action.set([0.1, -0.2, 0, 0], i * 4);
      if (input.queryActions === undefined) continue;
      const a = [input.queryActions[2 * i]!, input.queryActions[2 * i + 1]!];
      this.candidates.push(a);
      reward[i] = Math.min(10, Math.max(0, 10 - 5 * (Math.abs(a[0]! - 0.8) + Math.abs(a[1]! - 0.8))));
    }
    return input.queryActions === undefined ? { action } : { action, reward };
  }
}

function transition(n: number, truncated: boolean): VecTransition {
  return {
    obs: new Float32Array(3 * n).fill(0.5),
    actions: new Float32Array(2 * n).fill(0.1),
    rewards: new Float32Array(n),
    nextObs: new Float32Array(3 * n).fill(0.5),
    terminated: new Uint8Array(n),
    truncated: new Uint8Array(n).fill(truncated ? 1 : 0),
  };
}

const reward = (a: number[]) => 10 - 5 * (Math.abs(a[0]! - 0.8) + Math.abs(a[1]! - 0.8));

describe('GreedyAgent', () => {
  it('takes the candidate with the highest predicted reward, once the context is full and past `start`', async () => {
    const stub = new Stub();
    const agent = new GreedyAgent(stub, { family, samples: 10, start: 5, seed: 2 });
    agent.reset(3);
    for (let t = 0; t < N_TRANSIT; t++) agent.observe(transition(3, false)); // position 6 > start 5
    const obs = new Float32Array(9).fill(0.5);
    const a = Array.from(await agent.act(obs));
    expect(stub.calls).toEqual([3, 30]); // policy, then all 3 × 10 candidates in one forward
    for (let i = 0; i < 3; i++) {
      const cands = stub.candidates.slice(i * 10, (i + 1) * 10);
      expect(cands[0]![0]).toBeCloseTo(0.1, 6); // the policy mean comes first
      expect(cands[0]![1]).toBeCloseTo(-0.2, 6);
      const best = cands.reduce((b, c) => (reward(c) > reward(b) ? c : b));
      expect(a.slice(2 * i, 2 * i + 2)).toEqual(best);
      expect(reward(best)).toBeGreaterThan(reward(cands[0]!)); // the search did better than the mean
    }
    expect(agent.plannedSteps).toBe(3);
  });

  it('samples from the policy before the context is full and up to position `start`', async () => {
    const stub = new Stub();
    const agent = new GreedyAgent(stub, { family, samples: 10, start: 5 });
    agent.reset(2);
    for (let t = 0; t < N_TRANSIT - 1; t++) agent.observe(transition(2, false));
    await agent.act(new Float32Array(6)); // 5 transitions seen < nTransit
    agent.observe(transition(2, true)); // episode end: position 0
    await agent.act(new Float32Array(6));
    expect(stub.calls).toEqual([2, 2]);
    expect(agent.plannedSteps).toBe(0);
  });

  it('validates the model, the family and the options', () => {
    const stub = new Stub();
    expect(() => new GreedyAgent(stub, { family, samples: 0 })).toThrow('Invalid options.samples: got 0');
    expect(() => new GreedyAgent(stub, { family, start: 10 })).toThrow(
      'Invalid options.start: got 10; expected an integer in [0, 9].',
    );
    expect(
      () =>
        new GreedyAgent(
          { ...stub, config: { ...config, dynamics: false }, predict: stub.predict },
          { family },
        ),
    ).toThrow('Invalid model.dynamics');
    expect(() => new GreedyAgent(stub, { family: { ...family, id: 'push' } as EnvFamily })).toThrow(
      'Invalid model.envId: got "reach-test"; expected "push"',
    );
    const wider = { ...family, observationSpace: { ...observationSpace, high: 2 } } as EnvFamily;
    expect(() => new GreedyAgent(stub, { family: wider })).toThrow('Invalid model.observationSpace');
  });

  it('accepts the same spaces with their keys in another order (as read back from HDF5 or a checkpoint)', () => {
    const reorder = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).reverse()) as T;
    const stub = new Stub();
    const reordered = {
      ...config,
      observationSpace: reorder(config.observationSpace),
      actionSpace: reorder(config.actionSpace),
    };
    expect(JSON.stringify(reordered.observationSpace)).not.toBe(JSON.stringify(observationSpace));
    expect(() => new GreedyAgent({ config: reordered, predict: stub.predict }, { family })).not.toThrow();
  });

  it('chooses the same actions on tfjs and onnxruntime with a real continuous DICP-AD model', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    const model = new ADModel({ ...config, nLayer: 2, nEmbd: 16, nInner: 32, seed: 3 });
    const ort = await OrtModel.fromModel(model);
    const play = async (m: ADModel | OrtModel) => {
      const agent = new GreedyAgent(m, { family, samples: 6, start: 2, seed: 5 });
      agent.reset(2);
      const out: number[] = [];
      let obs = new Float32Array(6).map((_, k) => Math.sin(k));
      for (let t = 0; t < 20; t++) {
        const a = await agent.act(obs);
        out.push(...a);
        const next = obs.map((x, k) => Math.tanh(x + 0.1 * a[k % 4]!));
        agent.observe({
          obs,
          actions: a,
          rewards: Float32Array.from([0, 1], (i) => Math.abs(next[3 * i]!)),
          nextObs: next,
          terminated: new Uint8Array(2),
          truncated: new Uint8Array(2).fill((t + 1) % 10 === 0 ? 1 : 0),
        });
        obs = next;
      }
      return { out, planned: agent.plannedSteps };
    };
    const a = await play(model);
    const b = await play(ort);
    expect(a.planned).toBeGreaterThan(0);
    expect(b.planned).toBe(a.planned);
    for (let i = 0; i < a.out.length; i++) expect(b.out[i]).toBeCloseTo(a.out[i]!, 4);
    await ort.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
