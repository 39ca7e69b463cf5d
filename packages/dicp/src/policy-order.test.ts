import { Rng } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { sampleOne, samplingOrder, topActions } from './policy-order';

describe('policy order', () => {
  it('samples a permutation whose first action is the plain softmax sample of the same uniform', () => {
    const logits = [0.3, -1, 2, 0.5, 0];
    const rng = new Rng(5);
    for (let i = 0; i < 200; i++) {
      const u = rng.float();
      const order = samplingOrder(logits, 0, 5, u, rng);
      expect([...order].sort()).toEqual([0, 1, 2, 3, 4]);
      expect(order[0]).toBe(sampleOne(logits, 0, 5, u));
    }
  });

  it('draws without replacement with softmax frequencies (second place too)', () => {
    const logits = [Math.log(0.6), Math.log(0.3), Math.log(0.1)];
    const rng = new Rng(1);
    const first = [0, 0, 0];
    let secondAfter0 = 0;
    let n0 = 0;
    const N = 20_000;
    for (let i = 0; i < N; i++) {
      const o = samplingOrder(logits, 0, 3, rng.float(), rng);
      first[o[0]!]!++;
      if (o[0] === 0) {
        n0++;
        if (o[1] === 1) secondAfter0++;
      }
    }
    expect(first[0]! / N).toBeCloseTo(0.6, 1);
    expect(first[2]! / N).toBeCloseTo(0.1, 1);
    expect(secondAfter0 / n0).toBeCloseTo(0.75, 1); // 0.3 / (0.3 + 0.1)
  });

  it('ranks the top actions with ties to the lower index', () => {
    expect([...topActions([1, 3, 3, 0, 2], 0, 5, 2)].sort()).toEqual([1, 2]);
    expect([...topActions([0, 5, 5, 5, 9, 9, 0], 2, 5, 3)].sort()).toEqual([0, 2, 3]);
  });
});
