import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import type { Space } from './spaces';
import { StateCodec } from './state-codec';

const grid: Space = { kind: 'box', shape: [2], low: 0, high: 8, dtype: 'int32' };

describe('StateCodec', () => {
  it("numbers Darkroom's cells x·9 + y, and decode inverts it on every cell", () => {
    const codec = StateCodec.of(grid)!;
    expect(codec.size).toBe(81);
    expect(codec.index([0, 0, 2, 3, 8, 8], 2)).toBe(21);
    expect(codec.index([0, 0, 2, 3, 8, 8], 4)).toBe(80);
    const out = [0, 0];
    for (let i = 0; i < 81; i++) {
      codec.decode(i, out, 0);
      expect(out).toEqual([Math.floor(i / 9), i % 9]);
      expect(codec.index(out, 0)).toBe(i);
    }
  });

  it('reads per-dimension bounds with offsets, first dimension most significant', () => {
    const codec = StateCodec.of({ kind: 'box', shape: [2], low: [-1, 2], high: [1, 5], dtype: 'int32' })!;
    expect(codec.size).toBe(12);
    expect(codec.index([-1, 2], 0)).toBe(0);
    expect(codec.index([0, 3], 0)).toBe(5);
    expect(codec.index([1, 5], 0)).toBe(11);
    const out = new Float32Array(3);
    codec.decode(5, out, 1);
    expect(Array.from(out)).toEqual([0, 0, 3]);
  });

  it('a discrete space is its own index', () => {
    const codec = StateCodec.of({ kind: 'discrete', n: 7 })!;
    expect([codec.size, codec.width, codec.index([0, 6], 1)]).toEqual([7, 1, 6]);
  });

  it('has no codec for float, unbounded or too-large spaces', () => {
    expect(StateCodec.of({ kind: 'box', shape: [1], low: 0, high: 1, dtype: 'float32' })).toBeNull();
    expect(StateCodec.of({ kind: 'box', shape: [1], low: 0, high: Infinity, dtype: 'int32' })).toBeNull();
    expect(StateCodec.of(grid, 80)).toBeNull();
    expect(StateCodec.of({ kind: 'discrete', n: 100 }, 99)).toBeNull();
  });

  it('rejects an observation outside the space and an index out of range', () => {
    const codec = StateCodec.of(grid)!;
    expect(() => codec.index([9, 0], 0)).toThrow(InvalidArgumentError);
    expect(() => codec.index([1.5, 0], 0)).toThrow('a cell inside the observation space');
    expect(() => codec.decode(81, [0, 0], 0)).toThrow(
      'Invalid index: got 81; expected an integer in [0, 81)',
    );
  });
});
