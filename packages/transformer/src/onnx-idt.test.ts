import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type InContextAgent,
  InvalidArgumentError,
  InvalidFileError,
  Rng,
  rollout,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import { createDarkroom } from '@icrl/envs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ADModel } from './ad';
import { initBackend } from './backend';
import { resolveModelConfig } from './config';
import { IDTModel } from './idt';
import { IDTAgent } from './idt-agent';
import { exportIdtOnnx, exportOnnx } from './onnx-export';
import { SessionClosedError } from './onnx-session';
import { OrtIdtAgent, OrtIdtModel } from './ort-idt';

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

const family = createDarkroom({ size: 5, horizon: 6 }, { id: 'darkroom-test' });
const S = 25;
const A = 5;

function idtConfig(overrides: Record<string, unknown> = {}) {
  return resolveModelConfig({
    envId: family.id,
    observationSpace: family.observationSpace,
    actionSpace: family.actionSpace,
    kind: 'idt',
    nLayer: 2,
    nEmbd: 16,
    nHead: 2,
    nInner: 32,
    nTransit: 20,
    lowPerHigh: 5,
    dimZ: 4,
    ...overrides,
  });
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const ints = (n: number, k: number, rng: Rng) =>
  Int32Array.from({ length: n }, () => Math.floor(rng.float() * k));
const floats = (n: number, rng: Rng, lo = -1, hi = 1) =>
  Float32Array.from({ length: n }, () => rng.uniform(lo, hi));

const opened: OrtIdtModel[] = [];
afterAll(async () => {
  for (const m of opened) await m.dispose();
});

describe('IDT export: each module on onnxruntime-node matches tfjs', () => {
  for (const dynamics of [false, true]) {
    it(`${dynamics ? 'DICP-IDT' : 'IDT'}: reviewing, making (every K) and decisions (every step count) within 1e-4`, async () => {
      const before = tf.memory().numTensors;
      const model = new IDTModel(idtConfig({ dynamics }));
      const ort = await OrtIdtModel.fromModel(model);
      opened.push(ort);
      const { lowPerHigh: c, dimZ: dz, rewardClasses: R } = model.config;
      const rng = new Rng(5);
      const worst = { reviewing: 0, making: 0, decisions: 0 };
      // Reviewing: 3 segments of c steps.
      {
        const n = 3 * c;
        const [s, a, r, s2] = [ints(n, S, rng), ints(n, A, rng), ints(n, R, rng), ints(n, S, rng)];
        const ref = tf.tidy(() => model.review(s, a, r, s2, null).dataSync());
        worst.reviewing = maxDiff(await ort.review(c, s, a, r, s2), ref);
      }
      // Making: batch 2, every number of high-level tokens up to nTransit / c.
      for (let K = 1; K <= model.config.nTransit / c; K++) {
        const returns = floats(2 * K, rng, 0, 10);
        const starts = ints(2 * K, S, rng);
        const reviewed = floats(2 * K * 2 * dz, rng);
        const ref = tf.tidy(() =>
          model.decide(returns, starts, tf.tensor3d(reviewed, [2, K, 2 * dz]), null).dataSync(),
        );
        worst.making = Math.max(worst.making, maxDiff(await ort.decide(K, returns, starts, reviewed), ref));
      }
      // Decisions-to-Go: 2 segments, every step count up to c.
      const zFull = floats(2 * c * dz, rng);
      for (let steps = 1; steps <= c; steps++) {
        const [s, a, r] = [ints(2 * steps, S, rng), ints(2 * steps, A, rng), ints(2 * steps, R, rng)];
        const ref = tf.tidy(() => {
          const h = model.decisionsStream(tf.tensor3d(zFull, [2, c, dz]), steps, s, a, r, null);
          const out = model.decisionHeads(h);
          return [out.action, out.reward, out.nextState].map((t) => t?.dataSync());
        });
        const z = new Float32Array(2 * steps * dz);
        for (let i = 0; i < 2; i++) z.set(zFull.subarray(i * c * dz, (i * c + steps) * dz), i * steps * dz);
        const got = await ort.decisions(steps, z, s, a, r);
        worst.decisions = Math.max(worst.decisions, maxDiff(got.action, ref[0]!));
        if (dynamics) {
          worst.decisions = Math.max(
            worst.decisions,
            maxDiff(got.reward!, ref[1]!),
            maxDiff(got.nextState!, ref[2]!),
          );
        } else {
          expect(got.reward).toBeUndefined();
        }
      }
      console.log(`parity ${dynamics ? 'dicp-idt' : 'idt'}: ${JSON.stringify(worst)}`);
      for (const v of Object.values(worst)) expect(v).toBeLessThan(1e-4);
      expect(worst.decisions).toBeGreaterThan(0); // real numbers were compared
      model.dispose(); // (with its RoPE/mask tables cached per length)
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

/** Records every action an agent takes. */
function recording(agent: InContextAgent, log: number[]): InContextAgent {
  return {
    name: agent.name,
    reset: (n, o) => agent.reset(n, o),
    act: async (obs: SpaceArray) => {
      const a = await agent.act(obs);
      log.push(...Array.from(a as ArrayLike<number>));
      return a;
    },
    observe: (t: VecTransition) => agent.observe(t),
  };
}

describe('OrtIdtAgent', () => {
  for (const dynamics of [false, true]) {
    it(`acts exactly like IDTAgent in a Darkroom rollout${dynamics ? ' (DICP-IDT)' : ''}`, async () => {
      const model = new IDTModel(idtConfig({ dynamics, seed: 3 }));
      const ort = await OrtIdtModel.fromModel(model);
      opened.push(ort);
      const tasks = family.tasks().slice(0, 2);
      const initialReturn = tasks.map((t) => family.maxReturn(t));
      const run = async (agent: InContextAgent) => {
        const env = family.make(tasks, { autoReset: 'same-step' });
        const actions: number[] = [];
        const { returns } = await rollout(env, recording(agent, actions), { episodes: 5, seed: 4 });
        return { actions, returns };
      };
      const ref = await run(new IDTAgent(model, { initialReturn, seed: 9 }));
      const got = await run(new OrtIdtAgent(ort, { initialReturn, seed: 9 }));
      // 5 episodes × 6 steps: several segments of 5, the high-level window full (nTransit / c = 4).
      expect(ref.actions.length).toBe(2 * 5 * 6);
      expect(got.actions).toEqual(ref.actions);
      expect(got.returns).toEqual(ref.returns);
      model.dispose();
    });
  }
});

describe('IDT bad input', () => {
  it('exportOnnx points IDT models to exportIdtOnnx', () => {
    const model = new IDTModel(idtConfig());
    expect(() => exportOnnx(model as unknown as ADModel)).toThrow(/exportIdtOnnx/);
    model.dispose();
  });

  it('rejects files of another model (bytes: InvalidArgumentError, paths: InvalidFileError), listing what differs', async () => {
    const model = new IDTModel(idtConfig({ dimZ: 6, dynamics: true }));
    const files = exportIdtOnnx(model);
    const err = await OrtIdtModel.load(files, idtConfig()).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(String(err.message)).toMatch(/reviewing module .*reviewed has 12 columns, expected 8/);
    const dir = mkdtempSync(join(tmpdir(), 'icrl-idt-'));
    const paths = { reviewing: '', making: '', decisions: '' };
    for (const m of ['reviewing', 'making', 'decisions'] as const) {
      paths[m] = join(dir, `${m}.onnx`);
      writeFileSync(paths[m], files[m]);
    }
    // Modules swapped: every name differs.
    const swapped = await OrtIdtModel.load({ ...paths, reviewing: paths.making }, model.config).catch(
      (e) => e,
    );
    expect(swapped).toBeInstanceOf(InvalidFileError);
    expect(String(swapped.message)).toMatch(/missing input states.*unexpected input returns/);
    // A corrupt file.
    writeFileSync(join(dir, 'bad.onnx'), files.decisions.subarray(0, 100));
    const bad = await OrtIdtModel.load({ ...paths, decisions: join(dir, 'bad.onnx') }, model.config).catch(
      (e) => e,
    );
    expect(bad).toBeInstanceOf(InvalidFileError);
    // Without dynamics heads where the config wants them.
    const plain = exportIdtOnnx(new IDTModel(idtConfig({ dimZ: 6 })));
    const noHeads = await OrtIdtModel.load(plain, model.config).catch((e) => e);
    expect(String(noHeads.message)).toMatch(/missing output reward; missing output next_state/);
    model.dispose();
  });

  it('rejects too many segments or steps, indices out of range, and use after dispose', async () => {
    const model = new IDTModel(idtConfig());
    const ort = await OrtIdtModel.fromModel(model);
    const dz = model.config.dimZ;
    await expect(
      ort.decide(5, new Float32Array(5), new Int32Array(5), new Float32Array(5 * 2 * dz)),
    ).rejects.toThrow(/at most 4 \(nTransit \/ lowPerHigh\)/);
    const six = new Int32Array(6);
    await expect(ort.decisions(6, new Float32Array(6 * dz), six, six, six)).rejects.toThrow(/at most 5/);
    await expect(ort.review(6, six, six, six, six)).rejects.toThrow(InvalidArgumentError);
    const five = new Int32Array(5);
    await expect(
      ort.decisions(5, new Float32Array(5 * dz), five, five, Int32Array.of(0, 0, 2, 0, 0)),
    ).rejects.toThrow(/rewards.*indices in \[0, 1\]/);
    await expect(
      ort.decisions(5, new Float32Array(5 * dz), Int32Array.of(0, 25, 0, 0, 0), five, five),
    ).rejects.toThrow(/states.*indices in \[0, 24\]/);
    await expect(ort.decisions(5, new Float32Array(4 * dz), five, five, five)).rejects.toThrow(
      /z.*dims matching/,
    );
    await ort.dispose();
    await expect(ort.decisions(5, new Float32Array(5 * dz), five, five, five)).rejects.toThrow(
      SessionClosedError,
    );
    model.dispose();
  });
});

const hasPythonOnnx =
  spawnSync('/usr/bin/python3', ['-c', 'import onnx, numpy'], { stdio: 'ignore' }).status === 0;

describe('IDT interop with Python onnx (Debian python3-onnx)', () => {
  it('each module file passes onnx.checker (full_check) and a numpy evaluation matches onnxruntime-node', async () => {
    if (!hasPythonOnnx) {
      throw new Error('these interop tests need Python onnx and numpy: apt-get install python3-onnx');
    }
    const model = new IDTModel(idtConfig({ dynamics: true }));
    const files = exportIdtOnnx(model);
    const ort = await OrtIdtModel.load(files, model.config);
    opened.push(ort);
    const { lowPerHigh: c, dimZ: dz, rewardClasses: R } = model.config;
    const rng = new Rng(8);
    const dir = mkdtempSync(join(tmpdir(), 'icrl-idt-'));
    const python = (module: 'reviewing' | 'making' | 'decisions', feeds: Record<string, unknown>) => {
      const file = join(dir, `${module}.onnx`);
      writeFileSync(file, files[module]);
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
      expect(out.opset).toBe(17);
      return out.outputs as Record<string, { dims: number[]; data: number[] }>;
    };
    const i64 = (x: Int32Array, dims: number[]) => ({ dims, data: Array.from(x), type: 'int64' });
    const f32 = (x: Float32Array, dims: number[]) => ({ dims, data: Array.from(x), type: 'float32' });
    let worst = 0;
    const [s, a, r, s2] = [
      ints(2 * c, S, rng),
      ints(2 * c, A, rng),
      ints(2 * c, R, rng),
      ints(2 * c, S, rng),
    ];
    const rev = python('reviewing', {
      states: i64(s, [2, c]),
      actions: i64(a, [2, c]),
      rewards: i64(r, [2, c]),
      next_states: i64(s2, [2, c]),
    });
    worst = Math.max(worst, maxDiff(rev.reviewed!.data, await ort.review(c, s, a, r, s2)));
    const returns = floats(6, rng, 0, 10);
    const starts = ints(6, S, rng);
    const reviewed = floats(6 * 2 * dz, rng);
    const dec = python('making', {
      returns: f32(returns, [2, 3]),
      start_states: i64(starts, [2, 3]),
      reviewed: f32(reviewed, [2, 3, 2 * dz]),
    });
    expect(dec.decision!.dims).toEqual([2, 3, 2 * dz]);
    worst = Math.max(worst, maxDiff(dec.decision!.data, await ort.decide(3, returns, starts, reviewed)));
    const z = floats(2 * 3 * dz, rng);
    const [ds, da, dr] = [ints(6, S, rng), ints(6, A, rng), ints(6, R, rng)];
    const go = python('decisions', {
      z: f32(z, [2, 3, dz]),
      states: i64(ds, [2, 3]),
      actions: i64(da, [2, 3]),
      rewards: i64(dr, [2, 3]),
    });
    const got = await ort.decisions(3, z, ds, da, dr);
    worst = Math.max(
      worst,
      maxDiff(go.action!.data, got.action),
      maxDiff(go.reward!.data, got.reward!),
      maxDiff(go.next_state!.data, got.nextState!),
    );
    expect(worst).toBeLessThan(1e-4);
    console.log(
      `python onnx.checker ok (3 IDT modules); numpy vs onnxruntime-node: ${worst.toExponential(2)}`,
    );
    model.dispose();
  });
});
