import {
  type AutoResetMode,
  type BoxSpace,
  IcrlError,
  InvalidArgumentError,
  type JsonValue,
  ResetNeededError,
  rejectUnknownKeys,
  requireObject,
  requireSeed,
  type TaskSpec,
  type VecEnv,
  type VecResetOptions,
  type VecStepResult,
} from '@icrl/core';
import type { CompiledTask } from './compiled-task';
import { expertAction } from './expert';
import {
  clipObservation,
  FRAME_SIZE,
  GOAL_OFFSET,
  OBS_SIZE,
  observationBounds,
  SawyerSim,
} from './sawyer-sim';
import type { EpisodeInternals, MetaworldTaskSpec, StepOutcome } from './task-spec';

/** Params of one ML1 task variation (JSON, stored with histories). */
export interface Ml1TaskParams {
  /** Meta-World task (`push`), v2 definitions. */
  readonly task: string;
  /** ML1 split the variation belongs to. */
  readonly split: 'train' | 'test';
  /** Position within its split (0..49). */
  readonly variation: number;
  /** The ML1 seed (`ML1(env_name, seed)`); the test split is drawn with seed + 1. */
  readonly seed: number;
  /** Meta-World's `rand_vec`: object position, then goal (or box) position. */
  readonly randVec: readonly number[];
  readonly [key: string]: JsonValue;
}

/** `full`: Meta-World's 39-d observation. `dicp`: its first 11 dims, as DICP feeds its models. */
export type MetaworldObservationMode = 'full' | 'dicp';

/** Options of `new MetaworldVecEnv(...)` (internal: envs are made by `MetaworldFamily.make`). */
export interface MetaworldVecEnvOptions {
  /** The compiled task model (the env takes its own reference and releases it on `close()`). */
  compiled: CompiledTask;
  /** Variations to run, all of the compiled task. */
  tasks: readonly TaskSpec<Ml1TaskParams>[];
  /** Steps per episode, 1..500. */
  horizon: number;
  /** Observation returned by `reset`/`step`. */
  observation: MetaworldObservationMode;
  /** Observe the goal in slots 36..39 (MT1); ML1 zeroes them. */
  observeGoal: boolean;
  /** Copies of each task. Default 1. */
  envsPerTask?: number;
  /** What happens when an episode ends. Default `disabled`. */
  autoReset?: AutoResetMode;
}

const AUTO_RESET_MODES: readonly AutoResetMode[] = ['disabled', 'next-step', 'same-step'];
const RUNNING = 0;
const ENDED = 1;
const NEVER_RESET = 2;
const ACTION_SIZE = 4;

/** `Box(float32, [4], -1..1)`: end-effector xyz delta (×1 cm) and gripper (+1 closes). */
export const METAWORLD_ACTION_SPACE: BoxSpace = Object.freeze({
  kind: 'box',
  shape: Object.freeze([ACTION_SIZE]),
  low: -1,
  high: 1,
  dtype: 'float32',
});

/**
 * A batch of Meta-World envs of one task (its variations × `envsPerTask` streams), stepped one after another
 * on one MuJoCo instance; struct-of-arrays buffers, reused by every call. Env order is task-major. Made by
 * `MetaworldFamily.make`.
 *
 * Physics and observations are float64 inside; `reset`/`step` return float32 copies (the `VecEnv` contract),
 * and `observations64()`/`rewards64()` expose the float64 values. `successes()` gives each env's
 * `info['success']` of the last step, `episodeSuccesses()` whether the episode has succeeded at any step.
 *
 * Meta-World envs have no randomness of their own once the variation is fixed: `reset({ seed })` is validated
 * and otherwise has no effect, and the same actions always give the same trajectory.
 *
 * @example
 * const family = await metaworldMl1('reach', { assetsDir });
 * const env = family.make(family.split().test, { autoReset: 'same-step' });
 * env.reset();
 * const { rewards } = env.step(env.optimalActions());
 * env.close();
 */
export class MetaworldVecEnv implements VecEnv {
  readonly numEnvs: number;
  readonly tasks: readonly TaskSpec<Ml1TaskParams>[];
  readonly observationSpace: BoxSpace;
  readonly actionSpace: BoxSpace = METAWORLD_ACTION_SPACE;
  readonly obsSize: number;
  readonly horizon: number;
  readonly autoReset: AutoResetMode;
  /** Copies of each task. */
  readonly envsPerTask: number;
  /** Whether the goal is observed (MT1) or zeroed (ML1). */
  readonly observeGoal: boolean;

  private readonly compiled: CompiledTask;
  private sim: SawyerSim | null;
  private readonly randVecs: (readonly number[])[];
  private readonly internals: EpisodeInternals[];
  private readonly goalObs: Float64Array; // [numEnvs * 3] what the goal slots show (zeros in ML1)
  private readonly state: Float64Array; // [numEnvs * stateSize]
  private readonly obs64: Float64Array; // [numEnvs * 39], always the full observation
  private readonly rew64: Float64Array;
  private readonly success: Uint8Array;
  private readonly episodeSuccess: Uint8Array;
  private readonly steps: Int32Array;
  private readonly status: Uint8Array;
  private readonly obsOut: Float32Array;
  private readonly finalObs: Float32Array | null;
  private readonly result: VecStepResult;
  private readonly outcome: StepOutcome = { reward: 0, success: false };
  private readonly objQpos = new Float64Array(3);
  private readonly expertObs = new Float64Array(OBS_SIZE);

  constructor(options: MetaworldVecEnvOptions) {
    const opts = requireObject('options', options);
    const compiled = opts.compiled as CompiledTask;
    this.envsPerTask = requireIntegerIn('options.envsPerTask', opts.envsPerTask ?? 1, 1, 2 ** 20);
    this.autoReset = requireMode(opts.autoReset ?? 'disabled');
    this.horizon = requireIntegerIn('horizon', opts.horizon, 1, 500);
    this.observeGoal = opts.observeGoal === true;
    const list = opts.tasks as readonly TaskSpec<Ml1TaskParams>[];
    if (!Array.isArray(list) || list.length === 0) {
      throw new InvalidArgumentError('tasks', list, 'a non-empty array of Meta-World tasks');
    }
    const spec = compiled.spec;
    const mode: MetaworldObservationMode = opts.observation === 'dicp' ? 'dicp' : 'full';
    this.observationSpace = metaworldObservationSpace(spec, mode, this.observeGoal);
    this.obsSize = this.observationSpace.shape[0]!;
    const tasks: TaskSpec<Ml1TaskParams>[] = [];
    for (const t of list) for (let s = 0; s < this.envsPerTask; s++) tasks.push(t);
    this.tasks = Object.freeze(tasks);
    const n = tasks.length;
    this.numEnvs = n;
    this.randVecs = tasks.map((t) => t.params.randVec);
    this.internals = tasks.map(() => ({
      objInit: new Float64Array(3),
      target: new Float64Array(3),
      initTcp: Float64Array.from(compiled.hand.tcp),
      pegHeadInit: new Float64Array(3),
      boxPos: new Float64Array(3),
    }));
    this.goalObs = new Float64Array(3 * n);
    this.state = new Float64Array(n * compiled.stateSize);
    this.obs64 = new Float64Array(n * OBS_SIZE);
    this.rew64 = new Float64Array(n);
    this.success = new Uint8Array(n);
    this.episodeSuccess = new Uint8Array(n);
    this.steps = new Int32Array(n);
    this.status = new Uint8Array(n).fill(NEVER_RESET);
    this.obsOut = new Float32Array(n * this.obsSize);
    this.finalObs = this.autoReset === 'same-step' ? new Float32Array(n * this.obsSize) : null;
    this.result = {
      obs: this.obsOut,
      rewards: new Float32Array(n),
      terminated: new Uint8Array(n), // stays 0: Meta-World never terminates
      truncated: new Uint8Array(n),
      finalObs: this.finalObs,
    };
    this.compiled = compiled;
    compiled.retain();
    this.sim = new SawyerSim(compiled);
  }

  /** The Meta-World task this batch runs (`push`). */
  get taskName(): string {
    return this.compiled.spec.name;
  }

  /**
   * Resets all envs (or those where `mask[i]` is truthy) to their variation's initial state and returns all
   * observations. `seed` is validated but changes nothing: a variation's reset is deterministic.
   */
  reset(options?: VecResetOptions): Float32Array {
    const sim = this.live();
    const opts = options === undefined ? {} : requireObject('options', options);
    rejectUnknownKeys('options', opts, ['seed', 'mask']);
    if (opts.seed !== undefined) requireSeed('options.seed', opts.seed);
    const mask = opts.mask === undefined ? undefined : this.checkMask(opts.mask);
    sim.refreshViews();
    for (let i = 0; i < this.numEnvs; i++) {
      if (mask !== undefined && !mask[i]) continue;
      this.resetEnv(sim, i);
      this.writeObs(i, this.obsOut);
      this.success[i] = 0;
      this.episodeSuccess[i] = 0;
      this.rew64[i] = 0;
    }
    return this.obsOut;
  }

  /**
   * Steps every env with `actions` (`[numEnvs * 4]`). Values outside [−1, 1] are accepted: Meta-World clips
   * the xyz part itself and the gripper actuators clamp the fourth value (its documented semantics). An array
   * of the wrong length, a non-finite value or an env needing a reset throws before any env changes.
   */
  step(actions: ArrayLike<number>): VecStepResult {
    const sim = this.live();
    const n = this.numEnvs;
    const expected = n * ACTION_SIZE;
    if (actions === null || typeof actions !== 'object' || actions.length !== expected) {
      throw new InvalidArgumentError(
        'actions',
        actions,
        `an array of ${expected} numbers (${ACTION_SIZE} per env for ${n} envs)`,
      );
    }
    for (let k = 0; k < expected; k++) {
      const x = actions[k];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        throw new InvalidArgumentError(
          `actions[${k}]`,
          x,
          `a finite number (env ${Math.floor(k / ACTION_SIZE)}, component ${k % ACTION_SIZE})`,
        );
      }
    }
    const status = this.status;
    for (let i = 0; i < n; i++) {
      if (status[i] === NEVER_RESET) throw new ResetNeededError(i, 'step() was called before reset()');
      if (status[i] === ENDED && this.autoReset === 'disabled') {
        throw new ResetNeededError(
          i,
          "its episode has ended and autoReset is 'disabled'; call reset({ mask })",
        );
      }
    }

    sim.refreshViews();
    const { rewards, truncated } = this.result;
    const finalObs = this.finalObs;
    const spec = this.compiled.spec;
    const stateSize = this.compiled.stateSize;
    const boxes = spec.movesBox;
    const obs64 = this.obs64;
    const outcome = this.outcome;
    for (let i = 0; i < n; i++) {
      if (status[i] === ENDED) {
        // next-step: this step is the reset; the action is ignored (Gymnasium >= 1.0).
        this.resetEnv(sim, i);
        this.writeObs(i, this.obsOut);
        rewards[i] = 0;
        this.rew64[i] = 0;
        truncated[i] = 0;
        this.success[i] = 0;
        this.episodeSuccess[i] = 0;
        continue;
      }
      if (this.steps[i] === 0) this.episodeSuccess[i] = 0;
      const ep = this.internals[i]!;
      sim.load(this.state, i * stateSize, boxes ? ep.boxPos : null);
      sim.step(actions, i * ACTION_SIZE);
      const o = i * OBS_SIZE;
      obs64.copyWithin(o + FRAME_SIZE, o, o + FRAME_SIZE); // previous frame
      sim.readFrame(obs64, o);
      obs64.set(this.goalObs.subarray(3 * i, 3 * i + 3), o + GOAL_OFFSET);
      clipObservation(obs64, o);
      sim.obs = obs64;
      sim.o = o;
      spec.evaluate(sim, actions[i * ACTION_SIZE + 3]!, ep, outcome);
      sim.save(this.state, i * stateSize);
      this.rew64[i] = outcome.reward;
      rewards[i] = outcome.reward;
      this.success[i] = outcome.success ? 1 : 0;
      if (outcome.success) this.episodeSuccess[i] = 1;
      this.writeObs(i, this.obsOut);
      if (++this.steps[i]! < this.horizon) {
        truncated[i] = 0;
        continue;
      }
      truncated[i] = 1;
      if (finalObs !== null) {
        // same-step: keep the true last observation, then reset now.
        this.writeObs(i, finalObs);
        this.resetEnv(sim, i);
        this.writeObs(i, this.obsOut);
      } else {
        status[i] = ENDED;
      }
    }
    if (finalObs !== null) {
      for (let i = 0; i < n; i++) {
        if (truncated[i] === 0)
          finalObs.set(this.obsOut.subarray(i * this.obsSize, (i + 1) * this.obsSize), i * this.obsSize);
      }
    }
    return this.result;
  }

  /** `info['success']` of every env's last step (0 after a reset), `[numEnvs]`; owned by the env. */
  successes(): Uint8Array {
    return this.success;
  }

  /**
   * 1 where the episode the last step belonged to has succeeded at any of its steps (DICP's per-episode
   * success; `same-step` reports the episode that just ended), `[numEnvs]`; owned by the env.
   */
  episodeSuccesses(): Uint8Array {
    return this.episodeSuccess;
  }

  /** The full 39-d float64 observations of the last reset/step, `[numEnvs * 39]` (the reset obs in `same-step`). */
  observations64(): Float64Array {
    return this.obs64;
  }

  /** The float64 rewards of the last step, `[numEnvs]`. */
  rewards64(): Float64Array {
    return this.rew64;
  }

  /** Episode internals of env `i` (object start, goal, initial tool-centre point, peg head, box), copies. */
  episodeInternals(i: number): { [K in keyof EpisodeInternals]: number[] } {
    const ep = this.internals[this.checkIndex(i)]!;
    return {
      objInit: [...ep.objInit],
      target: [...ep.target],
      initTcp: [...ep.initTcp],
      pegHeadInit: [...ep.pegHeadInit],
      boxPos: [...ep.boxPos],
    };
  }

  /**
   * Meta-World's scripted expert action for every env in its current state, `[numEnvs * 4]` (fills `out` when
   * given). The expert sees the goal (privileged, as MT1 observes it) even when the env hides it.
   */
  optimalActions(out?: Float32Array): Float32Array {
    const n = this.numEnvs;
    if (out !== undefined && !(out instanceof Float32Array && out.length === n * ACTION_SIZE)) {
      throw new InvalidArgumentError('out', out, `a Float32Array of length ${n * ACTION_SIZE}`);
    }
    const result = out ?? new Float32Array(n * ACTION_SIZE);
    const spec = this.compiled.spec;
    const view = this.expertObs;
    for (let i = 0; i < n; i++) {
      view.set(this.obs64.subarray(i * OBS_SIZE, (i + 1) * OBS_SIZE));
      const t = this.internals[i]!.target;
      for (let k = 0; k < 3; k++) view[GOAL_OFFSET + k] = clip(t[k]!, spec.goalLow[k]!, spec.goalHigh[k]!);
      expertAction(spec.name, view, result, i * ACTION_SIZE);
    }
    return result;
  }

  /**
   * Scores a recorded MuJoCo state of env `i` without stepping, for fidelity checks against Meta-World: loads
   * `qpos`, `qvel` and the mocap position, runs `mj_forward`, builds the observation with `prevFrame` as its
   * previous half and scores it with `action`. `internals` overrides the episode's values (a recording's
   * `init_tcp` comes from its own physics). Leaves the env needing a reset.
   */
  evaluateState(
    i: number,
    recorded: { qpos: ArrayLike<number>; qvel: ArrayLike<number>; mocapPos: ArrayLike<number> },
    prevFrame: ArrayLike<number>,
    action: ArrayLike<number>,
    internals: Partial<Record<keyof EpisodeInternals, ArrayLike<number>>> = {},
  ): { obs: Float64Array; reward: number; success: boolean } {
    const sim = this.live();
    this.checkIndex(i);
    sim.refreshViews();
    const { nq, nv, stateSize, spec } = this.compiled;
    const ep = this.internals[i]!;
    for (const key of Object.keys(internals) as (keyof EpisodeInternals)[]) {
      const values = internals[key];
      if (values !== undefined) ep[key].set(Array.from(values));
    }
    if (this.observeGoal) this.goalObs.set(ep.target, 3 * i);
    const s = i * stateSize;
    this.state.set(Array.from(recorded.qpos), s);
    this.state.set(Array.from(recorded.qvel), s + nq);
    this.state.fill(0, s + nq + nv, s + nq + 2 * nv);
    this.state.set(Array.from(recorded.mocapPos), s + nq + 2 * nv);
    sim.load(this.state, s, spec.movesBox ? ep.boxPos : null);
    sim.forward();
    const obs = new Float64Array(OBS_SIZE);
    sim.readFrame(obs, 0);
    obs.set(
      Array.from({ length: FRAME_SIZE }, (_, k) => prevFrame[k]!),
      FRAME_SIZE,
    );
    obs.set(this.goalObs.subarray(3 * i, 3 * i + 3), GOAL_OFFSET);
    clipObservation(obs, 0);
    sim.obs = obs;
    sim.o = 0;
    spec.evaluate(sim, action[3]!, ep, this.outcome);
    this.status[i] = ENDED;
    return { obs, reward: this.outcome.reward, success: this.outcome.success };
  }

  /** Frees the MuJoCo data and releases the model; the env cannot be used afterwards. */
  close(): void {
    if (this.sim === null) return;
    this.sim.close();
    this.sim = null;
    this.compiled.release();
  }

  private live(): SawyerSim {
    if (this.sim === null) throw new IcrlError('This MetaworldVecEnv was closed.');
    return this.sim;
  }

  /** Meta-World's reset of env i from the cached hand-reset state: place the objects, `mj_forward`, observe. */
  private resetEnv(sim: SawyerSim, i: number): void {
    const { spec, stateSize, hand, handState } = this.compiled;
    const ep = this.internals[i]!;
    spec.place(this.randVecs[i]!, hand, ep, this.objQpos);
    const g = 3 * i;
    if (this.observeGoal) this.goalObs.set(ep.target, g);
    else this.goalObs.fill(0, g, g + 3);
    sim.load(handState, 0, spec.movesBox ? ep.boxPos : null);
    sim.placeObject(this.objQpos);
    const o = i * OBS_SIZE;
    sim.readFrame(this.obs64, o);
    this.obs64.copyWithin(o + FRAME_SIZE, o, o + FRAME_SIZE);
    this.obs64.set(this.goalObs.subarray(g, g + 3), o + GOAL_OFFSET); // the reset observation is not clipped
    sim.save(this.state, i * stateSize);
    this.steps[i] = 0;
    this.status[i] = RUNNING;
  }

  private writeObs(i: number, out: Float32Array): void {
    const size = this.obsSize;
    const src = i * OBS_SIZE;
    const dst = i * size;
    for (let k = 0; k < size; k++) out[dst + k] = this.obs64[src + k]!;
  }

  private checkIndex(i: number): number {
    if (!Number.isInteger(i) || i < 0 || i >= this.numEnvs) {
      throw new InvalidArgumentError('envIndex', i, `an integer in [0, ${this.numEnvs - 1}]`);
    }
    return i;
  }

  private checkMask(mask: unknown): ArrayLike<number | boolean> {
    const expected = `an array of ${this.numEnvs} booleans or 0/1 numbers (one per env)`;
    if (mask === null || typeof mask !== 'object' || (mask as ArrayLike<unknown>).length !== this.numEnvs) {
      throw new InvalidArgumentError('options.mask', mask, expected);
    }
    const entries = mask as ArrayLike<unknown>;
    for (let i = 0; i < this.numEnvs; i++) {
      const m = entries[i];
      if (typeof m !== 'boolean' && typeof m !== 'number') {
        throw new InvalidArgumentError(`options.mask[${i}]`, m, 'a boolean or a number');
      }
    }
    return entries as ArrayLike<number | boolean>;
  }
}

const ZERO3 = [0, 0, 0];

function clip(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

function requireIntegerIn(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(field, value, `an integer in [${min}, ${max}]`);
  }
  return value;
}

function requireMode(value: unknown): AutoResetMode {
  if (!AUTO_RESET_MODES.includes(value as AutoResetMode)) {
    throw new InvalidArgumentError(
      'options.autoReset',
      value,
      `one of ${AUTO_RESET_MODES.map((m) => JSON.stringify(m)).join(', ')}`,
    );
  }
  return value as AutoResetMode;
}

/**
 * The observation space: Meta-World's box (hand and gripper bounded, objects unbounded, goal slots 0..0 in
 * ML1 or the goal space in MT1) as float32, bounds rounded outwards so that every float32 observation lies in it.
 */
export function metaworldObservationSpace(
  spec: MetaworldTaskSpec,
  observation: MetaworldObservationMode,
  observeGoal: boolean,
): BoxSpace {
  const size = observation === 'dicp' ? spec.dicpObsDims : OBS_SIZE;
  const [low, high] = observeGoal
    ? observationBounds(spec.goalLow, spec.goalHigh)
    : observationBounds(ZERO3, ZERO3);
  return Object.freeze({
    kind: 'box',
    shape: Object.freeze([size]),
    low: Object.freeze(low.slice(0, size).map((x) => roundF32(x, -1))),
    high: Object.freeze(high.slice(0, size).map((x) => roundF32(x, 1))),
    dtype: 'float32',
  });
}

/** The float32 nearest to x, moved one step further out in `direction` if rounding went inwards. */
function roundF32(x: number, direction: -1 | 1): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.fround(x);
  if (direction < 0 ? f <= x : f >= x) return f;
  const buf = new Float32Array([f]);
  const bits = new Int32Array(buf.buffer);
  // Step one ulp outwards (towards -inf for low bounds, +inf for high bounds).
  if (f > 0 === direction > 0) bits[0]! += 1;
  else if (f === 0) buf[0] = direction * 1.401298464324817e-45;
  else bits[0]! -= 1;
  return buf[0]!;
}
