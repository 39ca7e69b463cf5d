import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/temp-dir';
import { Hdf5File } from './hdf5-file';
import { datasetName, readTaskLayout } from './history-schema';

const dir = tempDir();

describe('readTaskLayout', () => {
  it('describes each field of a stream-major (XLand) group', async () => {
    const path = join(dir, 'xland.h5');
    const w = await Hdf5File.open(path, 'w');
    w.createGroup('/5');
    w.createDataset('/5/states', {
      dtype: 'uint8',
      shape: [3, 40, 5, 5],
      maxshape: [3, 40, 5, 5],
      chunks: [1, 16, 5, 5],
    });
    for (const name of ['actions', 'rewards', 'dones', 'expert_actions']) {
      w.createDataset(`/5/${name}`, { dtype: 'uint8', shape: [3, 40], maxshape: [3, 40], chunks: [1, 16] });
    }
    w.close();
    const r = await Hdf5File.open(path, 'r');
    const layout = readTaskLayout(r, 'xland', 5, '5', {});
    expect([layout.length, layout.streams]).toEqual([40, 3]);
    expect(layout.fields.states).toEqual({
      field: 'states',
      path: '/5/states',
      dtype: 'uint8',
      streamMajor: true,
      stepShape: [5, 5],
      stepSize: 25,
      chunkTime: 16,
    });
    expect(layout.fields.optimalActions?.path).toBe('/5/expert_actions');
    expect(layout.fields.nextStates).toBeUndefined();
    expect(() => readTaskLayout(r, 'dicp', 5, '5', {})).toThrow(
      'group "5", field "next_states": the dataset is missing (the dicp layout requires it).',
    );
    r.close();
  });

  it('maps fields to DICP dataset names', () => {
    expect(datasetName('icrl', 'nextStates')).toBe('next_states');
    expect(datasetName('xland', 'optimalActions')).toBe('expert_actions');
    expect(datasetName('xland', 'nextStates')).toBeUndefined();
  });
});
