import { dist3, distXz, hamacher, longTailTolerance } from '../reward-utils';
import type { MetaworldTaskSpec, StepView } from '../task-spec';

// metaworld/envs/mujoco/sawyer_xyz/v2/sawyer_sweep_v2.py: slide a 4 cm wooden cube along +x to x = 0.5. The
// observed position is the body origin (the cube's bottom face) and its quaternion is MuJoCo's (w, x, y, z).

const OBJ_RADIUS = 0.02;

/** sweep-v2's caging term: the grip part comes from the pads' y offsets, not from the gripper command. */
function sweepCaging(view: StepView, objInit: Float64Array, initTcp: Float64Array): number {
  const { obs, o } = view;
  const objY = obs[o + 5]!;
  const padMargin = 0.05;
  const gripMargin = OBJ_RADIUS + 0.01;
  const xzThresh = 0.005;
  const leftDelta = view.leftPadY - objY;
  const rightDelta = objY - view.rightPadY;
  // init_left_pad / init_right_pad are live views of the current pads (the same quirk as pick-place).
  const rightMargin = Math.abs(Math.abs(objY - view.rightPadY) - padMargin);
  const leftMargin = Math.abs(Math.abs(objY - view.leftPadY) - padMargin);
  const rightCaging = longTailTolerance(rightDelta, OBJ_RADIUS, padMargin, rightMargin);
  const leftCaging = longTailTolerance(leftDelta, OBJ_RADIUS, padMargin, leftMargin);
  const rightGripping = longTailTolerance(rightDelta, OBJ_RADIUS, gripMargin, rightMargin);
  const leftGripping = longTailTolerance(leftDelta, OBJ_RADIUS, gripMargin, leftMargin);
  const cagingY = hamacher(rightCaging, leftCaging);
  const grippingY = hamacher(rightGripping, leftGripping);
  const xzMargin = distXz(objInit, 0, initTcp, 0) - xzThresh;
  const cagingXz = longTailTolerance(distXz(view.tcp, 0, obs, o + 4), 0, xzThresh, xzMargin);
  const caging = hamacher(cagingY, cagingXz);
  const gripping = caging > 0.95 ? grippingY : 0;
  return (caging + gripping) / 2;
}

/** sweep-v2: rand_vec = cube (3); goal (0.5, cube y, 0.01). */
export const SWEEP: MetaworldTaskSpec = {
  name: 'sweep',
  envName: 'sweep-v2',
  xml: 'sawyer_xyz/sawyer_sweep_v2.xml',
  randLow: [-0.1, 0.6, 0.02],
  randHigh: [0.1, 0.7, 0.02],
  goalLow: [0.49, 0.6, 0],
  goalHigh: [0.51, 0.7, 0.02],
  dicpObsDims: 11,
  objectPos: { kind: 'body', name: 'obj' },
  objectQuat: { source: 'body-xquat-wxyz', name: 'obj' },
  sites: [],
  movesBox: false,
  place(rv, _hand, out, objQpos) {
    out.objInit.set([rv[0]!, rv[1]!, 0.02]);
    out.target.set([0.5, rv[1]!, 0.01]);
    objQpos.set(out.objInit);
  },
  evaluate(view, _grip, ep, out) {
    const objToTarget = dist3(view.obs, view.o + 4, ep.target, 0);
    const inPlace = longTailTolerance(objToTarget, 0, 0.05, dist3(ep.objInit, 0, ep.target, 0));
    const grasped = sweepCaging(view, ep.objInit, ep.initTcp);
    let reward = 2 * grasped + 6 * hamacher(grasped, inPlace);
    if (objToTarget < 0.05) reward = 10;
    out.reward = reward;
    out.success = objToTarget <= 0.05;
  },
};
