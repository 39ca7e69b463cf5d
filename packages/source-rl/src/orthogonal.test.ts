import { Rng } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { orthogonalMatrix } from './orthogonal';

function gram(m: Float64Array, rows: number, cols: number, byRows: boolean): number[][] {
  const n = byRows ? rows : cols;
  const len = byRows ? cols : rows;
  const at = (k: number, i: number) => (byRows ? m[k * cols + i]! : m[i * cols + k]!);
  return Array.from({ length: n }, (_, a) =>
    Array.from({ length: n }, (_, b) => {
      let s = 0;
      for (let i = 0; i < len; i++) s += at(a, i) * at(b, i);
      return s;
    }),
  );
}

describe('orthogonalMatrix (torch.nn.init.orthogonal_)', () => {
  it.each([
    [64, 2],
    [2, 64],
    [64, 64],
    [5, 64],
  ])('%i x %i has orthonormal columns (tall) or rows (wide), times the gain', (rows, cols) => {
    const gain = Math.SQRT2;
    const m = orthogonalMatrix(rows, cols, gain, new Rng(1));
    const g = gram(m, rows, cols, rows < cols);
    for (const [a, row] of g.entries()) {
      for (const [b, v] of row.entries()) expect(v).toBeCloseTo(a === b ? gain * gain : 0, 10);
    }
  });

  it('is a function of the seed', () => {
    expect(orthogonalMatrix(8, 4, 1, new Rng(3))).toEqual(orthogonalMatrix(8, 4, 1, new Rng(3)));
    expect(orthogonalMatrix(8, 4, 1, new Rng(3))).not.toEqual(orthogonalMatrix(8, 4, 1, new Rng(4)));
  });
});
