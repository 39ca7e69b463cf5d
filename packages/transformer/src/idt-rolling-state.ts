import { InvalidArgumentError, requireInteger, type SpaceArray, type VecTransition } from '@icrl/core';
import type { ModelConfig } from './config';
import type { Encoding } from './encoding';

// IDT's test-time context (spec §3.3), kept in one place so that `IDTAgent` (tfjs), `OrtIdtAgent`
// (onnxruntime) and dicp's `DicpIdtAgent` feed their models the same inputs, and so take the same actions for
// the same seed. The agents own the models and the Rng; this owns what the models read.

/** Making Decisions' inputs, env-major: `segments` high-level tokens per env, the last one the current slot. */
export interface IdtDecisionInputs {
  readonly segments: number;
  /** Return-to-go at each segment's start, `[numEnvs · segments]`. */
  readonly returns: Float32Array;
  /** State index at each segment's start, `[numEnvs · segments]`. */
  readonly startStates: Int32Array;
  /** Reviewed decisions `[numEnvs · segments · 2·dimZ]`; the current slot, not yet reviewed, is zero. */
  readonly reviewed: Float32Array;
}

/** Indices of `steps` low-level steps per env, env-major `[numEnvs · steps]`. */
export interface IdtSteps {
  readonly steps: number;
  readonly states: Int32Array;
  readonly actions: Int32Array;
  readonly rewards: Int32Array;
}

/** A finished segment of c steps per env, for Reviewing Decisions. */
export interface IdtSegment extends IdtSteps {
  readonly nextStates: Int32Array;
}

/**
 * Per env: the high-level history (segment-start return-to-go and state, reviewed decision), the current
 * segment's real steps and the return-to-go, which falls by each reward and restarts at the initial return when
 * an episode ends. At most nTransit / c − 1 reviewed tokens are kept: with the current slot that is the
 * nTransit / c high-level steps Making Decisions was trained on.
 */
export class IdtRollingState {
  /** Envs of the last `reset`; 0 before the first. */
  numEnvs = 0;
  private high: { returns: number[]; starts: number[]; reviewed: Float32Array }[] = [];
  private segment: { s: number[]; a: number[]; r: number[]; s2: number[] }[] = [];
  private returnToGo = new Float64Array(0);
  private segmentStartReturn = new Float64Array(0);
  private segmentStartState = new Int32Array(0);
  private step = 0; // within the current segment

  constructor(
    private readonly model: { readonly config: ModelConfig; readonly encoding: Encoding },
    /** RTG₀: one number, or one per env (checked by `reset`). */
    private readonly initialReturn: number | readonly number[],
  ) {}

  private initial(i: number): number {
    const r = this.initialReturn;
    return typeof r === 'number' ? r : r[i]!;
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
    this.segmentStartState = new Int32Array(numEnvs);
    this.step = 0;
  }

  /** Each env's state index in a batched observation. */
  stateIndices(obs: SpaceArray): Int32Array {
    const e = this.model.encoding;
    return Int32Array.from({ length: this.numEnvs }, (_, i) => e.stateIndex(obs, i * e.obsSize));
  }

  /** Whether a new high-level decision is due: no step of the current segment is taken yet. */
  get atSegmentStart(): boolean {
    return this.step === 0;
  }

  /**
   * Opens a segment at `states`: remembers its start return and state for the token it will be reviewed into,
   * and gives Making Decisions' inputs, the stored tokens plus this one.
   */
  startSegment(states: Int32Array): IdtDecisionInputs {
    const n = this.numEnvs;
    const width = 2 * this.model.config.dimZ;
    const K = this.high.length + 1;
    const returns = new Float32Array(n * K);
    const startStates = new Int32Array(n * K);
    const reviewed = new Float32Array(n * K * width);
    for (let i = 0; i < n; i++) {
      this.high.forEach((h, k) => {
        returns[i * K + k] = h.returns[i]!;
        startStates[i * K + k] = h.starts[i]!;
        reviewed.set(h.reviewed.subarray(i * width, (i + 1) * width), (i * K + k) * width);
      });
      returns[i * K + K - 1] = this.returnToGo[i]!;
      startStates[i * K + K - 1] = states[i]!;
      this.segmentStartReturn[i] = this.returnToGo[i]!;
      this.segmentStartState[i] = states[i]!;
    }
    return { segments: K, returns, startStates, reviewed };
  }

  /**
   * Decisions-to-Go's inputs: the segment's steps so far, then `states` as the step to act in; its action and
   * reward stay 0, as they come after the position the action is read at.
   */
  stepInputs(states: Int32Array): IdtSteps {
    const n = this.numEnvs;
    const steps = this.step + 1;
    const s = new Int32Array(n * steps);
    const a = new Int32Array(n * steps);
    const r = new Int32Array(n * steps);
    for (let i = 0; i < n; i++) {
      const g = this.segment[i]!;
      for (let t = 0; t < this.step; t++) {
        s[i * steps + t] = g.s[t]!;
        a[i * steps + t] = g.a[t]!;
        r[i * steps + t] = g.r[t]!;
      }
      s[i * steps + this.step] = states[i]!;
    }
    return { steps, states: s, actions: a, rewards: r };
  }

  /**
   * Records a real transition per env. Returns the segment once it has c steps: the agent reviews it and hands
   * the result to `endSegment`.
   */
  observe(t: VecTransition): IdtSegment | undefined {
    const e = this.model.encoding;
    for (let i = 0; i < this.numEnvs; i++) {
      const g = this.segment[i]!;
      g.s.push(e.stateIndex(t.obs, i * e.obsSize));
      g.a.push(t.actions[i]!);
      g.r.push(t.rewards[i]!);
      g.s2.push(e.stateIndex(t.nextObs, i * e.obsSize));
      this.returnToGo[i]! -= t.rewards[i]!;
      if (t.terminated[i] || t.truncated[i]) this.returnToGo[i] = this.initial(i);
    }
    this.step += 1;
    const c = this.model.config.lowPerHigh;
    if (this.step < c) return undefined;
    const flat = (f: 's' | 'a' | 'r' | 's2') => Int32Array.from(this.segment.flatMap((g) => g[f]));
    return { steps: c, states: flat('s'), actions: flat('a'), rewards: flat('r'), nextStates: flat('s2') };
  }

  /** Stores the finished segment's reviewed decisions `[numEnvs · 2·dimZ]` as a token and opens the next. */
  endSegment(reviewed: Float32Array): void {
    this.high.push({
      returns: Array.from(this.segmentStartReturn),
      starts: Array.from(this.segmentStartState),
      reviewed,
    });
    const c = this.model.config;
    while (this.high.length > c.nTransit / c.lowPerHigh - 1) this.high.shift();
    this.segment = Array.from({ length: this.numEnvs }, () => ({ s: [], a: [], r: [], s2: [] }));
    this.step = 0;
  }
}
