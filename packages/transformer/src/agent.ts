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
import type { ADModel } from './ad';

/** Options of `TransformerAgent`. */
export interface TransformerAgentOptions {
  /** Name in results (`ad`, `dicp-ad`, ...). Default: the model kind, `dicp-` prefixed with dynamics on. */
  readonly name?: string;
  /** Seed of action sampling when `reset` gets none. Default 0. */
  readonly seed?: number;
  /** Take the most likely action (mean, for continuous actions) instead of sampling. Default false. */
  readonly greedy?: boolean;
  /** `dispose()` also disposes the model. Default false. */
  readonly ownsModel?: boolean;
}

/**
 * A trained AD / DPT model acting in context (spec §6.1, §9): every env keeps its own window of the last
 * `nTransit − 1` real transitions (across episode boundaries — that is the in-context learning), the query is
 * the current observation, and the action is sampled from the policy head (softmax at temperature 1, or
 * N(μ, σ²) for continuous actions). After each step the real transition's token is appended and the oldest
 * dropped. At the start the window is short (it fills up over the first nTransit − 1 steps), as in the reference.
 * DICP's planning (beam search over the dynamics heads) lives in `@icrl/dicp`; this agent is its model-free
 * fallback.
 */
export class TransformerAgent implements InContextAgent {
  readonly name: string;
  private readonly seed: number;
  private readonly greedy: boolean;
  private rng: Rng;
  private numEnvs = 0;
  /** Context tokens, oldest first: each `[numEnvs, contextSize]`. */
  private window: Float32Array[] = [];

  constructor(
    readonly model: ADModel,
    private readonly options: TransformerAgentOptions = {},
  ) {
    this.name = options.name ?? `${model.config.dynamics ? 'dicp-' : ''}${model.config.kind}`;
    this.seed = requireSeed('options.seed', options.seed ?? 0);
    this.greedy = options.greedy ?? false;
    this.rng = new Rng(this.seed);
  }

  reset(numEnvs: number, options?: { seed?: number }): void {
    this.numEnvs = requireInteger('numEnvs', numEnvs, { min: 1 });
    this.rng = new Rng(requireSeed('seed', options?.seed ?? this.seed)).fork(0xac7);
    this.window = [];
  }

  /** Context tokens currently held per env (at most nTransit − 1). */
  get contextLength(): number {
    return this.window.length;
  }

  act(obs: SpaceArray): SpaceArray {
    const e = this.model.encoding;
    const n = this.numEnvs;
    if (n === 0) throw new InvalidArgumentError('agent', 'not reset', 'reset(numEnvs) before act()');
    if (obs.length !== n * e.obsSize) {
      throw new InvalidArgumentError('obs', obs, `${n * e.obsSize} values (${n} envs × ${e.obsSize})`);
    }
    const L = this.window.length;
    const F = e.contextSize;
    const context = new Float32Array(n * L * F);
    for (let t = 0; t < L; t++) {
      const tok = this.window[t]!;
      for (let i = 0; i < n; i++) context.set(tok.subarray(i * F, (i + 1) * F), (i * L + t) * F);
    }
    const out = this.model.predict({ size: n, contextLength: L, context, queryStates: obs });
    const raw = out.action.dataSync() as Float32Array;
    tf.dispose([out.action, out.reward, out.nextState].filter((t) => t !== undefined) as tf.Tensor[]);
    return e.numActions !== null
      ? this.sampleDiscrete(raw, e.numActions)
      : this.sampleGaussian(raw, e.actionSize);
  }

  private sampleDiscrete(logits: Float32Array, k: number): Int32Array {
    const actions = new Int32Array(this.numEnvs);
    for (let i = 0; i < this.numEnvs; i++) {
      let best = 0;
      let max = Number.NEGATIVE_INFINITY;
      for (let a = 0; a < k; a++) {
        if (logits[i * k + a]! > max) {
          max = logits[i * k + a]!;
          best = a;
        }
      }
      if (this.greedy) {
        actions[i] = best;
        continue;
      }
      let z = 0;
      for (let a = 0; a < k; a++) z += Math.exp(logits[i * k + a]! - max);
      let u = this.rng.float() * z;
      let chosen = k - 1;
      for (let a = 0; a < k; a++) {
        u -= Math.exp(logits[i * k + a]! - max);
        if (u < 0) {
          chosen = a;
          break;
        }
      }
      actions[i] = chosen;
    }
    return actions;
  }

  private sampleGaussian(out: Float32Array, size: number): Float32Array {
    const actions = new Float32Array(this.numEnvs * size);
    for (let i = 0; i < this.numEnvs; i++) {
      for (let j = 0; j < size; j++) {
        const mean = out[i * 2 * size + j]!;
        const std = Math.exp(out[i * 2 * size + size + j]! / 2);
        actions[i * size + j] = this.greedy ? mean : this.rng.normal(mean, std);
      }
    }
    return actions;
  }

  observe(t: VecTransition): void {
    const e = this.model.encoding;
    const F = e.contextSize;
    const tok = new Float32Array(this.numEnvs * F);
    for (let i = 0; i < this.numEnvs; i++) {
      e.writeContext(
        tok,
        i * F,
        t.obs,
        i * e.obsSize,
        t.actions,
        i * e.actionSize,
        t.rewards[i]!,
        t.nextObs,
        i * e.obsSize,
      );
    }
    this.window.push(tok);
    if (this.window.length > this.model.config.nTransit - 1) this.window.shift();
  }

  dispose(): void {
    if (this.options.ownsModel) this.model.dispose();
  }
}
