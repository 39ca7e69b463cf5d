import { describe, expect, it } from 'vitest';
import { TaskCache, taskBytes } from './task-cache';

describe('TaskCache', () => {
  it('evicts the least recently used tasks to stay within its byte budget', () => {
    const cache = new TaskCache(100);
    cache.put(1, {}, 40);
    cache.put(2, {}, 40);
    expect(cache.get(1)).toBeDefined(); // 1 is now the most recent
    cache.put(3, {}, 40); // evicts 2
    expect(cache.get(2)).toBeUndefined();
    expect(cache.get(1)).toBeDefined();
    expect(cache.get(3)).toBeDefined();
    expect(cache.bytes).toBe(80);
  });

  it('never holds a task larger than its capacity', () => {
    const cache = new TaskCache(10);
    cache.put(1, {}, 11);
    expect(cache.get(1)).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it('counts the payload of a task', () => {
    const layout = {
      index: 0,
      group: '/0',
      length: 10,
      streams: 2,
      fields: {
        states: {
          field: 'states',
          path: '/0/states',
          dtype: 'int32',
          streamMajor: false,
          stepShape: [2],
          stepSize: 2,
          chunkTime: null,
        },
        dones: {
          field: 'dones',
          path: '/0/dones',
          dtype: 'bool',
          streamMajor: false,
          stepShape: [],
          stepSize: 1,
          chunkTime: null,
        },
      },
    } as const;
    expect(taskBytes(layout)).toBe(10 * 2 * 2 * 4 + 10 * 2);
  });
});
