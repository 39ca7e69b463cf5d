import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { gridBatch, gridMeta, taskMeta } from '../test/synthetic-history';
import { tempDir } from '../test/temp-dir';
import { HistoryWriter, planDatasets } from './history-writer';
import { openPreviousFile } from './previous-file';
import { resolveStorage, validateWriterOptions } from './writer-options';

const dir = tempDir();

describe('openPreviousFile', () => {
  it('exposes the job of a finished file and its tasks as time-major sources', async () => {
    const path = join(dir, 'done.h5');
    const writer = new HistoryWriter(path);
    await writer.open(gridMeta(2));
    writer.beginTask(taskMeta(6));
    writer.append(6, gridBatch(6, 0, 5, 2, { optimal: true }));
    writer.endTask(6, { episodeReturns: [2] });
    await writer.close();

    const storage = resolveStorage(validateWriterOptions({}), gridMeta(2));
    const previous = await openPreviousFile(path, planDatasets(gridMeta(2), storage), 2);
    expect(previous.job.meta).toBe(canonicalJson(gridMeta(2)));
    expect(previous.job.storage).toBe(canonicalJson(storage));
    expect(previous.taskIndices).toEqual([6]);
    const source = previous.source(6);
    expect(source.summary).toEqual({ episodeReturns: [2] });
    const optimal = source.datasets.find((d) => d.name === 'optimal_actions')!;
    const slab = source.readSlab(optimal, 1, 3);
    expect([...new Int32Array(slab.buffer, slab.byteOffset, 6)]).toEqual([
      ...gridBatch(6, 1, 3, 2, { optimal: true }).optimalActions!,
    ]);
    previous.close();
  });

  it('refuses a file that was not written here', async () => {
    const path = join(dir, 'foreign.h5');
    writeFileSync(path, 'not hdf5');
    await expect(openPreviousFile(path, [], 1)).rejects.toThrow('it is not an HDF5 file');
  });
});
