// Determinism down to the file: collect() through @icrl/history-store's HDF5 writer.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  HistoryMeta,
  HistorySink,
  TaskHistoryMeta,
  TaskHistorySummary,
  TransitionBatch,
} from '@icrl/core';
import { makeEnvFamily } from '@icrl/envs';
import { HistoryReader, HistoryWriter } from '@icrl/history-store';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CollectOptions, collect } from '../src/collect';
import { MemoryHistoryStore } from '../src/memory-history-store';
import { ppo, ppoPresetFor } from '../src/ppo';

const dir = mkdtempSync(join(tmpdir(), 'icrl-source-rl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const family = makeEnvFamily('darkroom');
const split = family.split();
const tasks = split.train.slice(0, 3);

function options(sink: HistorySink, over: Partial<CollectOptions> = {}): CollectOptions {
  return {
    algorithm: ppo({ ...ppoPresetFor('darkroom'), batchSize: 40, nEpochs: 4 }),
    family,
    tasks,
    split,
    streams: 4,
    stepsPerStream: 60,
    seed: 0,
    sink,
    workers: 0,
    tasksPerBatch: 1,
    ...over,
  };
}

async function collectFile(name: string, over: Partial<CollectOptions> = {}): Promise<Buffer> {
  const path = join(dir, name);
  await collect(options(new HistoryWriter(path), over));
  return readFileSync(path);
}

describe('collect into an HDF5 history file', () => {
  // HDF5 object headers carry modification times (h5wasm's library writes them), the only bytes a clock can
  // change: pin the clock so that the comparisons below see everything else.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2025-01-01T00:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('same seed -> byte-identical file; another seed -> a different one', async () => {
    const a = await collectFile('a.h5');
    const b = await collectFile('b.h5');
    expect(a.length).toBeGreaterThan(0);
    expect(Buffer.compare(a, b)).toBe(0);
    const c = await collectFile('c.h5', { seed: 1 });
    expect(Buffer.compare(a, c)).not.toBe(0);
  });

  it('a run killed mid-task and resumed writes the same bytes as an uninterrupted run', async () => {
    const whole = await collectFile('whole.h5');
    const path = join(dir, 'resumed.h5');
    const writer = new HistoryWriter(path);
    let appends = 0;
    const killing: HistorySink = {
      open: (meta: HistoryMeta) => writer.open(meta),
      beginTask: (meta: TaskHistoryMeta) => writer.beginTask(meta),
      append: (index: number, batch: TransitionBatch) => {
        if (index === tasks[1]!.index && ++appends === 1) throw new Error('simulated kill');
        writer.append(index, batch);
      },
      endTask: (index: number, summary: TaskHistorySummary) => writer.endTask(index, summary),
      close: () => writer.close(),
    };
    await expect(collect(options(killing))).rejects.toThrow('simulated kill');
    writer.abandon(); // what the process dying does to the writer, minus the dying
    const second = await collect(options(new HistoryWriter(path)));
    expect(second.tasksResumed).toEqual([tasks[0]!.index]);
    expect(Buffer.compare(readFileSync(path), whole)).toBe(0);
  });

  it('the file reads back exactly what the in-memory store holds', async () => {
    const path = join(dir, 'read.h5');
    await collect(options(new HistoryWriter(path)));
    const memory = new MemoryHistoryStore();
    await collect(options(memory));
    const reader = await HistoryReader.open(path);
    try {
      expect(reader.meta).toEqual(memory.meta);
      expect([...reader.taskIndices]).toEqual([...memory.taskIndices]);
      for (const index of memory.taskIndices) {
        expect(reader.taskInfo(index).summary).toEqual(memory.taskInfo(index).summary);
        for (let s = 0; s < 4; s++) {
          const fromFile = reader.read(index, s, 0, 60);
          const fromMemory = memory.read(index, s, 0, 60);
          expect(Array.from(fromFile.states)).toEqual(Array.from(fromMemory.states));
          expect(Array.from(fromFile.actions)).toEqual(Array.from(fromMemory.actions));
          expect(Array.from(fromFile.rewards)).toEqual(Array.from(fromMemory.rewards));
          expect(Array.from(fromFile.nextStates)).toEqual(Array.from(fromMemory.nextStates));
          expect(Array.from(fromFile.dones)).toEqual(Array.from(fromMemory.dones));
          expect(Array.from(fromFile.optimalActions!)).toEqual(Array.from(fromMemory.optimalActions!));
        }
      }
    } finally {
      await reader.close();
    }
  });
});
