import { resolve } from 'node:path';
import { IcrlError } from '@icrl/core';
import type { MainModule, MjModel } from 'mujoco-js';
import { compileModel, mountTaskXml, mujocoModule } from './mujoco-runtime';
import {
  HAND_INIT_POS,
  type HandResetValues,
  type MetaworldTaskName,
  type MetaworldTaskSpec,
} from './task-spec';
import { TASK_SPECS } from './tasks/index';

// A task's compiled MuJoCo model, shared by every env of that task (each env brings its own state), with the
// ids the observation and reward read and the state right after Meta-World's hand reset, cached once.

/**
 * The mocap weld's `eq_data` (anchor 3, relative position 3, relative quaternion 4, torquescale 1).
 * - `v3`: what Meta-World adopted for MuJoCo 3 (relquat (−1,0,0,0), torquescale 5). Required here: mujoco-js
 *   is MuJoCo 3, whose weaker rotational weld leaves the gripper rotated ~86° after the hand reset with `v2`.
 * - `v2`: what Meta-World 83ac03c writes (identity, torquescale 1), correct only on MuJoCo 2.x.
 */
export type WeldSetting = 'v3' | 'v2';
export const WELD_SETTINGS: readonly WeldSetting[] = ['v3', 'v2'];
const WELD_EQ_DATA: Record<WeldSetting, readonly number[]> = {
  v3: [0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 5],
  v2: [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1],
};

/** `(1, 0, 1, 0)`: the fixed mocap orientation Meta-World writes every step (MuJoCo normalises it). */
export const MOCAP_QUAT: readonly number[] = [1, 0, 1, 0];
/** Iterations of Meta-World's `_reset_hand`, each `FRAME_SKIP` substeps. */
export const HAND_RESET_STEPS = 50;
/** Substeps per env step (`frame_skip`); 5 × 2.5 ms = 12.5 ms. */
export const FRAME_SKIP = 5;

/** Ids of the bodies, geoms and sites the observation and rewards read. */
export interface TaskIds {
  hand: number;
  rightClaw: number;
  leftClaw: number;
  rightPad: number;
  leftPad: number;
  rightEndEffector: number;
  leftEndEffector: number;
  /** Index into mocap_pos (not a body id). */
  mocap: number;
  /** Body or site holding the observed object position (see `spec.objectPos.kind`). */
  objectPos: number;
  /** Geom, site or body whose orientation is observed (see `spec.objectQuat.source`). */
  objectQuat: number;
  /** Body `obj`, or −1 (peg-insert-side has none). */
  objBody: number;
  /** Body `box` (peg-insert-side), or −1. */
  box: number;
  /** Site `pegHead` (peg-insert-side), or −1. */
  pegHead: number;
  /** The task's reward sites, in `spec.sites` order. */
  sites: Int32Array;
}

/** A compiled task: model, ids and the cached post-hand-reset state. Reference-counted; see `release`. */
export interface CompiledTask {
  readonly mj: MainModule;
  readonly model: MjModel;
  readonly spec: MetaworldTaskSpec;
  readonly weld: WeldSetting;
  readonly ids: TaskIds;
  readonly nq: number;
  readonly nv: number;
  /** Doubles of one env's state: qpos, qvel, qacc_warmstart, mocap_pos. */
  readonly stateSize: number;
  /** The state right after the hand reset (the same for every variation of the task). */
  readonly handState: Float64Array;
  /** Derived values after the hand reset: `init_tcp`, the object's position, the peg head. */
  readonly hand: HandResetValues;
  /** Takes a reference (one per family and per env using the model). */
  retain(): void;
  /** Drops a reference; the model is freed when the last one goes. */
  release(): void;
  /** Whether the model has been freed. */
  readonly freed: boolean;
}

const cache = new Map<string, Promise<CompiledTask>>();

/** The compiled task for an assets folder (cached; the caller owns one reference). */
export async function loadCompiledTask(
  assetsDir: string,
  task: MetaworldTaskName,
  weld: WeldSetting,
): Promise<CompiledTask> {
  const key = `${resolve(assetsDir)}\n${task}\n${weld}`;
  for (;;) {
    let pending = cache.get(key);
    if (pending === undefined) {
      pending = mujocoModule().then((mj) => compileTask(mj, assetsDir, TASK_SPECS[task], weld, key));
      cache.set(key, pending);
      pending.catch(() => cache.delete(key));
    }
    const compiled = await pending;
    // Its last holder may have released it while we waited: then compile afresh.
    if (compiled.freed) continue;
    compiled.retain();
    return compiled;
  }
}

function compileTask(
  mj: MainModule,
  assetsDir: string,
  spec: MetaworldTaskSpec,
  weld: WeldSetting,
  key: string,
): CompiledTask {
  const memPath = mountTaskXml(mj, assetsDir, spec.xml);
  const model = compileModel(mj, memPath, assetsDir, spec.xml);
  try {
    const ids = resolveIds(mj, model, spec, resolve(assetsDir));
    // reset_mocap_welds: overwrite every weld's eq_data (these models have exactly one, mocap -> hand).
    const eqData = model.eq_data as Float64Array;
    const eqType = model.eq_type as Int32Array;
    const weldType = mj.mjtEq.mjEQ_WELD.value;
    for (let e = 0; e < model.neq; e++) {
      if (eqType[e] === weldType) eqData.set(WELD_EQ_DATA[weld], e * 11);
    }
    const nq = model.nq;
    const nv = model.nv;
    const stateSize = nq + 2 * nv + 3;
    const { handState, hand } = runHandReset(mj, model, ids, nq, nv, stateSize);
    let refs = 0;
    let freed = false;
    const compiled: CompiledTask = {
      mj,
      model,
      spec,
      weld,
      ids,
      nq,
      nv,
      stateSize,
      handState,
      hand,
      retain() {
        refs++;
      },
      release() {
        if (freed || --refs > 0) return;
        freed = true;
        cache.delete(key);
        model.delete();
      },
      get freed() {
        return freed;
      },
    };
    return compiled;
  } catch (error) {
    model.delete();
    throw error;
  }
}

function resolveIds(mj: MainModule, model: MjModel, spec: MetaworldTaskSpec, root: string): TaskIds {
  const { mjOBJ_BODY, mjOBJ_GEOM, mjOBJ_SITE } = mj.mjtObj;
  const id = (type: { value: number }, kind: string, name: string, required = true): number => {
    const found = mj.mj_name2id(model, type.value, name);
    if (found < 0 && required) {
      throw new IcrlError(
        `${spec.xml} under ${root} has no ${kind} named "${name}", which Meta-World's ${spec.envName} ` +
          'reads; the folder is not (an unmodified copy of) Meta-World assets_v2.',
      );
    }
    return found;
  };
  const body = (name: string, required = true) => id(mjOBJ_BODY, 'body', name, required);
  const site = (name: string) => id(mjOBJ_SITE, 'site', name);
  const mocapBody = body('mocap');
  const mocap = (model.body_mocapid as Int32Array)[mocapBody]!;
  if (mocap < 0) throw new IcrlError(`${spec.xml} under ${root}: body "mocap" is not a mocap body.`);
  const quat = spec.objectQuat;
  return {
    hand: body('hand'),
    rightClaw: body('rightclaw'),
    leftClaw: body('leftclaw'),
    rightPad: body('rightpad'),
    leftPad: body('leftpad'),
    rightEndEffector: site('rightEndEffector'),
    leftEndEffector: site('leftEndEffector'),
    mocap,
    objectPos: spec.objectPos.kind === 'body' ? body(spec.objectPos.name) : site(spec.objectPos.name),
    objectQuat:
      quat.source === 'geom-xmat-xyzw'
        ? id(mjOBJ_GEOM, 'geom', quat.name)
        : quat.source === 'site-xmat-xyzw'
          ? site(quat.name)
          : body(quat.name),
    objBody: body('obj', false),
    box: spec.movesBox ? body('box') : -1,
    pegHead: spec.name === 'peg-insert-side' ? site('pegHead') : -1,
    sites: Int32Array.from(spec.sites, site),
  };
}

/**
 * Meta-World's `_reset_hand` from `mj_resetData`: 50 times, put the mocap at `hand_init_pos` with the fixed
 * orientation, open the gripper and take 5 substeps. It never depends on the variation (the object and the
 * peg box are placed afterwards), so it runs once per model and every reset restores its result: bit-exact,
 * and ~0.1 ms instead of ~8 ms per reset (Meta-World runs it twice per reset).
 */
function runHandReset(
  mj: MainModule,
  model: MjModel,
  ids: TaskIds,
  nq: number,
  nv: number,
  stateSize: number,
): { handState: Float64Array; hand: HandResetValues } {
  const data = new mj.MjData(model);
  try {
    mj.mj_resetData(model, data);
    for (let it = 0; it < HAND_RESET_STEPS; it++) {
      (data.mocap_pos as Float64Array).set(HAND_INIT_POS, 3 * ids.mocap);
      (data.mocap_quat as Float64Array).set(MOCAP_QUAT, 4 * ids.mocap);
      (data.ctrl as Float64Array).set([-1, 1]);
      for (let s = 0; s < FRAME_SKIP; s++) mj.mj_step(model, data);
    }
    const handState = new Float64Array(stateSize);
    handState.set(data.qpos as Float64Array, 0);
    handState.set(data.qvel as Float64Array, nq);
    handState.set(data.qacc_warmstart as Float64Array, nq + nv);
    handState.set((data.mocap_pos as Float64Array).subarray(3 * ids.mocap, 3 * ids.mocap + 3), nq + 2 * nv);
    // init_tcp and friends are read from the derived data the last substep left (no extra mj_forward).
    const siteXpos = data.site_xpos as Float64Array;
    const xpos = data.xpos as Float64Array;
    const r = 3 * ids.rightEndEffector;
    const l = 3 * ids.leftEndEffector;
    const tcp = Float64Array.of(
      (siteXpos[r]! + siteXpos[l]!) / 2,
      (siteXpos[r + 1]! + siteXpos[l + 1]!) / 2,
      (siteXpos[r + 2]! + siteXpos[l + 2]!) / 2,
    );
    const objPos = ids.objBody >= 0 ? xpos.slice(3 * ids.objBody, 3 * ids.objBody + 3) : new Float64Array(3);
    const pegHead =
      ids.pegHead >= 0 ? siteXpos.slice(3 * ids.pegHead, 3 * ids.pegHead + 3) : new Float64Array(3);
    return { handState, hand: { tcp, objPos, pegHead } };
  } finally {
    data.delete();
  }
}
