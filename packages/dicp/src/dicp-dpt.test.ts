import { evaluate } from '@icrl/core';
import { darkroom } from '@icrl/envs';
import { ADModel, initBackend, OrtModel, resolveModelConfig } from '@icrl/transformer';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicpAgent } from './dicp-agent';
import type { WorldModel, WorldModelInput } from './world-model';
import { tfjsWorldModel } from './world-model';

// DICP-DPT: the beam search over DPT's window `[q_state, ctx…, (q_action)]`, on a real (random-init) DPT model
// with dynamics heads on Darkroom. The search itself is DICP-AD's (beam-search.test.ts); what is DPT's own is
// the model's layout, so these check that both backends plan alike and that deeper levels ask the model
// about the imagined next state as the query state (the reference's `QueryState(ŝ')` in front).

const family = darkroom(); // 9 × 9, horizon 20: depth 8
const config = resolveModelConfig({
  envId: family.id,
  observationSpace: family.observationSpace,
  actionSpace: family.actionSpace,
  kind: 'dpt',
  dynamics: true,
  nLayer: 2,
  nEmbd: 16,
  nHead: 2,
  nInner: 32,
  nTransit: 16,
  seed: 2, // its search overrules the policy 27 times in the 72 planned steps below (seed 3: never)
});

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

/** A world model that records the query states and context lengths it is asked about. */
function recording(inner: WorldModel) {
  const calls: { queryStates: number[][]; contextLength: number; withActions: boolean }[] = [];
  const world: WorldModel = {
    config: inner.config,
    predict(input: WorldModelInput) {
      const O = 2;
      calls.push({
        queryStates: Array.from({ length: input.size }, (_, i) =>
          Array.from(input.queryStates.subarray(i * O, (i + 1) * O)),
        ),
        contextLength: input.contextLength,
        withActions: input.queryActions !== undefined,
      });
      return inner.predict(input);
    },
  };
  return { world, calls };
}

describe('DICP-DPT (DicpAgent on a DPT model)', () => {
  it('plans the same actions on onnxruntime and tfjs (re-encoding: no cached prefix for DPT)', async () => {
    const tasks = family.split().test.slice(0, 3);
    const onOrt = new DicpAgent(ort, { family, seed: 9 });
    const onTfjs = new DicpAgent(model, { family, seed: 9 });
    expect(onOrt.name).toBe('dicp-dpt');
    expect(onOrt.options.planner).toBe('reencode');
    const a = await evaluate(onOrt, family, tasks, { episodes: 2, seed: 2 });
    const b = await evaluate(onTfjs, family, tasks, { episodes: 2, seed: 2 });
    expect(onOrt.planStats.planned).toBe(3 * (40 - 16)); // from step 16 (nTransit) on
    expect(onOrt.planStats.changed).toBeGreaterThan(10); // the search overruled the policy: a real comparison
    expect(onOrt.planStats).toEqual(onTfjs.planStats);
    expect(a.returns).toEqual(b.returns);
  }, 120_000);

  it('asks about the imagined next state at deeper levels, one level per forward', async () => {
    const { world, calls } = recording(tfjsWorldModel(model));
    const agent = new DicpAgent(world, { family, seed: 1, depth: 3 });
    agent.reset(1);
    const obs = new Float32Array([4, 4]);
    for (let t = 0; t < 16; t++) {
      const action = await agent.act(obs);
      agent.observe({
        obs,
        actions: action,
        rewards: new Float32Array(1),
        nextObs: obs,
        terminated: new Uint8Array(1),
        truncated: new Uint8Array(1),
      });
    }
    calls.length = 0;
    await agent.act(obs); // the context is full: this step plans
    const [policy, level1, level2, level3, ...rest] = calls;
    expect(rest).toEqual([]);
    expect(policy!.withActions).toBe(false);
    expect(level1!.queryStates).toEqual(Array(5).fill([4, 4])); // the real state, every candidate
    const path = agent.lastPlan(0)!;
    // Level 2's rows extend the kept beams: each asks about its parent's predicted next cell, which for the best
    // path is the cell the search imagined after the first action.
    expect(level2!.queryStates).toContainEqual(path.states[0]);
    expect(level3!.queryStates).toContainEqual(path.states[1]);
    expect(level2!.contextLength).toBe(level1!.contextLength - (3 - 1) + 1); // 'reserve': room for the imagined
  });

  it('refuses the cached planner, naming the field', () => {
    expect(() => new DicpAgent(ort, { family, planner: 'cached' })).toThrow(
      /Invalid options\.planner: got "cached"; expected 'reencode' for a DPT model/,
    );
  });

  it('refuses a DPT model without dynamics heads', () => {
    const plain = new ADModel({ ...config, dynamics: false });
    expect(() => new DicpAgent(plain, { family })).toThrow(/Invalid model\.dynamics/);
    plain.dispose();
  });

  it('leaves no tensor behind (tfjs path) once the model is disposed', () => {
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});
