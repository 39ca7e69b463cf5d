import {
  type InContextAgent,
  InvalidArgumentError,
  Rng,
  requireBoolean,
  requireSeed,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import { type IDTModel, IdtRollingState } from '@icrl/transformer';
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
  private readonly context: IdtRollingState;
  private steps = 0;
  private z: Float32Array = new Float32Array(0); // [n, c, dimZ]
  private stats = { planned: 0, changed: 0 };

  constructor(
    readonly model: IDTModel,
    idtOptions: DicpIdtAgentOptions,
  ) {
    const resolved = resolvePlannerOptions(model.config, idtOptions, ['initialReturn', 'plan'], 'idt');
    this.options = { ...resolved, plan: requireBoolean('options.plan', idtOptions.plan ?? true) };
    this.name = idtOptions.name ?? 'dicp-idt';
    this.rng = new Rng(resolved.seed);
    this.context = new IdtRollingState(model, idtOptions.initialReturn);
  }

  reset(numEnvs: number, options?: { seed?: number }): void {
    this.context.reset(numEnvs);
    // The same stream as IDTAgent: with plan: false it takes the same actions.
    this.rng = new Rng(requireSeed('seed', options?.seed ?? this.options.seed)).fork(0x1d7);
    this.steps = 0;
    this.stats = { planned: 0, changed: 0 };
  }

  get planStats(): { planned: number; changed: number } {
    return { ...this.stats };
  }

  async act(obs: SpaceArray): Promise<SpaceArray> {
    const m = this.model;
    const e = m.encoding;
    const n = this.context.numEnvs;
    if (n === 0) throw new InvalidArgumentError('agent', 'not reset', 'reset(numEnvs) before act()');
    if (obs.length !== n * e.obsSize) {
      throw new InvalidArgumentError('obs', obs, `${n * e.obsSize} values (${n} envs × ${e.obsSize})`);
    }
    const states = this.context.stateInputs(obs);
    // A new high-level decision at each segment start (IDTAgent's loop).
    if (this.context.atSegmentStart)
      this.z = m.segmentDecisions(this.context.startSegment(states), n, this.rng);
    // IdtLevels takes each env's segment as steps, z indexed by the position in the segment.
    const low = this.context.stepInputs(states);
    const segments: IdtStep[][] = Array.from({ length: n }, (_, i) =>
      Array.from({ length: low.steps }, (_, t) => {
        const k = i * low.steps + t;
        return { z: t, s: low.states[k]!, a: low.actions[k]!, r: low.rewards[k]! };
      }),
    );
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
    const segment = this.context.observe(t);
    this.steps += 1;
    if (segment !== undefined) this.context.endSegment(this.model.reviewSegment(segment));
  }

  dispose(): void {}
}
