import { join } from 'node:path';
import { HISTORY_SCHEMA_VERSION, InvalidFileError } from '@icrl/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { halfToNumber, numberToHalf } from '../src/float16';
import { HistoryReader } from '../src/history-reader';
import { HistoryWriter } from '../src/history-writer';
import { findPythonWithH5py, runPython } from './interop/python';
import { cell, gridBatch, gridMeta, taskMeta } from './synthetic-history';
import { tempDir } from './temp-dir';

// Interop with the real client: Debian's h5py (python3-h5py) opens what HistoryWriter writes with DICP's
// field names, shapes, dtypes and values; and HistoryReader reads DICP- and XLand-layout files h5py wrote.

const dir = tempDir();
let python = '';

interface Dump {
  attrs: Record<string, { value: unknown; type: string }>;
  groups: Record<
    string,
    {
      attrs: Record<string, { value: unknown; type: string }>;
      datasets: Record<
        string,
        { dtype: string; shape: number[]; maxshape: number[]; chunks: number[] | null; values: unknown }
      >;
    }
  >;
  hdf5: string;
}

beforeAll(() => {
  const found = findPythonWithH5py();
  if (found instanceof Error) throw found;
  python = found;
});

const nested = (flat: ArrayLike<number>, shape: number[]): unknown => {
  if (shape.length === 1) return Array.from(flat);
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0]! }, (_, i) =>
    nested(Array.from(flat).slice(i * inner, (i + 1) * inner), shape.slice(1)),
  );
};

describe('the interop tests themselves', () => {
  it('fail, saying what to install, when no Python can import h5py', () => {
    const found = findPythonWithH5py(['/nonexistent/python3']);
    expect(found).toBeInstanceOf(Error);
    expect((found as Error).message).toContain(
      "install Debian's python3-h5py (apt-get install -y python3-h5py)",
    );
  });
});

describe('a file written here, opened by h5py', () => {
  it('has the DICP field names, shapes, dtypes and values, and readable attributes', async () => {
    const S = 3;
    const T = 10;
    const path = join(dir, 'written-here.h5');
    const writer = new HistoryWriter(path, { chunkLength: 4 });
    await writer.open(gridMeta(S));
    for (const k of [0, 1]) {
      writer.beginTask(taskMeta(k));
      writer.append(k, gridBatch(k, 0, 6, S, { optimal: true }));
      writer.append(k, gridBatch(k, 6, 4, S, { optimal: true }));
      writer.endTask(k, { episodeReturns: [0.25, 0.5 + k] });
    }
    await writer.close();

    const dump = JSON.parse(runPython(python, 'dump_history.py', [path])) as Dump;
    expect(Object.keys(dump.groups).sort()).toEqual(['0', '1']);
    const g = dump.groups['1']!;
    const shapes = Object.fromEntries(Object.entries(g.datasets).map(([k, v]) => [k, [v.dtype, v.shape]]));
    expect(shapes).toEqual({
      states: ['int32', [T, S, 2]],
      actions: ['int32', [T, S]],
      rewards: ['int32', [T, S]],
      next_states: ['int32', [T, S, 2]],
      dones: ['uint8', [T, S]],
      optimal_actions: ['int32', [S, T]],
    });
    expect(g.datasets.states!.maxshape).toEqual([-1, S, 2]); // extendable along time
    expect(g.datasets.states!.chunks).toEqual([4, 1, 2]); // one stream per chunk
    const expected = gridBatch(1, 0, T, S, { optimal: true });
    expect(g.datasets.states!.values).toEqual(nested(expected.states, [T, S, 2]));
    expect(g.datasets.next_states!.values).toEqual(nested(expected.nextStates, [T, S, 2]));
    expect(g.datasets.actions!.values).toEqual(nested(expected.actions, [T, S]));
    expect(g.datasets.rewards!.values).toEqual(nested(expected.rewards, [T, S]));
    expect(g.datasets.dones!.values).toEqual(nested(expected.dones, [T, S]));
    // optimal_actions is stream-major in DICP: element [s][t].
    expect((g.datasets.optimal_actions!.values as number[][])[2]![7]).toBe(
      expected.optimalActions![7 * S + 2],
    );

    expect(dump.attrs.icrl_schema_version).toEqual({ value: HISTORY_SCHEMA_VERSION, type: 'int32' });
    expect(dump.attrs.env_id!.value).toBe('darkroom');
    expect(dump.attrs.streams!.value).toBe(S);
    expect(dump.attrs.subsample!.value).toBe(1);
    expect(dump.attrs.seed!.value).toBe(7);
    expect(dump.attrs.split_seed!.value).toBe(0);
    expect(dump.attrs.split_train_ratio!.value).toBe(0.8);
    expect(dump.attrs.source_algorithm!.value).toBe('ppo');
    expect(JSON.parse(dump.attrs.source_settings!.value as string)).toEqual({ lr: 0.0003, nSteps: 20 });
    expect(JSON.parse(dump.attrs.icrl_meta!.value as string).envId).toBe('darkroom');
    expect(dump.attrs.icrl_library_version!.value).toBe('0.0.0');
    expect(g.attrs.task_index!.value).toBe(1);
    expect(JSON.parse(g.attrs.task_params!.value as string)).toEqual({ goal: [1, 0] });
    expect(g.attrs.split!.value).toBe('train');
    expect(g.attrs.seed!.value).toBe(101);
    expect(g.attrs.length!.value).toBe(T);
    expect(g.attrs.episode_returns!.value).toEqual([0.25, 1.5]);
    expect(g.attrs.final_return!.value).toBe(1.5);
  });
});

describe('files written by h5py, read here', () => {
  it('reads a DICP gridworld file (contiguous, bool dones, stream-major optimal_actions)', async () => {
    const path = join(dir, 'dicp.h5');
    runPython(python, 'write_foreign.py', ['dicp', path, '3', '12', '4']);
    const reader = await HistoryReader.open(path, {
      meta: { envId: 'darkroom', source: { algorithm: 'ppo', settings: {} } },
    });
    expect(reader.layout).toBe('dicp');
    expect(reader.taskIndices).toEqual([0, 1, 2]);
    expect(reader.meta.streams).toBe(4);
    expect(reader.meta.envId).toBe('darkroom');
    expect(reader.meta.observationSpace).toEqual({
      kind: 'box',
      shape: [2],
      low: -Infinity,
      high: Infinity,
      dtype: 'int32',
    });
    expect(reader.meta.actionSpace).toEqual({ kind: 'discrete', n: 5 });
    expect(reader.taskInfo(2)).toEqual({
      task: { familyId: 'darkroom', index: 2, params: {} },
      length: 12,
      streams: 4,
    });
    for (const cacheBytes of [0, 1 << 20]) {
      const r = cacheBytes === 0 ? await HistoryReader.open(path, { cacheBytes: 0 }) : reader;
      const whole = r.readTask(2);
      const expected = gridBatch(2, 0, 12, 4, { optimal: true });
      for (const field of [
        'states',
        'actions',
        'rewards',
        'nextStates',
        'dones',
        'optimalActions',
      ] as const) {
        expect(Array.from(whole[field] as ArrayLike<number>), `${field} cache=${cacheBytes}`).toEqual(
          Array.from(expected[field] as ArrayLike<number>),
        );
      }
      const w = r.read(1, 3, 5, 4);
      expect([...w.states]).toEqual([5, 6, 7, 8].flatMap((t) => [cell(1, t, 3), cell(1, t + 1, 3)]));
      expect([...w.dones]).toEqual([0, 0, 1, 0]);
      if (r !== reader) r.close();
    }
    reader.close();
  });

  it('reads a DICP Meta-World file (float32 states and actions, success)', async () => {
    const path = join(dir, 'dicp-mw.h5');
    runPython(python, 'write_foreign.py', ['dicp-metaworld', path, '2', '6', '2']);
    const reader = await HistoryReader.open(path);
    expect(reader.layout).toBe('dicp');
    expect(reader.meta.observationSpace).toEqual({
      kind: 'box',
      shape: [18],
      low: -Infinity,
      high: Infinity,
      dtype: 'float32',
    });
    expect(reader.meta.actionSpace).toEqual({
      kind: 'box',
      shape: [4],
      low: -Infinity,
      high: Infinity,
      dtype: 'float32',
    });
    const w = reader.read(1, 1, 2, 3);
    expect(w.states).toBeInstanceOf(Float32Array);
    expect(w.states[0]).toBeCloseTo(((2 * 2 + 1) * 18) / 7 + 1, 5);
    expect(w.nextStates[0]).toBeCloseTo(((2 * 2 + 1) * 18) / 7 + 2, 5);
    expect([...w.success!]).toEqual([1, 0, 0]);
    reader.close();
  });

  it('reads an XLand-100B file (stream-major, uint8 states, float16 rewards, gzip chunks, expert_actions)', async () => {
    const path = join(dir, 'xland.h5');
    const T = 300;
    runPython(python, 'write_foreign.py', ['xland', path, '2', String(T), '3']);
    const reader = await HistoryReader.open(path, { cacheBytes: 0 });
    expect(reader.layout).toBe('xland');
    expect(reader.meta.envId).toBe('XLand-MiniGrid-R1-9x9');
    expect(reader.meta.observationSpace).toEqual({
      kind: 'box',
      shape: [5, 5],
      low: 0,
      high: 255,
      dtype: 'int32',
    });
    expect(reader.meta.actionSpace).toEqual({ kind: 'discrete', n: 5 });
    expect(reader.taskInfo(1).task.params).toEqual({
      'benchmark-id': 'trivial-1m',
      'ruleset-id': 1001,
      'env-id': 'XLand-MiniGrid-R1-9x9',
    });
    expect(reader.fields(1)).toEqual([
      'states',
      'actions',
      'rewards',
      'nextStates',
      'dones',
      'optimalActions',
    ]);
    const w = reader.read(1, 2, 120, 20); // crosses the chunk boundary at 128
    const obs = (t: number) => Array.from({ length: 25 }, (_, i) => (cell(1, t, 2) * 12 + i) % 256);
    expect([...w.states.subarray(0, 25)]).toEqual(obs(120));
    expect([...w.states.subarray(19 * 25)]).toEqual(obs(139));
    expect([...w.nextStates.subarray(0, 25)]).toEqual(obs(121)); // derived: the next step's state
    expect([...w.rewards]).toEqual(
      Array.from({ length: 20 }, (_, i) => ((120 + i + 2) % 3 === 0 ? halfToNumber(numberToHalf(0.75)) : 0)),
    );
    expect([...w.actions]).toEqual(Array.from({ length: 20 }, (_, i) => (1 + 120 + i + 2) % 5));
    expect([...w.optimalActions!]).toEqual(Array.from({ length: 20 }, (_, i) => (1 + 2 + 2 * (120 + i)) % 5));
    expect([...w.dones]).toEqual(Array.from({ length: 20 }, (_, i) => ((120 + i + 1) % 4 === 0 ? 1 : 0)));
    const last = reader.read(0, 0, T - 2, 2);
    expect([...last.nextStates.subarray(25)]).toEqual([...last.states.subarray(25)]); // no successor: repeated
    reader.close();
  });

  it('refuses to guess when nothing tells DICP from XLand, and reads it once told', async () => {
    const path = join(dir, 'ambiguous.h5');
    runPython(python, 'write_foreign.py', ['ambiguous', path, '1', '8', '2']);
    await expect(HistoryReader.open(path)).rejects.toThrow(InvalidFileError);
    await expect(HistoryReader.open(path)).rejects.toThrow(
      `Cannot use ${path}: cannot tell its layout: group "0" has neither "next_states" (DICP, time-major) nor "expert_actions" / a "ruleset-id" attribute (XLand-100B, stream-major); pass { layout: 'dicp' } or { layout: 'xland' }.`,
    );
    await expect(HistoryReader.open(path, { layout: 'dicp' })).rejects.toThrow(
      'group "0", field "next_states": the dataset is missing (the dicp layout requires it).',
    );
    const reader = await HistoryReader.open(path, { layout: 'xland' }); // stream-major reading of (8, 2) data
    expect(reader.taskInfo(0).streams).toBe(8);
    reader.close();
  });
});
