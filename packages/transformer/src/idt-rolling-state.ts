import { InvalidArgumentError, requireInteger, type SpaceArray, type VecTransition } from '@icrl/core';
import type { ModelConfig } from './config';
import type { Encoding } from './encoding';
import type { IdtValues } from './idt';

// IDT's test-time context (spec §3.3), kept in one place so that `IDTAgent` (tfjs), `OrtIdtAgent`
// (onnxruntime) and dicp's `DicpIdtAgent` feed their models the same inputs, and so take the same actions for
// the same seed. The agents own the models and the Rng; this owns what the models read.

/** Making Decisions' inputs, env-major: `segments` high-level tokens per env, the last one the current slot. */
export interface IdtDecisionInputs {
  readonly segments: number;
  /** Return-to-go at each segment's start, `[numEnvs · segments]`. */
  readonly returns: Float32Array;
  /** State at each segment's start (index, or observation vector), `[numEnvs · segments · stateWidth]`. */
  readonly startStates: IdtValues;
  /** Reviewed decisions `[numEnvs · segments · 2·dimZ]`; the current slot, not yet reviewed, is zero. */
  readonly reviewed: Float32Array;
}

/** Values of `steps` low-level steps per env, env-major `[numEnvs · steps · width]` (see `IdtValues`). */
export interface IdtSteps {
  readonly steps: number;
  readonly states: IdtValues;
  readonly actions: IdtValues;
  readonly rewards: IdtValues;
}

/** A finished segment of c steps per env, for Reviewing Decisions. */
export interface IdtSegment extends IdtSteps {
  readonly nextStates: IdtValues;
}

/** What the rolling state needs of a model: its config, encoding, and how wide each per-step value is. */
type IdtShape = { readonly config: ModelConfig; readonly encoding: Encoding };

/**
 * Per env: the high-level history (segment-start return-to-go and state, reviewed decision), the current
 * segment's real steps and the return-to-go, which falls by each reward and restarts at the initial return when
 * an episode ends. At most nTransit / c − 1 reviewed tokens are kept: with the current slot that is the
 * nTransit / c high-level steps Making Decisions was trained on. Grid states, discrete actions and gridworld
 * rewards are kept as indices (`Int32Array`), continuous ones as raw values (`Float32Array`), as `IDTModel`
 * reads them.
 */
export class IdtRollingState {
  /** Envs of the last `reset`; 0 before the first. */
  numEnvs = 0;
  /** Values per step of a state (1: grid index) and of an action (1: discrete index). */
  readonly stateWidth: number;
  readonly actionWidth: number;
  private readonly discreteStates: boolean;
  private readonly discreteActions: boolean;
  private readonly discreteRewards: boolean;
  private high: { returns: number[]; starts: IdtValues; reviewed: Float32Array }[] = [];
  private segment: { s: number[]; a: number[]; r: number[]; s2: number[] }[] = [];
  private returnToGo = new Float64Array(0);
  private segmentStartReturn = new Float64Array(0);
  private segmentStartState: IdtValues = new Int32Array(0);
  private step = 0; // within the current segment

  constructor(
    private readonly model: IdtShape,
    /** RTG₀: one number, or one per env (checked by `reset`). */
    private readonly initialReturn: number | readonly number[],
  ) {
    const e = model.encoding;
    this.discreteStates = e.numStates !== null;
    this.discreteActions = e.numActions !== null;
    this.discreteRewards = this.discreteStates || this.discreteActions; // as IDTModel.discreteReward
    this.stateWidth = this.discreteStates ? 1 : e.obsSize;
    this.actionWidth = this.discreteActions ? 1 : e.actionSize;
  }

  private initial(i: number): number {
    const r = this.initialReturn;
    return typeof r === 'number' ? r : r[i]!;
  }

  private values(discrete: boolean, v: ArrayLike<number>): IdtValues {
    return discrete ? Int32Array.from(v) : Float32Array.from(v);
  }

  /** Forgets every env's history and starts each at the initial return. */
  reset(numEnvs: number): void {
    this.numEnvs = requireInteger('numEnvs', numEnvs, { min: 1 });
    const r = this.initialReturn;
    if (typeof r !== 'number' && r.length !== numEnvs) {
      throw new InvalidArgumentError('options.initialReturn', r, `one number or ${numEnvs} (one per env)`);
    }
    this.high = [];
    this.segment = Array.from({ length: numEnvs }, () => ({ s: [], a: [], r: [], s2: [] }));
    this.returnToGo = Float64Array.from({ length: numEnvs }, (_, i) => this.initial(i));
    this.segmentStartReturn = new Float64Array(numEnvs);
    this.segmentStartState = this.values(this.discreteStates, new Array(numEnvs * this.stateWidth).fill(0));
    this.step = 0;
  }

  /** Each env's state as the model reads it (grid index, or the observation vector), `[numEnvs · stateWidth]`. */
  stateInputs(obs: SpaceArray): IdtValues {
    const e = this.model.encoding;
    if (!this.discreteStates) return Float32Array.from(obs.subarray(0, this.numEnvs * e.obsSize));
    return Int32Array.from({ length: this.numEnvs }, (_, i) => e.stateIndex(obs, i * e.obsSize));
  }

  /** Whether a new high-level decision is due: no step of the current segment is taken yet. */
  get atSegmentStart(): boolean {
    return this.step === 0;
  }

  /**
   * Opens a segment at `states` (from `stateInputs`): remembers its start return and state for the token it
   * will be reviewed into, and gives Making Decisions' inputs, the stored tokens plus this one.
   */
  startSegment(states: IdtValues): IdtDecisionInputs {
    const n = this.numEnvs;
    const sw = this.stateWidth;
    const width = 2 * this.model.config.dimZ;
    const K = this.high.length + 1;
    const returns = new Float32Array(n * K);
    const startStates = this.discreteStates ? new Int32Array(n * K * sw) : new Float32Array(n * K * sw);
    const reviewed = new Float32Array(n * K * width);
    for (let i = 0; i < n; i++) {
      this.high.forEach((h, k) => {
        returns[i * K + k] = h.returns[i]!;
        startStates.set(h.starts.subarray(i * sw, (i + 1) * sw), (i * K + k) * sw);
        reviewed.set(h.reviewed.subarray(i * width, (i + 1) * width), (i * K + k) * width);
      });
      returns[i * K + K - 1] = this.returnToGo[i]!;
      startStates.set(states.subarray(i * sw, (i + 1) * sw), (i * K + K - 1) * sw);
      this.segmentStartReturn[i] = this.returnToGo[i]!;
    }
    this.segmentStartState = states.slice();
    return { segments: K, returns, startStates, reviewed };
  }

  /**
   * Decisions-to-Go's inputs: the segment's steps so far, then `states` as the step to act in; its action and
   * reward stay 0, as they come after the position the action is read at.
   */
  stepInputs(states: IdtValues): IdtSteps {
    const n = this.numEnvs;
    const sw = this.stateWidth;
    const aw = this.actionWidth;
    const steps = this.step + 1;
    const s = this.discreteStates ? new Int32Array(n * steps * sw) : new Float32Array(n * steps * sw);
    const a = this.discreteActions ? new Int32Array(n * steps * aw) : new Float32Array(n * steps * aw);
    const r = this.discreteRewards ? new Int32Array(n * steps) : new Float32Array(n * steps);
    for (let i = 0; i < n; i++) {
      const g = this.segment[i]!;
      s.set(g.s, i * steps * sw);
      a.set(g.a, i * steps * aw);
      r.set(g.r, i * steps);
      s.set(states.subarray(i * sw, (i + 1) * sw), (i * steps + this.step) * sw);
    }
    return { steps, states: s, actions: a, rewards: r };
  }

  /**
   * Records a real transition per env. Returns the segment once it has c steps: the agent reviews it and hands
   * the result to `endSegment`.
   */
  observe(t: VecTransition): IdtSegment | undefined {
    const e = this.model.encoding;
    const aw = this.actionWidth;
    for (let i = 0; i < this.numEnvs; i++) {
      const g = this.segment[i]!;
      if (this.discreteStates) {
        g.s.push(e.stateIndex(t.obs, i * e.obsSize));
        g.s2.push(e.stateIndex(t.nextObs, i * e.obsSize));
      } else {
        for (let j = 0; j < e.obsSize; j++) {
          g.s.push(t.obs[i * e.obsSize + j]!);
          g.s2.push(t.nextObs[i * e.obsSize + j]!);
        }
      }
      for (let j = 0; j < aw; j++) g.a.push(t.actions[i * aw + j]!);
      g.r.push(t.rewards[i]!);
      this.returnToGo[i]! -= t.rewards[i]!;
      if (t.terminated[i] || t.truncated[i]) this.returnToGo[i] = this.initial(i);
    }
    this.step += 1;
    const c = this.model.config.lowPerHigh;
    if (this.step < c) return undefined;
    const flat = (f: 's' | 'a' | 'r' | 's2', discrete: boolean) =>
      this.values(
        discrete,
        this.segment.flatMap((g) => g[f]),
      );
    return {
      steps: c,
      states: flat('s', this.discreteStates),
      actions: flat('a', this.discreteActions),
      rewards: flat('r', this.discreteRewards),
      nextStates: flat('s2', this.discreteStates),
    };
  }

  /** Stores the finished segment's reviewed decisions `[numEnvs · 2·dimZ]` as a token and opens the next. */
  endSegment(reviewed: Float32Array): void {
    this.high.push({
      returns: Array.from(this.segmentStartReturn),
      starts: this.segmentStartState,
      reviewed,
    });
    const c = this.model.config;
    while (this.high.length > c.nTransit / c.lowPerHigh - 1) this.high.shift();
    this.segment = Array.from({ length: this.numEnvs }, () => ({ s: [], a: [], r: [], s2: [] }));
    this.step = 0;
  }
}
