import { canonicalJson, InvalidFileError } from '@icrl/core';
import type { SourceDataset, TaskSource } from './assemble-history';
import { Hdf5File } from './hdf5-file';
import { readRootMeta, readTaskAttrs } from './history-attributes';
import { readTaskLayout, SCHEMA_VERSION_ATTR, type TaskLayout } from './history-schema';
import type { JobRecord } from './staging-dir';
import { dtypeSize } from './storage-dtype';

// A finished file found at the writer's path: the job it holds, and its tasks as sources, so that a resumed
// job can add tasks to it (the file is rebuilt with old and new tasks, then renamed over the old one).

/** An earlier, complete file of (possibly) the same job. */
export interface PreviousFile {
  readonly job: JobRecord;
  readonly taskIndices: readonly number[];
  source(index: number): TaskSource;
  close(): void;
}

/**
 * Opens an existing icrl file for resume.
 *
 * @throws InvalidFileError when it is not a readable icrl history file.
 */
export async function openPreviousFile(
  path: string,
  datasets: readonly SourceDataset[],
  streams: number,
): Promise<PreviousFile> {
  const file = await Hdf5File.open(path, 'r');
  try {
    if (file.readAttr('/', SCHEMA_VERSION_ATTR) === undefined) {
      throw new InvalidFileError(
        path,
        `it was not written by @icrl/history-store (no "${SCHEMA_VERSION_ATTR}" attribute); refusing to replace it.`,
      );
    }
    const { meta, storage } = readRootMeta(file);
    const job: JobRecord = {
      format: 'icrl-history-staging',
      schemaVersion: meta.schemaVersion,
      meta: canonicalJson(meta),
      storage: canonicalJson(storage ?? null),
    };
    const tasks = new Map<number, { layout: TaskLayout; attrs: ReturnType<typeof readTaskAttrs> }>();
    for (const [name, kind] of file.children('/')) {
      if (kind !== 'group' || !/^\d+$/.test(name)) continue;
      const attrs = readTaskAttrs(file, name);
      const layout = readTaskLayout(file, 'icrl', Number(name), name, { streams, length: attrs.length });
      tasks.set(Number(name), { layout, attrs });
    }
    return {
      job,
      taskIndices: [...tasks.keys()].sort((a, b) => a - b),
      source(index) {
        const task = tasks.get(index)!;
        const present = datasets.filter((d) =>
          Object.values(task.layout.fields).some((f) => f.path.endsWith(`/${d.name}`)),
        );
        return {
          index,
          taskMeta: task.attrs.taskMeta,
          summary: task.attrs.summary,
          length: task.layout.length,
          datasets: present,
          readSlab(dataset, t0, n) {
            const path = `${task.layout.group}/${dataset.name}`;
            const size = dtypeSize(dataset.dtype);
            if (dataset.name === 'optimal_actions') {
              // Stored (streams, T); sources hand out time-major slabs.
              const raw = file.read(path, [0, t0], [streams, n], size).slice();
              const src = new Int32Array(raw.buffer);
              const out = new Int32Array(n * streams);
              for (let s = 0; s < streams; s++)
                for (let t = 0; t < n; t++) out[t * streams + s] = src[s * n + t]!;
              return new Uint8Array(out.buffer);
            }
            const step = dataset.stepShape;
            return file.read(path, [t0, 0, ...step.map(() => 0)], [n, streams, ...step], size).slice();
          },
        };
      },
      close: () => file.close(),
    };
  } catch (error) {
    file.close();
    throw error;
  }
}
