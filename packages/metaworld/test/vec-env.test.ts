import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkEnv, InvalidArgumentError, InvalidFileError, ResetNeededError, Rng } from '@icrl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetaworldFamily, metaworldMl1 } from '../src/index';
import { ASSETS_DIR } from './fixtures';

let push: MetaworldFamily;
let pegShort: MetaworldFamily;
beforeAll(async () => {
  push = await metaworldMl1('push', { assetsDir: ASSETS_DIR });
  pegShort = await metaworldMl1('peg-insert-side', { assetsDir: ASSETS_DIR, horizon: 15 });
});
afterAll(() => {
  push.dispose();
  pegShort.dispose();
});

function randomActions(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: 4 * n }, () => rng.uniform(-1.5, 1.5));
}

describe('MetaworldVecEnv', () => {
  it.each(['disabled', 'next-step', 'same-step'] as const)('passes checkEnv (%s)', (autoReset) => {
    const tasks = [pegShort.task(0), pegShort.task(77)];
    checkEnv(() => pegShort.make(tasks, { autoReset, envsPerTask: 1 }), { steps: 40 });
  });

  it('the family describes ML1: 50 train + 50 test variations, 4-d actions, 39-d observations', () => {
    const { train, test, trainRatio } = push.split();
    expect([train.length, test.length, trainRatio]).toEqual([50, 50, 0.5]);
    expect(train[3]!.params).toMatchObject({ task: 'push', split: 'train', variation: 3, seed: 0 });
    expect(test[0]!.index).toBe(50);
    expect(push.observationSpace).toMatchObject({ kind: 'box', shape: [39], dtype: 'float32' });
    expect(push.actionSpace).toMatchObject({ kind: 'box', shape: [4], low: -1, high: 1 });
    expect(push.horizon).toBe(100);
    expect(push.config).toMatchObject({ benchmark: 'ML1', task: 'push', seed: 0, weld: 'v3' });
  });

  it('same actions give identical trajectories; a batch steps exactly as each env alone', () => {
    const tasks = [push.task(1), push.task(60), push.task(33)];
    const batch = push.make(tasks, { autoReset: 'same-step' });
    const singles = tasks.map((t) => push.make(t, { autoReset: 'same-step' }));
    batch.reset({ seed: 3 });
    for (const s of singles) s.reset({ seed: 9 }); // the seed has no effect: resets are deterministic
    const rng = new Rng(4);
    for (let t = 0; t < 130; t++) {
      const actions = randomActions(rng, 3);
      const { obs, rewards } = batch.step(actions);
      for (const [i, s] of singles.entries()) {
        const r = s.step(actions.subarray(4 * i, 4 * i + 4));
        expect(Array.from(r.obs)).toEqual(Array.from(obs.subarray(39 * i, 39 * i + 39)));
        expect(r.rewards[0]).toBe(rewards[i]);
        expect(s.observations64()).toEqual(batch.observations64().subarray(39 * i, 39 * i + 39));
      }
    }
    batch.close();
    for (const s of singles) s.close();
  });

  it('validates actions, naming the env, before any env changes', () => {
    const env = push.make([push.task(0), push.task(1)]);
    expect(() => env.step(new Float32Array(8))).toThrow(ResetNeededError);
    env.reset();
    const before = env.observations64().slice();
    expect(() => env.step(new Float32Array(7))).toThrow(
      /Invalid actions: got Float32Array\(7\); expected an array of 8/,
    );
    const bad = new Float64Array(8);
    bad[6] = Number.NaN;
    expect(() => env.step(bad)).toThrow(
      /Invalid actions\[6\]: got NaN; expected a finite number \(env 1, component 2\)/,
    );
    bad[6] = Number.POSITIVE_INFINITY;
    expect(() => env.step(bad)).toThrow(InvalidArgumentError);
    expect(env.observations64()).toEqual(before);
    // Out-of-range values are Meta-World's to clip (xyz) and the actuators' to clamp (gripper).
    const big = env.step([5, 5, 5, 5, -5, -5, -5, -5]);
    const unit = push.make([push.task(0), push.task(1)]);
    unit.reset();
    expect(Array.from(unit.step([1, 1, 1, 1, -1, -1, -1, -1]).obs)).toEqual(Array.from(big.obs));
    env.close();
    unit.close();
    expect(() => env.step(new Float32Array(8))).toThrow(/closed/);
  });

  it('truncates at the horizon; same-step auto-reset reports the last observation in finalObs', () => {
    const env = pegShort.make(pegShort.task(2), { autoReset: 'same-step' });
    const first = env.reset().slice();
    const rng = new Rng(1);
    let last: Float32Array = first;
    for (let t = 1; t <= 15; t++) {
      const r = env.step(randomActions(rng, 1));
      expect(r.truncated[0]).toBe(t === 15 ? 1 : 0);
      expect(r.terminated[0]).toBe(0);
      if (t < 15) last = Float32Array.from(r.obs);
      else {
        expect(Array.from(r.obs)).toEqual(Array.from(first)); // already reset
        expect(Array.from(r.finalObs!)).not.toEqual(Array.from(first));
        expect(Array.from(r.finalObs!.subarray(18, 36))).toEqual(Array.from(last.subarray(0, 18)));
      }
    }
    env.close();
  });

  it('reports per-step and per-episode success; next-step resets on the following step', async () => {
    const reach = await metaworldMl1('reach', { assetsDir: ASSETS_DIR, horizon: 60 });
    const env = reach.make(reach.task(0), { autoReset: 'next-step' });
    env.reset();
    let firstSuccess = -1;
    for (let t = 0; t < 60; t++) {
      const { truncated } = env.step(env.optimalActions());
      const success = env.successes()[0]!;
      if (success && firstSuccess < 0) firstSuccess = t;
      expect(env.episodeSuccesses()[0]).toBe(firstSuccess >= 0 ? 1 : 0);
      expect(truncated[0]).toBe(t === 59 ? 1 : 0);
    }
    expect(firstSuccess).toBeGreaterThan(10); // the hand needs a few dozen steps to get there
    const after = env.step([0, 0, 0, 0]); // the reset step: action ignored, reward 0, success cleared
    expect([after.rewards[0], after.truncated[0], env.successes()[0], env.episodeSuccesses()[0]]).toEqual([
      0, 0, 0, 0,
    ]);
    env.close();
    // same-step: the step that ends the episode already returns the reset observation, but the success flags
    // still describe the episode that ended; the next step starts the new episode's tally.
    const same = reach.make(reach.task(0), { autoReset: 'same-step' });
    same.reset();
    for (let t = 0; t < 60; t++) same.step(same.optimalActions());
    expect([same.successes()[0], same.episodeSuccesses()[0]]).toEqual([1, 1]);
    same.step([0, 0, 0, 0]);
    expect([same.successes()[0], same.episodeSuccesses()[0]]).toEqual([0, 0]);
    same.close();
    reach.dispose();
  });

  it('offers DICP’s reduced observation and the goal-observing MT1 variant', async () => {
    const dicp = await metaworldMl1('push', { assetsDir: ASSETS_DIR, observation: 'dicp' });
    const mt = await metaworldMl1('push', { assetsDir: ASSETS_DIR, observeGoal: true });
    const full = push.make(push.task(5));
    const small = dicp.make(dicp.task(5));
    const withGoal = mt.make(mt.task(5));
    expect(small.obsSize).toBe(11);
    expect(dicp.observationSpace).toMatchObject({ shape: [11] });
    const rng = new Rng(2);
    full.reset();
    small.reset();
    withGoal.reset();
    for (let t = 0; t < 5; t++) {
      const a = randomActions(rng, 1);
      const f = full.step(a).obs.slice();
      expect(Array.from(small.step(a).obs)).toEqual(Array.from(f.subarray(0, 11)));
      const g = withGoal.step(a).obs;
      expect(Array.from(f.subarray(36))).toEqual([0, 0, 0]); // ML1 hides the goal
      expect(Array.from(g.subarray(36))).toEqual(
        Array.from(Float32Array.from(withGoal.episodeInternals(0).target)),
      );
    }
    for (const e of [full, small, withGoal]) e.close();
    dicp.dispose();
    mt.dispose();
  });
  it('frees its MuJoCo handles: the model goes once the family and its last env are done', async () => {
    const family = await metaworldMl1('sweep', { assetsDir: ASSETS_DIR, weld: 'v2' }); // not shared by other tests
    const env = family.make(family.task(0));
    const model = (env as unknown as { compiled: { model: { isDeleted(): boolean } } }).compiled.model;
    env.reset();
    family.dispose();
    expect(() => family.make(family.task(0))).toThrow(/disposed/);
    env.step([0, 0, 0, 0]); // envs already made keep working
    expect(model.isDeleted()).toBe(false);
    env.close();
    expect(model.isDeleted()).toBe(true);
    expect(() => env.reset()).toThrow(/closed/);
  });
});

describe('metaworldMl1 options', () => {
  it('rejects an unknown task, listing the five', async () => {
    await expect(metaworldMl1('door-open' as never, { assetsDir: ASSETS_DIR })).rejects.toThrow(
      'Invalid task: got "door-open"; expected one of "reach", "push", "pick-place", "sweep", "peg-insert-side".',
    );
  });

  it.each([
    [{ assetsDir: '' }, /Invalid options.assetsDir/],
    [{ assetsDir: ASSETS_DIR, seed: -1 }, /Invalid options.seed: got -1/],
    [
      { assetsDir: ASSETS_DIR, horizon: 501 },
      /Invalid options.horizon: got 501; expected an integer in \[1, 500\]/,
    ],
    [{ assetsDir: ASSETS_DIR, observation: 'pixels' }, /Invalid options.observation/],
    [{ assetsDir: ASSETS_DIR, weld: 'v1' }, /Invalid options.weld/],
    [{ assetsDir: ASSETS_DIR, horizn: 100 }, /Invalid options.horizn: .*no such field/],
  ])('rejects bad options %j', async (options, message) => {
    await expect(metaworldMl1('reach', options as never)).rejects.toThrow(message);
  });

  it('names the assets folder and the file it expected', async () => {
    const missing = join(tmpdir(), 'no-such-metaworld-assets');
    await expect(metaworldMl1('reach', { assetsDir: missing })).rejects.toThrow(InvalidFileError);
    await expect(metaworldMl1('reach', { assetsDir: missing })).rejects.toThrow(
      /no-such-metaworld-assets: expected Meta-World's assets folder .* holding sawyer_xyz\/sawyer_reach_v2.xml/,
    );
    const foreign = mkdtempSync(join(tmpdir(), 'foreign-assets-'));
    mkdirSync(join(foreign, 'sawyer_xyz'));
    writeFileSync(
      join(foreign, 'sawyer_xyz', 'sawyer_sweep_v2.xml'),
      '<mujoco><include file="../scene/x.xml"/></mujoco>',
    );
    await expect(metaworldMl1('sweep', { assetsDir: foreign })).rejects.toThrow(
      /holding scene\/x.xml \(referenced by sawyer_xyz\/sawyer_sweep_v2.xml\)/,
    );
  });

  it('accepts only its own tasks and its own split seed', () => {
    expect(() => push.make(pegShort.task(0))).toThrow(
      /Invalid tasks.familyId: got "metaworld-ml1-peg-insert-side"/,
    );
    expect(() =>
      push.make({ ...push.task(0), params: { ...push.task(0).params, randVec: [0, 0, 0, 0, 0, 0] } }),
    ).toThrow(/Invalid tasks.params/);
    expect(() => push.split(1)).toThrow(/ML1's variations are fixed by the family's seed/);
    expect(() => push.split(0, 0.9)).toThrow(/Invalid trainRatio/);
    expect(() => push.make(push.task(0), { envsPerTask: 0 })).toThrow(/Invalid options.envsPerTask/);
  });
});
