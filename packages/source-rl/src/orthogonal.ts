import { type Rng, requireInteger, requireNumber } from '@icrl/core';

/**
 * A `rows x cols` matrix (row-major, float64) with orthonormal rows or columns, scaled by `gain`: what
 * `torch.nn.init.orthogonal_` makes for a Linear weight of shape [out = rows, in = cols], which is how
 * Stable-Baselines3 initialises every layer (gain sqrt(2) for hidden layers, 0.01 for the policy head, 1 for
 * the value head). Same recipe: a standard normal matrix (drawn in row-major order), transposed when wide,
 * its QR factor Q with the signs of diag(R) folded in (so Q is unique), transposed back. Q comes from
 * Gram-Schmidt run twice (CGS2), which is orthonormal to float64 rounding for these sizes.
 *
 * @example
 * const w = orthogonalMatrix(64, 2, Math.SQRT2, new Rng(0)); // W of Linear(2, 64)
 */
export function orthogonalMatrix(rows: number, cols: number, gain: number, rng: Rng): Float64Array {
  requireInteger('rows', rows, { min: 1 });
  requireInteger('cols', cols, { min: 1 });
  requireNumber('gain', gain);
  const normal = new Float64Array(rows * cols);
  for (let i = 0; i < normal.length; i++) normal[i] = rng.normal();
  // Work on the tall orientation [m x n], m >= n, stored column-major as n columns of length m.
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const columns: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const c = new Float64Array(m);
    for (let i = 0; i < m; i++) c[i] = tall ? normal[i * cols + j]! : normal[j * cols + i]!;
    columns.push(c);
  }
  for (let j = 0; j < n; j++) {
    const c = columns[j]!;
    // Two passes of classical Gram-Schmidt against the earlier columns. The coefficients of the first pass
    // are R's above-diagonal entries; the norm after both passes is R's diagonal, positive by construction,
    // which is exactly Q * sign(diag(R)) of a Householder QR.
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const q = columns[k]!;
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[i]! * c[i]!;
        for (let i = 0; i < m; i++) c[i]! -= dot * q[i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += c[i]! * c[i]!;
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) c[i]! /= norm;
  }
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[r * cols + c] = gain * (tall ? columns[c]![r]! : columns[r]![c]!);
    }
  }
  return out;
}
