import { afterAll, describe, expect, it } from 'vitest';
import { FRAME_SKIP, HAND_RESET_STEPS, loadCompiledTask, MOCAP_QUAT } from '../src/compiled-task';
import { METAWORLD_TASK_NAMES, type MetaworldFamily, metaworldMl1, TASK_SPECS } from '../src/index';
import { HAND_INIT_POS } from '../src/task-spec';
import { ASSETS_DIR, type ReplayTask, readFixture, type TrajectoryFixture } from './fixtures';

// Fidelity against Meta-World's Python code (83ac03c, native MuJoCo 3.14, v3 weld):
// - State replay: recorded MuJoCo states give Meta-World's observations and rewards. Same formulas, same
//   float64 data; only summation order differs (NumPy's BLAS dot vs left-to-right), a few ulps: obs ≤ 1e-13.
//   Meta-World's reward is float32 once the float32 action enters it (NEP 50): ≤ 10 · 2^-24 ≈ 6e-7 per
//   rounding, two roundings at most, so 2e-6.
// - Whole trajectories, mujoco-js's MuJoCo 3.3.8 against native 3.14 under 200 identical random actions:
//   different MuJoCo versions (contacts changed after 3.3.0) drift a little. Measured max |Δobs| 1.35e-3
//   (sweep), the probe 1.4e-3: we allow 2e-3, i.e. 2 mm of hand or object position after 2.5 s. Rewards
//   amplify position errors (reach is 10 · tolerance): measured 6.9e-3, allowed 1e-2. Success flags exact.

const replay = readFixture<Record<string, ReplayTask>>('state-replay.json');
const trajectories = readFixture<TrajectoryFixture>('trajectories-v3weld.json');
const families: MetaworldFamily[] = [];
afterAll(() => {
  for (const f of families) f.dispose();
});

async function family(name: (typeof METAWORLD_TASK_NAMES)[number], extra = {}) {
  const f = await metaworldMl1(name, { assetsDir: ASSETS_DIR, ...extra });
  families.push(f);
  return f;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe.each(METAWORLD_TASK_NAMES)('%s', (name) => {
  const envName = TASK_SPECS[name].envName;

  it('replaying recorded states gives the recorded observations, rewards and success flags', async () => {
    const fx = replay[envName]!;
    // The recording observes the goal (MT1); its variation is one of ML1 seed 0's.
    const f = await family(name, { observeGoal: true });
    const task = f.tasks().find((t) => t.params.randVec.every((x, j) => x === fx.rand_vec[j]));
    expect(task).toBeDefined();
    const env = f.make(task!);
    env.reset();
    const ours = env.episodeInternals(0);
    const I = fx.internals;
    // Placement is exact; init_tcp (and push's table height) come out of the hand-reset physics.
    expect(maxAbsDiff(ours.objInit.slice(0, 2), I.obj_init_pos.slice(0, 2))).toBe(0);
    expect(maxAbsDiff(ours.initTcp, I.init_tcp)).toBeLessThan(2e-4);
    let obsErr = 0;
    let rewardErr = 0;
    let sameSuccess = 0;
    for (const r of fx.recs) {
      const res = env.evaluateState(0, { qpos: r.qpos, qvel: r.qvel, mocapPos: r.mp }, r.prev, r.a, {
        objInit: I.obj_init_pos,
        target: I._target_pos,
        initTcp: I.init_tcp,
        ...(I.peg_head_pos_init === null ? {} : { pegHeadInit: I.peg_head_pos_init }),
        ...(r.bodypos_box === null ? {} : { boxPos: r.bodypos_box }),
      });
      obsErr = Math.max(obsErr, maxAbsDiff(res.obs, r.obs));
      rewardErr = Math.max(rewardErr, Math.abs(res.reward - r.r));
      if (Number(res.success) === r.s) sameSuccess++;
    }
    env.close();
    console.log(
      `${name} replay: max |Δobs| ${obsErr.toExponential(2)}, max |Δreward| ${rewardErr.toExponential(2)}`,
    );
    expect(obsErr).toBeLessThan(1e-13);
    expect(rewardErr).toBeLessThan(2e-6);
    expect(sameSuccess).toBe(fx.recs.length);
  });

  it('the 200-step fixed-action trajectory stays within 2e-3 of native MuJoCo, same success flags', async () => {
    const fx = trajectories.tasks[envName]!;
    const f = await family(name, { horizon: 200 });
    const env = f.make(f.task(0)); // ML1 seed 0, train variation 0
    env.reset();
    let obsErr = maxAbsDiff(env.observations64(), fx.obs[0]!);
    let rewardErr = 0;
    const successes: number[] = [];
    for (const [t, action] of trajectories.actions.entries()) {
      env.step(action);
      obsErr = Math.max(obsErr, maxAbsDiff(env.observations64(), fx.obs[t + 1]!));
      rewardErr = Math.max(rewardErr, Math.abs(env.rewards64()[0]! - fx.rew[t]!));
      successes.push(env.successes()[0]!);
    }
    env.close();
    console.log(
      `${name} trajectory: max |Δobs| ${obsErr.toExponential(2)}, max |Δreward| ${rewardErr.toExponential(2)}`,
    );
    expect(obsErr).toBeLessThan(2e-3);
    expect(rewardErr).toBeLessThan(1e-2);
    expect(successes).toEqual(fx.succ);
  });

  it("the cached reset equals Meta-World's two-pass reset bit for bit", async () => {
    // Meta-World: reset_model on a used MjData, mj_resetData, reset_model again (each pass: 50 hand-reset
    // iterations of 5 substeps, then the objects placed and mj_forward; peg-insert-side moves its box).
    const f = await family(name, { observeGoal: true });
    const compiled = await loadCompiledTask(ASSETS_DIR, name, 'v3');
    const { mj, model, ids, spec, nq, nv } = compiled;
    const data = new mj.MjData(model);
    try {
      const task = f.task(57);
      const env = f.make(task);
      env.reset();
      const ours = env.observations64().slice();
      env.close();
      for (let t = 0; t < 40; t++) {
        (data.ctrl as Float64Array).set([0.5, -0.5]);
        (data.mocap_pos as Float64Array).set([0.1, 0.7, 0.15], 3 * ids.mocap);
        mj.mj_step(model, data);
      }
      const ep = {
        objInit: new Float64Array(3),
        target: new Float64Array(3),
        initTcp: new Float64Array(3),
        pegHeadInit: new Float64Array(3),
        boxPos: new Float64Array(3),
      };
      const objQpos = new Float64Array(3);
      const resetModel = () => {
        for (let it = 0; it < HAND_RESET_STEPS; it++) {
          (data.mocap_pos as Float64Array).set(HAND_INIT_POS, 3 * ids.mocap);
          (data.mocap_quat as Float64Array).set(MOCAP_QUAT, 4 * ids.mocap);
          (data.ctrl as Float64Array).set([-1, 1]);
          for (let s = 0; s < FRAME_SKIP; s++) mj.mj_step(model, data);
        }
        const xpos = data.xpos as Float64Array;
        const siteXpos = data.site_xpos as Float64Array;
        const hand = {
          tcp: new Float64Array(3),
          objPos: ids.objBody >= 0 ? xpos.slice(3 * ids.objBody, 3 * ids.objBody + 3) : new Float64Array(3),
          pegHead:
            ids.pegHead >= 0 ? siteXpos.slice(3 * ids.pegHead, 3 * ids.pegHead + 3) : new Float64Array(3),
        };
        spec.place(task.params.randVec, hand, ep, objQpos);
        (data.qpos as Float64Array).set(objQpos, 9);
        (data.qvel as Float64Array).fill(0, 9, 15);
        mj.mj_forward(model, data);
        if (spec.movesBox) (model.body_pos as Float64Array).set(ep.boxPos, 3 * ids.box);
      };
      resetModel();
      mj.mj_resetData(model, data);
      resetModel();
      const env2 = f.make(task);
      env2.reset();
      const state = (env2 as unknown as { state: Float64Array }).state;
      expect(Array.from(state.subarray(0, nq))).toEqual(Array.from(data.qpos as Float64Array));
      expect(Array.from(state.subarray(nq, nq + nv))).toEqual(Array.from(data.qvel as Float64Array));
      expect(Array.from(state.subarray(nq + nv, nq + 2 * nv))).toEqual(
        Array.from(data.qacc_warmstart as Float64Array),
      );
      const xpos = data.xpos as Float64Array;
      expect(Array.from(ours.subarray(0, 3))).toEqual(
        Array.from(xpos.subarray(3 * ids.hand, 3 * ids.hand + 3)),
      );
      expect(Array.from(env2.observations64())).toEqual(Array.from(ours));
      env2.close();
    } finally {
      data.delete();
      compiled.release();
    }
  });
});
