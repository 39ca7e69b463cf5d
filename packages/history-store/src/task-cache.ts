import type { HistoryField, TaskLayout } from './history-schema';
import { dtypeSize, type RawArray } from './storage-dtype';

/** All fields of one task, raw, as stored (time-major or stream-major). */
export type CachedTask = Partial<Record<HistoryField, RawArray>>;

/**
 * A least-recently-used cache of whole tasks, bounded in bytes.
 *
 * @example
 * const cache = new TaskCache(512 << 20);
 * const task = cache.get(3) ?? cache.put(3, load(3), bytes);
 */
export class TaskCache {
  private readonly entries = new Map<number, { task: CachedTask; bytes: number }>();
  private used = 0;

  constructor(readonly capacityBytes: number) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.used;
  }

  /** The task if cached (and marks it recently used). */
  get(index: number): CachedTask | undefined {
    const entry = this.entries.get(index);
    if (entry === undefined) return undefined;
    this.entries.delete(index);
    this.entries.set(index, entry);
    return entry.task;
  }

  /** Adds a task, evicting the least recently used ones to stay within capacity; returns it. */
  put(index: number, task: CachedTask, bytes: number): CachedTask {
    if (bytes > this.capacityBytes) return task;
    this.delete(index);
    while (this.used + bytes > this.capacityBytes && this.entries.size > 0) {
      this.delete(this.entries.keys().next().value!);
    }
    this.entries.set(index, { task, bytes });
    this.used += bytes;
    return task;
  }

  delete(index: number): void {
    const entry = this.entries.get(index);
    if (entry === undefined) return;
    this.entries.delete(index);
    this.used -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }
}

/** Payload bytes of a task (all its stored fields). */
export function taskBytes(layout: TaskLayout): number {
  let bytes = 0;
  for (const f of Object.values(layout.fields)) {
    bytes += layout.length * layout.streams * f.stepSize * dtypeSize(f.dtype);
  }
  return bytes;
}
