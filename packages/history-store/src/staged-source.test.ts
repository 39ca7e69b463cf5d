import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { taskMeta } from '../test/synthetic-history';
import { tempDir } from '../test/temp-dir';
import { stagedSource } from './staged-source';
import { StagingDir } from './staging-dir';

const dir = tempDir();

describe('stagedSource', () => {
  it('reads time-major slabs of a staged task at any step', () => {
    const staging = new StagingDir(join(dir, 's.h5.partial'));
    staging.create({ format: 'icrl-history-staging', schemaVersion: 1, meta: '{}', storage: '{}' });
    const stage = staging.beginTask(0);
    const values = new Int32Array(5 * 2).map((_, i) => i); // (T=5, S=2) int32
    stage.append('actions', new Uint8Array(values.buffer, 0, 12));
    stage.append('actions', new Uint8Array(values.buffer, 12));
    stage.finish({
      taskMeta: taskMeta(0),
      summary: { episodeReturns: [] },
      length: 5,
      datasets: { actions: 4 },
    });
    const [task] = staging.completeTasks(2);
    const source = stagedSource(
      task!,
      [
        { name: 'actions', dtype: 'int32', stepShape: [] },
        { name: 'success', dtype: 'float32', stepShape: [] },
      ],
      2,
    );
    expect(source.datasets.map((d) => d.name)).toEqual(['actions']); // only what the task holds
    const slab = source.readSlab(source.datasets[0]!, 3, 2);
    expect([...new Int32Array(slab.buffer, slab.byteOffset, 4)]).toEqual([6, 7, 8, 9]);
    source.close();
  });
});
