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
import { packWindow, pushToken, sampleDiscrete, sampleGaussian, transitionTokens } from './rolling-context';

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
    const context = packWindow(this.window, n, e.contextSize);
    const out = this.model.predict({ size: n, contextLength: this.window.length, context, queryStates: obs });
    const raw = out.action.dataSync() as Float32Array;
    tf.dispose([out.action, out.reward, out.nextState].filter((t) => t !== undefined) as tf.Tensor[]);
    return e.numActions !== null
      ? sampleDiscrete(raw, n, e.numActions, this.greedy, this.rng)
      : sampleGaussian(raw, n, e.actionSize, this.greedy, this.rng);
  }

  observe(t: VecTransition): void {
    pushToken(
      this.window,
      transitionTokens(this.model.encoding, this.numEnvs, t),
      this.model.config.nTransit - 1,
    );
  }

  dispose(): void {
    if (this.options.ownsModel) this.model.dispose();
  }
}
