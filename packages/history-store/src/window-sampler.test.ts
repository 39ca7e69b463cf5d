import { join } from 'node:path';
import { InvalidArgumentError } from '@icrl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gridBatch, gridMeta, taskMeta } from '../test/synthetic-history';
import { tempDir } from '../test/temp-dir';
import { HistoryReader } from './history-reader';
import { HistoryWriter } from './history-writer';
import { WindowSampler } from './window-sampler';

const dir = tempDir();
const S = 3;
const LENGTHS: Record<number, number> = { 0: 20, 1: 12, 4: 7 };
let path = '';
let reader: HistoryReader;

beforeAll(async () => {
  path = join(dir, 'sampler.h5');
  const writer = new HistoryWriter(path, { chunkLength: 8 });
  await writer.open(gridMeta(S));
  for (const [k, T] of Object.entries(LENGTHS).map(([k, T]) => [Number(k), T])) {
    writer.beginTask(taskMeta(k!));
    writer.append(k!, gridBatch(k!, 0, T!, S, { optimal: true }));
    writer.endTask(k!, { episodeReturns: [] });
  }
  await writer.close();
  reader = await HistoryReader.open(path);
  return () => reader.close();
});

/** Kept time steps of a stream with episodes of 4 steps and factor k (episodes 0, k, 2k, ...). */
const keptSteps = (T: number, k: number) =>
  Array.from({ length: T }, (_, t) => t).filter((t) => Math.floor(t / 4) % k === 0);

describe('WindowSampler', () => {
  it('returns windows that lie fully inside one stream, with the data read() gives', () => {
    const L = 5;
    const sampler = new WindowSampler(reader, { length: L, batchSize: 64, seed: 1 });
    expect(sampler.windowCount).toBe((20 - 4) * 3 + (12 - 4) * 3 + (7 - 4) * 3);
    expect(sampler.fields).toEqual(['states', 'actions', 'rewards', 'nextStates', 'dones', 'optimalActions']);
    const batch = sampler.next();
    expect(batch.states).toHaveLength(64 * L * 2);
    for (let b = 0; b < batch.size; b++) {
      const task = batch.task[b]!;
      const offset = batch.offset[b]!;
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset + L).toBeLessThanOrEqual(LENGTHS[task]!);
      const window = reader.read(task, batch.stream[b]!, offset, L);
      expect([...batch.states!.subarray(b * L * 2, (b + 1) * L * 2)]).toEqual([...window.states]);
      expect([...batch.nextStates!.subarray(b * L * 2, (b + 1) * L * 2)]).toEqual([...window.nextStates]);
      expect([...batch.actions!.subarray(b * L, (b + 1) * L)]).toEqual([...window.actions]);
      expect([...batch.rewards!.subarray(b * L, (b + 1) * L)]).toEqual([...window.rewards]);
      expect([...batch.dones!.subarray(b * L, (b + 1) * L)]).toEqual([...window.dones]);
      expect([...batch.optimalActions!.subarray(b * L, (b + 1) * L)]).toEqual([...window.optimalActions!]);
    }
  });

  it('draws every valid window uniformly (chi-square over 100k draws)', () => {
    const L = 5;
    const sampler = new WindowSampler(reader, { length: L, batchSize: 1000, seed: 2, fields: ['dones'] });
    const counts = new Map<string, number>();
    const draws = 100;
    for (let i = 0; i < draws; i++) {
      const batch = sampler.next();
      for (let b = 0; b < batch.size; b++) {
        const key = `${batch.task[b]}/${batch.stream[b]}/${batch.offset[b]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    expect(counts.size).toBe(sampler.windowCount); // every window drawn, and no other
    const expected = (draws * 1000) / sampler.windowCount;
    const chi2 = [...counts.values()].reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    const dof = sampler.windowCount - 1;
    expect(chi2).toBeLessThan(dof + 5 * Math.sqrt(2 * dof)); // p ≈ 1e-4 upper bound
    expect(chi2).toBeGreaterThan(dof - 5 * Math.sqrt(2 * dof));
  });

  it('gives the same batches for the same seed, in any order, and others for another seed', () => {
    const a = new WindowSampler(reader, { length: 4, batchSize: 16, seed: 9 });
    const b = new WindowSampler(reader, { length: 4, batchSize: 16, seed: 9 });
    const first = [a.next(), a.next(), a.next()];
    expect(b.batch(2)).toEqual(first[2]);
    expect(b.batch(0)).toEqual(first[0]);
    b.position = 1;
    expect(b.next()).toEqual(first[1]);
    const other = new WindowSampler(reader, { length: 4, batchSize: 16, seed: 10 }).batch(0);
    expect([...other.offset]).not.toEqual([...first[0]!.offset]);
  });

  it('reads the same batches from memory and straight from the file', async () => {
    const direct = await HistoryReader.open(path, { cacheBytes: 0 });
    const fromFile = new WindowSampler(direct, { length: 6, batchSize: 32, seed: 3 }).batch(5);
    const fromMemory = new WindowSampler(reader, { length: 6, batchSize: 32, seed: 3 }).batch(5);
    expect(fromFile).toEqual(fromMemory);
    direct.close();
  });

  it('places offsets every `stride` steps', () => {
    const sampler = new WindowSampler(reader, { length: 4, batchSize: 200, seed: 4, stride: 2 });
    expect(sampler.windowCount).toBe((9 + 5 + 2) * 3);
    const batch = sampler.next();
    expect([...batch.offset].every((o) => o % 2 === 0)).toBe(true);
  });

  it('subsamples every k-th episode, windows running across the kept episodes only', () => {
    const L = 6;
    const sampler = new WindowSampler(reader, { length: L, batchSize: 100, seed: 5, subsample: 2 });
    // kept steps per stream: task 0 → 12 of 20, task 1 → 8 of 12, task 4 → 4 of 7 (too short)
    expect(sampler.windowCount).toBe((12 - 5 + 8 - 5) * 3);
    const batch = sampler.next();
    for (let b = 0; b < batch.size; b++) {
      const task = batch.task[b]!;
      const steps = keptSteps(LENGTHS[task]!, 2).slice(batch.offset[b], batch.offset[b]! + L);
      const expected = steps.flatMap((t) => [...reader.read(task, batch.stream[b]!, t, 1).states]);
      expect([...batch.states!.subarray(b * L * 2, (b + 1) * L * 2)]).toEqual(expected);
    }
  });

  it('restricts tasks, streams, steps and fields', () => {
    const sampler = new WindowSampler(reader, {
      length: 3,
      batchSize: 50,
      seed: 6,
      tasks: [1],
      streams: 2,
      steps: 10,
      fields: ['states', 'actions'],
    });
    expect(sampler.windowCount).toBe((10 - 2) * 2);
    const batch = sampler.next();
    expect(new Set(batch.task)).toEqual(new Set([1]));
    expect(Math.max(...batch.stream)).toBeLessThan(2);
    expect(Math.max(...batch.offset)).toBeLessThanOrEqual(7);
    expect(Object.keys(batch).sort()).toEqual([
      'actions',
      'length',
      'offset',
      'size',
      'states',
      'stream',
      'task',
    ]);
  });

  it.each([
    [{ length: 0, batchSize: 1, seed: 0 }, 'Invalid options.length: got 0'],
    [
      { length: 21, batchSize: 1, seed: 0 },
      'Invalid options.length: got 21; expected at most the longest usable history (20 steps).',
    ],
    [{ length: 4, batchSize: 0, seed: 0 }, 'Invalid options.batchSize: got 0'],
    [{ length: 4, batchSize: 1, seed: -1 }, 'Invalid options.seed: got -1'],
    [{ length: 4, batchSize: 1, seed: 0, stride: 0 }, 'Invalid options.stride: got 0'],
    [
      { length: 4, batchSize: 1, seed: 0, tasks: [0, 3] },
      'Invalid options.tasks[1]: got 3; expected a task index present in the source (3 tasks).',
    ],
    [{ length: 4, batchSize: 1, seed: 0, fields: ['success'] }, 'Invalid options.fields[0]: got "success"'],
    [{ length: 4, batchSize: 1, seed: 0, shuffle: true }, 'Invalid options.shuffle'],
  ])('rejects bad options naming the field (%#)', (options, message) => {
    expect(() => new WindowSampler(reader, options as never)).toThrow(InvalidArgumentError);
    expect(() => new WindowSampler(reader, options as never)).toThrow(message);
  });
});
