import { InvalidArgumentError, type Rng } from '@icrl/core';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from './config';
import { Encoding, type WindowArrays } from './encoding';
import { applyLinear, initRng, Params, Transformer } from './model';
import { crossEntropy, embed, gaussianNll } from './ops';

// AD and DPT with DICP's token layouts (spec §1.3, §1.4, §1.5). One token per transition: a Linear of
// [state, action, reward, next state]. Then:
//   AD   [ctx_1 … ctx_{n−1}, q_state, (q_action)]   action read at q_state
//   DPT  [q_state, ctx_1 … ctx_{n−1}, (q_action)]   action read at every ctx position, one shared target
// `dynamics: true` (DICP) appends the q_action token and reads reward and next-state heads there.
// Discrete states use Embedding query tokens (`x·9 + y`), continuous ones Linears (Meta-World). DPT's query
// state goes through the *same* context Linear, zero-padded.

/** The scalar losses of one batch (inside the caller's tidy). `total = action + λ (reward + nextState)`. */
export interface LossTerms {
  readonly total: tf.Scalar;
  readonly action: tf.Scalar;
  readonly reward?: tf.Scalar;
  readonly nextState?: tf.Scalar;
}

/** What every trainable model offers the training loop. */
export interface InContextModel {
  readonly config: ModelConfig;
  readonly params: Params;
  /** Losses on a batch of `nTransit`-step windows; `rng` turns dropout on (null: evaluation). */
  loss(batch: WindowArrays, rng: Rng | null): LossTerms;
  /** Frees every tensor the model owns. */
  dispose(): void;
}

/** Model inputs for `size` sequences sharing `contextLength` context tokens. */
export interface ContextInput {
  readonly size: number;
  readonly contextLength: number;
  /** Context token features `[size, contextLength, encoding.contextSize]`. */
  readonly context: Float32Array;
  /** Query observations `[size, obsSize]`. */
  readonly queryStates: ArrayLike<number>;
  /**
   * Query actions (dynamics only): indices `[size]` or vectors `[size, actionSize]`. Omit them to get the
   * policy alone (the dynamics heads then stay empty).
   */
  readonly queryActions?: ArrayLike<number>;
}

/** Outputs at the read positions, `[size, ...]`. */
export interface HeadOutputs {
  /** Discrete: action logits `[size, n]`. Continuous: `[size, 2·actionSize]` = mean ‖ log-variance. */
  readonly action: tf.Tensor2D;
  /** Discrete: reward logits `[size, rewardClasses]`; continuous: clipped reward `[size, 1]`. Dynamics only. */
  readonly reward?: tf.Tensor2D;
  /** Next-state logits `[size, numStates]` (dynamics with discrete states only). */
  readonly nextState?: tf.Tensor2D;
}

type Lin = { w: tf.Variable; b?: tf.Variable };

/** AD (`kind: 'ad'`) or DPT (`kind: 'dpt'`), each with or without DICP's dynamics heads. */
export class ADModel implements InContextModel {
  readonly config: ModelConfig;
  readonly params: Params;
  readonly encoding: Encoding;
  private readonly transformer: Transformer;
  private readonly embedContext: Lin;
  private readonly embedQueryState: tf.Variable | Lin;
  private readonly embedQueryAction: tf.Variable | Lin | null;
  private readonly predAction: Lin;
  private readonly predReward: Lin | null;
  private readonly predNextState: Lin | null;

  constructor(config: ModelConfig) {
    if (config.kind !== 'ad' && config.kind !== 'dpt') {
      throw new InvalidArgumentError(
        'model.kind',
        config.kind,
        "'ad' or 'dpt' for ADModel (IDT is IDTModel)",
      );
    }
    this.config = config;
    this.encoding = new Encoding(config);
    const e = this.encoding;
    const d = config.nEmbd;
    this.params = new Params(initRng(config.seed));
    const p = this.params;
    // Creation order fixes the init draws: keep it stable (checkpoints from the same seed are reproducible).
    this.transformer = new Transformer(config, p);
    this.embedContext = p.linear('embed_context', e.contextSize, d);
    this.embedQueryState =
      config.kind === 'dpt'
        ? this.embedContext
        : e.numStates !== null
          ? p.embedding('embed_query_state', e.numStates, d)
          : p.linear('embed_query_state', e.obsSize, d);
    this.embedQueryAction = !config.dynamics
      ? null
      : e.numActions !== null
        ? p.embedding('embed_query_action', e.numActions, d)
        : p.linear('embed_query_action', e.actionSize, d);
    this.predAction = p.linear('pred_action', d, e.numActions ?? 2 * e.actionSize);
    this.predReward = config.dynamics
      ? p.linear('pred_reward', d, e.numActions !== null || e.numStates !== null ? config.rewardClasses : 1)
      : null;
    this.predNextState =
      config.dynamics && e.numStates !== null ? p.linear('pred_next_state', d, e.numStates) : null;
  }

  /** Whether rewards are classified (gridworlds) rather than regressed (continuous control). */
  get discreteReward(): boolean {
    return this.encoding.numActions !== null || this.encoding.numStates !== null;
  }

  /** Token embeddings `[B, T, d]` in this model's layout. */
  private embed(input: ContextInput): tf.Tensor3D {
    const { size: B, contextLength: L } = input;
    const e = this.encoding;
    const d = this.config.nEmbd;
    const parts: tf.Tensor[] = [];
    if (L > 0) {
      const ctx = tf.tensor3d(input.context.subarray(0, B * L * e.contextSize), [B, L, e.contextSize]);
      parts.push(applyLinear(ctx, this.embedContext)); // [B, L, d]
    }
    let qs: tf.Tensor; // [B, d]
    if (this.config.kind === 'dpt') {
      const padded = new Float32Array(B * e.contextSize); // the query state, zero-padded to a context token
      for (let b = 0; b < B; b++)
        for (let i = 0; i < e.obsSize; i++)
          padded[b * e.contextSize + i] = input.queryStates[b * e.obsSize + i]!;
      qs = applyLinear(tf.tensor2d(padded, [B, e.contextSize]), this.embedContext);
    } else if (e.numStates !== null) {
      const idx = new Int32Array(B);
      for (let b = 0; b < B; b++) idx[b] = e.stateIndex(input.queryStates, b * e.obsSize);
      qs = embed(this.embedQueryState as tf.Variable as tf.Tensor2D, idx);
    } else {
      qs = applyLinear(
        tf.tensor2d(Float32Array.from(input.queryStates), [B, e.obsSize]),
        this.embedQueryState as Lin,
      );
    }
    qs = tf.reshape(qs, [B, 1, d]);
    if (this.config.kind === 'dpt') parts.unshift(qs);
    else parts.push(qs);
    // The q_action token (dynamics only). Without query actions the sequence stops at the policy's read
    // position — all acting needs, since causal attention keeps that output independent of later tokens.
    if (this.embedQueryAction !== null && input.queryActions !== undefined) {
      const qa =
        e.numActions !== null
          ? embed(this.embedQueryAction as tf.Variable as tf.Tensor2D, input.queryActions)
          : applyLinear(
              tf.tensor2d(Float32Array.from(input.queryActions), [B, e.actionSize]),
              this.embedQueryAction as Lin,
            );
      parts.push(tf.reshape(qa, [B, 1, d]));
    }
    return (parts.length === 1 ? parts[0]! : tf.concat(parts, 1)) as tf.Tensor3D;
  }

  /**
   * Position the policy is read at: AD's q_state follows the L context tokens; DPT reads its newest context
   * token, which also sits at L because its q_state comes first (with no context, DPT reads q_state at 0).
   */
  policyPosition(contextLength: number): number {
    return contextLength;
  }

  /** The residual stream `[B, T, d]` (training when `rng` is given). */
  hidden(input: ContextInput, rng: Rng | null): tf.Tensor3D {
    return tf.tidy(() => this.transformer.forward(this.embed(input), rng));
  }

  /** Heads at the read positions: the policy at `policyPosition`, dynamics at the q_action token (last). */
  heads(h: tf.Tensor3D, contextLength: number): HeadOutputs {
    return tf.tidy((): tf.TensorContainer => {
      const [B, T, d] = h.shape;
      const at = (pos: number) => tf.reshape(tf.slice(h, [0, pos, 0], [B, 1, d]), [B, d]) as tf.Tensor2D;
      const action = applyLinear(at(this.policyPosition(contextLength)), this.predAction) as tf.Tensor2D;
      if (!this.config.dynamics || T !== contextLength + 2) return { action }; // no q_action token
      const last = at(T - 1);
      let reward = applyLinear(last, this.predReward!) as tf.Tensor2D;
      if (!this.discreteReward) reward = tf.clipByValue(reward, 0, this.config.rewardMax);
      const nextState =
        this.predNextState === null ? undefined : (applyLinear(last, this.predNextState) as tf.Tensor2D);
      return nextState === undefined ? { action, reward } : { action, reward, nextState };
    }) as unknown as HeadOutputs;
  }

  /** Evaluation forward: head outputs for `input` (no dropout). The caller disposes them. */
  predict(input: ContextInput): HeadOutputs {
    return tf.tidy(() => {
      const h = this.hidden(input, null);
      return this.heads(h, input.contextLength) as unknown as tf.TensorContainer;
    }) as unknown as HeadOutputs;
  }

  /**
   * Splits `nTransit`-step windows into model inputs: context = steps 0..n−2, query = step n−1 (its state,
   * and its action for the q_action token).
   */
  windowInput(batch: WindowArrays): ContextInput {
    const { size: B, length: n } = batch;
    const e = this.encoding;
    const L = n - 1;
    const F = e.contextSize;
    const context = new Float32Array(B * L * F);
    const qs = new Float32Array(B * e.obsSize);
    const qa = new Float32Array(B * e.actionSize);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < L; t++) {
        const step = b * n + t;
        e.writeContext(
          context,
          (b * L + t) * F,
          batch.states,
          step * e.obsSize,
          batch.actions,
          step * e.actionSize,
          batch.rewards[step]!,
          batch.nextStates,
          step * e.obsSize,
        );
      }
      const q = b * n + L;
      for (let i = 0; i < e.obsSize; i++) qs[b * e.obsSize + i] = batch.states[q * e.obsSize + i]!;
      for (let i = 0; i < e.actionSize; i++) qa[b * e.actionSize + i] = batch.actions[q * e.actionSize + i]!;
    }
    return { size: B, contextLength: L, context, queryStates: qs, queryActions: qa };
  }

  loss(batch: WindowArrays, rng: Rng | null): LossTerms {
    const input = this.windowInput(batch);
    const { size: B, length: n } = batch;
    const e = this.encoding;
    const L = n - 1;
    return tf.tidy((): tf.TensorContainer => {
      const h = this.hidden(input, rng); // [B, T, d]
      const d = this.config.nEmbd;
      const out = this.config.kind === 'ad' || this.config.dynamics ? this.heads(h, L) : null;
      // Policy loss.
      let action: tf.Scalar;
      if (this.config.kind === 'dpt') {
        // DPT: the optimal action of the query state, predicted at every context position 1..n−1.
        if (batch.optimalActions === undefined) {
          throw new InvalidArgumentError(
            'history.optimalActions',
            undefined,
            'optimal-action labels (DPT trains on them)',
          );
        }
        const target = new Int32Array(B * L);
        for (let b = 0; b < B; b++) target.fill(batch.optimalActions[b * n + L]!, b * L, (b + 1) * L);
        const ctxOut = tf.reshape(tf.slice(h, [0, 1, 0], [B, L, d]), [B * L, d]) as tf.Tensor2D;
        action = crossEntropy(applyLinear(ctxOut, this.predAction) as tf.Tensor2D, target);
      } else if (out !== null) {
        if (e.numActions !== null) {
          const target = new Int32Array(B);
          for (let b = 0; b < B; b++) target[b] = batch.actions[b * n + L]!;
          action = crossEntropy(out.action, target);
        } else {
          const [mean, logVar] = tf.split(out.action, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
          action = gaussianNll(
            mean,
            logVar,
            tf.tensor2d(Float32Array.from(input.queryActions!), [B, e.actionSize]),
          );
        }
      } else {
        throw new Error('internal: AD heads missing');
      }
      if (!this.config.dynamics || out === null) return { total: action, action };
      // Dynamics losses at the q_action token: reward, and next state where states are discrete.
      const rewards = new Float32Array(B);
      for (let b = 0; b < B; b++) rewards[b] = batch.rewards[b * n + L]!;
      let reward: tf.Scalar;
      if (this.discreteReward) {
        for (const r of rewards) {
          if (!(Number.isInteger(r) && r >= 0 && r < this.config.rewardClasses)) {
            throw new InvalidArgumentError(
              'history.rewards',
              r,
              `integers in [0, ${this.config.rewardClasses - 1}] (model.rewardClasses)`,
            );
          }
        }
        reward = crossEntropy(out.reward!, rewards);
      } else {
        reward = tf.mean(tf.square(tf.sub(out.reward!, tf.tensor2d(rewards, [B, 1])))) as tf.Scalar;
      }
      let total = tf.add(action, tf.mul(reward, this.config.dynamicsWeight)) as tf.Scalar;
      if (out.nextState === undefined) return { total, action, reward };
      const next = new Int32Array(B);
      for (let b = 0; b < B; b++) next[b] = e.stateIndex(batch.nextStates, (b * n + L) * e.obsSize);
      const nextState = crossEntropy(out.nextState, next);
      total = tf.add(total, tf.mul(nextState, this.config.dynamicsWeight)) as tf.Scalar;
      return { total, action, reward, nextState };
    }) as unknown as LossTerms;
  }

  dispose(): void {
    this.transformer.dispose();
    this.params.dispose();
  }
}
