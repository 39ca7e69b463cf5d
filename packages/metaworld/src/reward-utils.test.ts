import { describe, expect, it } from 'vitest';
import { hamacher, longTailTolerance, rectPrismTolerance } from './reward-utils';

describe('reward helpers', () => {
  it('long-tail tolerance is 1 inside the bounds and 0.1 one margin outside', () => {
    expect(longTailTolerance(0.03, 0, 0.05, 0.2)).toBe(1);
    expect(longTailTolerance(0.25, 0, 0.05, 0.2)).toBeCloseTo(0.1, 15);
    expect(longTailTolerance(-0.2, 0, 0.05, 0.2)).toBeCloseTo(0.1, 15);
    expect(longTailTolerance(0.06, 0, 0.05, 0)).toBe(0); // margin 0: a step
  });

  it('hamacher product: 0 with a zero factor, 1 for (1, 1), symmetric', () => {
    expect(hamacher(0, 0)).toBe(0);
    expect(hamacher(0, 0.7)).toBe(0);
    expect(hamacher(1, 1)).toBe(1);
    expect(hamacher(0.3, 0.6)).toBe(hamacher(0.6, 0.3));
    expect(hamacher(0.5, 0.5)).toBeCloseTo(1 / 3, 15);
  });

  it('rect-prism tolerance: product of the axis fractions inside the box, 1 outside', () => {
    const zero = [0, 0, 0];
    const one = [2, -2, 4]; // axes may run either way
    expect(rectPrismTolerance([1, -1, 1], 0, zero, 0, one, 0)).toBeCloseTo(0.5 * 0.5 * 0.25, 15);
    expect(rectPrismTolerance([3, -1, 1], 0, zero, 0, one, 0)).toBe(1);
  });
});
