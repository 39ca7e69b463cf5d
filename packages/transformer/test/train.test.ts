import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError, InvalidFileError } from '@icrl/core';
import { createDarkroom } from '@icrl/envs';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdamW,
  clipByGlobalNorm,
  cosineLearningRate,
  decodeSafetensors,
  encodeSafetensors,
  initBackend,
  loadModel,
  modelTensors,
  readCheckpointConfig,
  readSafetensors,
  TrainingDivergedError,
  train,
} from '../src/index';
import { MemoryHistorySource, noisyOracleHistories } from './helpers';

const family = createDarkroom({ size: 5, horizon: 6 }, { id: 'darkroom-test' });
const source = noisyOracleHistories({
  family,
  tasks: family.tasks().slice(0, 6),
  streams: 3,
  episodes: 5,
  seed: 0,
});
const MODEL = { nLayer: 2, nEmbd: 16, nHead: 2, nInner: 32, nTransit: 8 };
const TRAIN = { steps: 6, batchSize: 8, microBatchSize: 4, checkpointEvery: 2, lr: 3e-3 };
let dir: string;

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
  dir = mkdtempSync(join(tmpdir(), 'icrl-transformer-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function weights(model: { params: { vars: Map<string, tf.Variable> } }): Map<string, Float32Array> {
  return new Map([...model.params.vars].map(([k, v]) => [k, v.dataSync() as Float32Array]));
}

describe('AdamW, schedule, clipping', () => {
  it("matches PyTorch's AdamW update computed by hand", () => {
    const p = tf.variable(tf.scalar(1));
    const opt = new AdamW(new Map([['p', p]]), { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01 });
    const g = tf.scalar(0.5);
    opt.apply(new Map([['p', g]]), 0.1);
    // p·(1 − 0.1·0.01) = 0.999; m = 0.05, v = 0.0025; m̂ = 0.5, v̂ = 0.25 → step 0.1 · 0.5 / (0.5 + 1e-8)
    expect(p.dataSync()[0]).toBeCloseTo(0.999 - 0.1, 6);
    opt.apply(new Map([['p', g]]), 0.1);
    const m = 0.9 * 0.05 + 0.1 * 0.5;
    const v = 0.99 * 0.0025 + 0.01 * 0.25;
    const expected =
      0.899 * (1 - 0.001) - ((0.1 / (1 - 0.81)) * m) / (Math.sqrt(v) / Math.sqrt(1 - 0.99 ** 2) + 1e-8);
    expect(p.dataSync()[0]).toBeCloseTo(expected, 5);
    opt.dispose();
    tf.dispose([p, g]);
  });

  it('cosine decay goes from the peak to 0 without warmup', () => {
    expect(cosineLearningRate(0.01, 0, 100)).toBe(0.01);
    expect(cosineLearningRate(0.01, 50, 100)).toBeCloseTo(0.005, 12);
    expect(cosineLearningRate(0.01, 100, 100)).toBeCloseTo(0, 12);
  });

  it('clips by the global norm like clip_grad_norm_', () => {
    const { grads, norm } = clipByGlobalNorm(
      new Map([
        ['a', tf.tensor1d([3, 0])],
        ['b', tf.tensor1d([4])],
      ]),
      1,
    );
    expect(norm).toBeCloseTo(5, 6);
    expect(grads.get('a')!.dataSync()[0]).toBeCloseTo(3 / (5 + 1e-6), 6);
    tf.dispose([...grads.values()]);
  });
});

describe('safetensors', () => {
  it('round-trips and is the layout PyTorch reads (8-byte LE length, JSON header, raw F32)', () => {
    const t = new Map([
      ['w', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }],
      ['b', { shape: [1], data: Float32Array.from([-0.5]) }],
    ]);
    const bytes = encodeSafetensors(t, { format: 'pt' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.b).toEqual({ dtype: 'F32', shape: [1], data_offsets: [0, 4] });
    expect(header.w).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [4, 28] });
    expect(header.__metadata__).toEqual({ format: 'pt' });
    const back = decodeSafetensors(bytes, 'mem');
    expect(Array.from(back.tensors.get('w')!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    // An independent reader (Python's standard library, when present) parses the same bytes.
    const file = join(dir, 'rt.safetensors');
    writeFileSync(file, bytes);
    const py = spawnSync(
      'python3',
      [
        '-c',
        `import json,struct,sys\nb=open(sys.argv[1],'rb').read()\nn=struct.unpack('<Q',b[:8])[0]\nh=json.loads(b[8:8+n])\ns,e=h['w']['data_offsets']\nprint(list(struct.unpack('<6f',b[8+n+s:8+n+e])))`,
        file,
      ],
      { encoding: 'utf8' },
    );
    if (py.status === 0) expect(py.stdout.trim()).toBe('[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]');
  });

  it('rejects truncated or malformed files with one InvalidFileError', () => {
    const bytes = encodeSafetensors(new Map([['w', { shape: [4], data: new Float32Array(4) }]]));
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 3), 'cut.safetensors')).toThrow(
      /truncated/,
    );
    expect(() => decodeSafetensors(bytes.subarray(0, 5), 'tiny.safetensors')).toThrow(InvalidFileError);
    const garbage = bytes.slice();
    garbage[10] = 0xff;
    expect(() => decodeSafetensors(garbage, 'bad.safetensors')).toThrow(/header/);
  });
});

describe('train', () => {
  it('trains on wasm, logs JSONL, checkpoints, and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const out = join(dir, 'run');
    const result = await train({ source, model: MODEL, train: TRAIN, outDir: out, backend: 'wasm' });
    expect(result.backend).toBe('wasm');
    expect(result.step).toBe(6);
    const lines = readFileSync(join(out, 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(lines[0]).toMatchObject({ backend: 'wasm' });
    expect(lines[0].tokensPerS).toBeGreaterThan(0);
    const loaded = loadModel(join(out, 'checkpoint'));
    const a = weights(result.model);
    for (const [k, v] of weights(loaded)) expect(v).toEqual(a.get(k));
    result.model.dispose();
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a run stopped mid-way and resumed ends with the same weights as one that never stopped', async () => {
    const model = { ...MODEL, dynamics: true };
    const straight = await train({
      source,
      model,
      train: TRAIN,
      outDir: join(dir, 'straight'),
      backend: 'wasm',
    });
    const first = await train({
      source,
      model,
      train: TRAIN,
      outDir: join(dir, 'stopped'),
      stopAfter: 3,
      backend: 'wasm',
    });
    expect(first.step).toBe(3);
    expect(first.done).toBe(false);
    first.model.dispose();
    // How often to checkpoint is bookkeeping: a resumed run may change it without changing what it learns.
    const resumed = await train({
      source,
      outDir: join(dir, 'stopped'),
      resume: true,
      train: { ...TRAIN, checkpointEvery: 1 },
      backend: 'wasm',
    });
    expect(resumed.step).toBe(6);
    expect(readCheckpointConfig(join(dir, 'stopped', 'checkpoint')).train).toMatchObject({
      checkpointEvery: 1,
    });
    const a = weights(straight.model);
    for (const [k, v] of weights(resumed.model)) expect(v, k).toEqual(a.get(k));
    const logA = readFileSync(join(dir, 'straight', 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).loss);
    const logB = readFileSync(join(dir, 'stopped', 'train.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).loss);
    expect(logB).toEqual(logA);
    straight.model.dispose();
    resumed.model.dispose();
  });

  it("a run started from another run's weights (initFrom) begins at them, with a fresh schedule", async () => {
    const model = { ...MODEL, dynamics: true };
    // lr so small that one update leaves the weights where they started.
    const tiny = { ...TRAIN, steps: 1, lr: 1e-12 };
    const warm = await train({
      source,
      model: { ...model, seed: 5 }, // the seed may differ: it only draws the windows and dropout here
      train: tiny,
      outDir: join(dir, 'warm'),
      initFrom: join(dir, 'straight', 'checkpoint'),
      backend: 'wasm',
    });
    const cold = await train({ source, model, train: tiny, backend: 'wasm' });
    const from = loadModel(join(dir, 'straight', 'checkpoint'));
    const w = weights(warm.model);
    const c = weights(cold.model);
    let coldDiffers = false;
    for (const [k, v] of weights(from)) {
      const got = w.get(k)!;
      for (let i = 0; i < v.length; i++) expect(got[i], k).toBeCloseTo(v[i]!, 5);
      coldDiffers ||= v.some((x, i) => Math.abs(x - c.get(k)![i]!) > 1e-3);
    }
    expect(coldDiffers).toBe(true);
    expect(warm.step).toBe(1);
    expect(warm.log[0]!.lr).toBe(1e-12);
    for (const m of [warm.model, cold.model, from]) m.dispose();

    const before = readdirSync(dir).length;
    const err = await train({
      source,
      model: { ...model, nEmbd: 32 },
      train: tiny,
      outDir: join(dir, 'warm-wide'),
      initFrom: join(dir, 'straight', 'checkpoint'),
      backend: 'wasm',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toMatch(/model\.nEmbd.*checkpoint.*weights start from/);
    expect(readdirSync(dir).length).toBe(before);
  });

  it('checkpoints open as PyTorch state dicts: names, shapes and metadata', async () => {
    const { tensors, metadata } = readSafetensors(join(dir, 'straight', 'checkpoint', 'model.safetensors'));
    expect(metadata).toEqual({ format: 'pt', step: '6' });
    expect(tensors.get('transformer.h.0.attn.attn.weight')!.shape).toEqual([48, 16]);
    expect(tensors.get('pred_next_state.weight')!.shape).toEqual([25, 16]);
    const opt = readSafetensors(join(dir, 'straight', 'checkpoint', 'optimizer.safetensors'));
    expect(opt.tensors.has('exp_avg_sq.embed_query_action.weight')).toBe(true);
  });
});

describe('bad input gets one clear error before damage', () => {
  it('a context longer than the histories', async () => {
    const err = await train({
      source,
      model: { ...MODEL, nTransit: 31 },
      train: TRAIN,
      backend: 'wasm',
    }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toBe(
      "Invalid model.nTransit: got 31; expected at most the histories' stream length (30 steps in the shortest selected stream).",
    );
  });

  it('histories of another env than the checkpointed model', async () => {
    const other = createDarkroom({ size: 5, horizon: 6 }, { id: 'darkroom-other' });
    const foreign = noisyOracleHistories({
      family: other,
      tasks: other.tasks().slice(0, 2),
      streams: 2,
      episodes: 5,
      seed: 0,
    });
    const err = await train({
      source: foreign,
      outDir: join(dir, 'straight'),
      resume: true,
      backend: 'wasm',
    }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toBe(
      'Invalid history.envId: got "darkroom-other"; expected "darkroom-test", the env the model was configured for.',
    );
  });

  it('a checkpoint whose config does not match', async () => {
    const err = await train({
      source,
      model: { ...MODEL, nEmbd: 32 },
      outDir: join(dir, 'straight'),
      resume: true,
      backend: 'wasm',
    }).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err.message).toMatch(
      /^Invalid model\.dynamics: got false; expected true, as in the checkpoint being resumed \(differing: dynamics, nEmbd\)\.$/,
    );
    const ckpt = join(dir, 'straight', 'checkpoint');
    const expected = { ...loadModelConfig(ckpt), nLayer: 3 };
    expect(() => loadModel(ckpt, expected)).toThrow(
      /Invalid model: got \{"nLayer":3\}; expected the config of the checkpoint at checkpoint \(nLayer: 2\)\./,
    );
  });

  it('a corrupt weights file', async () => {
    const ckpt = join(dir, 'run', 'checkpoint');
    const path = join(ckpt, 'model.safetensors');
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 100));
    expect(() => loadModel(ckpt)).toThrow(InvalidFileError);
    expect(() => loadModel(ckpt)).toThrow(
      /model\.safetensors: not a valid safetensors file: the tensors cover \d+ data bytes but the file holds \d+ \(truncated or padded\)/,
    );
    const err = await train({ source, outDir: join(dir, 'run'), resume: true, backend: 'wasm' }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(InvalidFileError);
  });

  it('a NaN loss stops training, names the step and keeps the last good checkpoint', async () => {
    const out = join(dir, 'nan');
    const first = await train({
      source,
      model: MODEL,
      train: TRAIN,
      outDir: out,
      stopAfter: 2,
      backend: 'wasm',
    });
    const good = modelTensors(first.model);
    first.model.dispose();
    // The same histories with NaN rewards: the context tokens (and so the loss) become NaN.
    const poisoned = new MemoryHistorySource(source.meta, []);
    Object.assign(poisoned, {
      taskIndices: source.taskIndices,
      taskInfo: (t: number) => source.taskInfo(t),
      read: (t: number, s: number, o: number, n: number) => ({
        ...source.read(t, s, o, n),
        rewards: new Float32Array(n).fill(Number.NaN),
      }),
    });
    const before = tf.memory().numTensors;
    const err = await train({ source: poisoned, outDir: out, resume: true, backend: 'wasm' }).catch((e) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect(err.message).toMatch(
      /^Training diverged at step 3: the loss is NaN .*the last good checkpoint at .*checkpoint is kept/,
    );
    expect(tf.memory().numTensors).toBe(before);
    const kept = loadModel(join(out, 'checkpoint'));
    for (const [k, v] of modelTensors(kept)) expect(v.data, k).toEqual(good.get(k)!.data);
    expect(JSON.parse(readFileSync(join(out, 'checkpoint', 'state.json'), 'utf8')).step).toBe(2);
    kept.dispose();
  });

  it('unknown or invalid settings name the field', async () => {
    await expect(
      train({ source, model: MODEL, train: { ...TRAIN, lr: -1 }, backend: 'wasm' }),
    ).rejects.toThrow('Invalid train.lr: got -1; expected a finite number > 0.');
    await expect(train({ source, model: { ...MODEL, nHead: 3 }, backend: 'wasm' })).rejects.toThrow(
      /Invalid model\.nHead: got 3; expected a divisor of nEmbd \(16\)/,
    );
    await expect(
      train({ source, model: { ...MODEL, dynamic: true } as never, backend: 'wasm' }),
    ).rejects.toThrow(/Invalid model\.dynamic: got true; expected no such field/);
  });
});

function loadModelConfig(ckpt: string) {
  return JSON.parse(readFileSync(join(ckpt, 'config.json'), 'utf8')).model;
}
