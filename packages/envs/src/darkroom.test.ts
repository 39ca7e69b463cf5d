import { type AutoResetMode, checkEnv, InvalidArgumentError } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { episodeReturns, oracleShortfalls } from '../test/episode-returns';
import { createDarkroom, darkroom, darkroomDpt, darkroomHard } from './darkroom';

const MODES: AutoResetMode[] = ['disabled', 'next-step', 'same-step'];

describe('Darkroom presets', () => {
  it('resolve to the papers’ settings', () => {
    expect(darkroom().config).toEqual({
      size: 9,
      horizon: 20,
      start: 'center',
      rewardMode: 'every-step',
      actionOrder: [0, 1, 2, 3, 4],
    });
    expect(darkroomHard().config).toMatchObject({ size: 17, horizon: 20, rewardMode: 'first-visit' });
    expect(darkroomDpt().config).toMatchObject({ size: 10, horizon: 100, start: 'origin' });
    expect([darkroom(), darkroomHard(), darkroomDpt()].map((f) => [f.id, f.numTasks])).toEqual([
      ['darkroom', 81],
      ['darkroom-hard', 289],
      ['darkroom-dpt', 100],
    ]);
    expect(darkroom().observationSpace).toEqual({ kind: 'box', shape: [2], low: 0, high: 8, dtype: 'int32' });
    expect(darkroom().actionSpace).toEqual({ kind: 'discrete', n: 5 });
  });

  it('number tasks as the DICP HDF5 groups: index i has its goal at (i // size, i % size)', () => {
    const family = darkroom();
    expect(family.task(12)).toEqual({ familyId: 'darkroom', index: 12, params: { goal: [1, 3] } });
    expect(family.tasks().map((t) => t.params.goal)).toEqual(
      Array.from({ length: 81 }, (_, i) => [Math.floor(i / 9), i % 9]),
    );
    expect(family.tasks()).toBe(family.tasks());
    expect(Object.isFrozen(family.task(0).params.goal)).toBe(true);
  });

  it('report max returns by the closed forms', () => {
    const d = darkroom();
    // every-step: clip(horizon + 1 - d, 0, horizon); the goal under the start pays every step.
    expect(d.maxReturn(d.task(4 * 9 + 4))).toBe(20);
    expect(d.maxReturn(d.task(4 * 9 + 5))).toBe(20);
    expect(d.maxReturn(d.task(0))).toBe(13);
    expect(Math.max(...d.tasks().map((t) => d.maxReturn(t)))).toBe(20);
    expect(darkroomDpt().maxReturn(darkroomDpt().task(99))).toBe(83);
    expect(darkroom({ horizon: 5 }).maxReturn(darkroom({ horizon: 5 }).task(0))).toBe(0);
    // first-visit: 1 when reachable, even under the start (one step needed), else 0.
    const hard = darkroomHard();
    expect(hard.tasks().every((t) => hard.maxReturn(t) === 1)).toBe(true);
    const short = darkroomHard({ horizon: 3 });
    expect(short.maxReturn(short.task(0))).toBe(0);
    expect(short.maxReturn(short.task(8 * 17 + 8))).toBe(1);
  });
});

describe('the oracle earns exactly maxReturn', () => {
  for (const family of [darkroom(), darkroomHard(), darkroomDpt()]) {
    it(`on every ${family.id} task`, () => {
      expect(oracleShortfalls(family, family.tasks())).toEqual([]);
    });
  }

  it('under a permuted action order and short horizons', () => {
    for (const family of [
      darkroom({ actionOrder: [4, 2, 0, 3, 1], horizon: 9 }),
      darkroomHard({ actionOrder: [3, 4, 1, 0, 2], horizon: 10, start: [0, 16] }),
      createDarkroom({ size: 2, horizon: 1, start: 'origin' }),
    ]) {
      expect(oracleShortfalls(family, family.tasks())).toEqual([]);
    }
  });
});

describe('Darkroom semantics', () => {
  it('moves in the reference order, clipped at the walls, paying after the move', () => {
    const family = darkroom();
    const env = family.make(family.task(5 * 9 + 4)); // goal (5, 4), one step right of the start
    env.reset();
    const trace: string[] = [];
    for (const a of [0, 1, 2, 3, 4, 0]) {
      const { obs, rewards } = env.step([a]);
      trace.push(`${obs[0]},${obs[1]}:${rewards[0]}`);
    }
    expect(trace).toEqual(['5,4:1', '4,4:0', '4,5:0', '4,4:0', '4,4:0', '5,4:1']);
    const corner = darkroom({ start: [0, 0] }).make(darkroom().task(80));
    corner.reset();
    expect(Array.from(corner.step([1]).obs)).toEqual([0, 0]);
    expect(Array.from(corner.step([3]).obs)).toEqual([0, 0]);
  });

  it('pays every step on the goal in every-step mode, only the first time in first-visit mode', () => {
    const stayOnGoal = (rewardMode: 'every-step' | 'first-visit') => {
      const family = darkroom({ rewardMode, start: [2, 2] });
      const env = family.make(family.task(2 * 9 + 3)); // goal (2, 3)
      env.reset();
      return [2, 4, 4, 3, 2, 4].map((a) => env.step([a]).rewards[0]);
    };
    expect(stayOnGoal('every-step')).toEqual([1, 1, 1, 0, 1, 1]);
    expect(stayOnGoal('first-visit')).toEqual([1, 0, 0, 0, 0, 0]);
  });

  it('a goal under the start pays on the first step in first-visit mode, and pays again next episode', () => {
    const family = darkroomHard();
    const env = family.make(family.task(8 * 17 + 8), { autoReset: 'same-step' });
    env.reset();
    expect(env.hiddenState(0)).toEqual({ reachedGoal: false });
    const rewards = [env.step([4]).rewards[0]!];
    expect(env.hiddenState(0)).toEqual({ reachedGoal: true });
    for (let t = 1; t < 2 * family.horizon; t++) rewards.push(env.step([4]).rewards[0]!);
    expect(rewards.filter((r) => r === 1).length).toBe(2);
    expect(rewards[0]).toBe(1);
    expect(rewards[family.horizon]).toBe(1);
    expect(env.hiddenState(0)).toEqual({ reachedGoal: false }); // same-step: already reset
  });

  it('maps agent actions through actionOrder, and the oracle inverts it', () => {
    // toy-meta-gym's ids: 0 noop, 1 up (y+1), 2 right (x+1), 3 down (y-1), 4 left (x-1)
    const family = darkroom({ actionOrder: [4, 2, 0, 3, 1] });
    const env = family.make(family.task(0));
    env.reset();
    expect(Array.from(env.step([2]).obs)).toEqual([5, 4]);
    expect(Array.from(env.step([1]).obs)).toEqual([5, 5]);
    expect(Array.from(env.step([0]).obs)).toEqual([5, 5]);
    expect(Array.from(env.optimalActions())).toEqual([4]); // towards (0, 0): x-1 is agent action 4
    expect(family.optimalAction(family.task(0), [5, 5])).toBe(4);
    expect(family.optimalAction(family.task(0), [0, 5])).toBe(3);
    expect(family.optimalAction(family.task(0), [0, 0])).toBe(0);
  });

  it('truncates at the horizon and never terminates', () => {
    const family = darkroom();
    const env = family.make(family.task(3));
    env.reset();
    for (let t = 1; t <= family.horizon; t++) {
      const r = env.step([0]);
      expect([r.terminated[0], r.truncated[0]]).toEqual([0, t === family.horizon ? 1 : 0]);
      expect(env.stepCount(0)).toBe(t);
    }
  });
});

describe('random start', () => {
  const family = darkroom({ start: 'random' });
  const tasks = family.tasks().slice(0, 10);
  const trajectory = (seed: number) => {
    const env = family.make(tasks, { envsPerTask: 3, autoReset: 'same-step' });
    const out: number[] = Array.from(env.reset({ seed }));
    for (let t = 0; t < 3 * family.horizon; t++) out.push(...env.step(env.optimalActions()).obs);
    return out;
  };

  it('replays identically under the same seed and differs under another', () => {
    expect(trajectory(7)).toEqual(trajectory(7));
    expect(trajectory(7)).not.toEqual(trajectory(8));
  });

  it('draws the start from Rng(seed).fork(task.index, stream), and continues the streams without a seed', () => {
    const env = family.make(tasks, { envsPerTask: 3 });
    const first = Array.from(env.reset({ seed: 3 }));
    const next = Array.from(env.reset());
    expect(next).not.toEqual(first);
    expect(Array.from(env.reset({ seed: 3 }))).toEqual(first);
    // streams of one task differ from each other
    expect(first.slice(0, 2)).not.toEqual(first.slice(2, 4));
    expect(new Set(first.map((v) => v)).size).toBeGreaterThan(3);
  });

  it('reports maxReturn as the expectation over uniform starts; the oracle matches it on average', () => {
    const task = family.task(40);
    const perStart = Array.from({ length: 81 }, (_, c) => {
      const fixed = darkroom({ start: [Math.floor(c / 9), c % 9] });
      return fixed.maxReturn(fixed.task(40));
    });
    expect(family.maxReturn(task)).toBeCloseTo(perStart.reduce((a, b) => a + b) / 81, 12);
    const returns = episodeReturns(family.make(task, { envsPerTask: 4000 }));
    const mean = returns.reduce((a, b) => a + b) / returns.length;
    expect(Math.abs(mean - family.maxReturn(task))).toBeLessThan(0.3);
  });
});

describe('checkEnv', () => {
  for (const family of [darkroom(), darkroomHard(), darkroomDpt(), darkroom({ start: 'random' })]) {
    for (const autoReset of MODES) {
      it(`passes for ${family.id} (start ${JSON.stringify(family.config.start)}) with autoReset '${autoReset}'`, () => {
        const tasks = family.split().test;
        checkEnv(() => family.make(tasks, { envsPerTask: 2, autoReset }), { seed: 1 });
      });
    }
  }
});

describe('config validation', () => {
  const cases: [() => unknown, string][] = [
    [() => darkroom({ size: 1.5 }), 'Invalid darkroom.size: got 1.5; expected an integer in [2, 1024].'],
    [() => darkroom({ size: 1 }), 'Invalid darkroom.size: got 1; expected an integer in [2, 1024].'],
    [() => darkroomHard({ horizon: 0 }), 'Invalid darkroom-hard.horizon: got 0; expected an integer in [1,'],
    [
      () => darkroom({ start: [9, 0] }),
      'Invalid darkroom.start: got [9,0]; expected "center", "origin", "random" or [x, y] with x and y integers in [0, 8].',
    ],
    [() => darkroom({ start: 'middle' as 'center' }), 'Invalid darkroom.start: got "middle"'],
    [
      () => darkroom({ actionOrder: [0, 1, 2, 3, 3] }),
      'Invalid darkroom.actionOrder: got [0,1,2,3,3]; expected a permutation of [0, 1, 2, 3, 4].',
    ],
    [
      () => darkroomDpt({ rewardMode: 'once' as 'first-visit' }),
      'Invalid darkroom-dpt.rewardMode: got "once"; expected one of "every-step", "first-visit".',
    ],
    [
      () => darkroom({ goal: [1, 1] } as object),
      'Invalid darkroom.goal: got [1,1]; expected no such field; accepted fields are size, horizon, start, rewardMode, actionOrder.',
    ],
    [() => darkroom(null as unknown as object), 'Invalid darkroom: got null; expected an object.'],
    [() => createDarkroom({}, { id: 'Dark Room' }), 'Invalid options.id: got "Dark Room"'],
    [() => createDarkroom({}, { defaultTrainRatio: 2 }), 'Invalid options.defaultTrainRatio: got 2'],
  ];
  for (const [make, message] of cases) {
    it(`rejects: ${message.slice(0, 60)}`, () => {
      expect(make).toThrow(InvalidArgumentError);
      expect(make).toThrow(message);
    });
  }

  it('validates size before start (the start bound depends on the size)', () => {
    expect(() => darkroom({ size: 5, start: [6, 6] })).toThrow('Invalid darkroom.start: got [6,6]');
    expect(darkroom({ size: 12, start: [11, 0] }).config.start).toEqual([11, 0]);
    expect(darkroom({ horizon: undefined }).horizon).toBe(20);
  });

  it('createDarkroom takes an id and split defaults', () => {
    const family = createDarkroom(
      { size: 5, horizon: 12, start: 'random' },
      { id: 'darkroom-small', defaultSplitSeed: 3, defaultTrainRatio: 0.6 },
    );
    expect([family.id, family.numTasks, family.task(7).familyId]).toEqual([
      'darkroom-small',
      25,
      'darkroom-small',
    ]);
    expect(family.split().test.length).toBe(10);
    expect(family.split().seed).toBe(3);
  });
});
