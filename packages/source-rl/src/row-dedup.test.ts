import { describe, expect, it } from 'vitest';
import { RowDeduper } from './row-dedup';

describe('RowDeduper', () => {
  it('numbers distinct rows in first-seen order', () => {
    const d = new RowDeduper(5, 2);
    const words = new Int32Array([9, 9, 4, 4, 4, 3, 4, 4, 0, 0, 4, 3]);
    expect(d.dedupe(words, 2, 5)).toBe(3);
    expect([...d.ids.subarray(0, 5)]).toEqual([0, 1, 0, 2, 1]);
    expect([...d.firsts.subarray(0, 3)]).toEqual([0, 1, 3]);
  });

  it('survives hash collisions (many rows in a small table)', () => {
    const n = 2000;
    const d = new RowDeduper(n, 2);
    const words = new Int32Array(2 * n);
    for (let r = 0; r < n; r++) {
      words[2 * r] = r % 97;
      words[2 * r + 1] = (r * 7) % 13;
    }
    const unique = d.dedupe(words, 0, n);
    const seen = new Map<string, number>();
    for (let r = 0; r < n; r++) {
      const key = `${words[2 * r]},${words[2 * r + 1]}`;
      if (!seen.has(key)) seen.set(key, seen.size);
      expect(d.ids[r]).toBe(seen.get(key));
    }
    expect(unique).toBe(seen.size);
  });
});
