import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, InvalidFileError, Rng } from '@icrl/core';
import { createDarkroom } from '@icrl/envs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADModel } from './ad';
import { TransformerAgent } from './agent';
import { initBackend } from './backend';
import { resolveModelConfig } from './config';
import { exportOnnx } from './onnx-export';
import { OnnxSession, SessionClosedError } from './onnx-session';
import { OrtAgent, OrtModel } from './ort-agent';
import { packWindow } from './rolling-context';

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

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Random context tokens and queries for `B` sequences of `L` tokens. */
function randomInput(model: ADModel, B: number, L: number, rng: Rng) {
  const F = model.encoding.contextSize;
  const context = new Float32Array(B * L * F).map(() => rng.uniform(-1, 1));
  const states = new Int32Array(B * 2);
  const qsIdx = new BigInt64Array(B);
  const qa = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    states[2 * b] = Math.floor(rng.float() * 5);
    states[2 * b + 1] = Math.floor(rng.float() * 5);
    qsIdx[b] = BigInt(model.encoding.stateIndex(states, 2 * b));
    qa[b] = Math.floor(rng.float() * 4);
  }
  return { context, states, qsIdx, qa, qaIdx: BigInt64Array.from(Array.from(qa, BigInt)) };
}

const opened: OrtModel[] = [];

/** Feeds of an empty shared prefix (one group, no tokens) for a 2-head, head-size-8 model of `nLayer` layers. */
function noPrefix(nLayer: number): Record<string, { data: Float32Array; dims: number[] }> {
  return Object.fromEntries(
    Array.from({ length: nLayer }, (_, l) => [
      [`prefix_key_${l}`, { data: new Float32Array(0), dims: [1, 2, 0, 8] }],
      [`prefix_value_${l}`, { data: new Float32Array(0), dims: [1, 2, 0, 8] }],
    ]).flat(),
  );
}
afterAll(async () => {
  for (const m of opened) await m.dispose();
});

describe('exportOnnx + onnxruntime-node: parity with tfjs', () => {
  for (const dynamics of [false, true]) {
    it(`${dynamics ? 'DICP-AD' : 'AD'}: every window length and two batch sizes within 1e-4`, async () => {
      const model = new ADModel(smallConfig({ dynamics }));
      const ort = await OrtModel.fromModel(model);
      opened.push(ort);
      const rng = new Rng(3);
      let worst = 0;
      for (const B of [1, 3]) {
        for (let L = 0; L <= 7; L++) {
          const x = randomInput(model, B, L, rng);
          const ref = model.predict({
            size: B,
            contextLength: L,
            context: x.context,
            queryStates: x.states,
            ...(dynamics ? { queryActions: x.qa } : {}),
          });
          const got = await ort.predict({
            size: B,
            contextLength: L,
            context: x.context,
            queryStates: x.qsIdx,
            ...(dynamics ? { queryActions: x.qaIdx } : {}),
          });
          worst = Math.max(worst, maxDiff(got.action, ref.action.dataSync()));
          if (dynamics) {
            worst = Math.max(worst, maxDiff(got.reward!, ref.reward!.dataSync()));
            worst = Math.max(worst, maxDiff(got.nextState!, ref.nextState!.dataSync()));
          }
          tf.dispose([ref.action, ref.reward, ref.nextState].filter((t) => t !== undefined) as tf.Tensor[]);
        }
      }
      expect(worst).toBeLessThan(1e-4);
      console.log(`parity ${dynamics ? 'dicp-ad' : 'ad'}: max |ort − tfjs| = ${worst.toExponential(2)}`);
      model.dispose();
    });
  }
});

describe('long windows (up to 99 context tokens)', () => {
  it('match tfjs on full re-encodes, and a cache filled by one long call then stepped', async () => {
    const model = new ADModel(smallConfig({ dynamics: true, nTransit: 100 }));
    const ort = await OrtModel.fromModel(model);
    opened.push(ort);
    const rng = new Rng(12);
    let worst = 0;
    for (const [B, L] of [
      [1, 62],
      [2, 63],
      [1, 64],
      [2, 65],
      [1, 80],
      [3, 99],
    ] as const) {
      const x = randomInput(model, B, L, rng);
      const ref = model.predict({
        size: B,
        contextLength: L,
        context: x.context,
        queryStates: x.states,
        queryActions: x.qa,
      });
      const got = await ort.predict({
        size: B,
        contextLength: L,
        context: x.context,
        queryStates: x.qsIdx,
        queryActions: x.qaIdx,
      });
      worst = Math.max(
        worst,
        maxDiff(got.action, ref.action.dataSync()),
        maxDiff(got.reward!, ref.reward!.dataSync()),
        maxDiff(got.nextState!, ref.nextState!.dataSync()),
      );
      tf.dispose([ref.action, ref.reward!, ref.nextState!]);
    }
    // A cache filled by one long call, then one-token steps: equal to full re-encodes.
    const x = randomInput(model, 1, 99, rng);
    const cache = ort.cache(1);
    await cache.step(x.context.subarray(0, 90 * 10), 90, { queryStates: x.qsIdx });
    for (let L = 91; L <= 99; L++) {
      const step = await cache.step(x.context.subarray((L - 1) * 10, L * 10), 1, { queryStates: x.qsIdx });
      const full = await ort.predict({ size: 1, contextLength: L, context: x.context, queryStates: x.qsIdx });
      worst = Math.max(worst, maxDiff(step.action, full.action));
    }
    expect(worst).toBeLessThan(1e-4);
    console.log(`parity long windows: ${worst.toExponential(2)}`);
    model.dispose();
  });
});

describe('DPT (full re-encode only)', () => {
  for (const dynamics of [false, true]) {
    it(`${dynamics ? 'DICP-DPT' : 'DPT'}: every window length within 1e-4; no cache`, async () => {
      const model = new ADModel(smallConfig({ kind: 'dpt', dynamics }));
      const ort = await OrtModel.fromModel(model);
      opened.push(ort);
      expect(ort.session.inputNames.some((n) => n.startsWith('past_'))).toBe(false);
      expect(() => ort.cache(1)).toThrow(/DPT/);
      expect(() => new OrtAgent(ort, { kvCache: true })).toThrow(/DPT/);
      const rng = new Rng(13);
      let worst = 0;
      for (const B of [1, 3]) {
        for (let L = 0; L <= 7; L++) {
          const x = randomInput(model, B, L, rng);
          const q = dynamics ? { queryActions: x.qa } : {};
          const ref = model.predict({
            size: B,
            contextLength: L,
            context: x.context,
            queryStates: x.states,
            ...q,
          });
          const got = await ort.predict({
            size: B,
            contextLength: L,
            context: x.context,
            queryStates: Float32Array.from(x.states),
            ...(dynamics ? { queryActions: x.qaIdx } : {}),
          });
          worst = Math.max(worst, maxDiff(got.action, ref.action.dataSync()));
          if (dynamics) {
            worst = Math.max(worst, maxDiff(got.reward!, ref.reward!.dataSync()));
            worst = Math.max(worst, maxDiff(got.nextState!, ref.nextState!.dataSync()));
          }
          tf.dispose([ref.action, ref.reward, ref.nextState].filter((t) => t !== undefined) as tf.Tensor[]);
        }
      }
      expect(worst).toBeLessThan(1e-4);
      console.log(`parity ${dynamics ? 'dicp-dpt' : 'dpt'}: max |ort − tfjs| = ${worst.toExponential(2)}`);
      // The agent re-encodes and acts like TransformerAgent.
      const tfAgent = new TransformerAgent(model, { seed: 1 });
      const agent = new OrtAgent(ort, { seed: 1 });
      tfAgent.reset(2);
      agent.reset(2);
      for (let step = 0; step < 10; step++) {
        const obs = new Int32Array(4).map(() => Math.floor(rng.float() * 5));
        const ref = tfAgent.act(obs);
        expect(Array.from((await agent.act(obs)) as Int32Array)).toEqual(Array.from(ref as Int32Array));
        const t = {
          obs,
          actions: ref,
          rewards: new Float32Array(2),
          nextObs: new Int32Array(4).map(() => Math.floor(rng.float() * 5)),
          terminated: new Uint8Array(2),
          truncated: new Uint8Array(2),
        };
        tfAgent.observe(t as never);
        agent.observe(t as never);
      }
      model.dispose();
    });
  }
});

describe('continuous AD (Meta-World layout)', () => {
  const cont = (dynamics: boolean) =>
    resolveModelConfig({
      envId: 'point-reach',
      observationSpace: { kind: 'box', shape: [3], low: -1, high: 1, dtype: 'float32' },
      actionSpace: { kind: 'box', shape: [2], low: -1, high: 1, dtype: 'float32' },
      dynamics,
      nLayer: 2,
      nEmbd: 16,
      nHead: 2,
      nInner: 32,
      nTransit: 6,
    });

  for (const dynamics of [false, true]) {
    it(`${dynamics ? 'DICP-AD' : 'AD'}: ORT (full and cached) matches tfjs within 1e-4`, async () => {
      const model = new ADModel(cont(dynamics));
      const ort = await OrtModel.fromModel(model);
      opened.push(ort);
      const rng = new Rng(8);
      const B = 2;
      const F = model.encoding.contextSize;
      const cache = ort.cache(B);
      const window: Float32Array[] = [];
      let worst = 0;
      for (let step = 0; step < 9; step++) {
        const tok = new Float32Array(B * F).map(() => rng.uniform(-1, 1));
        const qs = new Float32Array(B * 3).map(() => rng.uniform(-1, 1));
        const qa = new Float32Array(B * 2).map(() => rng.uniform(-1, 1));
        const q = dynamics ? { queryStates: qs, queryActions: qa } : { queryStates: qs };
        const cached = await cache.step(tok, 1, q);
        window.push(tok);
        if (window.length > 5) window.shift();
        const L = window.length;
        const context = new Float32Array(B * L * F);
        for (let t = 0; t < L; t++)
          for (let b = 0; b < B; b++) context.set(window[t]!.subarray(b * F, (b + 1) * F), (b * L + t) * F);
        const full = await ort.predict({ size: B, contextLength: L, context, ...q });
        const ref = model.predict({ size: B, contextLength: L, context, ...q });
        worst = Math.max(
          worst,
          maxDiff(full.action, ref.action.dataSync()),
          maxDiff(cached.action, ref.action.dataSync()),
        );
        if (dynamics) {
          expect(full.nextState).toBeUndefined();
          worst = Math.max(worst, maxDiff(cached.reward!, ref.reward!.dataSync()));
        }
        tf.dispose([ref.action, ref.reward].filter((t) => t !== undefined) as tf.Tensor[]);
      }
      expect(worst).toBeLessThan(1e-4);
      console.log(`continuous ${dynamics ? 'dicp-ad' : 'ad'}: max |ort − tfjs| = ${worst.toExponential(2)}`);
      model.dispose();
    });
  }

  it('OrtAgent samples Gaussian actions like TransformerAgent', async () => {
    const model = new ADModel(cont(true));
    const ort = await OrtModel.fromModel(model);
    opened.push(ort);
    const tfAgent = new TransformerAgent(model, { seed: 2 });
    const agent = new OrtAgent(ort, { seed: 2 });
    const n = 2;
    const rng = new Rng(12);
    tfAgent.reset(n);
    agent.reset(n);
    for (let step = 0; step < 10; step++) {
      const obs = new Float32Array(n * 3).map(() => rng.uniform(-1, 1));
      const ref = tfAgent.act(obs) as Float32Array;
      expect(maxDiff((await agent.act(obs)) as Float32Array, ref)).toBeLessThan(1e-4);
      const t = {
        obs,
        actions: ref,
        rewards: new Float32Array(n).map(() => rng.uniform(0, 10)),
        nextObs: new Float32Array(n * 3).map(() => rng.uniform(-1, 1)),
        terminated: new Uint8Array(n),
        truncated: new Uint8Array(n),
      };
      tfAgent.observe(t as never);
      agent.observe(t as never);
    }
    model.dispose();
  });
});

describe('KV cache', () => {
  it('equals a full re-encode at every step of a long rollout, also after the window slides', async () => {
    const model = new ADModel(smallConfig({ dynamics: true }));
    const ort = await OrtModel.fromModel(model);
    opened.push(ort);
    const rng = new Rng(5);
    const B = 2;
    const F = model.encoding.contextSize;
    const cache = ort.cache(B);
    const window: Float32Array[] = []; // [B, F] tokens
    let worst = 0;
    for (let step = 0; step < 30; step++) {
      const x = randomInput(model, B, 0, rng);
      const tok = new Float32Array(B * F).map(() => rng.uniform(-1, 1));
      const cached = await cache.step(tok, 1, { queryStates: x.qsIdx, queryActions: x.qaIdx });
      window.push(tok);
      if (window.length > 7) window.shift();
      const L = window.length;
      const context = new Float32Array(B * L * F);
      for (let t = 0; t < L; t++)
        for (let b = 0; b < B; b++) context.set(window[t]!.subarray(b * F, (b + 1) * F), (b * L + t) * F);
      const full = model.predict({
        size: B,
        contextLength: L,
        context,
        queryStates: x.states,
        queryActions: x.qa,
      });
      worst = Math.max(
        worst,
        maxDiff(cached.action, full.action.dataSync()),
        maxDiff(cached.reward!, full.reward!.dataSync()),
        maxDiff(cached.nextState!, full.nextState!.dataSync()),
      );
      tf.dispose([full.action, full.reward!, full.nextState!]);
      expect(cache.length).toBe(L);
    }
    expect(worst).toBeLessThan(1e-4);
    console.log(
      `kv parity over 30 steps (window 7): max |cache − tfjs re-encode| = ${worst.toExponential(2)}`,
    );
    model.dispose();
  });

  it("slide 'ring': exact for 1 layer and for layer 0, approximate (and measured) above", async () => {
    const rng = new Rng(6);
    const results: string[] = [];
    for (const nLayer of [1, 2]) {
      const model = new ADModel(smallConfig({ dynamics: true, nLayer }));
      const ort = await OrtModel.fromModel(model);
      opened.push(ort);
      const B = 2;
      const F = model.encoding.contextSize;
      const ring = ort.cache(B, 'ring');
      const exact = ort.cache(B);
      let worst = 0;
      let worstLayer0 = 0;
      for (let step = 0; step < 25; step++) {
        const x = randomInput(model, B, 0, rng);
        const tok = new Float32Array(B * F).map(() => rng.uniform(-1, 1));
        const q = { queryStates: x.qsIdx, queryActions: x.qaIdx };
        const a = await ring.step(tok, 1, q);
        const b = await exact.step(tok, 1, q);
        expect(ring.length).toBe(exact.length);
        worst = Math.max(worst, maxDiff(a.action, b.action), maxDiff(a.reward!, b.reward!));
        worstLayer0 = Math.max(
          worstLayer0,
          maxDiff(ring.layer(0).keys, exact.layer(0).keys),
          maxDiff(ring.layer(0).values, exact.layer(0).values),
        );
        if (step < 7) expect(maxDiff(a.action, b.action)).toBeLessThan(1e-5); // window still filling
      }
      expect(worstLayer0).toBeLessThan(1e-4);
      if (nLayer === 1) expect(worst).toBeLessThan(1e-4);
      results.push(
        `${nLayer} layer(s): outputs ${worst.toExponential(2)}, layer-0 K/V ${worstLayer0.toExponential(2)}`,
      );
      model.dispose();
    }
    console.log(`ring vs exact re-encode over 25 steps (window 7): ${results.join('; ')}`);
  });

  it('a fork evolves independently of its parent', async () => {
    const model = new ADModel(smallConfig({ dynamics: true }));
    const ort = await OrtModel.fromModel(model);
    opened.push(ort);
    const rng = new Rng(9);
    const F = model.encoding.contextSize;
    const parent = ort.cache(1);
    const q = { queryStates: BigInt64Array.of(3n), queryActions: BigInt64Array.of(1n) };
    for (let i = 0; i < 4; i++)
      await parent.step(
        new Float32Array(F).map(() => rng.uniform(-1, 1)),
        1,
        q,
      );
    const before = (await parent.step(new Float32Array(0), 0, q)).action.slice();
    const child = parent.fork();
    const a = new Float32Array(F).map(() => rng.uniform(-1, 1));
    const childOut = (await child.step(a, 1, q)).action.slice();
    expect(child.length).toBe(5);
    expect(parent.length).toBe(4);
    // The parent is unchanged by the child's append...
    expect(maxDiff((await parent.step(new Float32Array(0), 0, q)).action, before)).toBe(0);
    // ...and appending the same token to the parent gives the child's result; a different token does not.
    const sibling = parent.fork();
    expect(maxDiff((await sibling.step(a, 1, q)).action, childOut)).toBe(0);
    const other = (
      await parent.step(
        new Float32Array(F).map(() => rng.uniform(-1, 1)),
        1,
        q,
      )
    ).action;
    expect(maxDiff(other, childOut)).toBeGreaterThan(1e-6);
    model.dispose();
  });
});

describe('OrtAgent', () => {
  it('acts exactly like TransformerAgent in a Darkroom rollout (re-encode and KV cache)', async () => {
    const model = new ADModel(smallConfig({ dynamics: true }));
    const ort = await OrtModel.fromModel(model);
    opened.push(ort);
    const tfAgent = new TransformerAgent(model, { seed: 4 });
    const agents = [new OrtAgent(ort, { seed: 4, kvCache: false }), new OrtAgent(ort, { seed: 4 })];
    const n = 3;
    const rng = new Rng(11);
    let obs = new Int32Array(n * 2).map(() => Math.floor(rng.float() * 5));
    // Two runs: the window (7) fills and slides in the first; reset must bring the cache back.
    for (let step = 0; step < 30; step++) {
      if (step === 0 || step === 20) {
        tfAgent.reset(n, { seed: step });
        for (const a of agents) a.reset(n, { seed: step });
      }
      const ref = tfAgent.act(obs);
      for (const a of agents)
        expect(Array.from((await a.act(obs)) as Int32Array)).toEqual(Array.from(ref as Int32Array));
      const nextObs = new Int32Array(n * 2).map(() => Math.floor(rng.float() * 5));
      const t = {
        obs,
        actions: ref,
        rewards: new Float32Array(n).map(() => (rng.float() < 0.3 ? 1 : 0)),
        nextObs,
        terminated: new Uint8Array(n),
        truncated: new Uint8Array(n),
      };
      tfAgent.observe(t as never);
      for (const a of agents) a.observe(t as never);
      obs = nextObs;
    }
    model.dispose();
  });
});

describe('packWindow', () => {
  it('lays out one env as the tokens in order, several env-major', () => {
    const window = [Float32Array.of(1, 2, 3, 4), Float32Array.of(5, 6, 7, 8), Float32Array.of(9, 10, 11, 12)];
    expect(Array.from(packWindow(window, 1, 4))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Array.from(packWindow(window, 2, 2))).toEqual([1, 2, 5, 6, 9, 10, 3, 4, 7, 8, 11, 12]);
  });
});

describe('bad input', () => {
  it('rejects a file of another model, listing what differs', async () => {
    const other = new ADModel(smallConfig({ nLayer: 3, dynamics: false }));
    const bytes = exportOnnx(other);
    const err = await OrtModel.load(bytes, smallConfig({ dynamics: true })).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(String(err.message)).toMatch(/missing input query_action/);
    expect(String(err.message)).toMatch(/unexpected input past_key_2/);
    other.dispose();
  });

  it('rejects a file of the same kind with other sizes (bytes and path), naming the dims', async () => {
    const other = new ADModel(smallConfig({ nHead: 4 }));
    const bytes = exportOnnx(other);
    const err = await OrtModel.load(bytes, smallConfig()).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(String(err.message)).toMatch(
      /past_key_0 axis 1 is 4, expected 2; past_key_0 axis 3 is 4, expected 8/,
    );
    const file = join(mkdtempSync(join(tmpdir(), 'icrl-onnx-')), 'other.onnx');
    writeFileSync(file, bytes);
    const fromPath = await OrtModel.load(file, smallConfig()).catch((e) => e);
    expect(fromPath).toBeInstanceOf(InvalidFileError);
    expect(String(fromPath.message)).toContain(file);
    // Another env: context features differ.
    const wide = resolveModelConfig({
      envId: 'wide',
      observationSpace: { kind: 'box', shape: [3], low: 0, high: 4, dtype: 'int32' },
      actionSpace: family.actionSpace,
      nLayer: 2,
      nEmbd: 16,
      nHead: 2,
      nInner: 32,
      nTransit: 8,
    });
    const widthErr = await OrtModel.load(bytes, wide).catch((e) => e);
    expect(String(widthErr.message)).toMatch(/context axis 2 is 10, expected 12/);
    other.dispose();
  });

  it('rejects garbage bytes, a missing path and a truncated file without crashing', async () => {
    await expect(OnnxSession.create(new Uint8Array([1, 2, 3, 4]))).rejects.toThrow(InvalidArgumentError);
    const missing = await OnnxSession.create('/nonexistent/model.onnx').catch((e) => e);
    expect(missing).toBeInstanceOf(InvalidFileError);
    expect(String(missing.message)).toMatch(/\/nonexistent\/model\.onnx: is not a loadable ONNX model/);
    const model = new ADModel(smallConfig());
    const file = join(mkdtempSync(join(tmpdir(), 'icrl-onnx-')), 'truncated.onnx');
    writeFileSync(file, exportOnnx(model).subarray(0, 2000));
    await expect(OrtModel.load(file, model.config)).rejects.toThrow(InvalidFileError);
    model.dispose();
  });

  it('validateFeeds lists every missing input and rejects wrong shapes and types', async () => {
    const model = new ADModel(smallConfig({ dynamics: true }));
    const ort = await OrtModel.fromModel(model);
    opened.push(ort);
    const s = ort.session;
    expect(() => s.validateFeeds({ context: { data: new Float32Array(0), dims: [1, 0, 10] } })).toThrow(
      /missing: query_state, query_action, past_key_0, past_value_0, past_key_1, past_value_1, prefix_key_0/,
    );
    const F = model.encoding.contextSize;
    const feeds = {
      context: { data: new Float32Array(F + 1), dims: [1, 1, F + 1] },
      query_state: { data: new BigInt64Array(1), dims: [1] },
      query_action: { data: new BigInt64Array(1), dims: [1] },
      past_key_0: { data: new Float32Array(0), dims: [1, 2, 0, 8] },
      past_value_0: { data: new Float32Array(0), dims: [1, 2, 0, 8] },
      past_key_1: { data: new Float32Array(0), dims: [1, 2, 0, 8] },
      past_value_1: { data: new Float32Array(0), dims: [1, 2, 0, 8] },
      ...noPrefix(2),
    };
    expect(() => s.validateFeeds(feeds)).toThrow(/axis 2 must be/);
    expect(() =>
      s.validateFeeds({ ...feeds, context: { data: new Float32Array(2 * F), dims: [2, 1, F] } }),
    ).toThrow(/'batch' = 2/);
    expect(() =>
      s.validateFeeds({
        ...feeds,
        context: { data: new Float32Array(F), dims: [1, 1, F] },
        query_state: { data: new Float32Array(1), dims: [1] },
      }),
    ).toThrow(/int64/);
    expect(() => s.validateFeeds({ ...feeds, extra: { data: new Float32Array(1), dims: [1] } })).toThrow(
      /only model inputs/,
    );
    const ok = { ...feeds, context: { data: new Float32Array(F), dims: [1, 1, F] } };
    await expect(s.run(ok, ['action', 'logits'])).rejects.toThrow(/Invalid outputs: got "logits"/);
    const heads = await s.run(ok, ['action', 'reward']);
    expect(Object.keys(heads).sort()).toEqual(['action', 'reward']); // presents not copied back
    model.dispose();
  });

  it('rejects a window longer than n_transit − 1', async () => {
    const model = new ADModel(smallConfig());
    const ort = await OrtModel.fromModel(model);
    opened.push(ort);
    const F = model.encoding.contextSize;
    await expect(
      ort.predict({
        size: 1,
        contextLength: 8,
        context: new Float32Array(8 * F),
        queryStates: new BigInt64Array(1),
      }),
    ).rejects.toThrow(/at most nTransit − 1 = 7/);
    // The raw session, fed past the RoPE table, fails in JS (onnxruntime's error), not natively.
    const F1 = F;
    const none = (n: number) => ({ data: new Float32Array(n * 2 * 8), dims: [1, 2, n, 8] });
    await expect(
      ort.session.run({
        context: { data: new Float32Array(4 * F1), dims: [1, 4, F1] },
        query_state: { data: new BigInt64Array(1), dims: [1] },
        past_key_0: none(6),
        past_value_0: none(6),
        past_key_1: none(6),
        past_value_1: none(6),
      }),
    ).rejects.toThrow();
    model.dispose();
  });

  it('a cache used after its session closed throws SessionClosedError', async () => {
    const model = new ADModel(smallConfig());
    const ort = await OrtModel.fromModel(model);
    const cache = ort.cache(1);
    await ort.dispose();
    await expect(cache.step(new Float32Array(0), 0, { queryStates: new BigInt64Array(1) })).rejects.toThrow(
      SessionClosedError,
    );
    expect(() => cache.fork()).toThrow(/session is open/);
    await expect(
      ort.predict({
        size: 1,
        contextLength: 0,
        context: new Float32Array(0),
        queryStates: new BigInt64Array(1),
      }),
    ).rejects.toThrow(SessionClosedError);
    model.dispose();
  });
});

const hasPythonOnnx =
  spawnSync('/usr/bin/python3', ['-c', 'import onnx, numpy'], { stdio: 'ignore' }).status === 0;

/** Fails (never skips) without the real client: the interop claim must be checked wherever the tests run. */
function requirePythonOnnx(): void {
  if (!hasPythonOnnx) {
    throw new Error(
      'these interop tests need Python onnx and numpy: apt-get install python3-onnx (.ci/run does it)',
    );
  }
}

describe('interop with Python onnx (Debian python3-onnx)', () => {
  it('the file passes onnx.checker (full_check) and a numpy evaluation of it matches onnxruntime-node', async () => {
    requirePythonOnnx();
    const model = new ADModel(smallConfig({ dynamics: true }));
    const bytes = exportOnnx(model);
    const file = join(mkdtempSync(join(tmpdir(), 'icrl-onnx-')), 'model.onnx');
    writeFileSync(file, bytes);
    const ort = await OrtModel.load(file, model.config);
    opened.push(ort);
    const rng = new Rng(21);
    const B = 2;
    const F = model.encoding.contextSize;
    const cache = ort.cache(B);
    // A cached prefix of 3 tokens, then a step with 2 new tokens: exercises past and new inputs.
    const x0 = randomInput(model, B, 3, rng);
    await cache.step(x0.context, 3, { queryStates: x0.qsIdx, queryActions: x0.qaIdx });
    const fork = cache.fork();
    const x = randomInput(model, B, 2, rng);
    const got = await cache.step(x.context, 2, { queryStates: x.qsIdx, queryActions: x.qaIdx });
    // Rebuild the same feeds for Python from a fresh re-encode of the 3-token prefix.
    const pre = await ort.session.run({
      context: { data: x0.context, dims: [B, 3, F] },
      query_state: { data: x0.qsIdx, dims: [B] },
      query_action: { data: x0.qaIdx, dims: [B] },
      ...Object.fromEntries(
        [0, 1].flatMap((l) => [
          [`past_key_${l}`, { data: new Float32Array(0), dims: [B, 2, 0, 8] }],
          [`past_value_${l}`, { data: new Float32Array(0), dims: [B, 2, 0, 8] }],
        ]),
      ),
      ...noPrefix(2),
    });
    const feeds: Record<string, { dims: number[]; data: number[]; type: string }> = {
      context: { dims: [B, 2, F], data: Array.from(x.context), type: 'float32' },
      query_state: { dims: [B], data: Array.from(x.qsIdx, Number), type: 'int64' },
      query_action: { dims: [B], data: Array.from(x.qaIdx, Number), type: 'int64' },
    };
    const asPrefix = { ...feeds };
    for (const l of [0, 1]) {
      for (const kind of ['key', 'value']) {
        const t = pre[`present_${kind}_${l}`]!;
        const empty = { dims: [1, 2, 0, 8], data: [], type: 'float32' };
        feeds[`past_${kind}_${l}`] = { dims: t.dims, data: Array.from(t.data), type: 'float32' };
        feeds[`prefix_${kind}_${l}`] = empty;
        // The same 3 tokens as a shared prefix (one group per row) instead of past: the same heads.
        asPrefix[`prefix_${kind}_${l}`] = { dims: t.dims, data: Array.from(t.data), type: 'float32' };
        asPrefix[`past_${kind}_${l}`] = { ...empty, dims: [B, 2, 0, 8] };
      }
    }
    const python = (f: typeof feeds) =>
      JSON.parse(
        execFileSync(
          '/usr/bin/python3',
          [fileURLToPath(new URL('../test/onnx-interop.py', import.meta.url)), file],
          { input: JSON.stringify(f), maxBuffer: 1 << 26 },
        ).toString(),
      );
    const out = python(feeds);
    const viaPrefix = python(asPrefix);
    expect(viaPrefix.outputs.present_key_1.dims).toEqual([B, 2, 2, 8]);
    expect(maxDiff(viaPrefix.outputs.action.data, got.action)).toBeLessThan(1e-4);
    expect(maxDiff(viaPrefix.outputs.reward.data, got.reward!)).toBeLessThan(1e-4);
    expect(out.opset).toBe(17);
    const worst = Math.max(
      maxDiff(out.outputs.action.data, got.action),
      maxDiff(out.outputs.reward.data, got.reward!),
      maxDiff(out.outputs.next_state.data, got.nextState!),
    );
    expect(out.outputs.present_key_1.dims).toEqual([B, 2, 5, 8]);
    expect(worst).toBeLessThan(1e-4);
    console.log(`python onnx.checker ok; numpy evaluation vs onnxruntime-node: ${worst.toExponential(2)}`);
    expect(fork.length).toBe(3);
    model.dispose();
  });
  it('numpy evaluates a long (80-token) re-encode like onnxruntime-node', async () => {
    requirePythonOnnx();
    const model = new ADModel(smallConfig({ dynamics: true, nTransit: 100 }));
    const file = join(mkdtempSync(join(tmpdir(), 'icrl-onnx-')), 'long.onnx');
    writeFileSync(file, exportOnnx(model));
    const ort = await OrtModel.load(file, model.config);
    opened.push(ort);
    const F = model.encoding.contextSize;
    const x = randomInput(model, 1, 80, new Rng(30));
    const got = await ort.predict({
      size: 1,
      contextLength: 80,
      context: x.context,
      queryStates: x.qsIdx,
      queryActions: x.qaIdx,
    });
    const feeds: Record<string, { dims: number[]; data: number[]; type: string }> = {
      context: { dims: [1, 80, F], data: Array.from(x.context), type: 'float32' },
      query_state: { dims: [1], data: Array.from(x.qsIdx, Number), type: 'int64' },
      query_action: { dims: [1], data: Array.from(x.qaIdx, Number), type: 'int64' },
    };
    for (const l of [0, 1]) {
      for (const kind of ['key', 'value']) {
        feeds[`past_${kind}_${l}`] = { dims: [1, 2, 0, 8], data: [], type: 'float32' };
        feeds[`prefix_${kind}_${l}`] = { dims: [1, 2, 0, 8], data: [], type: 'float32' };
      }
    }
    const out = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [fileURLToPath(new URL('../test/onnx-interop.py', import.meta.url)), file],
        {
          input: JSON.stringify(feeds),
          maxBuffer: 1 << 26,
        },
      ).toString(),
    );
    expect(out.outputs.present_key_1.dims).toEqual([1, 2, 80, 8]);
    const worst = Math.max(
      maxDiff(out.outputs.action.data, got.action),
      maxDiff(out.outputs.reward.data, got.reward!),
      maxDiff(out.outputs.next_state.data, got.nextState!),
    );
    expect(worst).toBeLessThan(1e-4);
    model.dispose();
  });
  it('DPT and continuous exports pass onnx.checker (full_check) too', () => {
    requirePythonOnnx();
    const dir = mkdtempSync(join(tmpdir(), 'icrl-onnx-'));
    const configs = [
      smallConfig({ kind: 'dpt', dynamics: true }),
      resolveModelConfig({
        envId: 'point-reach',
        observationSpace: { kind: 'box', shape: [3], low: -1, high: 1, dtype: 'float32' },
        actionSpace: { kind: 'box', shape: [2], low: -1, high: 1, dtype: 'float32' },
        dynamics: true,
        nLayer: 1,
        nEmbd: 16,
        nHead: 2,
        nInner: 32,
        nTransit: 6,
      }),
    ];
    const files = configs.map((c, i) => {
      const model = new ADModel(c);
      const file = join(dir, `m${i}.onnx`);
      writeFileSync(file, exportOnnx(model));
      model.dispose();
      return file;
    });
    const script =
      'import onnx, sys\nfor f in sys.argv[1:]: onnx.checker.check_model(onnx.load(f), full_check=True)';
    execFileSync('/usr/bin/python3', ['-c', script, ...files]);
  });
});
