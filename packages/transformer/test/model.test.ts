import { Rng } from '@icrl/core';
import { createDarkroom } from '@icrl/envs';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ADModel,
  initBackend,
  Params,
  resolveModelConfig,
  rmsNorm,
  ropeTables,
  rotateHalfMatrix,
  TRANSFORMER_DEFAULTS,
  Transformer,
} from '../src/index';
import { linear } from '../src/ops';
import { noisyOracleHistories } from './helpers';

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

const family = createDarkroom({ size: 5, horizon: 6 }, { id: 'darkroom-test' });

function smallConfig(overrides: Record<string, unknown> = {}) {
  return resolveModelConfig({
    envId: family.id,
    observationSpace: family.observationSpace,
    actionSpace: family.actionSpace,
    nLayer: 2,
    nEmbd: 16,
    nHead: 2,
    nInner: 32,
    nTransit: 8,
    ...overrides,
  });
}

describe('RoPE (rotate halves, base 10000)', () => {
  it('rotates a head vector by position × frequency, as computed by hand', () => {
    const { cos, sin } = ropeTables(3, 4, 10000);
    const p = rotateHalfMatrix(1, 4, 1); // P v = rotateHalf(v) = (-v2, v1) on halves
    const x = [1, 2, 3, 4];
    const rot = [0, 0, 0, 0];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) rot[i]! += p[i * 4 + j]! * x[j]!;
    expect(rot).toEqual([-3, -4, 1, 2]);
    // Position 2: angles 2·1 and 2·10000^(-1/2) = 0.02 for the two frequency pairs (x1, x3), (x2, x4).
    const t = 2;
    const out = x.map((v, i) => v * cos[t * 4 + i]! + rot[i]! * sin[t * 4 + i]!);
    const hand = [
      1 * Math.cos(2) - 3 * Math.sin(2),
      2 * Math.cos(0.02) - 4 * Math.sin(0.02),
      3 * Math.cos(2) + 1 * Math.sin(2),
      4 * Math.cos(0.02) + 2 * Math.sin(0.02),
    ];
    for (const [i, v] of out.entries()) expect(v).toBeCloseTo(hand[i]!, 6);
    // Position 0 is the identity: positions restart at 0 on every forward.
    expect(Array.from(cos.subarray(0, 4))).toEqual([1, 1, 1, 1]);
    expect(Array.from(sin.subarray(0, 4))).toEqual([0, 0, 0, 0]);
  });

  it('rotateHalf commutes with the fused QKV Linear (the speed trick is exact)', () => {
    const C = 8;
    const H = 2;
    const rng = new Rng(3);
    const w = tf.tensor2d(
      Array.from({ length: 3 * C * C }, () => rng.normal()),
      [3 * C, C],
    );
    const b = tf.tensor1d(Array.from({ length: 3 * C }, () => rng.normal()));
    const x = tf.tensor2d(
      Array.from({ length: 5 * C }, () => rng.normal()),
      [5, C],
    );
    const P = tf.tensor2d(rotateHalfMatrix(H, C / H, 3), [3 * C, 3 * C]);
    const direct = tf.matMul(linear(x, w, b), P, false, true); // rotateHalf(x W^T + b)
    const folded = linear(
      x,
      tf.matMul(P, w),
      tf.reshape(tf.matMul(P, tf.reshape(b, [3 * C, 1])), [3 * C]) as tf.Tensor1D,
    );
    expect(tf.max(tf.abs(tf.sub(direct, folded))).dataSync()[0]).toBeLessThan(1e-5);
    // v's part is zero: RoPE touches q and k only.
    expect(Array.from(direct.slice([0, 2 * C], [5, C]).dataSync()).every((v) => v === 0)).toBe(true);
    tf.dispose([w, b, x, P, direct, folded]);
  });
});

describe('RMSNorm', () => {
  it('is x / sqrt(mean(x²) + 1e-5) · weight', () => {
    const out = tf.tidy(() => rmsNorm(tf.tensor2d([[3, 4]]), tf.tensor1d([1, 2]), 1e-5).dataSync());
    const r = Math.sqrt((9 + 16) / 2 + 1e-5);
    expect(out[0]).toBeCloseTo(3 / r, 6);
    expect(out[1]).toBeCloseTo((4 * 2) / r, 6);
  });
});

describe('custom-gradient Linear', () => {
  it('has the same gradients as tfjs matMul', () => {
    const rng = new Rng(1);
    const x = tf.tensor2d(
      Array.from({ length: 12 }, () => rng.normal()),
      [4, 3],
    );
    const w = tf.tensor2d(
      Array.from({ length: 6 }, () => rng.normal()),
      [2, 3],
    );
    const b = tf.tensor1d([0.5, -1]);
    const f1 = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.square(linear(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D)));
    const f2 = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.square(tf.add(tf.matMul(xx, ww, false, true), bb)));
    const g1 = tf.grads(f1)([x, w, b]);
    const g2 = tf.grads(f2)([x, w, b]);
    for (let i = 0; i < 3; i++) {
      expect(tf.max(tf.abs(tf.sub(g1[i]!, g2[i]!))).dataSync()[0]).toBeLessThan(1e-4);
    }
    tf.dispose([x, w, b, ...g1, ...g2]);
  });
});

describe('causal masking', () => {
  it('a change to a later token never changes an earlier output', () => {
    const params = new Params(new Rng(0));
    const model = new Transformer(
      { ...TRANSFORMER_DEFAULTS, nLayer: 2, nEmbd: 16, nHead: 2, nInner: 32 },
      params,
    );
    const rng = new Rng(5);
    const T = 7;
    const C = 16;
    const data = Float32Array.from({ length: T * C }, () => rng.normal());
    const before = tf.tidy(() => model.forward(tf.tensor3d(data, [1, T, C]), null).dataSync());
    for (const j of [0, 3, 6]) {
      const changed = data.slice();
      for (let c = 0; c < C; c++) changed[j * C + c]! += 1;
      const after = tf.tidy(() => model.forward(tf.tensor3d(changed, [1, T, C]), null).dataSync());
      for (let t = 0; t < T; t++) {
        const same = Array.from({ length: C }, (_, c) => after[t * C + c] === before[t * C + c]).every(
          Boolean,
        );
        expect(same).toBe(t < j); // earlier positions bit-identical, the changed one and later ones differ
      }
    }
    model.dispose();
    params.dispose();
  });

  it('AD: changing the newest context token leaves the policy at earlier prefixes alone', () => {
    const model = new ADModel(smallConfig({ dynamics: true }));
    const source = noisyOracleHistories({
      family,
      tasks: family.tasks().slice(0, 2),
      streams: 1,
      episodes: 3,
      seed: 0,
    });
    const w = source.read(0, 0, 0, 8);
    const batch = { size: 1, ...w };
    const input = model.windowInput(batch);
    const h1 = tf.tidy(() => model.hidden(input, null).dataSync());
    const ctx = input.context.slice();
    ctx[(input.contextLength - 1) * model.encoding.contextSize] += 3; // newest context token's x coordinate
    const h2 = tf.tidy(() => model.hidden({ ...input, context: ctx }, null).dataSync());
    const d = model.config.nEmbd;
    const L = input.contextLength;
    for (let t = 0; t < L + 2; t++) {
      const same = Array.from({ length: d }, (_, c) => h1[t * d + c] === h2[t * d + c]).every(Boolean);
      expect(same).toBe(t < L - 1);
    }
    model.dispose();
  });
});

describe('models on the wasm backend', () => {
  it('every parameter of AD and DICP-AD, embeddings included, gets a non-zero gradient on wasm', () => {
    expect(tf.getBackend()).toBe('wasm');
    const source = noisyOracleHistories({
      family,
      tasks: family.tasks().slice(0, 4),
      streams: 2,
      episodes: 4,
      seed: 0,
    });
    for (const kind of ['ad', 'dpt'] as const) {
      for (const dynamics of [false, true]) {
        const model = new ADModel(smallConfig({ kind, dynamics }));
        const windows = [0, 1, 2, 3].map((t) => source.read(t, 1, 3, 8));
        const cat = <T extends Int32Array | Float32Array | Uint8Array>(xs: T[]): T => {
          const out = new (xs[0]!.constructor as new (n: number) => T)(xs.reduce((a, x) => a + x.length, 0));
          let o = 0;
          for (const x of xs) {
            out.set(x as never, o);
            o += x.length;
          }
          return out;
        };
        const batch = {
          size: 4,
          length: 8,
          states: cat(windows.map((w) => w.states as Int32Array)),
          actions: cat(windows.map((w) => w.actions as Int32Array)),
          rewards: cat(windows.map((w) => w.rewards)),
          nextStates: cat(windows.map((w) => w.nextStates as Int32Array)),
          dones: cat(windows.map((w) => w.dones)),
          optimalActions: cat(windows.map((w) => w.optimalActions!)),
        };
        const warm = model.predict(model.windowInput(batch)); // builds the length's RoPE/mask tables (cached)
        tf.dispose(Object.values(warm));
        const before = tf.memory().numTensors;
        const { value, grads } = tf.variableGrads(
          () => model.loss(batch, new Rng(1)).total,
          [...model.params.vars.values()],
        );
        expect(Number.isFinite(value.dataSync()[0])).toBe(true);
        for (const [name, v] of model.params.vars) {
          const g = grads[v.name];
          expect(g, `${kind} dynamics=${dynamics}: gradient of ${name}`).toBeDefined();
          expect(
            tf.tidy(() => tf.sum(tf.abs(g!)).dataSync()[0]),
            `${kind}: |grad| of ${name}`,
          ).toBeGreaterThan(0);
        }
        if (dynamics) expect(model.params.vars.has('embed_query_action.weight')).toBe(true);
        if (kind === 'ad') expect(model.params.vars.has('embed_query_state.weight')).toBe(true);
        tf.dispose([value, ...Object.values(grads)]);
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      }
    }
  });

  it('forward and dispose leave no tensors behind', () => {
    const before = tf.memory().numTensors;
    const model = new ADModel(smallConfig({ dynamics: true }));
    const source = noisyOracleHistories({
      family,
      tasks: family.tasks().slice(0, 1),
      streams: 1,
      episodes: 3,
      seed: 0,
    });
    const input = model.windowInput({ size: 1, ...source.read(0, 0, 0, 8) });
    const warm = model.predict(input); // builds the RoPE/mask tables for this length (model state, cached)
    tf.dispose([warm.action, warm.reward!, warm.nextState!]);
    const during = tf.memory().numTensors;
    const out = model.predict(input);
    tf.dispose([out.action, out.reward!, out.nextState!]);
    expect(tf.memory().numTensors).toBe(during);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('parameter names and shapes follow the PyTorch reference (Linear weight [out, in])', () => {
    const model = new ADModel(smallConfig({ dynamics: true }));
    const shapes = Object.fromEntries([...model.params.vars].map(([k, v]) => [k, v.shape]));
    expect(shapes['transformer.h.0.attn.attn.weight']).toEqual([48, 16]);
    expect(shapes['transformer.h.0.attn.attn.bias']).toEqual([48]);
    expect(shapes['transformer.h.1.mlp.swiglu.w3.weight']).toEqual([16, 32]);
    expect(shapes['transformer.h.1.mlp.swiglu.w1.bias']).toBeUndefined();
    expect(shapes['embed_context.weight']).toEqual([16, 2 + 5 + 1 + 2]);
    expect(shapes['embed_query_state.weight']).toEqual([25, 16]);
    expect(shapes['embed_query_action.weight']).toEqual([5, 16]);
    expect(shapes['pred_action.weight']).toEqual([5, 16]);
    expect(shapes['pred_reward.weight']).toEqual([2, 16]);
    expect(shapes['pred_next_state.weight']).toEqual([25, 16]);
    // No final norm: the only norms are the two per block.
    expect(Object.keys(shapes).filter((k) => k.includes('norm'))).toHaveLength(4);
    model.dispose();
  });
});
