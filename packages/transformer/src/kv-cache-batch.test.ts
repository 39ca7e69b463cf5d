import { Rng } from '@icrl/core';
import { createDarkroom } from '@icrl/envs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADModel } from './ad';
import { resolveModelConfig } from './config';
import { KvBatch } from './kv-cache-batch';
import { exportOnnx } from './onnx-export';
import { OrtModel } from './ort-agent';

const family = createDarkroom({ size: 5, horizon: 6 }, { id: 'darkroom-test' });
const config = resolveModelConfig({
  envId: family.id,
  observationSpace: family.observationSpace,
  actionSpace: family.actionSpace,
  dynamics: true,
  nLayer: 2,
  nEmbd: 16,
  nHead: 2,
  nInner: 32,
  nTransit: 8,
});

let model: ADModel;
let ortModel: OrtModel;
beforeAll(async () => {
  model = new ADModel(config);
  ortModel = await OrtModel.fromModel(model);
});
afterAll(async () => {
  await ortModel.dispose();
  model.dispose();
});

const F = 2 * 2 + 5 + 1;
const maxDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

describe('KvBatch', () => {
  it('gathers rows and extends them exactly as a full re-encode of each row', async () => {
    const ort = ortModel;
    const rng = new Rng(1);
    const B = 3;
    const prefix = new Float32Array(B * 4 * F).map(() => rng.uniform(-1, 1));
    const first = await KvBatch.empty(ort, B).step(prefix, 4, { queryStates: new BigInt64Array(B) });
    expect(first.next.length).toBe(4);
    const rows = [2, 0, 2, 1];
    const extra = new Float32Array(rows.length * 2 * F).map(() => rng.uniform(-1, 1));
    const query = {
      queryStates: BigInt64Array.from([3n, 7n, 24n, 0n]),
      queryActions: BigInt64Array.from([0n, 4n, 2n, 1n]),
    };
    const { out, next } = await first.next.gather(rows).step(extra, 2, query);
    expect(next.length).toBe(6);
    expect(next.batch).toBe(4);
    // The same rows written out whole.
    const full = new Float32Array(rows.length * 6 * F);
    rows.forEach((r, i) => {
      full.set(prefix.subarray(r * 4 * F, (r + 1) * 4 * F), i * 6 * F);
      full.set(extra.subarray(i * 2 * F, (i + 1) * 2 * F), (i * 6 + 4) * F);
    });
    const ref = await ort.predict({ size: 4, contextLength: 6, context: full, ...query });
    expect(maxDiff(out.action, ref.action)).toBeLessThan(1e-5);
    expect(maxDiff(out.reward!, ref.reward!)).toBeLessThan(1e-5);
    expect(maxDiff(out.nextState!, ref.nextState!)).toBeLessThan(1e-5);
  });

  it.each([
    ['read in place (the prefix inputs)', true],
    ['copied into each row (a file without the prefix inputs)', false],
  ])('a shared prefix %s gives the heads of each child written out whole', async (_, withInputs) => {
    const ort = withInputs
      ? ortModel
      : await OrtModel.load(exportOnnx(model, { sharedPrefix: false }), config);
    expect(ort.shape.sharedPrefix).toBe(withInputs);
    const rng = new Rng(2);
    const G = 2;
    const per = 3; // children per group
    const prefix = new Float32Array(G * 3 * F).map(() => rng.uniform(-1, 1));
    const shared = (await KvBatch.empty(ort, G).step(prefix, 3, { queryStates: new BigInt64Array(G) })).next;
    const B = G * per;
    const own1 = new Float32Array(B * F).map(() => rng.uniform(-1, 1));
    const own2 = new Float32Array(B * F).map(() => rng.uniform(-1, 1));
    const query = {
      queryStates: BigInt64Array.from({ length: B }, (_, i) => BigInt((i * 7) % 25)),
      queryActions: BigInt64Array.from({ length: B }, (_, i) => BigInt(i % 5)),
    };
    // Two steps on the children's own tokens, both over the same prefix: positions continue after it.
    const a = await KvBatch.empty(ort, B).step(own1, 1, query, shared);
    expect(a.next.length).toBe(1);
    const { out } = await a.next.step(own2, 1, query, shared);
    const full = new Float32Array(B * 5 * F);
    for (let b = 0; b < B; b++) {
      const g = Math.floor(b / per);
      full.set(prefix.subarray(g * 3 * F, (g + 1) * 3 * F), b * 5 * F);
      full.set(own1.subarray(b * F, (b + 1) * F), (b * 5 + 3) * F);
      full.set(own2.subarray(b * F, (b + 1) * F), (b * 5 + 4) * F);
    }
    const ref = await ort.predict({ size: B, contextLength: 5, context: full, ...query });
    expect(maxDiff(out.action, ref.action)).toBeLessThan(1e-5);
    expect(maxDiff(out.reward!, ref.reward!)).toBeLessThan(1e-5);
    expect(maxDiff(out.nextState!, ref.nextState!)).toBeLessThan(1e-5);
    // Bad prefixes: rows that do not divide the batch, or a context that would overflow with the prefix.
    await expect(
      KvBatch.empty(ort, 5).step(new Float32Array(0), 0, { queryStates: new BigInt64Array(5) }, shared),
    ).rejects.toThrow(
      /Invalid prefix: got "2 rows"; expected a KvBatch of the same model whose rows divide this batch's 5/,
    );
    await expect(a.next.step(new Float32Array(B * 4 * F), 4, query, shared)).rejects.toThrow(
      /expected at most 3 \(rows hold 4 of nTransit − 1 = 7 tokens, 3 of them the prefix's/,
    );
    if (!withInputs) await ort.dispose();
  });

  it('never slides: a step past nTransit − 1 tokens is refused', async () => {
    const ort = ortModel;
    const b = (
      await KvBatch.empty(ort, 1).step(new Float32Array(6 * F), 6, { queryStates: new BigInt64Array(1) })
    ).next;
    await expect(b.step(new Float32Array(2 * F), 2, { queryStates: new BigInt64Array(1) })).rejects.toThrow(
      'Invalid count: got 2; expected at most 1',
    );
    expect(() => b.gather([1])).toThrow('Invalid rows: got 1; expected row indices in [0, 0].');
  });
});
