import { join } from 'node:path';
import type { HistorySource } from '@icrl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gridBatch, gridMeta, taskMeta } from '../test/synthetic-history';
import { tempDir } from '../test/temp-dir';
import { HistoryReader } from './history-reader';
import { HistoryWriter } from './history-writer';
import { WindowSampler } from './window-sampler';

const dir = tempDir();
const S = 4;
const T = 30;
let path = '';

beforeAll(async () => {
  path = join(dir, 'reader.h5');
  const writer = new HistoryWriter(path, { chunkLength: 8, dtypes: { states: 'int16' } });
  await writer.open(gridMeta(S));
  for (const k of [1, 3]) {
    writer.beginTask(taskMeta(k));
    writer.append(k, gridBatch(k, 0, T, S, { optimal: true }));
    writer.endTask(k, { episodeReturns: [k] });
  }
  await writer.close();
});

describe('HistoryReader', () => {
  it('gives the same windows from memory and straight from the file, across chunk boundaries', async () => {
    const memory = await HistoryReader.open(path);
    const disk = await HistoryReader.open(path, { cacheBytes: 0 });
    expect(memory.payloadBytes).toBe(2 * T * S * (2 * 2 + 4 + 4 + 2 * 2 + 1 + 4)); // int16 states and next_states
    for (const [task, stream, start, length] of [
      [1, 0, 0, 30],
      [3, 3, 5, 11],
      [3, 2, 29, 1],
      [1, 1, 7, 0],
    ] as const) {
      expect(disk.read(task, stream, start, length)).toEqual(memory.read(task, stream, start, length));
    }
    expect(memory.read(3, 2, 6, 3).states).toBeInstanceOf(Int32Array); // int16 on disk, the space's dtype out
    memory.close();
    disk.close();
  });

  it('reads whole tasks time-major, optionally only some fields', async () => {
    const reader = await HistoryReader.open(path, { cacheBytes: 0 });
    const some = reader.readTask(3, 10, 5, ['dones', 'optimalActions']);
    const expected = gridBatch(3, 10, 5, S, { optimal: true });
    expect(Object.keys(some).sort()).toEqual(['dones', 'length', 'optimalActions']);
    expect([...some.dones]).toEqual([...expected.dones]);
    expect([...some.optimalActions!]).toEqual([...expected.optimalActions!]);
    expect(reader.fields(3)).toEqual([
      'states',
      'actions',
      'rewards',
      'nextStates',
      'dones',
      'optimalActions',
    ]);
    reader.close();
  });

  it('serves the sampler through the plain HistorySource interface too', async () => {
    const reader = await HistoryReader.open(path);
    const plain: HistorySource = {
      meta: reader.meta,
      taskIndices: reader.taskIndices,
      taskInfo: (t) => reader.taskInfo(t),
      read: (t, s, a, n) => reader.read(t, s, a, n),
      close: () => reader.close(),
    };
    const options = { length: 7, batchSize: 20, seed: 11, subsample: 2 };
    expect(new WindowSampler(plain, options).batch(3)).toEqual(new WindowSampler(reader, options).batch(3));
    reader.close();
  });
});
