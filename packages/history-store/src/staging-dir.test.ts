import { existsSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidFileError } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { taskMeta } from '../test/synthetic-history';
import { tempDir } from '../test/temp-dir';
import { type JobRecord, StagingDir } from './staging-dir';

const dir = tempDir();
const job: JobRecord = { format: 'icrl-history-staging', schemaVersion: 1, meta: '{}', storage: '{}' };

describe('StagingDir', () => {
  it('makes a task complete only by renaming its directory, after its files are written', () => {
    const staging = new StagingDir(join(dir, 'a.h5.partial'));
    staging.create(job);
    expect(staging.readJob()).toEqual(job);
    const stage = staging.beginTask(4);
    stage.append('states', Uint8Array.of(1, 2, 3, 4));
    stage.append('states', Uint8Array.of(5, 6, 7, 8));
    expect(staging.completeTasks(2)).toEqual([]);
    expect(readdirSync(staging.dir).sort()).toEqual(['job.json', 'task-4.tmp']);
    stage.finish({
      taskMeta: taskMeta(4),
      summary: { episodeReturns: [1] },
      length: 2,
      datasets: { states: 2 },
    });
    expect(readdirSync(staging.dir).sort()).toEqual(['job.json', 'task-4']);
    const [task] = staging.completeTasks(2);
    expect(task?.index).toBe(4);
    expect(task?.record.length).toBe(2);
  });

  it('discards half-written tasks and checks complete ones against their recorded sizes', () => {
    const staging = new StagingDir(join(dir, 'b.h5.partial'));
    staging.create(job);
    staging.beginTask(1).append('dones', Uint8Array.of(1));
    expect(staging.discardIncomplete()).toEqual([1]);
    const stage = staging.beginTask(2);
    stage.append('dones', Uint8Array.of(0, 1, 0, 1));
    stage.finish({
      taskMeta: taskMeta(2),
      summary: { episodeReturns: [] },
      length: 2,
      datasets: { dones: 1 },
    });
    truncateSync(join(staging.dir, 'task-2', 'dones.bin'), 3);
    expect(() => staging.completeTasks(2)).toThrow(InvalidFileError);
    expect(() => staging.completeTasks(2)).toThrow(
      /holds 3 bytes but task 2 records 2 steps × 2 streams × 1 bytes = 4/,
    );
    staging.remove();
    expect(existsSync(staging.dir)).toBe(false);
  });

  it('rejects a job.json it cannot read', () => {
    const staging = new StagingDir(join(dir, 'c.h5.partial'));
    staging.create(job);
    writeFileSync(join(staging.dir, 'job.json'), '{"format": "something else"}');
    expect(() => staging.readJob()).toThrow(
      'it is not an icrl history job file; delete the directory to start over.',
    );
  });
});
