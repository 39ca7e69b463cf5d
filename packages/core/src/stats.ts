// Summary statistics for learning curves: the mean return per episode index and its 95% confidence interval.

// Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom (exact to 3 decimals).
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 0.975 quantile of Student's t with `df` degrees of freedom (table to 30, Cornish–Fisher beyond). */
export function studentT975(df: number): number {
  if (!(df >= 1)) return Number.NaN;
  if (df <= 30) return T975[Math.floor(df) - 1]!;
  const z = 1.959963984540054;
  const [z3, z5, z7] = [z ** 3, z ** 5, z ** 7];
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/** Mean and half-width of the 95% confidence interval of the mean (Student's t; 0 for fewer than 2 values). */
export function meanCi95(values: ArrayLike<number>): { mean: number; ci95: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, ci95: Number.NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  if (n < 2) return { mean, ci95: 0 };
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  return { mean, ci95: (studentT975(n - 1) * Math.sqrt(ss / (n - 1))) / Math.sqrt(n) };
}

/** Per-episode mean and 95% CI across runs, for `returns[run][episode]` (every run as long as the first). */
export function learningCurve(returns: readonly (readonly number[])[]): { mean: number[]; ci95: number[] } {
  const episodes = returns[0]?.length ?? 0;
  const mean: number[] = [];
  const ci95: number[] = [];
  for (let k = 0; k < episodes; k++) {
    const s = meanCi95(returns.map((r) => r[k]!));
    mean.push(s.mean);
    ci95.push(s.ci95);
  }
  return { mean, ci95 };
}
