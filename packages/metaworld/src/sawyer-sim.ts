import type { MjData } from 'mujoco-js';
import { type CompiledTask, FRAME_SKIP, MOCAP_QUAT } from './compiled-task';
import { MOCAP_HIGH, MOCAP_LOW, type StepView } from './task-spec';

// One MuJoCo `MjData` that every env of a batch takes turns on. An env's whole dynamic state is small (qpos,
// qvel, the solver's warm start and the mocap position: 49 doubles), so the batch keeps those per env and loads
// them before stepping that env: one 15 MB MjData serves any number of envs, and stepping is bit-identical to
// giving each env its own MjData (tested).

/** Observation layout (Meta-World v2): current frame 0..18, previous frame 18..36, goal 36..39. */
export const OBS_SIZE = 39;
export const FRAME_SIZE = 18;
export const GOAL_OFFSET = 36;

/** `_HAND_SPACE`: bounds the hand position is clipped to in every step's observation. */
const HAND_OBS_LOW = [-0.525, 0.348, -0.0525];
const HAND_OBS_HIGH = [0.525, 1.025, 0.7];

type F64 = Float64Array;

/** Views into MuJoCo's memory; re-taken whenever the WebAssembly heap has grown (which detaches them). */
interface Views {
  qpos: F64;
  qvel: F64;
  warmstart: F64;
  ctrl: F64;
  mocapPos: F64;
  mocapQuat: F64;
  xpos: F64;
  xquat: F64;
  geomXmat: F64;
  siteXpos: F64;
  siteXmat: F64;
  bodyPos: F64;
}

/**
 * The simulator of one task, shared by a batch of envs: load an env's state, apply Meta-World's action
 * (mocap delta, gripper, 5 substeps, `mj_forward`), read the observation, save the state back.
 */
export class SawyerSim implements StepView {
  readonly task: CompiledTask;
  private data: MjData | null;
  private v: Views;
  // StepView fields, valid after `readStep`.
  obs: F64 = new Float64Array(OBS_SIZE);
  o = 0;
  readonly tcp = new Float64Array(3);
  leftPadY = 0;
  rightPadY = 0;
  readonly siteIds: Int32Array;
  private readonly mocapOffset: number;

  constructor(task: CompiledTask) {
    this.task = task;
    this.data = new task.mj.MjData(task.model);
    this.siteIds = task.ids.sites;
    this.mocapOffset = 3 * task.ids.mocap;
    this.v = this.takeViews();
    this.v.mocapQuat.set(MOCAP_QUAT, 4 * task.ids.mocap);
  }

  get siteXpos(): F64 {
    return this.v.siteXpos;
  }

  private takeViews(): Views {
    const d = this.data!;
    const m = this.task.model;
    return {
      qpos: d.qpos,
      qvel: d.qvel,
      warmstart: d.qacc_warmstart,
      ctrl: d.ctrl,
      mocapPos: d.mocap_pos,
      mocapQuat: d.mocap_quat,
      xpos: d.xpos,
      xquat: d.xquat,
      geomXmat: d.geom_xmat,
      siteXpos: d.site_xpos,
      siteXmat: d.site_xmat,
      bodyPos: m.body_pos,
    };
  }

  /** Re-takes the views if the WebAssembly memory grew since (growing detaches every old view). */
  refreshViews(): void {
    if (this.v.qpos.length === 0) this.v = this.takeViews();
  }

  /** Loads an env's state (`stateSize` doubles at `state[s]`) and, for peg-insert-side, its box position. */
  load(state: F64, s: number, boxPos: F64 | null): void {
    const { nq, nv } = this.task;
    const v = this.v;
    v.qpos.set(state.subarray(s, s + nq));
    v.qvel.set(state.subarray(s + nq, s + nq + nv));
    v.warmstart.set(state.subarray(s + nq + nv, s + nq + 2 * nv));
    const m = this.mocapOffset;
    v.mocapPos[m] = state[s + nq + 2 * nv]!;
    v.mocapPos[m + 1] = state[s + nq + 2 * nv + 1]!;
    v.mocapPos[m + 2] = state[s + nq + 2 * nv + 2]!;
    if (boxPos !== null) v.bodyPos.set(boxPos, 3 * this.task.ids.box);
  }

  /** Saves the loaded state into `state[s..]`. */
  save(state: F64, s: number): void {
    const { nq, nv } = this.task;
    const v = this.v;
    state.set(v.qpos, s);
    state.set(v.qvel, s + nq);
    state.set(v.warmstart, s + nq + nv);
    const m = this.mocapOffset;
    state[s + nq + 2 * nv] = v.mocapPos[m]!;
    state[s + nq + 2 * nv + 1] = v.mocapPos[m + 1]!;
    state[s + nq + 2 * nv + 2] = v.mocapPos[m + 2]!;
  }

  /** Writes the object's position into qpos[9..12) and zeroes its velocity (`_set_obj_xyz`), then `mj_forward`. */
  placeObject(objQpos: F64): void {
    this.v.qpos.set(objQpos, 9);
    this.v.qvel.fill(0, 9, 15);
    this.forward();
  }

  /** `mj_forward`: derived quantities (positions, frames) from the loaded state. */
  forward(): void {
    this.task.mj.mj_forward(this.task.model, this.data!);
  }

  /**
   * One Meta-World step on the loaded state: xyz clipped to [−1, 1], scaled by 1/100 and added to the mocap
   * position (then clipped to the mocap box), gripper `ctrl = (a3, −a3)` (the actuators' ctrlrange clamps
   * it), 5 substeps, `mj_forward`.
   */
  step(action: ArrayLike<number>, a: number): void {
    const v = this.v;
    const m = this.mocapOffset;
    for (let k = 0; k < 3; k++) {
      const delta = Math.min(Math.max(action[a + k]!, -1), 1) * 0.01;
      v.mocapPos[m + k] = Math.min(Math.max(v.mocapPos[m + k]! + delta, MOCAP_LOW[k]!), MOCAP_HIGH[k]!);
    }
    const grip = action[a + 3]!;
    v.ctrl[0] = grip;
    v.ctrl[1] = -grip;
    const { mj, model } = this.task;
    const data = this.data!;
    for (let s = 0; s < FRAME_SKIP; s++) mj.mj_step(model, data);
    mj.mj_forward(model, data);
  }

  /**
   * Writes the current frame (18 values: hand, gripper opening, object position and quaternion, zero padding)
   * into `out[o..o+18)` and refreshes the step view (tool-centre point, pads).
   */
  readFrame(out: F64, o: number): void {
    const v = this.v;
    const ids = this.task.ids;
    const xpos = v.xpos;
    const h = 3 * ids.hand;
    out[o] = xpos[h]!;
    out[o + 1] = xpos[h + 1]!;
    out[o + 2] = xpos[h + 2]!;
    // Gripper opening: claw distance / 0.1, clipped to [0, 1] (the claws can open slightly past 0.1 m).
    const r = 3 * ids.rightClaw;
    const l = 3 * ids.leftClaw;
    const dx = xpos[r]! - xpos[l]!;
    const dy = xpos[r + 1]! - xpos[l + 1]!;
    const dz = xpos[r + 2]! - xpos[l + 2]!;
    out[o + 3] = Math.min(Math.max(Math.sqrt(dx * dx + dy * dy + dz * dz) / 0.1, 0), 1);
    const spec = this.task.spec;
    const pos = spec.objectPos.kind === 'body' ? xpos : v.siteXpos;
    const p = 3 * ids.objectPos;
    out[o + 4] = pos[p]!;
    out[o + 5] = pos[p + 1]!;
    out[o + 6] = pos[p + 2]!;
    const q = ids.objectQuat;
    switch (spec.objectQuat.source) {
      case 'geom-xmat-xyzw':
        matToQuatXyzw(v.geomXmat, 9 * q, out, o + 7);
        break;
      case 'site-xmat-xyzw':
        matToQuatXyzw(v.siteXmat, 9 * q, out, o + 7);
        break;
      case 'body-xquat-wxyz':
        out.set(v.xquat.subarray(4 * q, 4 * q + 4), o + 7);
        break;
    }
    out.fill(0, o + 11, o + FRAME_SIZE);
    const sx = v.siteXpos;
    const re = 3 * ids.rightEndEffector;
    const le = 3 * ids.leftEndEffector;
    this.tcp[0] = (sx[re]! + sx[le]!) / 2;
    this.tcp[1] = (sx[re + 1]! + sx[le + 1]!) / 2;
    this.tcp[2] = (sx[re + 2]! + sx[le + 2]!) / 2;
    this.leftPadY = xpos[3 * ids.leftPad + 1]!;
    this.rightPadY = xpos[3 * ids.rightPad + 1]!;
  }

  /** Frees the MjData (the model belongs to the compiled task). */
  close(): void {
    this.data?.delete();
    this.data = null;
  }
}

/**
 * Clips a step's observation to Meta-World's observation box: hand xyz to `_HAND_SPACE` and the gripper to
 * [−1, 1] in both frames; objects are unbounded. (Goal slots are handled by the caller.)
 */
export function clipObservation(obs: F64, o: number): void {
  for (const f of [o, o + FRAME_SIZE]) {
    for (let k = 0; k < 3; k++)
      obs[f + k] = Math.min(Math.max(obs[f + k]!, HAND_OBS_LOW[k]!), HAND_OBS_HIGH[k]!);
    obs[f + 3] = Math.min(Math.max(obs[f + 3]!, -1), 1);
  }
}

/** Lower and upper bounds of the 39-d observation (objects unbounded; goal bounds given by the caller). */
export function observationBounds(
  goalLow: readonly number[],
  goalHigh: readonly number[],
): [number[], number[]] {
  const frameLow = [...HAND_OBS_LOW, -1, ...new Array<number>(14).fill(-Infinity)];
  const frameHigh = [...HAND_OBS_HIGH, 1, ...new Array<number>(14).fill(Infinity)];
  return [
    [...frameLow, ...frameLow, ...goalLow],
    [...frameHigh, ...frameHigh, ...goalHigh],
  ];
}

/**
 * SciPy's `Rotation.from_matrix(m).as_quat()` for a rotation matrix (row-major at `m[i..i+9)`), scalar last:
 * the branch is chosen by the largest of (m00, m11, m22, trace), then normalised; the sign is not canonicalised.
 */
export function matToQuatXyzw(m: ArrayLike<number>, i: number, out: F64, o: number): void {
  const m00 = m[i]!;
  const m11 = m[i + 4]!;
  const m22 = m[i + 8]!;
  const trace = m00 + m11 + m22;
  let choice = 0;
  let best = m00;
  if (m11 > best) {
    choice = 1;
    best = m11;
  }
  if (m22 > best) {
    choice = 2;
    best = m22;
  }
  if (trace > best) choice = 3;
  const at = (r: number, c: number) => m[i + 3 * r + c]!;
  let q0: number;
  let q1: number;
  let q2: number;
  let q3: number;
  if (choice === 3) {
    q0 = at(2, 1) - at(1, 2);
    q1 = at(0, 2) - at(2, 0);
    q2 = at(1, 0) - at(0, 1);
    q3 = 1 + trace;
  } else {
    const a = choice;
    const b = (a + 1) % 3;
    const c = (b + 1) % 3;
    const q = [0, 0, 0];
    q[a] = 1 - trace + 2 * at(a, a);
    q[b] = at(b, a) + at(a, b);
    q[c] = at(c, a) + at(a, c);
    [q0, q1, q2] = q as [number, number, number];
    q3 = at(c, b) - at(b, c);
  }
  const norm = Math.sqrt(q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3);
  out[o] = q0 / norm;
  out[o + 1] = q1 / norm;
  out[o + 2] = q2 / norm;
  out[o + 3] = q3 / norm;
}
