import { Rng } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { WindowIndex } from './window-index';

const h = (task: number, stream: number, length: number) => ({ task, stream, length, segments: null });

describe('WindowIndex', () => {
  it('numbers every window fully inside a history, skipping histories that are too short', () => {
    const index = new WindowIndex([h(0, 0, 5), h(0, 1, 2), h(3, 0, 4)], 3, 1);
    expect(index.count).toBe(3 + 0 + 2);
    const all = Array.from({ length: index.count }, (_, n) => index.locate(n)).map(({ history, offset }) => [
      history.task,
      history.stream,
      offset,
    ]);
    expect(all).toEqual([
      [0, 0, 0],
      [0, 0, 1],
      [0, 0, 2],
      [3, 0, 0],
      [3, 0, 1],
    ]);
  });

  it('places windows every `stride` steps (XLand trains on offsets every seq_len / 2)', () => {
    const index = new WindowIndex([h(0, 0, 10)], 4, 2);
    expect(index.count).toBe(4);
    expect(Array.from({ length: 4 }, (_, n) => index.locate(n).offset)).toEqual([0, 2, 4, 6]);
  });

  it('draws deterministically from a seeded Rng', () => {
    const index = new WindowIndex([h(0, 0, 100)], 10, 1);
    const a = Array.from({ length: 5 }, (_, i) => index.draw(new Rng(1).fork(i)));
    const b = Array.from({ length: 5 }, (_, i) => index.draw(new Rng(1).fork(i)));
    expect(a).toEqual(b);
    expect(a.every((n) => n >= 0 && n < index.count)).toBe(true);
  });
});
