import { createDarkroom } from '@icrl/envs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, modelTensors, type TrainLogEntry, train } from '../src/index';
import { noisyOracleHistories } from './helpers';

const family = createDarkroom({ size: 5, horizon: 6 }, { id: 'darkroom-dp' });
const source = noisyOracleHistories({
  family,
  tasks: family.tasks().slice(0, 6),
  streams: 3,
  episodes: 5,
  seed: 0,
});
const MODEL = { dynamics: true, nLayer: 2, nEmbd: 16, nHead: 2, nInner: 32, nTransit: 8 };
const TRAIN = { steps: 10, batchSize: 8, microBatchSize: 2, checkpointEvery: 0, lr: 3e-3 };

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

async function run(workers: number) {
  const log: TrainLogEntry[] = [];
  const result = await train({
    source,
    backend: 'wasm',
    model: MODEL,
    train: TRAIN,
    stopAfter: 4,
    workers,
    onLog: (e) => log.push(e),
  });
  const weights = new Map([...modelTensors(result.model)].map(([n, t]) => [n, t.data.slice()]));
  result.model.dispose();
  return { log, weights };
}

describe('data-parallel training over worker_threads', () => {
  it('2 and 4 workers give the same run as 1 worker (same seed, same micro-batches)', async () => {
    const one = await run(1);
    for (const workers of [2, 4]) {
      const many = await run(workers);
      expect(many.log.map((e) => e.step)).toEqual([1, 2, 3, 4]);
      for (let i = 0; i < one.log.length; i++) {
        expect(many.log[i]!.loss).toBeCloseTo(one.log[i]!.loss, 5);
        expect(many.log[i]!.gradNorm).toBeCloseTo(one.log[i]!.gradNorm, 4);
      }
      let maxDiff = 0;
      for (const [name, w] of one.weights) {
        const o = many.weights.get(name)!;
        for (let j = 0; j < w.length; j++) maxDiff = Math.max(maxDiff, Math.abs(w[j]! - o[j]!));
      }
      expect(maxDiff).toBeLessThan(1e-5);
    }
  }, 120_000);
});
