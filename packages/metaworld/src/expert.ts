import type { MetaworldTaskName } from './task-spec';

// Meta-World's scripted policies for the five tasks (metaworld/policies/sawyer_*_v2_policy.py as of the pinned
// commit): a proportional move of the hand towards a waypoint picked from the observation, and a gripper
// command. They read the goal from the observation's last 3 slots, so they need the goal-observing (MT1)
// observation; `MetaworldVecEnv.optimalActions()` fills the goal in for them.

type Obs = ArrayLike<number>;

function norm2(ax: number, ay: number, bx: number, by: number): number {
  const dx = ax - bx;
  const dy = ay - by;
  return Math.sqrt(dx * dx + dy * dy);
}

/** action[0..3) = p · (to − hand), rounded to float32 as Meta-World's `Action` array stores it. */
function moveTo(obs: Obs, tx: number, ty: number, tz: number, p: number, out: Float32Array, a: number): void {
  out[a] = p * (tx - obs[0]!);
  out[a + 1] = p * (ty - obs[1]!);
  out[a + 2] = p * (tz - obs[2]!);
}

function reach(obs: Obs, out: Float32Array, a: number): void {
  moveTo(obs, obs[36]!, obs[37]!, obs[38]!, 5, out, a);
  out[a + 3] = 0;
}

function push(obs: Obs, out: Float32Array, a: number): void {
  const [hx, hy, hz] = [obs[0]!, obs[1]!, obs[2]!];
  const [ox, oy, oz] = [obs[4]!, obs[5]!, obs[6]!];
  const px = ox - 0.005;
  if (norm2(hx, hy, px, oy) > 0.02) moveTo(obs, px, oy, oz + 0.2, 10, out, a);
  else if (Math.abs(hz - oz) > 0.04) moveTo(obs, px, oy, oz + 0.03, 10, out, a);
  else moveTo(obs, obs[36]!, obs[37]!, obs[38]!, 10, out, a);
  out[a + 3] = norm2(hx, hy, ox, oy) > 0.02 || Math.abs(hz - oz) > 0.1 ? 0 : 0.6;
}

function pickPlace(obs: Obs, out: Float32Array, a: number): void {
  const [hx, hy, hz] = [obs[0]!, obs[1]!, obs[2]!];
  const [ox, oy, oz] = [obs[4]!, obs[5]!, obs[6]!];
  const px = ox - 0.005;
  if (norm2(hx, hy, px, oy) > 0.02) moveTo(obs, px, oy, oz + 0.1, 10, out, a);
  else if (Math.abs(hz - oz) > 0.05 && oz < 0.04) moveTo(obs, px, oy, oz + 0.03, 10, out, a);
  else if (obs[3]! > 0.73)
    moveTo(obs, hx, hy, hz, 10, out, a); // wait for the gripper to close
  else moveTo(obs, obs[36]!, obs[37]!, obs[38]!, 10, out, a);
  const dx = hx - ox;
  const dy = hy - oy;
  const dz = hz - oz;
  out[a + 3] = Math.sqrt(dx * dx + dy * dy + dz * dz) < 0.07 ? 1 : 0;
}

function sweep(obs: Obs, out: Float32Array, a: number): void {
  const [hx, hy, hz] = [obs[0]!, obs[1]!, obs[2]!];
  const [cx, cy, cz] = [obs[4]!, obs[5]!, obs[6]!];
  const tz = cz + 0.015;
  if (hx < 0.2 && norm2(hx, hy, cx, cy) > 0.04) moveTo(obs, cx, cy, tz + 0.3, 25, out, a);
  else if (hx < 0.2 && Math.abs(hz - tz) > 0.04) moveTo(obs, cx, cy, tz, 25, out, a);
  else moveTo(obs, obs[36]!, obs[37]!, obs[38]! + 0.1, 25, out, a);
  out[a + 3] = norm2(hx, hy, cx, cy) > 0.04 || Math.abs(hz - cz) > 0.15 ? -1 : cx < 0.4 ? 0.7 : -1;
}

function pegInsertSide(obs: Obs, out: Float32Array, a: number): void {
  const [hx, hy, hz] = [obs[0]!, obs[1]!, obs[2]!];
  const [px, py, pz] = [obs[4]!, obs[5]!, obs[6]!];
  // The hole: lowest x is −0.35 (overshooting is harmless), y from the goal, z constant at 0.16.
  const holeY = obs[37]!;
  const holeZ = 0.16;
  if (norm2(hx, hy, px, py) > 0.04) moveTo(obs, px, py, pz + 0.3, 25, out, a);
  else if (Math.abs(hz - pz) > 0.025) moveTo(obs, px, py, pz, 25, out, a);
  else if (norm2(py, pz, holeY, holeZ) > 0.03) moveTo(obs, -0.35 + 0.4, holeY, holeZ, 25, out, a);
  else moveTo(obs, -0.35, holeY, holeZ, 25, out, a);
  out[a + 3] = norm2(hx, hy, px, py) > 0.04 || Math.abs(hz - pz) > 0.15 ? -1 : 0.6;
}

const POLICIES: Readonly<Record<MetaworldTaskName, (obs: Obs, out: Float32Array, a: number) => void>> = {
  reach,
  push,
  'pick-place': pickPlace,
  sweep,
  'peg-insert-side': pegInsertSide,
};

/**
 * Meta-World's scripted expert action for a task, from a 39-d observation that includes the goal (slots
 * 36..39, as MT1 observes it): writes 4 values into `out[a..a+4)`. Values can exceed [−1, 1]; the env clips
 * them, as Meta-World does.
 *
 * @example
 * const out = new Float32Array(4);
 * expertAction('reach', obs39WithGoal, out); // 5 · (goal − hand), gripper 0
 */
export function expertAction(task: MetaworldTaskName, obs: Obs, out: Float32Array, a = 0): Float32Array {
  POLICIES[task](obs, out, a);
  return out;
}
