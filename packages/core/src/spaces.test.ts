import { describe, expect, it } from 'vitest';
import { Rng } from './rng';
import {
  allocateBatch,
  type BoxSpace,
  boxBounds,
  contains,
  describeSpace,
  flatSize,
  type Space,
  sampleBatch,
} from './spaces';

const grid: Space = { kind: 'box', shape: [2], low: 0, high: 8, dtype: 'int32' };
const arm: Space = { kind: 'discrete', n: 5 };
const ctrl: Space = { kind: 'box', shape: [4], low: -1, high: 1, dtype: 'float32' };

describe('spaces', () => {
  it('sizes, allocates and describes', () => {
    expect([flatSize(grid), flatSize(arm), flatSize(ctrl)]).toEqual([2, 1, 4]);
    expect(allocateBatch(grid, 3)).toBeInstanceOf(Int32Array);
    expect(allocateBatch(ctrl, 3)).toHaveLength(12);
    expect(allocateBatch(ctrl, 3)).toBeInstanceOf(Float32Array);
    expect(describeSpace(grid)).toBe('Box(int32, [2], 0..8)');
    expect(describeSpace(arm)).toBe('Discrete(5)');
  });

  it('reads per-element bounds from one number or one per element', () => {
    const mixed: BoxSpace = { kind: 'box', shape: [3], low: [0, -2, 5], high: 9, dtype: 'float32' };
    expect(boxBounds(mixed)).toEqual({
      low: Float64Array.from([0, -2, 5]),
      high: Float64Array.from([9, 9, 9]),
    });
  });

  it('checks membership', () => {
    expect(contains(grid, [0, 8])).toBe(true);
    expect(contains(grid, [0, 9])).toBe(false);
    expect(contains(grid, [0.5, 1])).toBe(false);
    expect(contains(arm, 4)).toBe(true);
    expect(contains(arm, 5)).toBe(false);
    expect(contains(ctrl, [1, -1, 0, Number.NaN])).toBe(false);
  });

  it('samples inside the space, covering every value', () => {
    const rng = new Rng(0);
    const out = sampleBatch(grid, rng, allocateBatch(grid, 500));
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      expect(contains(grid, out.subarray(2 * i, 2 * i + 2))).toBe(true);
      seen.add(out[2 * i]!);
    }
    expect(seen.size).toBe(9);
    expect(() =>
      sampleBatch(
        { kind: 'box', shape: [1], low: 0, high: Number.POSITIVE_INFINITY, dtype: 'float32' },
        rng,
        new Float32Array(1),
      ),
    ).toThrow(/bounded box/);
  });
});
