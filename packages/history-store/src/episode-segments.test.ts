import { describe, expect, it } from 'vitest';
import { forEachPiece, keptLength, keptSegments } from './episode-segments';

describe('keptSegments', () => {
  const dones = Uint8Array.of(0, 1, 0, 0, 1, 1, 0, 1, 0, 0); // episodes [0,2) [2,5) [5,6) [6,8) [8,10)

  it('keeps the whole history with k = 1', () => {
    expect([...keptSegments(dones, 1)]).toEqual([0, 10]);
  });

  it('keeps episodes 0, k, 2k, ... including an unfinished last one', () => {
    expect([...keptSegments(dones, 2)]).toEqual([0, 2, 5, 6, 8, 10]);
    expect([...keptSegments(dones, 3)]).toEqual([0, 2, 6, 8]);
    expect(keptLength(keptSegments(dones, 2))).toBe(5);
  });

  it('respects a shorter usable length', () => {
    expect([...keptSegments(dones, 2, 6)]).toEqual([0, 2, 5, 6]);
  });
});

describe('forEachPiece', () => {
  it('maps kept positions to pieces of time steps', () => {
    const pieces: number[][] = [];
    forEachPiece(Int32Array.of(0, 2, 5, 6, 8, 10), 1, 3, (start, count, at) =>
      pieces.push([start, count, at]),
    );
    expect(pieces).toEqual([
      [1, 1, 0],
      [5, 1, 1],
      [8, 1, 2],
    ]);
  });
});
