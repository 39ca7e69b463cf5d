import { evaluate, type InContextAgent } from '@icrl/core';
import { createDarkroom } from '@icrl/envs';
import { ADModel, IDTAgent, IDTModel, initBackend, resolveModelConfig } from '@icrl/transformer';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicpIdtAgent } from './dicp-idt-agent';
import { IdtLevels } from './idt-levels';

// DICP-IDT's low-level beam search (spec §2.3) on a small random-init DICP-IDT model.

const family = createDarkroom({ size: 5, horizon: 8 }, { id: 'darkroom-5' });
const config = resolveModelConfig({
  envId: family.id,
  observationSpace: family.observationSpace,
  actionSpace: family.actionSpace,
  kind: 'idt',
  dynamics: true,
  nLayer: 1,
  nEmbd: 16,
  nHead: 2,
  nInner: 32,
  nTransit: 8,
  lowPerHigh: 4,
  dimZ: 4,
  seed: 2,
});
const tasks = family.split(0, 0.8).test.slice(0, 3);

let model: IDTModel;
let before = 0;
beforeAll(async () => {
  await initBackend('wasm');
  before = tf.memory().numTensors;
  model = new IDTModel(config);
});
afterAll(() => {
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

async function actions(agent: InContextAgent) {
  const seen: number[] = [];
  const rec: InContextAgent = {
    name: agent.name,
    reset: (n, o) => agent.reset(n, o),
    act: async (obs) => {
      const a = await agent.act(obs);
      seen.push(...a);
      return a;
    },
    observe: (t) => agent.observe(t),
  };
  const res = await evaluate(rec, family, tasks, { episodes: 3, seed: 4 });
  return { seen, returns: res.returns };
}

describe('DicpIdtAgent', () => {
  it('acts exactly as IDTAgent with plan: false', async () => {
    const a = await actions(new IDTAgent(model, { initialReturn: 8, seed: 6 }));
    const b = await actions(new DicpIdtAgent(model, { family, initialReturn: 8, seed: 6, plan: false }));
    expect(b.seen).toEqual(a.seen);
  });

  it('plans c levels from step nTransit on, and the search changes some actions', async () => {
    const agent = new DicpIdtAgent(model, { family, initialReturn: 8, seed: 6 });
    expect(agent.options.depth).toBe(4); // c
    const run = await actions(agent);
    expect(run.seen.length).toBe(3 * 24);
    expect(agent.planStats.planned).toBe(3 * (24 - 8));
    expect(agent.planStats.changed).toBeGreaterThan(0);
  });

  it('builds each child as its parent’s segment + [r̂, z_depth, ŝ′, a]', async () => {
    const dz = config.dimZ;
    const z = new Float32Array(2 * 4 * dz).map((_, i) => Math.sin(i));
    const levels = new IdtLevels(model, z);
    // Env slot 1: one real step (state 7, action 2, reward 1), now at state 8.
    levels.segments = [
      [
        { z: 0, s: 3, a: 0, r: 0 },
        { z: 1, s: 4, a: 0, r: 0 },
      ],
      [
        { z: 0, s: 7, a: 2, r: 1 },
        { z: 1, s: 8, a: 0, r: 0 },
      ],
    ];
    levels.begin();
    await levels.expand({
      size: 1,
      slot: Int32Array.of(1),
      parent: Int32Array.of(-1),
      tokens: new Float32Array(0),
      queryStates: Float32Array.of(1, 3),
      actions: Int32Array.of(3),
    });
    // Level 2: the child of that row taking action 4 after the imagined transition (8, 3, r̂ 1, → (2, 4)).
    const token = Float32Array.of(1, 3, 0, 0, 0, 1, 0, 1, 2, 4);
    const out = await levels.expand({
      size: 1,
      slot: Int32Array.of(1),
      parent: Int32Array.of(0),
      tokens: token,
      queryStates: Float32Array.of(2, 4),
      actions: Int32Array.of(4),
    });
    // The same segment written out: z slots 0, 1 (real), then 1 (planning depth 1).
    const zs = new Float32Array(3 * dz);
    for (const [t, slot] of [0, 1, 1].entries())
      zs.set(z.subarray((4 + slot) * dz, (4 + slot + 1) * dz), t * dz);
    const ref = tf.tidy(() => {
      const h = model.decisionsStream(
        tf.tensor3d(zs, [1, 3, dz]),
        3,
        Int32Array.of(7, 8, 14),
        Int32Array.of(2, 3, 4),
        Int32Array.of(1, 1, 0),
        null,
      );
      const heads = model.decisionHeads(h);
      return [heads.action, heads.reward!, heads.nextState!].map((x) =>
        Array.from(x.dataSync().slice(-x.shape[1])),
      );
    });
    expect(Array.from(out.action)).toEqual(ref[0]);
    expect(Array.from(out.reward)).toEqual(ref[1]);
    expect(Array.from(out.nextState)).toEqual(ref[2]);
  });

  it('rejects an AD model, a depth beyond c and a bad initial return', () => {
    const ad = new ADModel({ ...config, kind: 'ad' });
    expect(() => new DicpIdtAgent(ad as never, { family, initialReturn: 8 })).toThrow(
      'Invalid model.kind: got "ad"; expected \'idt\' (DICP-IDT).',
    );
    ad.dispose();
    expect(() => new DicpIdtAgent(model, { family, initialReturn: 8, depth: 5 })).toThrow(
      'Invalid options.depth: got 5; expected an integer in [1, 4].',
    );
    const agent = new DicpIdtAgent(model, { family, initialReturn: [1, 2] });
    expect(() => agent.reset(3)).toThrow('Invalid options.initialReturn');
  });
});
