import { dist3, distXz, hamacher, longTailTolerance } from '../reward-utils';
import { type MetaworldTaskSpec, objGoalXyDistance, type StepView } from '../task-spec';

// metaworld/envs/mujoco/sawyer_xyz/v2/sawyer_pick_place_v2.py: pick the puck up and carry it within 7 cm of a
// goal in the air.

/**
 * pick-place-v2's own caging term. Its pad margins read `init_left_pad`/`init_right_pad`, which Meta-World
 * stores as live views of `data.xpos`: they are the *current* pads, and matching the reference needs that quirk.
 */
function pickPlaceCaging(view: StepView, grip: number, objInit: Float64Array, initTcp: Float64Array): number {
  const { obs, o } = view;
  const objY = obs[o + 5]!;
  const padMargin = 0.05;
  const objRadius = 0.015;
  const xzThresh = 0.005;
  const leftDelta = view.leftPadY - objY;
  const rightDelta = objY - view.rightPadY;
  const rightMargin = Math.abs(Math.abs(objY - view.rightPadY) - padMargin);
  const leftMargin = Math.abs(Math.abs(objY - view.leftPadY) - padMargin);
  const right = longTailTolerance(rightDelta, objRadius, padMargin, rightMargin);
  const left = longTailTolerance(leftDelta, objRadius, padMargin, leftMargin);
  const cagingY = hamacher(left, right);
  const xzMargin = distXz(objInit, 0, initTcp, 0) - xzThresh;
  const cagingXz = longTailTolerance(distXz(view.tcp, 0, obs, o + 4), 0, xzThresh, xzMargin);
  const closed = Math.min(Math.max(0, grip), 1);
  const caging = hamacher(cagingY, cagingXz);
  const gripping = caging > 0.97 ? closed : 0;
  return (hamacher(caging, gripping) + caging) / 2;
}

/** pick-place-v2: rand_vec = puck (3) ++ goal (3); success within 7 cm, the 10-point bonus within 5 cm. */
export const PICK_PLACE: MetaworldTaskSpec = {
  name: 'pick-place',
  envName: 'pick-place-v2',
  xml: 'sawyer_xyz/sawyer_pick_place_v2.xml',
  randLow: [-0.1, 0.6, 0.02, -0.1, 0.8, 0.05],
  randHigh: [0.1, 0.7, 0.02, 0.1, 0.9, 0.3],
  reject: (rv) => objGoalXyDistance(rv) < 0.15,
  goalLow: [-0.1, 0.8, 0.05],
  goalHigh: [0.1, 0.9, 0.3],
  dicpObsDims: 11,
  objectPos: { kind: 'body', name: 'obj' },
  objectQuat: { source: 'geom-xmat-xyzw', name: 'objGeom' },
  sites: [],
  movesBox: false,
  place(rv, _hand, out, objQpos) {
    out.objInit.set([rv[0]!, rv[1]!, rv[2]!]);
    out.target.set([rv[3]!, rv[4]!, rv[5]!]);
    objQpos.set(out.objInit);
  },
  evaluate(view, grip, ep, out) {
    const { obs, o } = view;
    const objToTarget = dist3(obs, o + 4, ep.target, 0);
    const tcpToObj = dist3(obs, o + 4, view.tcp, 0);
    const inPlace = longTailTolerance(objToTarget, 0, 0.05, dist3(ep.objInit, 0, ep.target, 0));
    const grasped = pickPlaceCaging(view, grip, ep.objInit, ep.initTcp);
    let reward = hamacher(grasped, inPlace);
    if (tcpToObj < 0.02 && obs[o + 3]! > 0 && obs[o + 6]! - 0.01 > ep.objInit[2]!) reward += 1 + 5 * inPlace;
    if (objToTarget < 0.05) reward = 10;
    out.reward = reward;
    out.success = objToTarget <= 0.07;
  },
};
