import {
  type InContextAgent,
  InvalidArgumentError,
  Rng,
  requireInteger,
  requireSeed,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import * as tf from '@tensorflow/tfjs-core';
import type { IDTModel } from './idt';

/** Options of `IDTAgent`. */
export interface IDTAgentOptions {
  /**
   * The return every episode is conditioned on (RTG₀): one number, or one per env. The reference uses the
   * env's privileged maximum return (`family.maxReturn(task)`; Darkroom 21 − |goal − centre|₁, at most 20).
   */
  readonly initialReturn: number | readonly number[];
  readonly name?: string;
  /** Seed when `reset` gets none. Default 0. */
  readonly seed?: number;
  /** `dispose()` also disposes the model. Default false. */
  readonly ownsModel?: boolean;
}

/**
 * A trained IDT / DICP-IDT acting in context (spec §3.3): every c steps Making Decisions reads the high-level
 * history (relabelled return, segment-start state, reviewed decision; the current slot zero-padded) and gives
 * (μ_z, σ_z); c noisy z's drive Decisions-to-Go for the next c steps (actions sampled from its softmax); the
 * executed segment is then reviewed into the next high-level token. The return-to-go falls by each segment's
 * rewards and is reset to `initialReturn` when an episode ends; at most n_transit / c high-level steps are kept.
 */
export class IDTAgent implements InContextAgent {
  readonly name: string;
  private rng: Rng;
  private n = 0;
  private high: { returns: number[]; starts: number[]; reviewed: Float32Array }[] = [];
  private z: Float32Array = new Float32Array(0); // [n, c, dimZ] of the current segment
  private seg: { s: number[]; a: number[]; r: number[]; s2: number[] }[] = [];
  private rtg: Float64Array = new Float64Array(0);
  private segStartReturn: Float64Array = new Float64Array(0);
  private segStartState: Int32Array = new Int32Array(0);
  private j = 0;

  constructor(
    readonly model: IDTModel,
    private readonly options: IDTAgentOptions,
  ) {
    this.name = options.name ?? (model.config.dynamics ? 'dicp-idt' : 'idt');
    this.rng = new Rng(requireSeed('options.seed', options.seed ?? 0));
  }

  private initial(i: number): number {
    const r = this.options.initialReturn;
    return typeof r === 'number' ? r : r[i]!;
  }

  reset(numEnvs: number, options?: { seed?: number }): void {
    this.n = requireInteger('numEnvs', numEnvs, { min: 1 });
    const r = this.options.initialReturn;
    if (typeof r !== 'number' && r.length !== numEnvs) {
      throw new InvalidArgumentError('options.initialReturn', r, `one number or ${numEnvs} (one per env)`);
    }
    this.rng = new Rng(requireSeed('seed', options?.seed ?? this.options.seed ?? 0)).fork(0x1d7);
    this.high = [];
    this.seg = Array.from({ length: numEnvs }, () => ({ s: [], a: [], r: [], s2: [] }));
    this.rtg = Float64Array.from({ length: numEnvs }, (_, i) => this.initial(i));
    this.segStartReturn = new Float64Array(numEnvs);
    this.segStartState = new Int32Array(numEnvs);
    this.j = 0;
  }

  act(obs: SpaceArray): SpaceArray {
    const m = this.model;
    const e = m.encoding;
    const n = this.n;
    const c = m.config.lowPerHigh;
    const dz = m.config.dimZ;
    if (n === 0) throw new InvalidArgumentError('agent', 'not reset', 'reset(numEnvs) before act()');
    const states = Int32Array.from({ length: n }, (_, i) => e.stateIndex(obs, i * e.obsSize));
    if (this.j === 0) {
      // A new high-level decision from the stored segments plus the current, not yet reviewed, slot.
      const K = this.high.length + 1;
      const returns = new Float32Array(n * K);
      const starts = new Int32Array(n * K);
      const reviewed = new Float32Array(n * K * 2 * dz);
      for (let i = 0; i < n; i++) {
        this.high.forEach((h, k) => {
          returns[i * K + k] = h.returns[i]!;
          starts[i * K + k] = h.starts[i]!;
          reviewed.set(h.reviewed.subarray(i * 2 * dz, (i + 1) * 2 * dz), (i * K + k) * 2 * dz);
        });
        returns[i * K + K - 1] = this.rtg[i]!;
        starts[i * K + K - 1] = states[i]!;
        this.segStartReturn[i] = this.rtg[i]!;
        this.segStartState[i] = states[i]!;
      }
      this.z = tf.tidy(() => {
        const dec = m.decide(returns, starts, tf.tensor3d(reviewed, [n, K, 2 * dz]), null); // [n, K, 2dz]
        const last = tf.reshape(tf.slice(dec, [0, K - 1, 0], [n, 1, 2 * dz]), [n, 2 * dz]) as tf.Tensor2D;
        return m.sampleZ(last, c, this.rng).dataSync() as Float32Array;
      });
    }
    const steps = this.j + 1;
    const s = new Int32Array(n * steps);
    const a = new Int32Array(n * steps);
    const r = new Int32Array(n * steps);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < this.j; t++) {
        s[i * steps + t] = this.seg[i]!.s[t]!;
        a[i * steps + t] = this.seg[i]!.a[t]!;
        r[i * steps + t] = this.seg[i]!.r[t]!;
      }
      s[i * steps + this.j] = states[i]!; // its action and reward come after the read position
    }
    const logits = tf.tidy(() => {
      const h = m.decisionsStream(tf.tensor3d(this.z, [n, c, dz]), steps, s, a, r, null);
      const out = m.decisionHeads(h).action; // [n·steps, A]
      const A = out.shape[1];
      return tf
        .reshape(tf.slice(tf.reshape(out, [n, steps, A]), [0, steps - 1, 0], [n, 1, A]), [n, A])
        .dataSync() as Float32Array;
    });
    const A = e.numActions!;
    const actions = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < A; k++) max = Math.max(max, logits[i * A + k]!);
      let zsum = 0;
      for (let k = 0; k < A; k++) zsum += Math.exp(logits[i * A + k]! - max);
      let u = this.rng.float() * zsum;
      actions[i] = A - 1;
      for (let k = 0; k < A; k++) {
        u -= Math.exp(logits[i * A + k]! - max);
        if (u < 0) {
          actions[i] = k;
          break;
        }
      }
    }
    return actions;
  }

  observe(t: VecTransition): void {
    const m = this.model;
    const e = m.encoding;
    const n = this.n;
    const c = m.config.lowPerHigh;
    for (let i = 0; i < n; i++) {
      const seg = this.seg[i]!;
      seg.s.push(e.stateIndex(t.obs, i * e.obsSize));
      seg.a.push(t.actions[i]!);
      seg.r.push(t.rewards[i]!);
      seg.s2.push(e.stateIndex(t.nextObs, i * e.obsSize));
      this.rtg[i]! -= t.rewards[i]!;
      if (t.terminated[i] || t.truncated[i]) this.rtg[i] = this.initial(i);
    }
    this.j += 1;
    if (this.j < c) return;
    // The segment is done: review it into the next high-level token.
    const flat = (f: 's' | 'a' | 'r' | 's2') => Int32Array.from(this.seg.flatMap((g) => g[f]));
    const reviewed = tf.tidy(
      () => m.review(flat('s'), flat('a'), flat('r'), flat('s2'), null).dataSync() as Float32Array,
    );
    this.high.push({
      returns: Array.from(this.segStartReturn),
      starts: Array.from(this.segStartState),
      reviewed,
    });
    const keep = m.config.nTransit / c - 1; // plus the current slot: n_transit / c high-level steps
    while (this.high.length > keep) this.high.shift();
    this.seg = Array.from({ length: n }, () => ({ s: [], a: [], r: [], s2: [] }));
    this.j = 0;
  }

  dispose(): void {
    if (this.options.ownsModel) this.model.dispose();
  }
}
