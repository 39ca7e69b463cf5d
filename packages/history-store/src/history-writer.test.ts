import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, InvalidFileError } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { gridBatch, gridMeta, taskMeta } from '../test/synthetic-history';
import { tempDir } from '../test/temp-dir';
import { WriterStateError } from './errors/writer-state-error';
import { HistoryReader } from './history-reader';
import { HistoryWriter } from './history-writer';

const dir = tempDir();
const S = 3;

/** Writes `tasks` (10 steps each, in batches of 4) through an open writer. */
function writeTasks(writer: HistoryWriter, tasks: number[], steps = 10, batch = 4): HistoryWriter {
  for (const k of tasks) {
    writer.beginTask(taskMeta(k));
    for (let t0 = 0; t0 < steps; t0 += batch) {
      writer.append(k, gridBatch(k, t0, Math.min(batch, steps - t0), S, { optimal: true }));
    }
    writer.endTask(k, { episodeReturns: [k, k + 0.5] });
  }
  return writer;
}

async function openWriter(path: string, options = { chunkLength: 4 }): Promise<HistoryWriter> {
  const writer = new HistoryWriter(path, options);
  await writer.open(gridMeta(S));
  return writer;
}

describe('HistoryWriter', () => {
  it('round-trips: what was appended is what the reader returns, value for value', async () => {
    const path = join(dir, 'roundtrip.h5');
    const writer = writeTasks(await openWriter(path), [2, 0, 5]);
    expect(existsSync(path)).toBe(false); // nothing at path until close()
    await writer.close();
    expect(existsSync(path)).toBe(true);
    expect(existsSync(`${path}.partial`)).toBe(false);

    const reader = await HistoryReader.open(path);
    expect(reader.layout).toBe('icrl');
    expect(reader.meta).toEqual(gridMeta(S));
    expect(reader.taskIndices).toEqual([0, 2, 5]);
    expect(reader.taskInfo(5)).toEqual({
      ...taskMeta(5),
      length: 10,
      streams: S,
      summary: { episodeReturns: [5, 5.5] },
    });
    for (const k of [0, 2, 5]) {
      const whole = reader.readTask(k);
      const expected = gridBatch(k, 0, 10, S, { optimal: true });
      expect(whole.length).toBe(10);
      for (const field of [
        'states',
        'actions',
        'rewards',
        'nextStates',
        'dones',
        'optimalActions',
      ] as const) {
        expect(Array.from(whole[field] as ArrayLike<number>), `${k} ${field}`).toEqual(
          Array.from(expected[field] as ArrayLike<number>),
        );
      }
      const window = reader.read(k, 1, 3, 5);
      const slice = gridBatch(k, 3, 5, S, { optimal: true });
      expect([...window.states]).toEqual([...slice.states].filter((_, i) => Math.floor(i / 2) % S === 1));
      expect([...window.dones]).toEqual([...slice.dones].filter((_, i) => i % S === 1));
      expect([...window.optimalActions!]).toEqual([...slice.optimalActions!].filter((_, i) => i % S === 1));
    }
    reader.close();
  });

  it('rejects bad batches naming the field, and writes nothing of them', async () => {
    const path = join(dir, 'bad-batch.h5');
    const writer = new HistoryWriter(path);
    await writer.open(gridMeta(S));
    writer.beginTask(taskMeta(0));
    const good = gridBatch(0, 0, 2, S);
    expect(() => writer.append(0, { ...good, states: new Int32Array(3) })).toThrow(
      'Invalid batch.states: got Int32Array(3); expected an Int32Array or Float32Array of length 12 (batch.length × streams × elements per step).',
    );
    expect(() => writer.append(0, { ...good, rewards: new Float32Array(6).fill(0.5) })).toThrow(
      "Invalid batch.rewards[0]: got 0.5; expected an integer in [-2147483648, 2147483647] (the field is stored as int32); rewards default to the observations' dtype, as DICP stores them: pass { dtypes: { rewards: 'float32' } } for fractional rewards.",
    );
    expect(() => writer.append(0, { ...good, dones: new Uint8Array(6).fill(2) })).toThrow(
      'Invalid batch.dones[0]: got 2; expected 0 or 1.',
    );
    expect(() =>
      writer.append(0, { ...good, rewards: new Int32Array(6) as unknown as Float32Array }),
    ).toThrow(InvalidArgumentError);
    expect(() => writer.append(9, good)).toThrow(
      'Invalid taskIndex: got 9; expected the index of a task begun with beginTask() and not yet ended.',
    );
    writer.append(0, good);
    expect(() => writer.append(0, { ...good, optimalActions: new Int32Array(6) })).toThrow(
      'Invalid batch.optimalActions',
    );
    writer.endTask(0, { episodeReturns: [] });
    await writer.close();
    const reader = await HistoryReader.open(path);
    expect(reader.taskInfo(0).length).toBe(2);
    reader.close();
  });

  it('enforces the call order with WriterStateError', async () => {
    const path = join(dir, 'order.h5');
    const writer = new HistoryWriter(path);
    expect(() => writer.beginTask(taskMeta(0))).toThrow(WriterStateError);
    await writer.open(gridMeta(S));
    await expect(writer.open(gridMeta(S))).rejects.toThrow(WriterStateError);
    writer.beginTask(taskMeta(0));
    expect(() => writer.beginTask(taskMeta(0))).toThrow('not already being written');
    await expect(writer.close()).rejects.toThrow('cannot close: task(s) 0 were begun but not ended');
    writer.endTask(0, { episodeReturns: [] });
    expect(() => writer.beginTask(taskMeta(0))).toThrow('open() listed this one in completeTasks');
    await writer.close();
    expect(() => writer.append(0, gridBatch(0, 0, 1, S))).toThrow('after close()');
  });

  it('validates options and meta before anything is written', async () => {
    expect(
      () => new HistoryWriter(join(dir, 'x.h5'), { dtypes: { rewards: 'float16' as 'float32' } }),
    ).toThrow('Invalid options.dtypes.rewards: got "float16"');
    const writer = new HistoryWriter(join(dir, 'meta.h5'));
    await expect(writer.open(gridMeta(0))).rejects.toThrow('Invalid meta.streams: got 0');
    expect(readdirSync(dir).some((f) => f.startsWith('meta.h5'))).toBe(false);
  });

  it('resumes a job: complete tasks are kept, the one being written is discarded and rewritten', async () => {
    const path = join(dir, 'resume.h5');
    const first = writeTasks(await openWriter(path), [0, 1]);
    first.beginTask(taskMeta(2));
    first.append(2, gridBatch(2, 0, 4, S, { optimal: true }));
    first.abandon(); // as if killed mid-task 2
    expect(existsSync(path)).toBe(false);
    // ... or killed during a close(): a half-built HDF5 file in the partial data is simply rebuilt.
    writeFileSync(join(`${path}.partial`, 'assembling.h5'), 'half-written');

    const second = new HistoryWriter(path, { chunkLength: 4 });
    expect(await second.open(gridMeta(S))).toEqual({ completeTasks: [0, 1] });
    writeTasks(second, [2, 3]);
    await second.close();
    const reader = await HistoryReader.open(path);
    expect(reader.taskIndices).toEqual([0, 1, 2, 3]);
    expect([...reader.readTask(2).states]).toEqual([...gridBatch(2, 0, 10, S).states]);
    reader.close();

    // Reopening the finished job reports every task; adding one rebuilds the file with old and new tasks.
    const third = new HistoryWriter(path, { chunkLength: 4 });
    expect(await third.open(gridMeta(S))).toEqual({ completeTasks: [0, 1, 2, 3] });
    third.beginTask(taskMeta(4));
    third.append(4, gridBatch(4, 0, 10, S, { optimal: true }));
    third.endTask(4, { episodeReturns: [1] });
    await third.close();
    const again = await HistoryReader.open(path);
    expect(again.taskIndices).toEqual([0, 1, 2, 3, 4]);
    expect([...again.readTask(1).optimalActions!]).toEqual([
      ...gridBatch(1, 0, 10, S, { optimal: true }).optimalActions!,
    ]);
    expect(again.taskInfo(1).summary).toEqual({ episodeReturns: [1, 1.5] });
    again.close();
  });

  it('refuses to mix jobs: different meta or options than the partial data or the file', async () => {
    const path = join(dir, 'mix.h5');
    const first = writeTasks(await openWriter(path), [0]);
    first.abandon();
    const other = new HistoryWriter(path, { chunkLength: 4 });
    await expect(other.open(gridMeta(S, { envId: 'dark-key-to-door' }))).rejects.toThrow(
      /holds the partial data of a different job \(meta\.envId differs\)/,
    );
    const otherOptions = new HistoryWriter(path, { chunkLength: 8 });
    await expect(otherOptions.open(gridMeta(S))).rejects.toThrow(/stored layout differs at chunkLength/);
    const forced = new HistoryWriter(path, { chunkLength: 8, overwrite: true });
    expect(await forced.open(gridMeta(S, { seed: 1 }))).toEqual({ completeTasks: [] });
    await forced.close();
    const afterClose = new HistoryWriter(path, { chunkLength: 8 });
    await expect(afterClose.open(gridMeta(S))).rejects.toThrow(InvalidFileError);
    await expect(afterClose.open(gridMeta(S))).rejects.toThrow(
      /it already holds a different job \(meta\.seed differs\)/,
    );
  });

  it('stores compact dtypes where declared and rejects values they cannot hold', async () => {
    const path = join(dir, 'compact.h5');
    const writer = new HistoryWriter(path, {
      dtypes: { states: 'uint8', actions: 'uint8', rewards: 'float32' },
      compression: 6,
    });
    await writer.open(gridMeta(S));
    writer.beginTask(taskMeta(0));
    writer.append(0, gridBatch(0, 0, 6, S));
    const bad = gridBatch(0, 6, 1, S);
    bad.states[0] = 300;
    expect(() => writer.append(0, bad)).toThrow(
      'Invalid batch.states[0]: got 300; expected an integer in [0, 255] (the field is stored as uint8).',
    );
    writer.endTask(0, { episodeReturns: [0] });
    await writer.close();
    const reader = await HistoryReader.open(path);
    expect([...reader.readTask(0).states]).toEqual([...gridBatch(0, 0, 6, S).states]);
    reader.close();
  });
});
