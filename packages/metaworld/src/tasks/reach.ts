import { dist3, longTailTolerance } from '../reward-utils';
import { HAND_INIT_POS, type MetaworldTaskSpec, objGoalXyDistance } from '../task-spec';

// metaworld/envs/mujoco/sawyer_xyz/v2/sawyer_reach_v2.py: move the tool-centre point within 5 cm of a goal in
// the air. The red cylinder on the table is irrelevant to the task but still simulated and observed.

/** reach-v2: rand_vec = object (3) ++ goal (3); reward 10 · tol(‖tcp − goal‖; [0, 0.05]). */
export const REACH: MetaworldTaskSpec = {
  name: 'reach',
  envName: 'reach-v2',
  xml: 'sawyer_xyz/sawyer_reach_v2.xml',
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
  evaluate(view, _grip, ep, out) {
    const tcpToTarget = dist3(view.tcp, 0, ep.target, 0);
    const margin = dist3(HAND_INIT_POS, 0, ep.target, 0);
    out.reward = 10 * longTailTolerance(tcpToTarget, 0, 0.05, margin);
    out.success = tcpToTarget <= 0.05;
  },
};
