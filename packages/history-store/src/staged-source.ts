import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidFileError } from '@icrl/core';
import type { SourceDataset, TaskSource } from './assemble-history';
import type { StagedTask } from './staging-dir';

// A complete staged task (raw time-major files) as a TaskSource for assembly.

/**
 * Reads the raw files of a staged task.
 *
 * @example const source = stagedSource(task, datasets, streams); source.readSlab(states, 0, 1024);
 */
export function stagedSource(
  task: StagedTask,
  datasets: readonly SourceDataset[],
  streams: number,
): TaskSource & { close(): void } {
  const fds = new Map<string, number>();
  let buffer = Buffer.alloc(0);
  const present = datasets.filter((d) => d.name in task.record.datasets);
  return {
    index: task.index,
    taskMeta: task.record.taskMeta,
    summary: task.record.summary,
    length: task.record.length,
    datasets: present,
    readSlab(dataset, t0, n) {
      const stepBytes = task.record.datasets[dataset.name]!;
      const bytes = n * streams * stepBytes;
      if (buffer.byteLength < bytes) buffer = Buffer.alloc(bytes);
      let fd = fds.get(dataset.name);
      if (fd === undefined) {
        fd = openSync(join(task.dir, `${dataset.name}.bin`), 'r');
        fds.set(dataset.name, fd);
      }
      let read = 0;
      while (read < bytes) {
        const got = readSync(fd, buffer, read, bytes - read, t0 * streams * stepBytes + read);
        if (got === 0) {
          throw new InvalidFileError(
            join(task.dir, `${dataset.name}.bin`),
            `ends before step ${t0 + n} of task ${task.index}.`,
          );
        }
        read += got;
      }
      return new Uint8Array(buffer.buffer, buffer.byteOffset, bytes);
    },
    close() {
      for (const fd of fds.values()) closeSync(fd);
      fds.clear();
    },
  };
}
