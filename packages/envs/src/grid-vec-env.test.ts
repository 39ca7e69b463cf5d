import { InvalidArgumentError, ResetNeededError } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { darkKeyToDoor } from './dark-key-to-door';
import { darkroom } from './darkroom';

const family = darkroom();
const CENTRE_GOAL = family.task(4 * 9 + 4); // goal under the start: staying pays every step
const rows = (obs: ArrayLike<number>) =>
  Array.from({ length: obs.length / 2 }, (_, i) => `${obs[2 * i]},${obs[2 * i + 1]}`);

describe('GridVecEnv layout', () => {
  it('is task-major: env = taskPos * envsPerTask + stream', () => {
    const tasks = [family.task(10), family.task(70)];
    const env = family.make(tasks, { envsPerTask: 3 });
    expect(env.numEnvs).toBe(6);
    expect(env.tasks.map((t) => t.index)).toEqual([10, 10, 10, 70, 70, 70]);
    expect(env.goalPosition(2)).toEqual([1, 1]);
    expect(env.goalPosition(3)).toEqual([7, 7]);
    expect(env.keyPosition(0)).toBeNull();
    expect([env.obsSize, env.horizon, env.size, env.autoReset]).toEqual([2, 20, 9, 'disabled']);
  });

  it('reuses its result buffers: the caller copies what it keeps', () => {
    const env = family.make(CENTRE_GOAL, { autoReset: 'same-step' });
    const obs = env.reset();
    const a = env.step([0]);
    const b = env.step([1]);
    expect(a).toBe(b);
    expect(a.obs).toBe(obs);
    expect(a.finalObs).not.toBe(a.obs);
  });
});

describe("autoReset 'disabled'", () => {
  it('throws ResetNeededError before the first reset, naming the env', () => {
    const env = family.make(CENTRE_GOAL, { envsPerTask: 2 });
    expect(() => env.step([4, 4])).toThrow(new ResetNeededError(0, 'call reset() before step()'));
    env.reset({ mask: [1, 0] });
    expect(() => env.step([4, 4])).toThrow('Environment 1 needs a reset: call reset() before step().');
  });

  it('keeps ended envs ended until reset({ mask }) resets them; reset returns every env’s obs', () => {
    const env = family.make(CENTRE_GOAL, { envsPerTask: 3 });
    env.reset();
    for (let t = 0; t < 5; t++) env.step([0, 0, 0]);
    expect(rows(env.reset({ mask: [0, 1, 0] }))).toEqual(['8,4', '4,4', '8,4']);
    let last = env.step([4, 4, 4]);
    for (let t = 6; t < 20; t++) last = env.step([4, 4, 4]);
    expect(Array.from(last.truncated)).toEqual([1, 0, 1]);
    expect(Array.from(last.terminated)).toEqual([0, 0, 0]);
    expect([env.stepCount(0), env.stepCount(1), env.stepCount(2)]).toEqual([20, 15, 20]);
    let error: unknown;
    try {
      env.step([4, 4, 4]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ResetNeededError);
    expect((error as ResetNeededError).envIndex).toBe(0);
    expect((error as Error).message).toBe(
      "Environment 0 needs a reset: its episode ended after 20 steps and autoReset is 'disabled'; call reset({ mask }) for it.",
    );
    expect(rows(env.reset({ mask: new Uint8Array([1, 0, 0]) }))).toEqual(['4,4', '4,4', '8,4']);
    expect(() => env.step([4, 4, 4])).toThrow('Environment 2 needs a reset');
    env.reset({ mask: [false, false, true] });
    for (let t = 0; t < 4; t++) expect(Array.from(env.step([4, 4, 4]).truncated)).toEqual([0, 0, 0]);
    expect(Array.from(env.step([4, 4, 4]).truncated)).toEqual([0, 1, 0]);
  });
});

describe("autoReset 'next-step' (Gymnasium 1.x)", () => {
  it('resets an ended env on the next step, ignoring its action: reward 0, flags 0, the reset obs', () => {
    const env = family.make(CENTRE_GOAL, { autoReset: 'next-step' });
    env.reset();
    for (let t = 1; t < 20; t++) expect(env.step([4]).rewards[0]).toBe(1);
    const end = env.step([4]);
    expect([end.rewards[0], end.truncated[0], end.terminated[0], end.finalObs]).toEqual([1, 1, 0, null]);
    const resetStep = env.step([0]); // x+1 would leave the goal: it must be ignored
    expect([
      rows(resetStep.obs)[0],
      resetStep.rewards[0],
      resetStep.truncated[0],
      resetStep.terminated[0],
    ]).toEqual(['4,4', 0, 0, 0]);
    expect(env.stepCount(0)).toBe(0);
    const next = env.step([0]);
    expect([rows(next.obs)[0], next.rewards[0], env.stepCount(0)]).toEqual(['5,4', 0, 1]);
  });

  it('runs desynchronised envs independently', () => {
    const env = family.make(CENTRE_GOAL, { envsPerTask: 2, autoReset: 'next-step' });
    env.reset();
    env.step([0, 0]);
    env.reset({ mask: [0, 1] });
    const truncatedAt: number[][] = [];
    for (let t = 2; t <= 45; t++) {
      const r = env.step([4, 4]);
      if (r.truncated[0]) truncatedAt.push([0, t]);
      if (r.truncated[1]) truncatedAt.push([1, t]);
    }
    // env 0: steps 1..20, reset step 21, steps 22..41; env 1 restarted after step 1: ends at 21 and 42
    expect(truncatedAt).toEqual([
      [0, 20],
      [1, 21],
      [0, 41],
      [1, 42],
    ]);
  });
});

describe("autoReset 'same-step' (SB3, DICP reference)", () => {
  it('returns the reset obs in obs and the true last obs in finalObs on the ending step', () => {
    const env = family.make([family.task(0), family.task(1)], { autoReset: 'same-step' });
    env.reset();
    env.step([0, 0]);
    env.reset({ mask: [0, 1] }); // env 1 runs one step behind env 0
    let r = env.step([0, 0]);
    for (let t = 3; t < 20; t++) {
      r = env.step([0, 2]);
      expect(rows(r.finalObs!)).toEqual(rows(r.obs)); // rows of envs that did not end equal obs
      expect(Array.from(r.truncated)).toEqual([0, 0]);
    }
    r = env.step([0, 2]);
    expect(Array.from(r.truncated)).toEqual([1, 0]);
    expect(rows(r.obs)).toEqual(['4,4', '5,8']);
    expect(rows(r.finalObs!)).toEqual(['8,4', '5,8']);
    expect(env.stepCount(0)).toBe(0);
    r = env.step([2, 2]);
    expect(Array.from(r.truncated)).toEqual([0, 1]);
    expect(rows(r.obs)).toEqual(['4,5', '4,4']);
    expect(rows(r.finalObs!)).toEqual(['4,5', '5,8']);
  });
});

describe('action validation (never silent, before any env changes)', () => {
  const env = family.make(family.tasks().slice(0, 5), { autoReset: 'same-step' });
  env.reset();

  const cases: [unknown, string][] = [
    [new Int32Array([0, 1, 2, 7, 4]), 'Invalid actions[3]: got 7; expected an integer in [0, 4].'],
    [new Int32Array([0, -1, 2, 3, 4]), 'Invalid actions[1]: got -1; expected an integer in [0, 4].'],
    [new Int32Array([0, 1, 2, 3, -2147483648]), 'Invalid actions[4]: got -2147483648; expected an integer'],
    [[0, 1, 2, 3, 5], 'Invalid actions[4]: got 5; expected an integer in [0, 4].'],
    [[0, 0.5, 2, 3, 4], 'Invalid actions[1]: got 0.5; expected an integer in [0, 4].'],
    [[Number.NaN, 0, 0, 0, 0], 'Invalid actions[0]: got NaN; expected an integer in [0, 4].'],
    [['1', 0, 0, 0, 0], 'Invalid actions[0]: got "1"; expected an integer in [0, 4].'],
    [new Float32Array([0, 1, 2, 3, 4.5]), 'Invalid actions[4]: got 4.5'],
    [new Int32Array(4), 'Invalid actions: got Int32Array(4); expected an array of 5 actions.'],
    [[0, 0], 'Invalid actions: got [0,0]; expected an array of 5 actions.'],
    [null, 'Invalid actions: got null; expected an array of 5 actions.'],
    [3, 'Invalid actions: got 3; expected an array of 5 actions.'],
  ];
  for (const [actions, message] of cases) {
    it(`rejects ${message.slice(8, 40)}`, () => {
      const call = () => env.step(actions as ArrayLike<number>);
      expect(call).toThrow(InvalidArgumentError);
      expect(call).toThrow(message);
    });
  }

  it('accepts any array-like of integers', () => {
    expect(() => env.step([0, 1, 2, 3, 4])).not.toThrow();
    expect(() => env.step(new Uint8Array([4, 3, 2, 1, 0]))).not.toThrow();
    expect(() => env.step(new Float64Array([1, 1, 1, 1, 1]))).not.toThrow();
  });

  it('leaves positions, keys, rewards stages and clocks untouched when it throws mid-batch', () => {
    const k2d = darkKeyToDoor();
    // env 0 would pick up its key (5, 4) with action 0; env 1's action is invalid
    const tasks = [k2d.task(((5 * 9 + 4) * 9 + 0) * 9 + 0), k2d.task(((0 * 9 + 0) * 9 + 4) * 9 + 3)];
    const make = () => k2d.make(tasks, { autoReset: 'same-step' });
    const a = make();
    const b = make();
    a.reset();
    b.reset();
    expect(() => a.step(new Int32Array([0, 9]))).toThrow('Invalid actions[1]: got 9');
    expect(() => a.step([0, -3])).toThrow('Invalid actions[1]: got -3');
    expect([a.hasKey(0), a.agentPosition(0), a.stepCount(0)]).toEqual([false, [4, 4], 0]);
    expect(rows(a.reset({ mask: [0, 0] }))).toEqual(['4,4', '4,4']);
    for (const actions of [
      [0, 1],
      [1, 3],
      [0, 3],
      [4, 4],
    ]) {
      const ra = a.step(new Int32Array(actions));
      const snapshot = [Array.from(ra.obs), Array.from(ra.rewards), Array.from(ra.truncated)];
      const rb = b.step(new Int32Array(actions));
      expect(snapshot).toEqual([Array.from(rb.obs), Array.from(rb.rewards), Array.from(rb.truncated)]);
    }
    expect(a.hiddenState(0)).toEqual(b.hiddenState(0));
  });
});

describe('inputs of reset, make and the family methods', () => {
  it('rejects bad reset options', () => {
    const env = family.make(CENTRE_GOAL, { envsPerTask: 2 });
    expect(() => env.reset({ seed: -1 })).toThrow('Invalid options.seed: got -1');
    expect(() => env.reset({ mask: [1] })).toThrow(
      'Invalid options.mask: got [1]; expected an array of 2 flags.',
    );
    expect(() => env.reset({ seeds: 1 } as object)).toThrow(
      'Invalid options.seeds: got 1; expected no such field; accepted fields are seed, mask.',
    );
  });

  it('rejects tasks of other families, other configs, or out of range', () => {
    const k2d = darkKeyToDoor();
    expect(() => family.make(k2d.task(0) as never)).toThrow(
      'Invalid tasks.familyId: got "dark-key-to-door"; expected "darkroom" (a task of family "darkroom" (from its tasks(), task(i) or split())).',
    );
    const small = darkroom({ size: 5 });
    expect(() => small.make([small.task(0), family.task(80)])).toThrow(
      'Invalid tasks[1].index: got 80; expected an integer in [0, 24].',
    );
    expect(() => small.make(family.task(12))).toThrow(
      'Invalid tasks.params: got {"goal":[1,3]}; expected {"goal":[2,2]}',
    );
    expect(() => family.make({ familyId: 'darkroom', index: 3, params: { goal: [0, 4] } })).toThrow(
      'Invalid tasks.params',
    );
    expect(() => family.make({ familyId: 'darkroom', index: 3, params: { goal: [0, 3] } })).not.toThrow();
    expect(() => family.make([])).toThrow('Invalid tasks: got []; expected at least one task.');
    expect(() => family.make(null as never)).toThrow('Invalid tasks: got null');
    expect(() => family.task(81)).toThrow(
      'Invalid darkroom task index: got 81; expected an integer in [0, 80].',
    );
    expect(() => family.task(-1)).toThrow('Invalid darkroom task index: got -1');
    expect(() => family.maxReturn(k2d.task(1) as never)).toThrow('Invalid task.familyId');
  });

  it('rejects bad make options', () => {
    expect(() => family.make(CENTRE_GOAL, { envsPerTask: 0 })).toThrow('Invalid options.envsPerTask: got 0');
    expect(() => family.make(CENTRE_GOAL, { autoReset: 'auto' as 'same-step' })).toThrow(
      'Invalid options.autoReset: got "auto"; expected one of "disabled", "next-step", "same-step".',
    );
    expect(() => family.make(CENTRE_GOAL, { numEnvs: 4 } as object)).toThrow('Invalid options.numEnvs');
  });

  it('rejects bad oracle queries and env indices', () => {
    expect(() => family.optimalAction(CENTRE_GOAL, [9, 0])).toThrow(
      'Invalid obs: got [9,0]; expected [x, y] with x and y integers in [0, 8].',
    );
    const env = family.make(CENTRE_GOAL, { envsPerTask: 2 });
    expect(() => env.agentPosition(2)).toThrow('Invalid env index: got 2; expected an integer in [0, 1].');
    expect(() => env.optimalActions(new Int32Array(3))).toThrow('Invalid out: got Int32Array(3)');
  });
});

describe('optimalActions and inspection', () => {
  it('writes into out when given, into its own buffer otherwise', () => {
    const env = family.make([family.task(0), family.task(80), CENTRE_GOAL]);
    env.reset();
    const out = new Int32Array(3);
    expect(env.optimalActions(out)).toBe(out);
    expect(Array.from(out)).toEqual([1, 0, 4]);
    expect(env.optimalActions()).toBe(env.optimalActions());
  });

  it('renders an env as ASCII, hiding the key once held', () => {
    const k2d = darkKeyToDoor();
    const env = k2d.make(k2d.task(((5 * 9 + 4) * 9 + 1) * 9 + 7)); // key (5, 4), door (1, 7)
    env.reset();
    const before = env.renderAscii(0).split('\n');
    expect(before[8 - 4]).toBe('. . . . A K . . .');
    expect(before[8 - 7]).toBe('. G . . . . . . .');
    env.step([0]);
    expect(env.renderAscii(0).split('\n')[8 - 4]).toBe('. . . . . A . . .');
  });
});
