import {
  type InContextAgent,
  InvalidArgumentError,
  Rng,
  requireSeed,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import * as tf from '@tensorflow/tfjs-core';
import type { IDTModel } from './idt';
import { IdtRollingState } from './idt-rolling-state';
import { sampleDiscrete } from './rolling-context';

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
    const n = this.context.numEnvs;
    const c = m.config.lowPerHigh;
    const dz = m.config.dimZ;
    if (n === 0) throw new InvalidArgumentError('agent', 'not reset', 'reset(numEnvs) before act()');
    const states = this.context.stateIndices(obs);
    if (this.context.atSegmentStart) {
      const { segments: K, returns, startStates, reviewed } = this.context.startSegment(states);
      this.z = tf.tidy(() => {
        const dec = m.decide(returns, startStates, tf.tensor3d(reviewed, [n, K, 2 * dz]), null); // [n, K, 2dz]
        const last = tf.reshape(tf.slice(dec, [0, K - 1, 0], [n, 1, 2 * dz]), [n, 2 * dz]) as tf.Tensor2D;
        return m.sampleZ(last, c, this.rng).dataSync() as Float32Array;
      });
    }
    const { steps, states: s, actions: a, rewards: r } = this.context.stepInputs(states);
    const A = m.encoding.numActions!;
    const logits = tf.tidy(() => {
      const h = m.decisionsStream(tf.tensor3d(this.z, [n, c, dz]), steps, s, a, r, null);
      const out = m.decisionHeads(h).action; // [n·steps, A]
      return tf
        .reshape(tf.slice(tf.reshape(out, [n, steps, A]), [0, steps - 1, 0], [n, 1, A]), [n, A])
        .dataSync() as Float32Array;
    });
    return sampleDiscrete(logits, n, A, false, this.rng);
  }

  observe(t: VecTransition): void {
    const segment = this.context.observe(t);
    if (segment === undefined) return;
    // The segment is done: review it into the next high-level token.
    const { states, actions, rewards, nextStates } = segment;
    const reviewed = tf.tidy(
      () => this.model.review(states, actions, rewards, nextStates, null).dataSync() as Float32Array,
    );
    this.context.endSegment(reviewed);
  }

  dispose(): void {
    if (this.options.ownsModel) this.model.dispose();
  }
}
