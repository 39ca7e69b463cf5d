import { describe, expect, it } from 'vitest';
import { expectedGridMaxReturn, gridMaxReturn } from './grid-max-return';

describe('gridMaxReturn', () => {
  it('every-step: clip(horizon + 1 - d, 0, horizon)', () => {
    expect(gridMaxReturn('every-step', 20, [4, 4], [4, 4], null)).toBe(20);
    expect(gridMaxReturn('every-step', 20, [4, 4], [8, 8], null)).toBe(13);
    expect(gridMaxReturn('every-step', 50, [0, 0], [8, 8], null)).toBe(35);
    expect(gridMaxReturn('every-step', 3, [0, 0], [2, 1], null)).toBe(1);
    expect(gridMaxReturn('every-step', 3, [0, 0], [2, 2], null)).toBe(0);
  });

  it('first-visit: 1 when reachable in max(d, 1) steps', () => {
    expect(gridMaxReturn('first-visit', 1, [0, 0], [0, 0], null)).toBe(1);
    expect(gridMaxReturn('first-visit', 3, [0, 0], [2, 1], null)).toBe(1);
    expect(gridMaxReturn('first-visit', 3, [0, 0], [2, 2], null)).toBe(0);
  });

  it('key-then-goal: a door under the key costs one more step', () => {
    expect(gridMaxReturn('key-then-goal', 2, [0, 0], [0, 0], [0, 0])).toBe(2);
    expect(gridMaxReturn('key-then-goal', 1, [0, 0], [0, 0], [0, 0])).toBe(1);
    expect(gridMaxReturn('key-then-goal', 3, [0, 0], [1, 0], [1, 0])).toBe(2);
    expect(gridMaxReturn('key-then-goal', 3, [0, 0], [0, 0], [1, 1])).toBe(1);
    expect(gridMaxReturn('key-then-goal', 50, [4, 4], [8, 8], [0, 0])).toBe(2);
  });

  it('averages over uniform starts for random-start families', () => {
    expect(expectedGridMaxReturn('every-step', 2, 2, [0, 0], null)).toBe((2 + 2 + 2 + 1) / 4);
  });
});
