import { type AutoResetMode, checkEnv } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { oracleShortfalls } from '../test/episode-returns';
import fixture from '../test/fixtures/dicp-splits.json';
import { darkroomPermuted } from './darkroom-permuted';
import { invertPermutation } from './grid-moves';
import { isPermutation, lexicographicPermutations } from './permutations';

const family = darkroomPermuted();

describe('lexicographicPermutations', () => {
  it('matches Python itertools.permutations(range(5)) order', () => {
    expect(lexicographicPermutations(5)).toEqual(fixture.permutations5);
    expect(lexicographicPermutations(1)).toEqual([[0]]);
  });

  it('isPermutation accepts exactly the permutations', () => {
    expect(isPermutation([2, 0, 1], 3)).toBe(true);
    expect([[0, 0, 1], [0, 1], [0, 1, 3], [0, 1, 1.5], '012'].map((v) => isPermutation(v, 3))).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(invertPermutation([1, 2, 0])).toEqual([2, 0, 1]);
  });
});

describe('Darkroom-Permuted', () => {
  it('has the DICP settings: 120 tasks in itertools order, max return 35', () => {
    expect(family.config).toEqual({
      size: 9,
      horizon: 50,
      start: 'origin',
      goal: [8, 8],
      rewardMode: 'every-step',
    });
    expect(family.numTasks).toBe(120);
    expect(family.tasks().map((t) => t.params.permutation)).toEqual(fixture.permutations5);
    expect(family.tasks().every((t) => family.maxReturn(t) === 35)).toBe(true);
  });

  it('executes base move perm[a] for agent action a', () => {
    const task = family.task(fixture.permutations5.findIndex((p) => p.join() === '3,4,0,2,1'));
    const env = family.make(task);
    env.reset();
    // agent 2 -> x+1, 3 -> y+1, 4 -> x-1, 1 -> stay, 0 -> y-1
    const trace = [2, 2, 3, 4, 1, 0].map((a) => Array.from(env.step([a]).obs).join(','));
    expect(trace).toEqual(['1,0', '2,0', '2,1', '1,1', '1,1', '1,0']);
  });

  it('the oracle is perm.indexOf(baseOracle) and earns exactly 35 on every task', () => {
    const task = family.task(77);
    const perm = task.params.permutation;
    expect(family.optimalAction(task, [0, 0])).toBe(perm.indexOf(0));
    expect(family.optimalAction(task, [8, 0])).toBe(perm.indexOf(2));
    expect(family.optimalAction(task, [8, 8])).toBe(perm.indexOf(4));
    expect(oracleShortfalls(family, family.tasks())).toEqual([]);
  });

  it('moves the goal with the size unless it is given', () => {
    expect(darkroomPermuted({ size: 5 }).config.goal).toEqual([4, 4]);
    expect(darkroomPermuted({ size: 5, goal: [1, 2] }).config.goal).toEqual([1, 2]);
    expect(() => darkroomPermuted({ size: 5, goal: [8, 8] })).toThrow(
      'Invalid darkroom-permuted.goal: got [8,8]; expected [x, y] with x and y integers in [0, 4].',
    );
    const firstVisit = darkroomPermuted({ rewardMode: 'first-visit', start: 'center' });
    expect(oracleShortfalls(firstVisit, firstVisit.tasks())).toEqual([]);
  });

  const modes: AutoResetMode[] = ['disabled', 'next-step', 'same-step'];
  for (const autoReset of modes) {
    it(`passes checkEnv with autoReset '${autoReset}'`, () => {
      checkEnv(() => family.make(family.split().test, { envsPerTask: 3, autoReset }));
    });
  }
});
