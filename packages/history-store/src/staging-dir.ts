import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { InvalidFileError, type TaskHistoryMeta, type TaskHistorySummary } from '@icrl/core';

// The partial data of an unfinished job, in a directory next to the target file (`<path>.partial/`):
//
//   job.json                 the job's meta and storage layout (a resumed writer must match it)
//   task-<k>/                a complete task: task.json + one raw little-endian file per dataset,
//                            time-major (T, S, ...) in the stored dtype
//   task-<k>.tmp/            a task being written; a killed run leaves it, the next open() deletes it
//
// A task directory becomes `task-<k>/` only by an atomic rename after its files are fsynced, so a crash at
// any instant leaves each task either complete or discarded. The HDF5 file is built from these at close().

/** Contents of job.json. */
export interface JobRecord {
  readonly format: 'icrl-history-staging';
  readonly schemaVersion: number;
  /** canonicalJson(meta). */
  readonly meta: string;
  /** canonicalJson(storage layout). */
  readonly storage: string;
}

/** Contents of task.json. */
export interface StagedTaskRecord {
  readonly taskMeta: TaskHistoryMeta;
  readonly summary: TaskHistorySummary;
  /** Steps per stream. */
  readonly length: number;
  /** Datasets written (DICP names: `states`, `optimal_actions`, ...) and bytes per step of each. */
  readonly datasets: Readonly<Record<string, number>>;
}

/** A complete task in the staging directory. */
export interface StagedTask {
  readonly index: number;
  readonly dir: string;
  readonly record: StagedTaskRecord;
}

const JOB_FILE = 'job.json';
const TASK_FILE = 'task.json';

function writeFileDurably(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function fsyncDir(dir: string): void {
  // Makes a rename inside `dir` durable (ext4 and friends); harmless where directories cannot be fsynced.
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported on this platform
  }
}

/**
 * The staging directory of one job.
 *
 * @example
 * const staging = new StagingDir('/data/histories.h5.partial');
 * if (!staging.exists()) staging.create(job);
 * const stage = staging.beginTask(3); // task-3.tmp/
 */
export class StagingDir {
  constructor(readonly dir: string) {}

  exists(): boolean {
    return existsSync(this.dir);
  }

  /** Creates the directory and its job.json. */
  create(job: JobRecord): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileDurably(join(this.dir, JOB_FILE), `${JSON.stringify(job, null, 2)}\n`);
  }

  /** Reads job.json (InvalidFileError when it is missing or unreadable). */
  readJob(): JobRecord {
    const path = join(this.dir, JOB_FILE);
    let job: Partial<JobRecord>;
    try {
      job = JSON.parse(readFileSync(path, 'utf8')) as Partial<JobRecord>;
    } catch (error) {
      throw new InvalidFileError(
        path,
        'the partial data of a previous run has no readable job.json; delete the directory to start over.',
        {
          cause: error,
        },
      );
    }
    if (
      job.format !== 'icrl-history-staging' ||
      typeof job.meta !== 'string' ||
      typeof job.storage !== 'string'
    ) {
      throw new InvalidFileError(
        path,
        'it is not an icrl history job file; delete the directory to start over.',
      );
    }
    return job as JobRecord;
  }

  /** Deletes the directories of tasks a killed run left half-written; returns their indices. */
  discardIncomplete(): number[] {
    const discarded: number[] = [];
    for (const name of readdirSync(this.dir)) {
      const match = /^task-(\d+)\.tmp$/.exec(name);
      if (match) {
        rmSync(join(this.dir, name), { recursive: true, force: true });
        discarded.push(Number(match[1]));
      }
    }
    return discarded.sort((a, b) => a - b);
  }

  /** The complete tasks, checked against their recorded sizes. */
  completeTasks(streams: number): StagedTask[] {
    const tasks: StagedTask[] = [];
    for (const name of readdirSync(this.dir)) {
      const match = /^task-(\d+)$/.exec(name);
      if (!match) continue;
      const dir = join(this.dir, name);
      const recordPath = join(dir, TASK_FILE);
      let record: StagedTaskRecord;
      try {
        record = JSON.parse(readFileSync(recordPath, 'utf8')) as StagedTaskRecord;
      } catch (error) {
        throw new InvalidFileError(
          recordPath,
          'a complete task of the partial data is unreadable; delete its directory to rewrite the task.',
          {
            cause: error,
          },
        );
      }
      for (const [dataset, bytesPerStep] of Object.entries(record.datasets)) {
        const file = join(dir, `${dataset}.bin`);
        const expected = record.length * streams * bytesPerStep;
        const actual = existsSync(file) ? statSync(file).size : -1;
        if (actual !== expected) {
          throw new InvalidFileError(
            file,
            `holds ${actual} bytes but task ${match[1]} records ${record.length} steps × ${streams} streams × ${bytesPerStep} bytes = ${expected}; delete ${dir} to rewrite the task.`,
          );
        }
      }
      tasks.push({ index: Number(match[1]), dir, record });
    }
    return tasks.sort((a, b) => a.index - b.index);
  }

  /** Starts writing task `index` in `task-<index>.tmp/` (replacing any leftover). */
  beginTask(index: number): TaskStage {
    const dir = join(this.dir, `task-${index}.tmp`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    return new TaskStage(dir, join(this.dir, `task-${index}`));
  }

  /** Deletes the whole directory. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Raw files of one task being written. */
export class TaskStage {
  private readonly fds = new Map<string, number>();

  constructor(
    readonly dir: string,
    private readonly finalDir: string,
  ) {}

  /** Appends raw bytes to `<dataset>.bin`. */
  append(dataset: string, bytes: Uint8Array): void {
    let fd = this.fds.get(dataset);
    if (fd === undefined) {
      fd = openSync(join(this.dir, `${dataset}.bin`), 'w');
      this.fds.set(dataset, fd);
    }
    let written = 0;
    while (written < bytes.byteLength) written += writeSync(fd, bytes, written, bytes.byteLength - written);
  }

  /** Makes the task complete: fsyncs its files, writes task.json, renames the directory atomically. */
  finish(record: StagedTaskRecord): void {
    for (const fd of this.fds.values()) fsyncSync(fd);
    this.closeFiles();
    writeFileDurably(join(this.dir, TASK_FILE), `${JSON.stringify(record)}\n`);
    fsyncDir(this.dir);
    renameSync(this.dir, this.finalDir);
    fsyncDir(join(this.finalDir, '..'));
  }

  /** Closes the files without completing the task (the directory stays `.tmp`, discarded on resume). */
  closeFiles(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}
