import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gridMeta, taskMeta } from '../test/synthetic-history';
import { tempDir } from '../test/temp-dir';
import { assembleHistory, type TaskSource } from './assemble-history';
import { Hdf5File } from './hdf5-file';
import { resolveStorage, validateWriterOptions } from './writer-options';

const dir = tempDir();

describe('assembleHistory', () => {
  it('copies time-major slabs chunk by chunk and stores optimal_actions stream-major', async () => {
    const S = 3;
    const T = 7;
    const meta = gridMeta(S);
    const storage = resolveStorage(validateWriterOptions({ chunkLength: 3 }), meta);
    // time-major (T, S) int32 values t * 10 + s
    const timeMajor = new Int32Array(T * S).map((_, i) => Math.floor(i / S) * 10 + (i % S));
    const slabs: number[][] = [];
    const source: TaskSource = {
      index: 2,
      taskMeta: taskMeta(2),
      summary: { episodeReturns: [] },
      length: T,
      datasets: [
        { name: 'actions', dtype: 'int32', stepShape: [] },
        { name: 'optimal_actions', dtype: 'int32', stepShape: [] },
      ],
      readSlab(_dataset, t0, n) {
        slabs.push([t0, n]);
        return new Uint8Array(timeMajor.slice(t0 * S, (t0 + n) * S).buffer);
      },
    };
    const target = join(dir, 'assembled.h5');
    await assembleHistory(target, join(dir, 'assembling.h5'), meta, storage, [source]);
    expect(slabs).toEqual([
      [0, 3],
      [3, 3],
      [6, 1],
      [0, 3],
      [3, 3],
      [6, 1],
    ]);
    const file = await Hdf5File.open(target, 'r');
    expect(file.datasetInfo('/2/actions')).toMatchObject({ shape: [T, S], chunks: [3, 1] });
    expect(file.datasetInfo('/2/optimal_actions')).toMatchObject({ shape: [S, T], chunks: [1, 3] });
    const actions = new Int32Array(file.read('/2/actions', [0, 0], [T, S], 4).slice().buffer);
    expect([...actions]).toEqual([...timeMajor]);
    const optimal = new Int32Array(file.read('/2/optimal_actions', [1, 0], [1, T], 4).slice().buffer);
    expect([...optimal]).toEqual([1, 11, 21, 31, 41, 51, 61]);
    file.close();
  });
});
