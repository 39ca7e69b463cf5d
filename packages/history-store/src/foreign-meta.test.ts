import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir';
import { foreignTaskInfo, inferForeignMeta } from './foreign-meta';
import { Hdf5File } from './hdf5-file';
import { readTaskLayout } from './history-schema';

const dir = tempDir();

describe('inferForeignMeta', () => {
  it('infers spaces from the data and takes the rest from the caller', async () => {
    const path = join(dir, 'dicp-like.h5');
    const w = await Hdf5File.open(path, 'w');
    w.createGroup('/0');
    for (const [name, shape] of Object.entries({
      states: [4, 2, 2],
      next_states: [4, 2, 2],
      actions: [4, 2],
      rewards: [4, 2],
      dones: [4, 2],
    })) {
      w.createDataset(`/0/${name}`, {
        dtype: name === 'dones' ? 'uint8' : 'int16',
        shape,
        maxshape: shape,
        chunks: shape,
      });
    }
    w.write('/0/actions', [0, 0], [4, 2], new Uint8Array(new Int16Array([0, 1, 6, 2, 3, 0, 1, 1]).buffer));
    w.close();
    const r = await Hdf5File.open(path, 'r');
    const layout = readTaskLayout(r, 'dicp', 0, '0', {});
    const meta = inferForeignMeta(r, 'dicp', layout, { envId: 'darkroom', seed: 3 });
    expect(meta).toMatchObject({
      envId: 'darkroom',
      seed: 3,
      streams: 2,
      subsample: 1,
      observationSpace: { kind: 'box', shape: [2], low: -32768, high: 32767, dtype: 'int32' },
      actionSpace: { kind: 'discrete', n: 7 },
      source: { algorithm: 'unknown', settings: {} },
    });
    expect(foreignTaskInfo(r, 'dicp', layout, meta)).toEqual({
      task: { familyId: 'darkroom', index: 0, params: {} },
      length: 4,
      streams: 2,
    });
    expect(() => inferForeignMeta(r, 'dicp', layout, { streams: 0 })).toThrow(
      'Invalid options.meta.streams: got 0',
    );
    r.close();
  });
});
