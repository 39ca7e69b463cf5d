import { HISTORY_SCHEMA_VERSION, Rng, rollout } from '@icrl/core';
import { createDarkroom } from '@icrl/envs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ADModel,
  IDTAgent,
  IDTHistories,
  type IDTModel,
  initBackend,
  TransformerAgent,
  train,
  WindowDrawer,
} from '../src/index';
import { MemoryHistorySource, noisyOracleHistories } from './helpers';

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

const family = createDarkroom({ size: 5, horizon: 10 }, { id: 'darkroom-test' });
const source = noisyOracleHistories({
  family,
  tasks: family.tasks().slice(0, 6),
  streams: 2,
  episodes: 6,
  seed: 0,
  discovery: true,
});

describe('IDT data: episodes sorted by return, returns-to-go relabelled', () => {
  it('matches a hand-worked stream', () => {
    // One stream, horizon 2, three episodes with returns 2, 0, 1.
    const meta = { ...source.meta, streams: 1 };
    const rewards = Float32Array.from([1, 1, 0, 0, 0, 1]);
    const dones = Uint8Array.from([0, 1, 0, 1, 0, 1]);
    const states = Int32Array.from({ length: 12 }, (_, i) => Math.floor(i / 2)); // step t at (t, t)
    const mem = new MemoryHistorySource({ ...meta, schemaVersion: HISTORY_SCHEMA_VERSION }, []);
    Object.assign(mem, {
      taskIndices: [0],
      taskInfo: () => ({ task: family.task(0), length: 6, streams: 1 }),
      read: (_t: number, _s: number, start: number, n: number) => ({
        length: n,
        states: states.slice(2 * start, 2 * (start + n)),
        nextStates: states.slice(2 * start, 2 * (start + n)),
        actions: new Int32Array(n),
        rewards: rewards.slice(start, start + n),
        dones: dones.slice(start, start + n),
      }),
    });
    const w = new IDTHistories(mem).read(0, 0, 0, 6);
    // Sorted ascending: episode 2 (return 0, steps 2-3), episode 3 (return 1, steps 4-5), episode 1 (return 2).
    expect(Array.from(w.states.filter((_, i) => i % 2 === 0))).toEqual([2, 3, 4, 5, 0, 1]);
    expect(Array.from(w.rewards)).toEqual([0, 0, 0, 1, 1, 1]);
    // Every episode starts at the best return (2) and falls by its rewards.
    expect(Array.from(w.returnsToGo)).toEqual([2, 2, 2, 2, 2, 1]);
  });
});

describe('IDT and DICP-IDT', () => {
  for (const dynamics of [false, true]) {
    it(`trains on wasm (every parameter gets a gradient) and acts in context${dynamics ? ' with dynamics' : ''}`, async () => {
      const before = tf.memory().numTensors;
      const model = {
        kind: 'idt' as const,
        dynamics,
        nLayer: 1,
        nEmbd: 16,
        nHead: 2,
        nInner: 32,
        nTransit: 20,
        lowPerHigh: 10,
      };
      const result = await train({
        source,
        model,
        train: { steps: 2, batchSize: 4, lr: 1e-3 },
        backend: 'wasm',
      });
      expect(result.log.every((e) => Number.isFinite(e.loss))).toBe(true);
      if (dynamics) expect(result.log[0]!.nextStateLoss).toBeGreaterThan(0);
      const idt = result.model as IDTModel;
      // Every parameter of the three modules gets a gradient (embeddings included, on wasm).
      const drawer = new WindowDrawer(new IDTHistories(source), 20, 0);
      const batch = drawer.next(3);
      const { value, grads } = tf.variableGrads(
        () => idt.loss(batch, new Rng(0)).total,
        [...idt.params.vars.values()],
      );
      for (const [name, v] of idt.params.vars) {
        expect(grads[v.name], name).toBeDefined();
        expect(
          tf.tidy(() => tf.sum(tf.abs(grads[v.name]!)).dataSync()[0]),
          name,
        ).toBeGreaterThan(0);
      }
      tf.dispose([value, ...Object.values(grads)]);
      const test = family.tasks().slice(20, 22);
      const env = family.make(test, { envsPerTask: 2, autoReset: 'same-step' });
      const agent = new IDTAgent(idt, {
        initialReturn: test.flatMap((t) => [family.maxReturn(t), family.maxReturn(t)]),
      });
      const { returns } = await rollout(env, agent, { episodes: 3, seed: 1 });
      expect(returns.length).toBe(12);
      idt.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('DPT and DICP-DPT', () => {
  it('trains on the optimal-action labels and acts in context', async () => {
    const before = tf.memory().numTensors;
    const result = await train({
      source,
      model: { kind: 'dpt', dynamics: true, nLayer: 1, nEmbd: 16, nHead: 2, nInner: 32, nTransit: 12 },
      train: { steps: 2, batchSize: 4 },
      backend: 'wasm',
    });
    expect(result.log[1]!.rewardLoss).toBeGreaterThan(0);
    const env = family.make(family.tasks().slice(20, 22), { autoReset: 'same-step' });
    const agent = new TransformerAgent(result.model as ADModel, { ownsModel: true });
    expect(agent.name).toBe('dicp-dpt');
    const { returns } = await rollout(env, agent, { episodes: 2, seed: 0 });
    expect(returns.length).toBe(4);
    agent.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
