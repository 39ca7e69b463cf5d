import { Rng } from '@icrl/core';
import { createDarkroom } from '@icrl/envs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADModel } from './ad';
import { resolveModelConfig } from './config';
import { KvBatch } from './kv-cache-batch';
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
let ort: OrtModel;
beforeAll(async () => {
  model = new ADModel(config);
  ort = await OrtModel.fromModel(model);
});
afterAll(async () => {
  await ort.dispose();
  model.dispose();
});

const F = 2 * 2 + 5 + 1;
const maxDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);

describe('KvBatch', () => {
  it('gathers rows and extends them exactly as a full re-encode of each row', async () => {
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

  it('never slides: a step past nTransit − 1 tokens is refused', async () => {
    const b = (
      await KvBatch.empty(ort, 1).step(new Float32Array(6 * F), 6, { queryStates: new BigInt64Array(1) })
    ).next;
    await expect(b.step(new Float32Array(2 * F), 2, { queryStates: new BigInt64Array(1) })).rejects.toThrow(
      'Invalid count: got 2; expected at most 1',
    );
    expect(() => b.gather([1])).toThrow('Invalid rows: got 1; expected row indices in [0, 0].');
  });
});
