import {
  type InContextAgent,
  InvalidArgumentError,
  Rng,
  requireSeed,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import type { IDTModel } from './idt';
import { IdtRollingState } from './idt-rolling-state';
import { sampleDiscrete, sampleGaussian } from './rolling-context';

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
 * (μ_z, σ_z); c noisy z's drive Decisions-to-Go for the next c steps (actions sampled from its softmax, or its
 * Gaussian for continuous actions); the executed segment is then reviewed into the next high-level token. The
 * return-to-go falls by each segment's rewards and is reset to `initialReturn` when an episode ends; at most
 * n_transit / c high-level steps are kept.
 */
export class IDTAgent implements InContextAgent {
  readonly name: string;
  private rng: Rng;
  private readonly context: IdtRollingState;
  private z: Float32Array = new Float32Array(0); // [n, c, dimZ] of the current segment

  constructor(
    readonly model: IDTModel,
    private readonly options: IDTAgentOptions,
  ) {
    this.name = options.name ?? (model.config.dynamics ? 'dicp-idt' : 'idt');
    this.rng = new Rng(requireSeed('options.seed', options.seed ?? 0));
    this.context = new IdtRollingState(model, options.initialReturn);
  }

  reset(numEnvs: number, options?: { seed?: number }): void {
    this.context.reset(numEnvs);
    this.rng = new Rng(requireSeed('seed', options?.seed ?? this.options.seed ?? 0)).fork(0x1d7);
  }

  act(obs: SpaceArray): SpaceArray {
    const m = this.model;
    const e = m.encoding;
    const n = this.context.numEnvs;
    if (n === 0) throw new InvalidArgumentError('agent', 'not reset', 'reset(numEnvs) before act()');
    if (obs.length !== n * e.obsSize) {
      throw new InvalidArgumentError('obs', obs, `${n * e.obsSize} values (${n} envs × ${e.obsSize})`);
    }
    const states = this.context.stateInputs(obs);
    if (this.context.atSegmentStart)
      this.z = m.segmentDecisions(this.context.startSegment(states), n, this.rng);
    const policy = m.policyAtLastStep(this.z, this.context.stepInputs(states), n);
    return e.numActions !== null
      ? sampleDiscrete(policy, n, e.numActions, false, this.rng)
      : sampleGaussian(policy, n, e.actionSize, false, this.rng);
  }

  observe(t: VecTransition): void {
    const segment = this.context.observe(t);
    if (segment !== undefined) this.context.endSegment(this.model.reviewSegment(segment));
  }

  dispose(): void {
    if (this.options.ownsModel) this.model.dispose();
  }
}
