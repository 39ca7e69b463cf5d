import {
  type InContextAgent,
  InvalidArgumentError,
  Rng,
  requireSeed,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import { type IDTModel, IdtRollingState, type IdtSteps, type IdtValues } from '@icrl/transformer';
import * as tf from '@tensorflow/tfjs-core';
import { type GreedyAgentOptions, type ResolvedGreedyOptions, resolveGreedyOptions } from './greedy-agent';
import { drawGreedyCandidates, takeBest } from './greedy-candidates';

/** Options of `GreedyIdtAgent`. */
export interface GreedyIdtAgentOptions extends GreedyAgentOptions {
  /** RTG₀ (see `IDTAgentOptions.initialReturn`): one number or one per env. DICP's Meta-World uses 1000. */
  readonly initialReturn: number | readonly number[];
}

/**
 * DICP-IDT's continuous "greedy search" (spec §2.4, Meta-World): IDT's test-time loop (`IDTAgent`, spec §3.3)
 * where a segment plans if, at its first step, nTransit real transitions were seen and the in-episode position
 * is past `start` (the reference checks once per segment: with c = 10 and start 50, the segments at 60, 70, 80
 * and 90). In a planning segment every low-level step scores the policy mean and L − 1 draws of N(μ, σ²) by the
 * reward head at their a_j token (all envs' candidates in one batched Decisions-to-Go forward) and takes the
 * best, the mean on ties. Elsewhere the action is sampled as `IDTAgent` samples it (with `plan: false`, the same
 * actions for the same seed). Runs on tfjs.
 */
export class GreedyIdtAgent implements InContextAgent {
  readonly name: string;
  readonly options: ResolvedGreedyOptions;
  private rng: Rng;
  private readonly context: IdtRollingState;
  private steps = 0;
  private position = new Int32Array(0);
  private planning = new Uint8Array(0); // per env: does the current segment plan
  private z: Float32Array = new Float32Array(0); // [n, c, dimZ]
  private planned = 0;

  constructor(
    readonly model: IDTModel,
    options: GreedyIdtAgentOptions,
  ) {
    this.options = resolveGreedyOptions(model.config, options, 'idt', ['initialReturn']);
    this.name = options.name ?? 'dicp-idt';
    this.rng = new Rng(this.options.seed);
    this.context = new IdtRollingState(model, options.initialReturn);
  }

  reset(numEnvs: number, options?: { seed?: number }): void {
    this.context.reset(numEnvs);
    // The same stream as IDTAgent: with plan: false it takes the same actions.
    this.rng = new Rng(requireSeed('seed', options?.seed ?? this.options.seed)).fork(0x1d7);
    this.steps = 0;
    this.position = new Int32Array(numEnvs);
    this.planning = new Uint8Array(numEnvs);
    this.planned = 0;
  }

  /** Env-steps whose action came from the greedy search since `reset`. */
  get plannedSteps(): number {
    return this.planned;
  }

  act(obs: SpaceArray): SpaceArray {
    const m = this.model;
    const e = m.encoding;
    const D = e.actionSize;
    const n = this.context.numEnvs;
    const o = this.options;
    if (n === 0) throw new InvalidArgumentError('agent', 'not reset', 'reset(numEnvs) before act()');
    if (obs.length !== n * e.obsSize) {
      throw new InvalidArgumentError('obs', obs, `${n * e.obsSize} values (${n} envs × ${e.obsSize})`);
    }
    const states = this.context.stateInputs(obs);
    if (this.context.atSegmentStart) {
      this.z = m.segmentDecisions(this.context.startSegment(states), n, this.rng);
      const full = o.plan && o.samples > 1 && this.steps >= m.config.nTransit;
      for (let i = 0; i < n; i++) this.planning[i] = full && this.position[i]! > o.start ? 1 : 0;
    }
    const low = this.context.stepInputs(states);
    const policy = m.policyAtLastStep(this.z, low, n); // [n, 2D]: mean ‖ log-variance
    const S = o.samples;
    const draw = drawGreedyCandidates(policy, n, D, S, (i) => this.planning[i] === 1, this.rng);
    if (draw.rows.length === 0) return draw.actions;
    takeBest(draw, this.candidateRewards(low, draw.rows, draw.candidates), S, D);
    this.planned += draw.rows.length;
    return draw.actions;
  }

  /**
   * Predicted reward `[rows · S]` of each planning env's S candidates: Decisions-to-Go over the env's segment so
   * far with the candidate as the current step's action, read at that a_j token.
   */
  private candidateRewards(low: IdtSteps, rows: readonly number[], cand: Float32Array): Float32Array {
    const m = this.model;
    const { steps } = low;
    const S = this.options.samples;
    const c = m.config.lowPerHigh;
    const dz = m.config.dimZ;
    const sw = this.context.stateWidth;
    const D = this.context.actionWidth;
    const B = rows.length * S;
    const z = new Float32Array(B * c * dz);
    const s = new Float32Array(B * steps * sw);
    const a = new Float32Array(B * steps * D);
    const r = new Float32Array(B * steps);
    rows.forEach((i, row) => {
      for (let k = 0; k < S; k++) {
        const b = row * S + k;
        z.set(this.z.subarray(i * c * dz, (i + 1) * c * dz), b * c * dz);
        s.set(low.states.subarray(i * steps * sw, (i + 1) * steps * sw), b * steps * sw);
        a.set(low.actions.subarray(i * steps * D, (i + 1) * steps * D), b * steps * D);
        a.set(cand.subarray((i * S + k) * D, (i * S + k + 1) * D), (b * steps + steps - 1) * D);
        r.set(low.rewards.subarray(i * steps, (i + 1) * steps), b * steps);
      }
    });
    return tf.tidy(() => {
      const h = m.decisionsStream(tf.tensor3d(z, [B, c, dz]), steps, s, a, r as IdtValues, null);
      const reward = m.decisionHeads(h).reward!; // [B·steps, 1], clipped to [0, rewardMax]
      return tf
        .reshape(tf.slice(tf.reshape(reward, [B, steps]), [0, steps - 1], [B, 1]), [B])
        .dataSync() as Float32Array;
    });
  }

  observe(t: VecTransition): void {
    for (let i = 0; i < this.context.numEnvs; i++) {
      this.position[i] = t.terminated[i] || t.truncated[i] ? 0 : this.position[i]! + 1;
    }
    this.steps += 1;
    const segment = this.context.observe(t);
    if (segment !== undefined) this.context.endSegment(this.model.reviewSegment(segment));
  }

  dispose(): void {}
}
