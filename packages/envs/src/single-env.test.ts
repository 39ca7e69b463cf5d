import {
  type BoxSpace,
  InvalidArgumentError,
  ResetNeededError,
  type VecEnv,
  type VecStepResult,
} from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { adversarialBandit } from './adversarial-bandit';
import { bernoulliBandit } from './bernoulli-bandit';
import { darkroom } from './darkroom';
import { makeSingleEnv, SingleEnv } from './single-env';

const family = bernoulliBandit({ arms: 3, horizon: 3, numTasks: 4, rewardMode: 'mean' });
const task = family.task(1);
const means = task.params.means;

/** A one-env vector env with a 2-d float box action: reward = a0 + a1, observation = the last action. */
function boxEnv(): VecEnv {
  const space: BoxSpace = { kind: 'box', shape: [2], low: -1, high: 1, dtype: 'float32' };
  const result: VecStepResult = {
    obs: new Float32Array(2),
    rewards: new Float32Array(1),
    terminated: new Uint8Array(1),
    truncated: new Uint8Array(1),
    finalObs: null,
  };
  return {
    numEnvs: 1,
    tasks: [{ familyId: 'box-toy', index: 0, params: {} }],
    observationSpace: space,
    actionSpace: space,
    obsSize: 2,
    horizon: 10,
    autoReset: 'disabled',
    reset: () => result.obs.fill(0),
    step(actions) {
      result.obs.set([actions[0]!, actions[1]!]);
      result.rewards[0] = actions[0]! + actions[1]!;
      return result;
    },
    close() {},
  };
}

describe('SingleEnv', () => {
  it('returns Gymnasium tuples: reset -> [obs, info], step -> [obs, reward, terminated, truncated, info]', () => {
    const env = makeSingleEnv(family, task);
    expect([env.observationSpace, env.actionSpace, env.horizon, env.autoReset]).toEqual([
      family.observationSpace,
      family.actionSpace,
      3,
      'disabled',
    ]);
    expect(env.task).toBe(task);
    const [obs, info] = env.reset({ seed: 0 });
    expect(obs).toEqual(new Int32Array([0]));
    expect(info).toEqual({});
    expect(env.step(2)).toEqual([new Int32Array([0]), means[2], false, false, {}]);
    expect(env.step([1])).toEqual([new Int32Array([0]), means[1], false, false, {}]);
    expect(env.step(new Int32Array([0]))).toEqual([new Int32Array([0]), means[0], false, true, {}]);
    // 'disabled': the ended episode needs a reset.
    expect(() => env.step(0)).toThrow(ResetNeededError);
    env.reset();
    expect(env.step(0)[3]).toBe(false);
    env.close();
  });

  it('returns copies that later steps do not overwrite', () => {
    const env = makeSingleEnv(family, task, { autoReset: 'same-step' });
    const [first] = env.reset({ seed: 0 });
    const a = env.step(0);
    const b = env.step(0);
    expect(a[0]).not.toBe(b[0]);
    expect(a[0]).not.toBe(env.vecEnv.step([0]).obs);
    a[0][0] = 7; // safe to keep and even to mutate
    expect(b[0][0]).toBe(0);
    expect(first).not.toBe(a[0]);
  });

  it("carries finalObs in info on the ending step in 'same-step' mode", () => {
    const env = makeSingleEnv(family, task, { autoReset: 'same-step' });
    env.reset();
    const steps = Array.from({ length: 4 }, () => env.step(1));
    expect(steps.map((s) => s[3])).toEqual([false, false, true, false]);
    expect(steps[2]![4]).toEqual({ finalObs: new Int32Array([0]) });
    expect(steps[3]![4]).toEqual({});
  });

  it("resets on the step after the end in 'next-step' mode", () => {
    const env = makeSingleEnv(family, task, { autoReset: 'next-step' });
    env.reset();
    const rewards = Array.from({ length: 4 }, () => env.step(1)[1]);
    expect(rewards).toEqual([means[1], means[1], means[1], 0]);
  });

  it('replays a seed in bernoulli mode', () => {
    const bandit = adversarialBandit();
    const env = makeSingleEnv(bandit, bandit.task(1000));
    const episode = () => Array.from({ length: 100 }, () => env.step(4)[1]);
    env.reset({ seed: 5 });
    const a = episode();
    env.reset({ seed: 5 });
    expect(episode()).toEqual(a);
    expect(a.every((r) => r === 0 || r === 1)).toBe(true);
  });

  it('wraps the gridworlds too: darkroom with its oracle reaches maxReturn', () => {
    const grid = darkroom();
    const goalTask = grid.split().test[0]!;
    for (const autoReset of ['disabled', 'next-step', 'same-step'] as const) {
      const env = makeSingleEnv(grid, goalTask, { autoReset });
      let [obs] = env.reset({ seed: 0 });
      expect(obs).toHaveLength(2);
      let total = 0;
      let info = {};
      for (let t = 0; t < env.horizon; t++) {
        const [next, reward, terminated, truncated, stepInfo] = env.step(grid.optimalAction!(goalTask, obs));
        expect([terminated, truncated]).toEqual([false, t === env.horizon - 1]);
        total += reward;
        obs = next;
        info = stepInfo;
      }
      expect(total).toBe(grid.maxReturn!(goalTask));
      // Only same-step reports the last observation separately.
      expect('finalObs' in info).toBe(autoReset === 'same-step');
    }
  });

  it('works over any VecEnv, box actions included', () => {
    const env = new SingleEnv(boxEnv());
    env.reset();
    const [obs, reward] = env.step([0.25, 0.5]);
    expect([Array.from(obs), reward]).toEqual([[0.25, 0.5], 0.75]);
    expect(() => env.step([0.25, 2])).toThrow(
      'Invalid action: got [0.25,2]; expected an element of Box(float32, [2], -1..1).',
    );
    expect(() => env.step(0.5)).toThrow('Invalid action: got 0.5');
  });

  it('rejects vector envs with more than one env, bad actions and bad options', () => {
    expect(() => new SingleEnv(family.make(family.tasks()))).toThrow(
      'Invalid vecEnv.numEnvs: got 4; expected 1: SingleEnv wraps exactly one env (make it with one task and envsPerTask 1).',
    );
    expect(() => new SingleEnv(family.make(task, { envsPerTask: 2 }))).toThrow(InvalidArgumentError);
    expect(() => new SingleEnv({} as VecEnv)).toThrow('Invalid vecEnv: got {}; expected a VecEnv.');
    const env = makeSingleEnv(family, task);
    env.reset();
    expect(() => env.step(3)).toThrow('Invalid action: got 3; expected an element of Discrete(3).');
    expect(() => env.step([1, 1])).toThrow('Invalid action: got [1,1]; expected an element of Discrete(3).');
    expect(() => env.step(null as unknown as number)).toThrow('Invalid action: got null');
    expect(() => env.reset({ sed: 1 } as unknown as { seed: number })).toThrow(
      'Invalid options.sed: got 1; expected no such field; accepted fields are seed.',
    );
    expect(() =>
      makeSingleEnv(family, task, { envsPerTask: 2 } as unknown as { autoReset: 'disabled' }),
    ).toThrow('Invalid options.envsPerTask: got 2; expected no such field; accepted fields are autoReset.');
    expect(() => makeSingleEnv(family, family.tasks() as unknown as typeof task)).toThrow(
      'Invalid vecEnv.numEnvs: got 4',
    );
  });
});
