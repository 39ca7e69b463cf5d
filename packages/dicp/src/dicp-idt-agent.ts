import {
  type InContextAgent,
  InvalidArgumentError,
  Rng,
  requireBoolean,
  requireInteger,
  requireSeed,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import type { IDTModel } from '@icrl/transformer';
import * as tf from '@tensorflow/tfjs-core';
import { beamSearch, type SearchRoot } from './beam-search';
import { IdtLevels, type IdtStep } from './idt-levels';
import { type PlannerOptions, type ResolvedPlannerOptions, resolvePlannerOptions } from './planner-options';
import { sampleOne, samplingOrder } from './policy-order';

/** Options of `DicpIdtAgent`. */
export interface DicpIdtAgentOptions extends PlannerOptions {
  /** RTG₀ (see `IDTAgentOptions.initialReturn`): one number or one per env. */
  readonly initialReturn: number | readonly number[];
  /** false: act as `IDTAgent` (same sampling stream), never plan. Default true. */
  readonly plan?: boolean;
}

/**
 * DICP-IDT (spec §2.3): IDT's test-time loop (`IDTAgent`, spec §3.3) with a low-level beam search inside each
 * c-step segment once nTransit real transitions were seen. The high-level z is not searched; each imagined
 * step appends `[r̂ of its parent, z_depth, ŝ′, a]` to Decisions-to-Go's segment (z indexed by the planning
 * depth, as the reference does), `depth` = c levels whatever the episode or segment position. Root actions in
 * the policy's sampled order, deeper levels in index order, stable sort by summed predicted reward.
 * Runs on tfjs.
 */
export class DicpIdtAgent implements InContextAgent {
  readonly name: string;
  readonly options: ResolvedPlannerOptions & { readonly plan: boolean };
  private rng: Rng;
  private n = 0;
  private steps = 0;
  private high: { returns: number[]; starts: number[]; reviewed: Float32Array }[] = [];
  private z: Float32Array = new Float32Array(0); // [n, c, dimZ]
  private seg: { s: number[]; a: number[]; r: number[]; s2: number[] }[] = [];
  private rtg: Float64Array = new Float64Array(0);
  private segStartReturn: Float64Array = new Float64Array(0);
  private segStartState: Int32Array = new Int32Array(0);
  private j = 0;
  private stats = { planned: 0, changed: 0 };

  constructor(
    readonly model: IDTModel,
    private readonly idtOptions: DicpIdtAgentOptions,
  ) {
    const resolved = resolvePlannerOptions(model.config, idtOptions, ['initialReturn', 'plan'], 'idt');
    this.options = { ...resolved, plan: requireBoolean('options.plan', idtOptions.plan ?? true) };
    this.name = idtOptions.name ?? 'dicp-idt';
    this.rng = new Rng(resolved.seed);
  }

  private initial(i: number): number {
    const r = this.idtOptions.initialReturn;
    return typeof r === 'number' ? r : r[i]!;
  }

  reset(numEnvs: number, options?: { seed?: number }): void {
    this.n = requireInteger('numEnvs', numEnvs, { min: 1 });
    const r = this.idtOptions.initialReturn;
    if (typeof r !== 'number' && r.length !== numEnvs) {
      throw new InvalidArgumentError('options.initialReturn', r, `one number or ${numEnvs} (one per env)`);
    }
    // The same stream as IDTAgent: with plan: false it takes the same actions.
    this.rng = new Rng(requireSeed('seed', options?.seed ?? this.options.seed)).fork(0x1d7);
    this.high = [];
    this.seg = Array.from({ length: numEnvs }, () => ({ s: [], a: [], r: [], s2: [] }));
    this.rtg = Float64Array.from({ length: numEnvs }, (_, i) => this.initial(i));
    this.segStartReturn = new Float64Array(numEnvs);
    this.segStartState = new Int32Array(numEnvs);
    this.j = 0;
    this.steps = 0;
    this.stats = { planned: 0, changed: 0 };
  }

  get planStats(): { planned: number; changed: number } {
    return { ...this.stats };
  }

  async act(obs: SpaceArray): Promise<SpaceArray> {
    const m = this.model;
    const e = m.encoding;
    const n = this.n;
    const c = m.config.lowPerHigh;
    const dz = m.config.dimZ;
    if (n === 0) throw new InvalidArgumentError('agent', 'not reset', 'reset(numEnvs) before act()');
    if (obs.length !== n * e.obsSize) {
      throw new InvalidArgumentError('obs', obs, `${n * e.obsSize} values (${n} envs × ${e.obsSize})`);
    }
    const states = Int32Array.from({ length: n }, (_, i) => e.stateIndex(obs, i * e.obsSize));
    if (this.j === 0) {
      // A new high-level decision (IDTAgent's loop).
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
        const dec = m.decide(returns, starts, tf.tensor3d(reviewed, [n, K, 2 * dz]), null);
        const last = tf.reshape(tf.slice(dec, [0, K - 1, 0], [n, 1, 2 * dz]), [n, 2 * dz]) as tf.Tensor2D;
        return m.sampleZ(last, c, this.rng).dataSync() as Float32Array;
      });
    }
    const segments: IdtStep[][] = Array.from({ length: n }, (_, i) => {
      const g = this.seg[i]!;
      const real = g.s.map((s, t) => ({ z: t, s, a: g.a[t]!, r: g.r[t]! }));
      return [...real, { z: this.j, s: states[i]!, a: 0, r: 0 }];
    });
    const levels = new IdtLevels(m, this.z);
    const logits = levels.policy(segments);
    const A = e.numActions!;
    const u = Float64Array.from({ length: n }, () => this.rng.float());
    const actions = new Int32Array(n);
    if (!(this.options.plan && this.steps >= m.config.nTransit)) {
      for (let i = 0; i < n; i++) actions[i] = sampleOne(logits, i * A, A, u[i]!);
      return actions;
    }
    const roots: SearchRoot[] = Array.from({ length: n }, (_, i) => ({
      obs: Float32Array.from(obs.subarray(i * e.obsSize, (i + 1) * e.obsSize)),
      order: samplingOrder(logits, i * A, A, u[i]!, this.rng),
      levels: this.options.depth,
    }));
    levels.segments = segments;
    const best = (await beamSearch(levels, roots, this.options)).actions;
    for (let i = 0; i < n; i++) {
      actions[i] = best[i]!;
      this.stats.planned += 1;
      if (best[i] !== roots[i]!.order[0]) this.stats.changed += 1;
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
    this.steps += 1;
    this.j += 1;
    if (this.j < c) return;
    const flat = (f: 's' | 'a' | 'r' | 's2') => Int32Array.from(this.seg.flatMap((g) => g[f]));
    const reviewed = tf.tidy(
      () => m.review(flat('s'), flat('a'), flat('r'), flat('s2'), null).dataSync() as Float32Array,
    );
    this.high.push({
      returns: Array.from(this.segStartReturn),
      starts: Array.from(this.segStartState),
      reviewed,
    });
    const keep = m.config.nTransit / c - 1;
    while (this.high.length > keep) this.high.shift();
    this.seg = Array.from({ length: n }, () => ({ s: [], a: [], r: [], s2: [] }));
    this.j = 0;
  }

  dispose(): void {}
}
