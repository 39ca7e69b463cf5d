import { describe, expect, it } from 'vitest';
import fixture from '../test/fixtures/dicp-splits.json';
import { darkKeyToDoor } from './dark-key-to-door';
import { darkroom, darkroomDpt, darkroomHard } from './darkroom';
import { darkroomPermuted } from './darkroom-permuted';
import type { GridFamily } from './grid-family';

// Expected splits drawn by CPython (test/fixtures/dicp-splits.py), exactly as the DICP reference draws them.
const families: Record<string, GridFamily> = {
  darkroom: darkroom(),
  'dark-key-to-door': darkKeyToDoor(),
  'darkroom-permuted': darkroomPermuted(),
};

describe('split() reproduces the DICP reference splits, in order', () => {
  for (const c of fixture.cases) {
    it(`${c.family}, seed ${c.seed}, ratio ${c.trainRatio}`, () => {
      const family = families[c.family]!;
      expect(family.numTasks).toBe(c.numTasks);
      const split = family.split(c.seed, c.trainRatio);
      expect(split.test.map((t) => t.index)).toEqual(c.test);
      expect(split.train.map((t) => t.index)).toEqual(c.train);
      expect(split.seed).toBe(c.seed);
    });
  }
});

describe('split defaults', () => {
  it('use each family’s reference seed and ratio', () => {
    const sizes = [darkroom(), darkroomHard(), darkroomDpt(), darkKeyToDoor(), darkroomPermuted()].map(
      (f) => {
        const { train, test, seed } = f.split();
        return [f.id, f.defaultSplitSeed, f.defaultTrainRatio, seed, train.length, test.length];
      },
    );
    expect(sizes).toEqual([
      ['darkroom', 0, 0.9, 0, 73, 8],
      ['darkroom-hard', 0, 0.9, 0, 260, 29],
      ['darkroom-dpt', 0, 0.8, 0, 80, 20],
      ['dark-key-to-door', 4, 0.95, 4, 6233, 328],
      ['darkroom-permuted', 4, 0.9, 4, 108, 12],
    ]);
    const dicpDefault = fixture.cases.find((c) => c.family === 'dark-key-to-door' && c.seed === 4)!;
    expect(
      darkKeyToDoor()
        .split()
        .test.map((t) => t.index),
    ).toEqual(dicpDefault.test);
  });

  it('returns full tasks and records the realised train fraction', () => {
    const split = darkroom().split();
    expect(split.test[0]).toEqual(darkroom().task(split.test[0]!.index));
    expect(split.trainRatio).toBeCloseTo(73 / 81, 12);
    // the recorded fraction reproduces the split
    expect(darkroom().split(split.seed, split.trainRatio).test).toEqual(split.test);
  });

  it('validates the seed and the ratio', () => {
    expect(() => darkroom().split(-1)).toThrow('Invalid seed: got -1');
    expect(() => darkroom().split(0, 1.5)).toThrow(
      'Invalid trainRatio: got 1.5; expected a number in [0, 1].',
    );
  });
});
