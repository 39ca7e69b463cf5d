import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HistoryMeta, TaskHistoryMeta, TaskHistorySummary } from '@icrl/core';
import { Hdf5File } from './hdf5-file';
import { writeRootAttrs, writeTaskAttrs } from './history-attributes';
import { dtypeSize, type WritableDtype } from './storage-dtype';
import type { StorageLayout } from './writer-options';

// Builds the final HDF5 file from complete tasks, slab by slab (bounded memory), into a temporary path that
// is fsynced and renamed over the target only when the whole file is written.

/** One dataset of a task to copy. */
export interface SourceDataset {
  /** DICP name (`states`, `optimal_actions`, ...). */
  readonly name: string;
  readonly dtype: WritableDtype;
  /** Trailing dims of one step. */
  readonly stepShape: readonly number[];
}

/** A complete task, wherever its data lives (staged raw files, or a previous version of the file). */
export interface TaskSource {
  readonly index: number;
  readonly taskMeta: TaskHistoryMeta;
  readonly summary: TaskHistorySummary;
  /** Steps per stream. */
  readonly length: number;
  readonly datasets: readonly SourceDataset[];
  /**
   * Steps [t0, t0 + n) of `dataset`, time-major (n, streams, ...step), as raw stored bytes (valid until the
   * next call; never a view of the wasm heap, which may move during any HDF5 call).
   */
  readSlab(dataset: SourceDataset, t0: number, n: number): Uint8Array;
  /** Releases what reading held open (called once the task is copied). */
  close?(): void;
}

function fsyncPath(path: string): void {
  try {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // directories cannot be fsynced everywhere
  }
}

/** Transposes a time-major (n, streams) int32 slab into stream-major (streams, n). */
function transposeInt32(src: Int32Array, n: number, streams: number, dst: Int32Array): void {
  for (let t = 0; t < n; t++) {
    const row = t * streams;
    for (let s = 0; s < streams; s++) dst[s * n + t] = src[row + s]!;
  }
}

/**
 * Writes `sources` (sorted by index) as an icrl HDF5 file at `target`, through `tmpPath`.
 *
 * @example await assembleHistory('/data/h.h5', '/data/h.h5.partial/assembling.h5', meta, storage, tasks);
 */
export async function assembleHistory(
  target: string,
  tmpPath: string,
  meta: HistoryMeta,
  storage: StorageLayout,
  sources: readonly TaskSource[],
): Promise<void> {
  const file = await Hdf5File.open(tmpPath, 'w');
  try {
    writeRootAttrs(file, meta, storage);
    const streams = meta.streams;
    for (const source of [...sources].sort((a, b) => a.index - b.index)) {
      const group = `/${source.index}`;
      file.createGroup(group);
      writeTaskAttrs(file, group, source.taskMeta, source.summary, source.length, streams);
      // One stream per chunk: a training window of one stream reads one chunk per field, not 'streams' of them.
      const chunkTime = Math.max(1, Math.min(storage.chunkLength, source.length));
      for (const dataset of source.datasets) {
        const path = `${group}/${dataset.name}`;
        const stepBytes = dataset.stepShape.reduce((a, b) => a * b, dtypeSize(dataset.dtype));
        const streamMajor = dataset.name === 'optimal_actions'; // DICP stores it (streams, T)
        file.createDataset(path, {
          dtype: dataset.dtype,
          shape: streamMajor ? [streams, 0] : [0, streams, ...dataset.stepShape],
          maxshape: streamMajor ? [streams, null] : [null, streams, ...dataset.stepShape],
          chunks: streamMajor ? [1, chunkTime] : [chunkTime, 1, ...dataset.stepShape],
          gzip: storage.compression,
        });
        if (source.length === 0) continue;
        file.resize(
          path,
          streamMajor ? [streams, source.length] : [source.length, streams, ...dataset.stepShape],
        );
        for (let t0 = 0; t0 < source.length; t0 += chunkTime) {
          const n = Math.min(chunkTime, source.length - t0);
          const slab = source.readSlab(dataset, t0, n);
          if (slab.byteLength !== n * streams * stepBytes) {
            throw new RangeError(
              `task ${source.index}, ${dataset.name}: slab of ${slab.byteLength} bytes, expected ${n * streams * stepBytes}`,
            );
          }
          if (streamMajor) {
            const out = file.scratchView(slab.byteLength);
            const slabInts = new Int32Array(slab.buffer, slab.byteOffset, n * streams);
            transposeInt32(slabInts, n, streams, new Int32Array(out.buffer, out.byteOffset, n * streams));
            file.write(path, [0, t0], [streams, n], out);
          } else {
            file.write(
              path,
              [t0, 0, ...dataset.stepShape.map(() => 0)],
              [n, streams, ...dataset.stepShape],
              slab,
            );
          }
        }
      }
      source.close?.();
    }
    file.close();
    fsyncPath(tmpPath);
    renameSync(tmpPath, target);
    fsyncPath(dirname(target));
  } catch (error) {
    try {
      file.close();
    } catch {
      // the original error is the one worth reporting
    }
    rmSync(tmpPath, { force: true });
    throw error;
  }
}
