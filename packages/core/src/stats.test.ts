import { describe, expect, it } from 'vitest';
import { learningCurve, meanCi95, studentT975 } from './stats';

describe('statistics', () => {
  it('uses Student t quantiles (table and expansion agree with known values)', () => {
    expect(studentT975(7)).toBe(2.365);
    expect(studentT975(40)).toBeCloseTo(2.021, 3);
    expect(studentT975(120)).toBeCloseTo(1.98, 3);
  });

  it('computes mean and 95% CI half-width by hand', () => {
    // values 1..4: mean 2.5, sample sd sqrt(5/3), t(3) = 3.182 -> 3.182 * 1.29099 / 2 = 2.054
    const { mean, ci95 } = meanCi95([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(ci95).toBeCloseTo(2.054, 3);
    expect(meanCi95([5])).toEqual({ mean: 5, ci95: 0 });
  });

  it('summarises a learning curve per episode index', () => {
    const curve = learningCurve([
      [0, 10],
      [2, 10],
    ]);
    expect(curve.mean).toEqual([1, 10]);
    expect(curve.ci95[1]).toBe(0);
    expect(curve.ci95[0]).toBeCloseTo((12.706 * Math.SQRT2) / Math.SQRT2, 3);
  });
});
