// What each Meta-World task defines, as data plus three small functions (place the objects at reset, read the
// object pose into the observation, score a step). The simulator (`sawyer-sim.ts`) does everything the tasks
// share: the mocap action, the hand reset, the frame-stacked observation and its clipping.

/** The five ML1 tasks DICP reports, by Meta-World's names without the `-v2` suffix. */
export const METAWORLD_TASK_NAMES = ['reach', 'push', 'pick-place', 'sweep', 'peg-insert-side'] as const;

/** One of `METAWORLD_TASK_NAMES`. */
export type MetaworldTaskName = (typeof METAWORLD_TASK_NAMES)[number];

/** Per-episode values a task's reward reads, fixed by the reset (Meta-World's `obj_init_pos`, `_target_pos`, ...). */
export interface EpisodeInternals {
  /** `obj_init_pos`: where the object was placed. */
  readonly objInit: Float64Array;
  /** `_target_pos`: the goal. */
  readonly target: Float64Array;
  /** `init_tcp`: the tool-centre point after the hand reset. */
  readonly initTcp: Float64Array;
  /** `peg_head_pos_init` (peg-insert-side only; zeros otherwise). */
  readonly pegHeadInit: Float64Array;
  /** Position of the model's `box` body (peg-insert-side only; zeros otherwise). */
  readonly boxPos: Float64Array;
}

/** Values every reset shares: the state right after the 50-iteration hand reset is the same for every variation. */
export interface HandResetValues {
  /** Tool-centre point after the hand reset (`init_tcp`). */
  readonly tcp: Float64Array;
  /** Position of body `obj` after the hand reset (push uses its height), zeros where there is none. */
  readonly objPos: Float64Array;
  /** Site `pegHead` after the hand reset, before the peg is moved (peg-insert-side), else zeros. */
  readonly pegHead: Float64Array;
}

/** What a task's reward function reads from the simulator after a step (views into MuJoCo's data). */
export interface StepView {
  /** The clipped 39-d observation of this step starts at `obs[o]`. */
  readonly obs: Float64Array;
  readonly o: number;
  /** Tool-centre point (midpoint of sites `rightEndEffector`, `leftEndEffector`). */
  readonly tcp: Float64Array;
  /** y of bodies `leftpad` and `rightpad`. */
  readonly leftPadY: number;
  readonly rightPadY: number;
  /** `data.site_xpos`, and the site ids a task asked for in `sites`, in that order. */
  readonly siteXpos: Float64Array;
  readonly siteIds: Int32Array;
}

/** Reward and success of one step. */
export interface StepOutcome {
  reward: number;
  success: boolean;
}

/** How the object's 4 quaternion slots of the observation are read. */
export type ObjectQuatSource =
  | 'geom-xmat-xyzw' // SciPy's Rotation.from_matrix(geom xmat).as_quat(): scalar last
  | 'site-xmat-xyzw' // the same from a site's xmat
  | 'body-xquat-wxyz'; // MuJoCo's body xquat: scalar first

/** A Meta-World task, as data plus its reset, observation and reward rules. */
export interface MetaworldTaskSpec {
  readonly name: MetaworldTaskName;
  /** Meta-World's environment name (`reach-v2`). */
  readonly envName: string;
  /** Model file, relative to the assets root. */
  readonly xml: string;
  /** Bounds of the random vector `rand_vec` a variation is drawn from (`_random_reset_space`). */
  readonly randLow: readonly number[];
  readonly randHigh: readonly number[];
  /** Redraw while this holds (Meta-World's rejection loop in `reset_model`); absent for no rejection. */
  readonly reject?: (rv: readonly number[]) => boolean;
  /** `goal_space`: bounds the goal slots are clipped to when the goal is observed (MT1). */
  readonly goalLow: readonly number[];
  readonly goalHigh: readonly number[];
  /** Observation dims DICP keeps (11; 18 for hammer and the stick tasks). */
  readonly dicpObsDims: number;
  /** The object: a body (`obj`) or, for the peg, a site (`pegGrasp`). */
  readonly objectPos: { kind: 'body' | 'site'; name: string };
  readonly objectQuat: { source: ObjectQuatSource; name: string };
  /** Site names the reward needs (ids arrive in `StepView.siteIds` in this order). */
  readonly sites: readonly string[];
  /** Whether the model has a `box` body the reset moves (peg-insert-side). */
  readonly movesBox: boolean;
  /**
   * Fills the episode's internals from the variation's random vector and writes the object's position into
   * `objQpos` (qpos[9..12)); the hand-reset values are shared by every variation.
   */
  place(rv: readonly number[], hand: HandResetValues, out: EpisodeInternals, objQpos: Float64Array): void;
  /** Reward and success of a step, from the clipped observation, the simulator and the raw action. */
  evaluate(view: StepView, grip: number, ep: EpisodeInternals, out: StepOutcome): void;
}

/** Meta-World's `hand_init_pos`, the same for all five tasks. */
export const HAND_INIT_POS: readonly number[] = [0, 0.6, 0.2];
/** `mocap_low` / `mocap_high` (= `hand_low` / `hand_high`), the same for all five tasks. */
export const MOCAP_LOW: readonly number[] = [-0.5, 0.4, 0.05];
export const MOCAP_HIGH: readonly number[] = [0.5, 1, 0.5];

/** Distance in the xy plane between rv[0..2) (object) and rv[3..5) (goal): the reach/push/pick-place rejection. */
export function objGoalXyDistance(rv: readonly number[]): number {
  const dx = rv[0]! - rv[3]!;
  const dy = rv[1]! - rv[4]!;
  return Math.sqrt(dx * dx + dy * dy);
}
