// Meta-World's reward helpers (metaworld/envs/mujoco/utils/reward_utils.py, after dm_control), the subset the
// five ML1 tasks use, plus the gripper-caging term they share (SawyerXYZEnv._gripper_caging_reward).

/**
 * `tolerance(x, bounds=(lo, hi), margin, sigmoid='long_tail')`: 1 inside [lo, hi]; outside, with d the distance
 * to the nearest bound divided by `margin`, 1 / ((3d)^2 + 1), i.e. 0.1 at d = 1. With margin 0 it is 0 outside.
 *
 * @example longTailTolerance(0.1, 0, 0.05, 0.05) // 0.1
 */
export function longTailTolerance(x: number, lo: number, hi: number, margin: number): number {
  if (lo <= x && x <= hi) return 1;
  if (margin === 0) return 0;
  // scale = sqrt(1 / value_at_margin - 1) = sqrt(9) = 3 exactly.
  const d = (x < lo ? lo - x : x - hi) / margin;
  const s = d * 3;
  return 1 / (s * s + 1);
}

/** Hamacher t-norm product ab / (a + b − ab); 0 when the denominator is not positive. */
export function hamacher(a: number, b: number): number {
  const denominator = a + b - a * b;
  return denominator > 0 ? (a * b) / denominator : 0;
}

function inRange(a: number, b: number, c: number): boolean {
  return c >= b ? b <= a && a <= c : c <= a && a <= b;
}

/**
 * `rect_prism_tolerance(curr, zero, one)`: inside the axis-aligned box spanned by the corners `zero` and `one`,
 * the product over the axes of (curr − zero) / (one − zero); outside the box, 1.
 */
export function rectPrismTolerance(
  curr: ArrayLike<number>,
  c: number,
  zero: ArrayLike<number>,
  z: number,
  one: ArrayLike<number>,
  o: number,
): number {
  const inside =
    inRange(curr[c]!, zero[z]!, one[o]!) &&
    inRange(curr[c + 1]!, zero[z + 1]!, one[o + 1]!) &&
    inRange(curr[c + 2]!, zero[z + 2]!, one[o + 2]!);
  if (!inside) return 1;
  return (
    ((curr[c]! - zero[z]!) / (one[o]! - zero[z]!)) *
    ((curr[c + 1]! - zero[z + 1]!) / (one[o + 1]! - zero[z + 1]!)) *
    ((curr[c + 2]! - zero[z + 2]!) / (one[o + 2]! - zero[z + 2]!))
  );
}

/** Euclidean distance between the 3-vectors at `a[i..i+3)` and `b[j..j+3)`. */
export function dist3(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const dx = a[i]! - b[j]!;
  const dy = a[i + 1]! - b[j + 1]!;
  const dz = a[i + 2]! - b[j + 2]!;
  return Math.sqrt(dx * dx + dy * dy + dz * dz);
}

/** Distance in the x-z plane (y ignored) between the 3-vectors at `a[i..]` and `b[j..]`. */
export function distXz(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const dx = a[i]! - b[j]!;
  const dz = a[i + 2]! - b[j + 2]!;
  return Math.sqrt(dx * dx + dz * dz);
}

/** What the caging terms read: positions from the simulator and the episode's initial values. */
export interface CagingInput {
  /** Object position (observation slots 4..6). */
  obj: ArrayLike<number>;
  objOffset: number;
  /** Object position at reset. */
  objInit: ArrayLike<number>;
  /** Tool-centre point (midpoint of the finger sites) now and at reset. */
  tcp: ArrayLike<number>;
  initTcp: ArrayLike<number>;
  /** y of the left and right finger pads now. */
  leftPadY: number;
  rightPadY: number;
  /** The raw gripper command (fourth action value). */
  grip: number;
}

/**
 * `SawyerXYZEnv._gripper_caging_reward(..., high_density=True)` as push and peg-insert-side call it.
 * Meta-World's `init_left_pad`/`init_right_pad` are live views of the current pad positions; this term reads
 * the current pads against the *initial* object position, as the Python code does.
 */
export function baseCagingReward(
  input: CagingInput,
  objRadius: number,
  padSuccessThresh: number,
  xzThresh: number,
): number {
  const objY = input.obj[input.objOffset + 1]!;
  const objInitY = input.objInit[1]!;
  const cage = (padY: number) => {
    const x = Math.abs(padY - objY);
    const margin = Math.abs(Math.abs(padY - objInitY) - padSuccessThresh);
    return longTailTolerance(x, objRadius, padSuccessThresh, margin);
  };
  const cagingY = hamacher(cage(input.leftPadY), cage(input.rightPadY));
  const xzMargin = distXz(input.objInit, 0, input.initTcp, 0) - xzThresh;
  const cagingXz = longTailTolerance(distXz(input.tcp, 0, input.obj, input.objOffset), 0, xzThresh, xzMargin);
  const closed = Math.min(Math.max(0, input.grip), 1);
  const caging = hamacher(cagingY, cagingXz);
  const gripping = caging > 0.97 ? closed : 0;
  return (hamacher(caging, gripping) + caging) / 2;
}
