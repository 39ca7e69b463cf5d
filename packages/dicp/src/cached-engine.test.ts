import { evaluate, type InContextAgent, type SpaceArray, type VecTransition } from '@icrl/core';
import { darkroom } from '@icrl/envs';
import { ADModel, exportOnnx, initBackend, OrtModel, resolveModelConfig } from '@icrl/transformer';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicpAgent } from './dicp-agent';

// The cached planner (onnxruntime, real context encoded once, children through KV caches) against the
// re-encoding planner with the same 'reserve' window, on a real (random-init) DICP-AD model on Darkroom.

const family = darkroom(); // 9 × 9, horizon 20: depth 8
const config = resolveModelConfig({
  envId: family.id,
  observationSpace: family.observationSpace,
  actionSpace: family.actionSpace,
  dynamics: true,
  nLayer: 2,
  nEmbd: 16,
  nHead: 2,
  nInner: 32,
  nTransit: 16, // 15 context tokens: levels ≥ 2 keep 15 − 7 = 8 real ones
  seed: 5,
});

/** Records every action an agent takes. */
class Recorder implements InContextAgent {
  readonly name: string;
  readonly actions: number[] = [];
  constructor(readonly inner: DicpAgent) {
    this.name = inner.name;
  }
  reset(n: number, o?: { seed?: number }) {
    return this.inner.reset(n, o);
  }
  async act(obs: SpaceArray) {
    const a = await this.inner.act(obs);
    this.actions.push(...a);
    return a;
  }
  observe(t: VecTransition) {
    return this.inner.observe(t);
  }
}

let model: ADModel;
let ort: OrtModel;
let tensorsBefore = 0;
beforeAll(async () => {
  await initBackend('wasm');
  tensorsBefore = tf.memory().numTensors;
  model = new ADModel(config);
  ort = await OrtModel.fromModel(model);
});
afterAll(async () => {
  await ort.dispose();
});

async function run(agent: DicpAgent) {
  const rec = new Recorder(agent);
  const res = await evaluate(rec, family, family.split().test.slice(0, 3), { episodes: 3, seed: 2 });
  return { actions: rec.actions, returns: res.returns, stats: agent.planStats };
}

describe('cached planner', () => {
  it('chooses the same actions as the re-encoding planner (reserve window), on onnxruntime and tfjs', async () => {
    const cached = await run(new DicpAgent(ort, { family, seed: 9 }));
    const reOrt = await run(new DicpAgent(ort, { family, seed: 9, planner: 'reencode' }));
    const reTfjs = await run(new DicpAgent(model, { family, seed: 9 }));
    expect(cached.actions.length).toBe(3 * 60);
    expect(cached.stats.planned).toBe(3 * (60 - 16)); // planning from step 16 (nTransit) on
    expect(cached.stats.changed).toBeGreaterThan(10); // the search did overrule the policy: a real comparison
    expect(reOrt.actions).toEqual(cached.actions);
    expect(reTfjs.actions).toEqual(cached.actions);
    expect(reOrt.returns).toEqual(cached.returns);
    expect(cached.stats).toEqual(reTfjs.stats);
    // A file without the shared-prefix inputs (e.g. a PyTorch export) plans the same, copying the prefix.
    const plain = await OrtModel.load(exportOnnx(model, { sharedPrefix: false }), config);
    expect(plain.shape.sharedPrefix).toBe(false);
    expect((await run(new DicpAgent(plain, { family, seed: 9 }))).actions).toEqual(cached.actions);
    await plain.dispose();
  }, 120_000);

  it('acts like the plain policy agent with plan: false', async () => {
    const a = await run(new DicpAgent(ort, { family, seed: 4, plan: false }));
    const b = await run(new DicpAgent(model, { family, seed: 4, plan: false }));
    expect(a.actions).toEqual(b.actions);
    expect(a.stats.planned).toBe(0);
  });

  it('leaves no tensor behind (tfjs path) once the model is disposed', () => {
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
