import { baseCagingReward, dist3, hamacher, longTailTolerance, rectPrismTolerance } from '../reward-utils';
import { type MetaworldTaskSpec, objGoalXyDistance } from '../task-spec';

// metaworld/envs/mujoco/sawyer_xyz/v2/sawyer_peg_insertion_side_v2.py: pick up a 24 cm peg and push its head
// into the hole in the side of a box. The box body is moved per variation (a model change, not a joint).

/** ‖(a − b) ⊙ (1, 2, 2)‖: peg-insert-side weighs the y and z errors double. */
function scaledDistance(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const dx = a[i]! - b[j]!;
  const dy = (a[i + 1]! - b[j + 1]!) * 2;
  const dz = (a[i + 2]! - b[j + 2]!) * 2;
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
}

// Site order in StepView.siteIds (see `sites` below).
const PEG_HEAD = 0;
const BOTTOM_RIGHT_1 = 1;
const TOP_LEFT_1 = 2;
const BOTTOM_RIGHT_2 = 3;
const TOP_LEFT_2 = 4;

/** peg-insert-side-v2: rand_vec = peg (3) ++ box (3); the goal is the hole, box + (0.03, 0, 0.13). */
export const PEG_INSERT_SIDE: MetaworldTaskSpec = {
  name: 'peg-insert-side',
  envName: 'peg-insert-side-v2',
  xml: 'sawyer_xyz/sawyer_peg_insertion_side.xml',
  randLow: [0, 0.5, 0.02, -0.35, 0.4, -0.001],
  randHigh: [0.2, 0.7, 0.02, -0.25, 0.7, 0.001],
  reject: (rv) => objGoalXyDistance(rv) < 0.1, // never triggers with these ranges; kept as Meta-World has it
  goalLow: [-0.35 + 0.03, 0.4, -0.001 + 0.13],
  goalHigh: [-0.25 + 0.03, 0.7, 0.001 + 0.13],
  dicpObsDims: 11,
  objectPos: { kind: 'site', name: 'pegGrasp' },
  objectQuat: { source: 'site-xmat-xyzw', name: 'pegGrasp' },
  sites: [
    'pegHead',
    'bottom_right_corner_collision_box_1',
    'top_left_corner_collision_box_1',
    'bottom_right_corner_collision_box_2',
    'top_left_corner_collision_box_2',
  ],
  movesBox: true,
  place(rv, hand, out, objQpos) {
    out.objInit.set([rv[0]!, rv[1]!, rv[2]!]);
    // Quirk kept: peg_head_pos_init is read before the peg is moved, i.e. at its post-hand-reset pose.
    out.pegHeadInit.set(hand.pegHead);
    out.boxPos.set([rv[3]!, rv[4]!, rv[5]!]);
    out.target.set([rv[3]! + 0.03, rv[4]!, rv[5]! + 0.13]);
    objQpos.set(out.objInit);
  },
  evaluate(view, grip, ep, out) {
    const { obs, o, siteXpos: s, siteIds: id } = view;
    const head = 3 * id[PEG_HEAD]!;
    const tcpToObj = dist3(obs, o + 4, view.tcp, 0);
    const objToTarget = scaledDistance(s, head, ep.target, 0);
    const margin = scaledDistance(ep.pegHeadInit, 0, ep.target, 0);
    const box1 = rectPrismTolerance(s, head, s, 3 * id[BOTTOM_RIGHT_1]!, s, 3 * id[TOP_LEFT_1]!);
    const box2 = rectPrismTolerance(s, head, s, 3 * id[BOTTOM_RIGHT_2]!, s, 3 * id[TOP_LEFT_2]!);
    const inPlace = hamacher(longTailTolerance(objToTarget, 0, 0.07, margin), hamacher(box2, box1));
    let grasped = baseCagingReward(
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
      0.0075,
      0.03,
      0.005,
    );
    const lifted = tcpToObj < 0.08 && obs[o + 3]! > 0 && obs[o + 6]! - 0.01 > ep.objInit[2]!;
    if (lifted) grasped = 1;
    let reward = hamacher(grasped, inPlace);
    if (lifted) reward += 1 + 5 * inPlace;
    if (objToTarget <= 0.07) reward = 10;
    out.reward = reward;
    out.success = objToTarget <= 0.07;
  },
};
