import type { EnvFamily, Space, VecTransition } from '@icrl/core';
import { ADModel, IDTAgent, IDTModel, initBackend, resolveModelConfig } from '@icrl/transformer';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GreedyIdtAgent } from './greedy-idt-agent';

// DICP-IDT's continuous greedy search (spec §2.4) on a small untrained IDT whose reward head is shifted into
// (0, 10), so the clipped predictions differ between candidates: the chosen action must be the candidate with
// the highest predicted reward, each candidate scored as if it were alone in the batch.

const observationSpace: Space = { kind: 'box', shape: [3], low: -1, high: 1, dtype: 'float32' };
const actionSpace: Space = { kind: 'box', shape: [2], low: -1, high: 1, dtype: 'float32' };
const HORIZON = 20;
const family = {
  id: 'reach-test',
  horizon: HORIZON,
  observationSpace,
  actionSpace,
  config: {},
} as unknown as EnvFamily;
const sizes = { nLayer: 1, nEmbd: 8, nHead: 2, nInner: 16, nTransit: 10, lowPerHigh: 5, dimZ: 2, seed: 3 };
const idtConfig = (dynamics: boolean) =>
  resolveModelConfig({ envId: family.id, observationSpace, actionSpace, kind: 'idt', dynamics, ...sizes });

function dicpIdt(): IDTModel {
  const model = new IDTModel(idtConfig(true));
  model.params.vars.get('decisions.pred_reward.bias')!.assign(tf.tensor1d([5]));
  return model;
}

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

/** Plays `steps` steps of 3 envs with deterministic observations; returns every action taken. */
function play(agent: IDTAgent | GreedyIdtAgent, steps: number): Float32Array[] {
  agent.reset(3, { seed: 4 });
  const out: Float32Array[] = [];
  for (let t = 0; t < steps; t++) {
    const obs = Float32Array.from({ length: 9 }, (_, i) => Math.sin(t + i));
    const actions = agent.act(obs) as Float32Array;
    out.push(actions);
    const step: VecTransition = {
      obs,
      actions,
      rewards: Float32Array.from({ length: 3 }, (_, i) => (t + i) % 4),
      nextObs: Float32Array.from({ length: 9 }, (_, i) => Math.sin(t + 1 + i)),
      terminated: new Uint8Array(3),
      truncated: new Uint8Array(3).fill((t + 1) % HORIZON === 0 ? 1 : 0),
    };
    agent.observe(step);
  }
  return out;
}

describe('GreedyIdtAgent', () => {
  it('with plan: false takes IDTAgent’s actions for the same seed', () => {
    const model = dicpIdt();
    const reference = play(new IDTAgent(model, { initialReturn: 100, seed: 1 }), 2 * HORIZON);
    const greedy = new GreedyIdtAgent(model, { family, initialReturn: 100, seed: 1, plan: false });
    expect(play(greedy, 2 * HORIZON)).toEqual(reference);
    expect(greedy.plannedSteps).toBe(0);
    model.dispose();
  });

  it('plans whole segments that start past `start` once the context is full, and takes the best-scored candidate', () => {
    const model = dicpIdt();
    const scored: { steps: number; z: Float32Array; s: Float32Array; a: Float32Array; r: Float32Array }[] =
      [];
    const stream = model.decisionsStream.bind(model);
    model.decisionsStream = (z, steps, s, a, r, rng) => {
      if (z.shape[0] > 3) {
        scored.push({
          steps,
          z: z.dataSync() as Float32Array,
          s: Float32Array.from(s),
          a: Float32Array.from(a),
          r: Float32Array.from(r),
        });
      }
      return stream(z, steps, s, a, r, rng);
    };
    const agent = new GreedyIdtAgent(model, { family, initialReturn: 100, samples: 4, seed: 1 });
    const actions = play(agent, 2 * HORIZON);
    // Context full at step 10 (nTransit); start = 10: the segments at positions 15–19 of both episodes plan.
    expect(agent.plannedSteps).toBe(2 * 5 * 3);
    expect(scored.length).toBe(2 * 5);
    const planSteps = [15, 16, 17, 18, 19, 35, 36, 37, 38, 39];
    scored.forEach((call, k) => {
      const { steps } = call;
      const c = sizes.lowPerHigh;
      const dz = sizes.dimZ;
      for (let i = 0; i < 3; i++) {
        // Score each candidate alone (batch 1) with the unpatched forward.
        const rewards = Array.from({ length: 4 }, (_, j) => {
          const b = i * 4 + j;
          return tf.tidy(() => {
            const h = stream(
              tf.tensor3d(call.z.subarray(b * c * dz, (b + 1) * c * dz), [1, c, dz]),
              steps,
              call.s.subarray(b * steps * 3, (b + 1) * steps * 3),
              call.a.subarray(b * steps * 2, (b + 1) * steps * 2),
              call.r.subarray(b * steps, (b + 1) * steps),
              null,
            );
            return model.decisionHeads(h).reward!.dataSync()[steps - 1]!;
          });
        });
        const best = rewards.indexOf(Math.max(...rewards));
        const candidate = (j: number) =>
          Array.from(
            call.a.subarray(((i * 4 + j) * steps + steps - 1) * 2, ((i * 4 + j) * steps + steps) * 2),
          );
        expect(Array.from(actions[planSteps[k]!]!.subarray(2 * i, 2 * i + 2))).toEqual(candidate(best));
        expect(new Set(rewards.map((r) => r.toFixed(4))).size).toBeGreaterThan(1); // not all tied
      }
    });
    model.dispose();
  });

  it('validates the model, the family and the options', () => {
    const model = dicpIdt();
    expect(() => new GreedyIdtAgent(model, { family, initialReturn: 1, samples: 0 })).toThrow(
      'Invalid options.samples: got 0',
    );
    expect(() => new GreedyIdtAgent(model, { family, initialReturn: 1, start: HORIZON })).toThrow(
      'Invalid options.start',
    );
    expect(
      () => new GreedyIdtAgent(model, { family: { ...family, id: 'push' } as EnvFamily, initialReturn: 1 }),
    ).toThrow('Invalid model.envId');
    const plain = new IDTModel(idtConfig(false));
    expect(() => new GreedyIdtAgent(plain, { family, initialReturn: 1 })).toThrow('Invalid model.dynamics');
    plain.dispose();
    const ad = new ADModel(
      resolveModelConfig({
        envId: family.id,
        observationSpace,
        actionSpace,
        dynamics: true,
        ...sizes,
        kind: 'ad',
      }),
    );
    expect(() => new GreedyIdtAgent(ad as unknown as IDTModel, { family, initialReturn: 1 })).toThrow(
      'Invalid model.kind',
    );
    ad.dispose();
    const agent = new GreedyIdtAgent(model, { family, initialReturn: [1, 2] });
    expect(() => agent.reset(3)).toThrow('Invalid options.initialReturn');
    model.dispose();
  });
});
