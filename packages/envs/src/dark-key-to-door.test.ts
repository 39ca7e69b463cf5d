import { type AutoResetMode, checkEnv } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { oracleShortfalls } from '../test/episode-returns';
import { darkKeyToDoor } from './dark-key-to-door';

const family = darkKeyToDoor();
/** The task with this key and goal. */
const taskAt = (key: [number, number], goal: [number, number]) =>
  family.task(((key[0] * 9 + key[1]) * 9 + goal[0]) * 9 + goal[1]);

/** Rewards of one env of `task` under `actions`, plus hasKey after each step. */
function play(key: [number, number], goal: [number, number], actions: number[]) {
  const env = family.make(taskAt(key, goal));
  env.reset();
  return actions.map((a) => `${env.step([a]).rewards[0]}${env.hasKey(0) ? 'k' : ''}`);
}

describe('Dark Key-to-Door', () => {
  it('has the DICP settings and enumerates (kx, ky, gx, gy) lexicographically', () => {
    expect(family.config).toEqual({ size: 9, horizon: 50, start: 'center', actionOrder: [0, 1, 2, 3, 4] });
    expect(family.numTasks).toBe(6561);
    expect(family.task(0).params).toEqual({ key: [0, 0], goal: [0, 0] });
    expect(family.task(1).params).toEqual({ key: [0, 0], goal: [0, 1] });
    expect(family.task(9).params).toEqual({ key: [0, 0], goal: [1, 0] });
    expect(family.task(81).params).toEqual({ key: [0, 1], goal: [0, 0] });
    expect(family.task(((3 * 9 + 1) * 9 + 4) * 9 + 7).params).toEqual({ key: [3, 1], goal: [4, 7] });
    expect(family.task(6560).params).toEqual({ key: [8, 8], goal: [8, 8] });
  });

  it('the oracle earns exactly maxReturn = 2 on all 6561 tasks in one VecEnv', () => {
    const tasks = family.tasks();
    expect(tasks.every((t) => family.maxReturn(t) === 2)).toBe(true);
    expect(oracleShortfalls(family, tasks)).toEqual([]);
  });

  it('pays the key once, then the door once, and the door only while holding the key', () => {
    // start (4, 4); key (5, 4), goal (3, 4)
    // door first (nothing), key, stay on key (nothing), door, stay on door, leave and re-enter (nothing)
    expect(play([5, 4], [3, 4], [1, 0, 0, 4, 1, 1, 4, 0, 1])).toEqual([
      '0',
      '0',
      '1k',
      '0k',
      '0k',
      '1k',
      '0k',
      '0k',
      '0k',
    ]);
  });

  it('needs two steps on the cell when the key and the door coincide (if ... elif)', () => {
    expect(play([5, 4], [5, 4], [0, 4, 4])).toEqual(['1k', '1k', '0k']);
    expect(play([4, 4], [4, 4], [4, 4, 4])).toEqual(['1k', '1k', '0k']);
  });

  it('hides the key from the observation but exposes it as hidden state for the oracle', () => {
    const task = taskAt([5, 4], [3, 4]);
    const env = family.make(task);
    env.reset();
    expect(env.hiddenState(0)).toEqual({ hasKey: false, reachedGoal: false });
    expect(Array.from(env.optimalActions())).toEqual([0]);
    env.step([0]);
    expect(env.hiddenState(0)).toEqual({ hasKey: true, reachedGoal: false });
    expect(env.keyPosition(0)).toEqual([5, 4]);
    expect(env.goalPosition(0)).toEqual([3, 4]);
    expect(Array.from(env.optimalActions())).toEqual([1]);
    expect(family.optimalAction(task, [5, 4], { hasKey: true })).toBe(1);
    expect(family.optimalAction(task, [4, 4], { hasKey: false })).toBe(0);
    expect(() => family.optimalAction(task, [4, 4])).toThrow(
      'Invalid hidden.hasKey: got undefined; expected true or false: the Key-to-Door oracle needs to know whether the key is held.',
    );
  });

  it('forgets the key at every reset', () => {
    const env = family.make(taskAt([4, 5], [0, 0]), { autoReset: 'same-step' });
    env.reset();
    env.step([2]);
    expect(env.hasKey(0)).toBe(true);
    for (let t = 1; t < family.horizon; t++) env.step([4]);
    expect(env.hasKey(0)).toBe(false);
    expect(env.stepCount(0)).toBe(0);
  });

  it('computes maxReturn in closed form for other sizes and horizons', () => {
    const small = darkKeyToDoor({ size: 5, horizon: 6, start: 'origin' });
    const at = (k: number[], g: number[]) => small.task(((k[0]! * 5 + k[1]!) * 5 + g[0]!) * 5 + g[1]!);
    expect(small.maxReturn(at([0, 0], [0, 0]))).toBe(2); // steps 1 and 2
    expect(small.maxReturn(at([2, 2], [4, 4]))).toBe(1); // key at step 4, goal at step 8
    expect(small.maxReturn(at([4, 3], [0, 0]))).toBe(0); // key at step 7
    expect(oracleShortfalls(small, small.tasks())).toEqual([]);
  });

  const modes: AutoResetMode[] = ['disabled', 'next-step', 'same-step'];
  for (const autoReset of modes) {
    it(`passes checkEnv with autoReset '${autoReset}'`, () => {
      checkEnv(() => family.make(family.split().test.slice(0, 40), { envsPerTask: 2, autoReset }));
    });
  }

  it('rejects bad config', () => {
    expect(() => darkKeyToDoor({ size: 33 })).toThrow(
      'Invalid dark-key-to-door.size: got 33; expected an integer in [2, 32].',
    );
    expect(() => darkKeyToDoor({ rewardMode: 'every-step' } as object)).toThrow(
      'Invalid dark-key-to-door.rewardMode: got "every-step"; expected no such field',
    );
  });
});
