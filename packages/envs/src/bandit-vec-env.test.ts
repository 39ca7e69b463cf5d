import { checkEnv, InvalidArgumentError, ResetNeededError, type TaskSpec } from '@icrl/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BanditParams } from './bandit-task';
import { BanditVecEnv } from './bandit-vec-env';
import { bernoulliBandit } from './bernoulli-bandit';

const family = bernoulliBandit({ arms: 4, horizon: 5, numTasks: 20 });
const tasks = family.tasks().slice(0, 3);

/** Rewards of `steps` pulls of `actions` after `reset({ seed })`, one row per step. */
function play(env: BanditVecEnv, seed: number, actions: ArrayLike<number>, steps: number): number[][] {
  env.reset({ seed });
  return Array.from({ length: steps }, () => Array.from(env.step(actions).rewards));
}

describe('BanditVecEnv', () => {
  it('lays envs out task-major with constant zero observations', () => {
    const env = family.make(tasks, { envsPerTask: 2 }) as BanditVecEnv;
    expect(env.numEnvs).toBe(6);
    expect(env.tasks.map((t) => t.index)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(Array.from(env.reset({ seed: 0 }))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(env.observationSpace).toEqual({ kind: 'box', shape: [1], low: 0, high: 0, dtype: 'int32' });
    expect(env.actionSpace).toEqual({ kind: 'discrete', n: 4 });
    const best = tasks.flatMap((t) => {
      const arm = t.params.means.indexOf(Math.max(...t.params.means));
      return [arm, arm];
    });
    expect(Array.from(env.optimalActions())).toEqual(best);
    const out = new Int32Array(6);
    expect(env.optimalActions(out)).toBe(out);
  });

  it('passes checkEnv in every auto-reset mode', () => {
    for (const autoReset of ['disabled', 'next-step', 'same-step'] as const) {
      for (const rewardMode of ['bernoulli', 'mean'] as const) {
        const f = bernoulliBandit({ arms: 3, horizon: 7, numTasks: 5, rewardMode });
        expect(() => checkEnv(() => f.make(f.tasks(), { envsPerTask: 2, autoReset }))).not.toThrow();
      }
    }
  });

  it('truncates after horizon pulls and never terminates', () => {
    const env = family.make(tasks[0]!, { autoReset: 'disabled' });
    env.reset({ seed: 0 });
    for (let t = 1; t <= 5; t++) {
      const { truncated, terminated } = env.step([0]);
      expect([terminated[0], truncated[0]]).toEqual([0, t === 5 ? 1 : 0]);
    }
  });

  it("'disabled': an ended env throws until reset({ mask }) resets just it", () => {
    const env = family.make(tasks.slice(0, 2), { autoReset: 'disabled' });
    expect(() => env.step([0, 0])).toThrow(ResetNeededError);
    expect(() => env.step([0, 0])).toThrow('Environment 0 needs a reset: step() was called before reset().');
    env.reset({ mask: [false, true] });
    expect(() => env.step([0, 0])).toThrow('Environment 0 needs a reset');
    env.reset({ seed: 0 });
    for (let t = 0; t < 5; t++) env.step([0, 0]);
    expect(() => env.step([0, 0])).toThrow(
      "Environment 0 needs a reset: its episode has ended and autoReset is 'disabled'; call reset({ mask }).",
    );
    expect(Array.from(env.reset({ mask: [1, 0] }))).toEqual([0, 0]);
    expect(() => env.step([0, 0])).toThrow('Environment 1 needs a reset');
    env.reset({ mask: [0, 1] });
    expect(env.step([0, 0]).truncated[0]).toBe(0);
  });

  it("'next-step': the step after the end resets, ignores its action and pays 0", () => {
    const f = bernoulliBandit({ arms: 2, horizon: 3, numTasks: 1, rewardMode: 'mean' });
    const env = f.make(f.task(0), { autoReset: 'next-step' });
    const mean = f.task(0).params.means[1]!;
    env.reset({ seed: 0 });
    const seen: [number, number][] = [];
    for (let t = 0; t < 8; t++) {
      const r = env.step([1]);
      expect(r.finalObs).toBeNull();
      seen.push([r.rewards[0]!, r.truncated[0]!]);
    }
    expect(seen).toEqual([
      [mean, 0],
      [mean, 0],
      [mean, 1],
      [0, 0], // the reset step
      [mean, 0],
      [mean, 0],
      [mean, 1],
      [0, 0],
    ]);
  });

  it("'same-step': the ending step already starts the next episode and reports finalObs", () => {
    const f = bernoulliBandit({ arms: 2, horizon: 3, numTasks: 1, rewardMode: 'mean' });
    const env = f.make(f.task(0), { autoReset: 'same-step' });
    env.reset();
    const truncated: number[] = [];
    for (let t = 0; t < 9; t++) {
      const r = env.step([0]);
      expect(r.rewards[0]).toBe(f.task(0).params.means[0]);
      expect(Array.from(r.finalObs!)).toEqual([0]);
      truncated.push(r.truncated[0]!);
    }
    expect(truncated).toEqual([0, 0, 1, 0, 0, 1, 0, 0, 1]);
  });

  it('reuses its result buffers across steps', () => {
    const env = family.make(tasks, { autoReset: 'same-step' });
    env.reset({ seed: 0 });
    const a = env.step([0, 1, 2]);
    const b = env.step([0, 1, 2]);
    expect(b).toBe(a);
    expect(b.rewards).toBe(a.rewards);
  });

  it('replays a seed exactly, differs across seeds and continues streams without one', () => {
    const env = family.make(tasks, { envsPerTask: 2 }) as BanditVecEnv;
    const actions = [0, 1, 2, 3, 0, 1];
    const a = play(env, 3, actions, 5);
    expect(play(env, 3, actions, 5)).toEqual(a);
    expect(play(env, 4, actions, 5)).not.toEqual(a);
    // Without a seed, reset continues the streams: the next episode is not a replay.
    env.reset({ seed: 3 });
    for (let t = 0; t < 5; t++) env.step(actions);
    env.reset();
    const next = Array.from({ length: 5 }, () => Array.from(env.step(actions).rewards));
    expect(next).not.toEqual(a);
  });

  it('gives a (task, stream) pair the same rewards alone or inside a bigger batch', () => {
    const long = bernoulliBandit({ arms: 4, horizon: 400, numTasks: 20 });
    const t = long.task(7);
    const alone = long.make(t, { envsPerTask: 3 }) as BanditVecEnv; // streams 0..2 of task 7
    const batch = long.make([long.task(2), t, long.task(9)], { envsPerTask: 3 }) as BanditVecEnv;
    const arm = 1;
    const soloRewards = play(alone, 11, new Array(3).fill(arm), 400).map((row) => row[2]);
    const batchRewards = play(batch, 11, new Array(9).fill(arm), 400).map((row) => row[1 * 3 + 2]);
    expect(batchRewards).toEqual(soloRewards);
    // ...while a different stream of the same task differs.
    expect(play(alone, 11, [arm, arm, arm], 400).map((row) => row[0])).not.toEqual(soloRewards);
  });

  it('pays 0/1 in bernoulli mode and the means in mean mode, for any action sequence (property)', () => {
    const bern = bernoulliBandit({ arms: 4, horizon: 5, numTasks: 20 });
    const mean = bernoulliBandit({ arms: 4, horizon: 5, numTasks: 20, rewardMode: 'mean' });
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 }), { maxLength: 30 }),
        fc.nat({ max: 1000 }),
        (steps, seed) => {
          const eb = bern.make(bern.tasks().slice(0, 3), { autoReset: 'next-step' });
          const em = mean.make(mean.tasks().slice(0, 3), { autoReset: 'same-step' });
          eb.reset({ seed });
          em.reset({ seed });
          for (const actions of steps) {
            for (const r of eb.step(actions).rewards) expect(r === 0 || r === 1).toBe(true);
            const rm = em.step(actions).rewards;
            actions.forEach((a, i) => {
              expect(rm[i]).toBe(mean.tasks()[i]!.params.means[a]);
              expect(rm[i]).toBeGreaterThanOrEqual(0);
              expect(rm[i]).toBeLessThanOrEqual(1);
            });
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects bad actions naming the env, before any state changes', () => {
    const f = bernoulliBandit({ arms: 10, horizon: 2, numTasks: 3, rewardMode: 'mean' });
    const env = f.make(f.tasks(), { autoReset: 'disabled' });
    env.reset({ seed: 0 });
    env.step([0, 0, 0]);
    expect(() => env.step([0, 0])).toThrow(
      'Invalid actions: got [0,0]; expected an array of 3 actions (one per env).',
    );
    expect(() => env.step(undefined as unknown as number[])).toThrow(InvalidArgumentError);
    expect(() => env.step([0, 10, 0])).toThrow('Invalid actions[1]: got 10; expected an integer in [0, 9].');
    expect(() => env.step([0, 0, -1])).toThrow('Invalid actions[2]: got -1; expected an integer in [0, 9].');
    expect(() => env.step([0.5, 0, 0])).toThrow(
      'Invalid actions[0]: got 0.5; expected an integer in [0, 9].',
    );
    expect(() => env.step([0, Number.NaN, 0])).toThrow('Invalid actions[1]: got NaN');
    expect(() => env.step(new Int32Array([3, 3, 99]))).toThrow('Invalid actions[2]: got 99');
    // None of the rejected calls counted as a pull: one pull is left before the truncation.
    expect(Array.from(env.step([0, 0, 0]).truncated)).toEqual([1, 1, 1]);
  });

  it('rejects bad reset options, masks and out buffers', () => {
    const env = family.make(tasks);
    expect(() => env.reset({ seed: -1 })).toThrow(
      'Invalid options.seed: got -1; expected an integer in [0, 9007199254740991].',
    );
    expect(() => env.reset({ seed: 1.5 })).toThrow('Invalid options.seed');
    expect(() => env.reset({ mask: [1, 0] })).toThrow(
      'Invalid options.mask: got [1,0]; expected an array of 3 booleans or 0/1 numbers (one per env).',
    );
    expect(() => env.reset({ mask: [1, 'yes', 0] as unknown as number[] })).toThrow(
      'Invalid options.mask[1]: got "yes"; expected a boolean or a number.',
    );
    expect(() => env.reset({ sead: 1 } as unknown as { seed: number })).toThrow(
      'Invalid options.sead: got 1; expected no such field; accepted fields are seed, mask.',
    );
    expect(() => env.optimalActions!(new Int32Array(2))).toThrow(
      'Invalid out: got Int32Array(2); expected an Int32Array of length 3.',
    );
  });

  it('validates its constructor options', () => {
    const t = tasks[0]!;
    const fake = (means: unknown): TaskSpec<BanditParams> =>
      ({ familyId: 'x', index: 0, params: { means } }) as unknown as TaskSpec<BanditParams>;
    expect(() => new BanditVecEnv({ tasks: [], horizon: 5 })).toThrow(
      'Invalid tasks: got []; expected a non-empty array of bandit tasks.',
    );
    expect(() => new BanditVecEnv({ tasks: [t], horizon: 0 })).toThrow('Invalid horizon: got 0');
    expect(() => new BanditVecEnv({ tasks: [t], horizon: 5, envsPerTask: 0 })).toThrow(
      'Invalid options.envsPerTask: got 0; expected an integer in [1, 16777216].',
    );
    expect(
      () => new BanditVecEnv({ tasks: [t], horizon: 5, autoReset: 'always' as unknown as 'disabled' }),
    ).toThrow(
      'Invalid options.autoReset: got "always"; expected one of "disabled", "next-step", "same-step".',
    );
    expect(() => new BanditVecEnv({ tasks: [fake([0.5, 1.5])], horizon: 5 })).toThrow(
      'Invalid tasks[0].params.means[1]: got 1.5; expected a finite number in [0, 1].',
    );
    expect(() => new BanditVecEnv({ tasks: [t, fake([0.5, 0.5])], horizon: 5 })).toThrow(
      'Invalid tasks[1].params.means: got [0.5,0.5]; expected 4 means, as tasks[0] has.',
    );
    expect(() => new BanditVecEnv({ tasks: [fake([0.5])], horizon: 5 })).toThrow(
      'expected an array of at least 2 arm means',
    );
    // Hand-made tasks are fine when well formed.
    const env = new BanditVecEnv({ tasks: [fake([0.25, 0.75])], horizon: 2, rewardMode: 'mean' });
    env.reset();
    expect(Array.from(env.step([1]).rewards)).toEqual([0.75]);
  });
});
