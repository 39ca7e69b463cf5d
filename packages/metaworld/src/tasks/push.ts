import { baseCagingReward, dist3, longTailTolerance } from '../reward-utils';
import { type MetaworldTaskSpec, objGoalXyDistance } from '../task-spec';

// metaworld/envs/mujoco/sawyer_xyz/v2/sawyer_push_v2.py: push the puck within 5 cm of a goal on the table.

/** push-v2: the puck and the goal sit at the puck's height after the hand reset (≈ 0.02). */
export const PUSH: MetaworldTaskSpec = {
  name: 'push',
  envName: 'push-v2',
  xml: 'sawyer_xyz/sawyer_push_v2.xml',
  randLow: [-0.1, 0.6, 0.02, -0.1, 0.8, 0.01],
  randHigh: [0.1, 0.7, 0.02, 0.1, 0.9, 0.02],
  reject: (rv) => objGoalXyDistance(rv) < 0.15,
  goalLow: [-0.1, 0.8, 0.01],
  goalHigh: [0.1, 0.9, 0.02],
  dicpObsDims: 11,
  objectPos: { kind: 'body', name: 'obj' },
  objectQuat: { source: 'geom-xmat-xyzw', name: 'objGeom' },
  sites: [],
  movesBox: false,
  place(rv, hand, out, objQpos) {
    const z = hand.objPos[2]!; // fix_extreme_obj_pos: the puck's height after the hand reset
    out.objInit.set([rv[0]!, rv[1]!, z]);
    out.target.set([rv[3]!, rv[4]!, z]);
    objQpos.set(out.objInit);
  },
  evaluate(view, grip, ep, out) {
    const { obs, o } = view;
    const tcpToObj = dist3(obs, o + 4, view.tcp, 0);
    const targetToObj = dist3(obs, o + 4, ep.target, 0);
    const inPlace = longTailTolerance(targetToObj, 0, 0.05, dist3(ep.objInit, 0, ep.target, 0));
    const grasped = baseCagingReward(
      {
        obj: obs,
        objOffset: o + 4,
        objInit: ep.objInit,
        tcp: view.tcp,
        initTcp: ep.initTcp,
        leftPadY: view.leftPadY,
        rightPadY: view.rightPadY,
        grip,
      },
      0.015,
      0.05,
      0.005,
    );
    let reward = 2 * grasped;
    if (tcpToObj < 0.02 && obs[o + 3]! > 0) reward += 1 + reward + 5 * inPlace;
    if (targetToObj < 0.05) reward = 10;
    out.reward = reward;
    out.success = targetToObj <= 0.05;
  },
};
