import { HISTORY_SCHEMA_VERSION, type HistoryMeta, InvalidArgumentError } from '@icrl/core';
import { makeEnvFamily } from '@icrl/envs';
import { describe, expect, it } from 'vitest';
import { MemoryHistoryStore } from './memory-history-store';

const family = makeEnvFamily('darkroom');
const meta: HistoryMeta = {
  schemaVersion: HISTORY_SCHEMA_VERSION,
  envId: family.id,
  envConfig: family.config,
  observationSpace: family.observationSpace,
  actionSpace: family.actionSpace,
  source: { algorithm: 'test', settings: {} },
  streams: 2,
  subsample: 1,
  seed: 0,
};
const task = family.task(5);
// Two steps of two streams, time-major: (t, s) at t * 2 + s.
const batch = {
  length: 2,
  states: new Int32Array([0, 0, 1, 1, 2, 2, 3, 3]),
  actions: new Int32Array([0, 1, 2, 3]),
  rewards: new Float32Array([0, 1, 0, 1]),
  nextStates: new Int32Array([2, 2, 3, 3, 4, 4, 5, 5]),
  dones: new Uint8Array([0, 0, 1, 1]),
};

describe('MemoryHistoryStore', () => {
  it('stores time-major batches and reads stream windows', async () => {
    const store = new MemoryHistoryStore();
    expect((await store.open(meta)).completeTasks).toEqual([]);
    store.beginTask({ task });
    store.append(5, batch);
    store.append(5, batch);
    store.endTask(5, { episodeReturns: [1] });
    await store.close();
    expect(store.taskIndices).toEqual([5]);
    expect(store.taskInfo(5)).toMatchObject({ length: 4, streams: 2, summary: { episodeReturns: [1] } });
    const w = store.read(5, 1, 1, 2);
    expect([...w.states]).toEqual([3, 3, 1, 1]);
    expect([...w.actions]).toEqual([3, 1]);
    expect([...w.dones]).toEqual([1, 0]);
  });

  it('resumes: reopening reports complete tasks and drops a half-written one', async () => {
    const store = new MemoryHistoryStore();
    await store.open(meta);
    store.beginTask({ task });
    store.append(5, batch);
    store.endTask(5, { episodeReturns: [] });
    store.beginTask({ task: family.task(6) });
    store.append(6, batch);
    expect((await store.open(meta)).completeTasks).toEqual([5]);
    expect(() => store.append(6, batch)).toThrow(InvalidArgumentError);
    await expect(store.open({ ...meta, seed: 1 })).rejects.toThrow('Invalid meta');
  });

  it('rejects batches of the wrong size, naming the field', async () => {
    const store = new MemoryHistoryStore();
    await store.open(meta);
    store.beginTask({ task });
    expect(() => store.append(5, { ...batch, rewards: new Float32Array(3) })).toThrow(
      'Invalid batch.rewards',
    );
    expect(() => store.append(5, { ...batch, optimalActions: new Int32Array(4) })).not.toThrow();
    expect(() => store.append(5, batch)).toThrow('Invalid batch.optimalActions');
  });
});
