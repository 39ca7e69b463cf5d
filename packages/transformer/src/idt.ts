import {
  type HistoryMeta,
  type HistorySource,
  type HistoryWindow,
  InvalidArgumentError,
  type Rng,
  type TaskHistoryInfo,
} from '@icrl/core';
import * as tf from '@tensorflow/tfjs-core';
import type { InContextModel, LossTerms } from './ad';
import type { ModelConfig } from './config';
import { Encoding, type WindowArrays } from './encoding';
import type { IdtDecisionInputs, IdtSegment, IdtSteps } from './idt-rolling-state';
import { applyLinear, initRng, Params, Transformer } from './model';
import { crossEntropy, embed, gaussianNll } from './ops';

// IDT — In-context Decision Transformer (Huang et al. 2024) as the DICP reference re-implements it (spec §3),
// for discrete gridworlds and for continuous control (Meta-World: every Embedding becomes a Linear of the raw
// vector, spec §3.2). Three causal transformers with the same sizes, reading windows of n_transit steps cut into
// K = n_transit / c segments of c steps:
//   Reviewing Decisions  per step  In(s) + In(a) + In(r) + In(s')  → over the c steps of a segment, the last
//                        output → Linear(d → 2·dimZ): the segment's "reviewed decision" (used as is, not sampled)
//   Making Decisions     per segment i  [Linear(R'_i), In(s at segment start), Linear(reviewed_i)]  → the
//                        output at the state token → (μ_z, log σ²_z) for segment i (it sees earlier reviews only)
//   Decisions-to-Go      per step  [Linear(z_j), In(s_j), In(a_j), In(r_j)], z_j = μ_z + σ_z·ε_j with fresh
//                        noise per step; segments independent. Action read at s_j; with `dynamics` (DICP-IDT)
//                        reward (and, for grid states, next state) read at a_j.
// In(·) is an Embedding of a grid-state index / discrete action / reward class, else a Linear of the raw value.
// Loss: action CE (discrete) or Gaussian NLL (continuous) on every step + λ (reward CE or MSE on the clipped
// prediction, next-state CE) on every step. No KL term: Making and Reviewing learn only through the
// reparameterised z. Data: episodes of each stream sorted by return (ascending) and their returns-to-go shifted
// up so every episode starts at the stream's best return (`IDTHistories`).

type Lin = { w: tf.Variable; b?: tf.Variable };

/**
 * Per-step values the IDT modules read: indices (grid states, discrete actions, reward classes) as `Int32Array`,
 * or raw vectors / rewards (continuous) as `Float32Array`, `[rows · width]`.
 */
export type IdtValues = Int32Array | Float32Array;

/** How one kind of value enters a module: an Embedding table of `count` rows, or a Linear of `width` values. */
type InputEmbedding = { readonly table: tf.Variable } | { readonly lin: Lin; readonly width: number };

/** Windows of an IDT training batch carry the relabelled return-to-go of every step. */
export interface IDTWindowArrays extends WindowArrays {
  /** Relabelled return-to-go of each step, `[size, length]`. */
  readonly returnsToGo?: Float32Array;
}

/** The three modules' outputs the agent needs, `[batch, ...]`. */
export class IDTModel implements InContextModel {
  readonly config: ModelConfig;
  readonly params: Params;
  readonly encoding: Encoding;
  private readonly reviewing: {
    tf: Transformer;
    s: InputEmbedding;
    a: InputEmbedding;
    r: InputEmbedding;
    s2: InputEmbedding;
    out: Lin;
  };
  private readonly making: { tf: Transformer; ret: Lin; s: InputEmbedding; z: Lin; out: Lin };
  private readonly decisions: {
    tf: Transformer;
    z: Lin;
    s: InputEmbedding;
    a: InputEmbedding;
    r: InputEmbedding;
    action: Lin;
    reward: Lin | null;
    next: Lin | null;
  };

  constructor(config: ModelConfig) {
    if (config.kind !== 'idt')
      throw new InvalidArgumentError('model.kind', config.kind, "'idt' for IDTModel");
    this.config = config;
    this.encoding = new Encoding(config);
    const e = this.encoding;
    const R = config.rewardClasses;
    const d = config.nEmbd;
    const z = config.dimZ;
    this.params = new Params(initRng(config.seed));
    const p = this.params;
    const input = (name: string, count: number | null, width: number): InputEmbedding =>
      count !== null ? { table: p.embedding(name, count, d) } : { lin: p.linear(name, width, d), width };
    const state = (name: string) => input(name, e.numStates, e.obsSize);
    const action = (name: string) => input(name, e.numActions, e.actionSize);
    const reward = (name: string) => input(name, this.discreteReward ? R : null, 1);
    // Creation order fixes the init draws: keep it stable (checkpoints from the same seed are reproducible).
    this.reviewing = {
      tf: new Transformer(config, p, 'reviewing.transformer'),
      s: state('reviewing.embed_state'),
      a: action('reviewing.embed_action'),
      r: reward('reviewing.embed_reward'),
      s2: state('reviewing.embed_next_state'),
      out: p.linear('reviewing.pred_z', d, 2 * z),
    };
    this.making = {
      tf: new Transformer(config, p, 'making.transformer'),
      ret: p.linear('making.embed_return', 1, d),
      s: state('making.embed_state'),
      z: p.linear('making.embed_z', 2 * z, d),
      out: p.linear('making.pred_z', d, 2 * z),
    };
    this.decisions = {
      tf: new Transformer(config, p, 'decisions.transformer'),
      z: p.linear('decisions.embed_z', z, d),
      s: state('decisions.embed_state'),
      a: action('decisions.embed_action'),
      r: reward('decisions.embed_reward'),
      action: p.linear('decisions.pred_action', d, e.numActions ?? 2 * e.actionSize),
      reward: config.dynamics ? p.linear('decisions.pred_reward', d, this.discreteReward ? R : 1) : null,
      next:
        config.dynamics && e.numStates !== null
          ? p.linear('decisions.pred_next_state', d, e.numStates)
          : null,
    };
  }

  /** Whether rewards are classes (gridworlds) rather than raw values (continuous control), as in `ADModel`. */
  get discreteReward(): boolean {
    return this.encoding.numActions !== null || this.encoding.numStates !== null;
  }

  /** Embeds `values` (`[rows · width]`) into `[rows, d]`. */
  private embedInput(input: InputEmbedding, values: IdtValues): tf.Tensor2D {
    if ('table' in input) return embed(input.table as tf.Tensor as tf.Tensor2D, values);
    const rows = values.length / input.width;
    return applyLinear(tf.tensor2d(Float32Array.from(values), [rows, input.width]), input.lin) as tf.Tensor2D;
  }

  private rewardIndex(r: number): number {
    if (!(Number.isInteger(r) && r >= 0 && r < this.config.rewardClasses)) {
      throw new InvalidArgumentError(
        'history.rewards',
        r,
        `integers in [0, ${this.config.rewardClasses - 1}] (model.rewardClasses)`,
      );
    }
    return r;
  }

  /** Reviewed decisions `[N, 2·dimZ]` of N segments of c steps: per-step states/actions/rewards/next states. */
  review(
    states: IdtValues,
    actions: IdtValues,
    rewards: IdtValues,
    nextStates: IdtValues,
    rng: Rng | null,
  ): tf.Tensor2D {
    return tf.tidy(() => {
      const c = this.config.lowPerHigh;
      const N = rewards.length / c;
      const d = this.config.nEmbd;
      const m = this.reviewing;
      const tok = tf.addN([
        this.embedInput(m.s, states),
        this.embedInput(m.a, actions),
        this.embedInput(m.r, rewards),
        this.embedInput(m.s2, nextStates),
      ]); // [N·c, d]
      const h = m.tf.forward(tf.reshape(tok, [N, c, d]) as tf.Tensor3D, rng); // [N, c, d]
      const last = tf.reshape(tf.slice(h, [0, c - 1, 0], [N, 1, d]), [N, d]);
      return applyLinear(last, m.out) as tf.Tensor2D;
    });
  }

  /**
   * (μ_z ‖ log σ²_z) `[B, K, 2·dimZ]` for K segments: relabelled returns `[B·K]` and start states `[B·K · width]`,
   * reviewed decisions `[B, K, 2·dimZ]` (the slot of a segment not yet executed is zeros).
   */
  decide(returns: Float32Array, startStates: IdtValues, reviewed: tf.Tensor3D, rng: Rng | null): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, K] = reviewed.shape;
      const d = this.config.nEmbd;
      const m = this.making;
      const ret = applyLinear(tf.tensor2d(returns, [B * K, 1]), m.ret); // [B·K, d]
      const st = this.embedInput(m.s, startStates); // [B·K, d]
      const zt = applyLinear(reviewed, m.z); // [B, K, d]
      const tokens = tf.reshape(tf.stack([tf.reshape(ret, [B, K, d]), tf.reshape(st, [B, K, d]), zt], 2), [
        B,
        3 * K,
        d,
      ]); // [B, 3K, d]: R'_1, s_1, z_1, R'_2, ...
      const h = tf.reshape(m.tf.forward(tokens as tf.Tensor3D, rng), [B, K, 3, d]);
      const atState = tf.reshape(tf.slice(h, [0, 0, 1, 0], [B, K, 1, d]), [B, K, d]);
      return applyLinear(atState, m.out) as tf.Tensor3D;
    });
  }

  /** c noisy decisions per segment: z_j = μ + σ·ε_j, `[N, c, dimZ]` from `decision [N, 2·dimZ]`. */
  sampleZ(decision: tf.Tensor2D, c: number, rng: Rng): tf.Tensor3D {
    return tf.tidy(() => {
      const [N] = decision.shape;
      const dz = this.config.dimZ;
      const [mu, logVar] = tf.split(decision, 2, 1);
      const noise = new Float32Array(N * c * dz);
      for (let i = 0; i < noise.length; i++) noise[i] = rng.normal();
      const sigma = tf.exp(tf.mul(logVar!, 0.5));
      return tf.add(
        tf.reshape(mu!, [N, 1, dz]),
        tf.mul(tf.reshape(sigma, [N, 1, dz]), tf.tensor3d(noise, [N, c, dz])),
      ) as tf.Tensor3D;
    });
  }

  /**
   * Decisions-to-Go over N segments of `steps` ≤ c steps: z `[N, c, dimZ]` (first `steps` used), per-step values
   * `[N·steps · width]` (actions and rewards of the last step may be anything at inference: they sit after the
   * read positions). Returns the residual stream `[N, steps, 4, d]`: index 1 is s_j (action head), 2 is a_j
   * (dynamics heads).
   */
  decisionsStream(
    z: tf.Tensor3D,
    steps: number,
    states: IdtValues,
    actions: IdtValues,
    rewards: IdtValues,
    rng: Rng | null,
  ): tf.Tensor4D {
    return tf.tidy(() => {
      const N = z.shape[0];
      const d = this.config.nEmbd;
      const m = this.decisions;
      const zt = applyLinear(tf.slice(z, [0, 0, 0], [N, steps, this.config.dimZ]), m.z); // [N, steps, d]
      const st = tf.reshape(this.embedInput(m.s, states), [N, steps, d]);
      const at = tf.reshape(this.embedInput(m.a, actions), [N, steps, d]);
      const rt = tf.reshape(this.embedInput(m.r, rewards), [N, steps, d]);
      const tokens = tf.reshape(tf.stack([zt, st, at, rt], 2), [N, 4 * steps, d]); // [N, 4·steps, d]
      return tf.reshape(m.tf.forward(tokens as tf.Tensor3D, rng), [N, steps, 4, d]) as tf.Tensor4D;
    });
  }

  /**
   * Heads from a `decisionsStream`, `[N·steps, ...]`: action logits, or mean ‖ log-variance (continuous); with
   * dynamics the reward (logits, or the regression clipped to [0, rewardMax]) and next-state logits (grid states).
   */
  decisionHeads(h: tf.Tensor4D): { action: tf.Tensor2D; reward?: tf.Tensor2D; nextState?: tf.Tensor2D } {
    return tf.tidy((): tf.TensorContainer => {
      const [N, steps, , d] = h.shape;
      const at = (k: number) => tf.reshape(tf.slice(h, [0, 0, k, 0], [N, steps, 1, d]), [N * steps, d]);
      const action = applyLinear(at(1), this.decisions.action) as tf.Tensor2D;
      if (!this.config.dynamics) return { action };
      const a = at(2);
      let reward = applyLinear(a, this.decisions.reward!) as tf.Tensor2D;
      if (!this.discreteReward) reward = tf.clipByValue(reward, 0, this.config.rewardMax);
      if (this.decisions.next === null) return { action, reward };
      return { action, reward, nextState: applyLinear(a, this.decisions.next) as tf.Tensor2D };
    }) as unknown as { action: tf.Tensor2D; reward?: tf.Tensor2D; nextState?: tf.Tensor2D };
  }

  /** Per-step states of a batch: grid indices, or the observation vectors themselves. */
  private stateValues(obs: ArrayLike<number>, total: number): IdtValues {
    const e = this.encoding;
    if (e.numStates === null) return Float32Array.from({ length: total * e.obsSize }, (_, i) => obs[i]!);
    return Int32Array.from({ length: total }, (_, i) => e.stateIndex(obs, i * e.obsSize));
  }

  loss(batch: IDTWindowArrays, rng: Rng | null): LossTerms {
    const { size: B, length: n } = batch;
    const c = this.config.lowPerHigh;
    const K = n / c;
    if (batch.returnsToGo === undefined) {
      throw new InvalidArgumentError(
        'history',
        'windows without returnsToGo',
        'IDT windows (wrap the source in IDTHistories)',
      );
    }
    const total = B * n;
    const s = this.stateValues(batch.states, total);
    const s2 = this.stateValues(batch.nextStates, total);
    const a =
      this.encoding.numActions !== null ? Int32Array.from(batch.actions) : Float32Array.from(batch.actions);
    const r = this.discreteReward
      ? Int32Array.from(batch.rewards, (v) => this.rewardIndex(v))
      : Float32Array.from(batch.rewards);
    const sw = this.encoding.numStates !== null ? 1 : this.encoding.obsSize;
    const returns = new Float32Array(B * K);
    const starts = s instanceof Int32Array ? new Int32Array(B * K * sw) : new Float32Array(B * K * sw);
    for (let b = 0; b < B; b++) {
      for (let k = 0; k < K; k++) {
        const t = b * n + k * c;
        returns[b * K + k] = batch.returnsToGo[t]!;
        starts.set(s.subarray(t * sw, (t + 1) * sw), (b * K + k) * sw);
      }
    }
    const noiseRng = rng ?? undefined;
    return tf.tidy((): tf.TensorContainer => {
      const reviewed = tf.reshape(this.review(s, a, r, s2, rng), [B, K, 2 * this.config.dimZ]) as tf.Tensor3D;
      const decision = this.decide(returns, starts, reviewed, rng); // [B, K, 2·dimZ]
      const flat = tf.reshape(decision, [B * K, 2 * this.config.dimZ]) as tf.Tensor2D;
      const z = noiseRng === undefined ? this.meanZ(flat, c) : this.sampleZ(flat, c, noiseRng);
      const h = this.decisionsStream(z, c, s, a, r, rng);
      const out = this.decisionHeads(h);
      let action: tf.Scalar;
      if (a instanceof Int32Array) {
        action = crossEntropy(out.action, a);
      } else {
        const [mean, logVar] = tf.split(out.action, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
        action = gaussianNll(mean, logVar, tf.tensor2d(a, [total, this.encoding.actionSize]));
      }
      if (!this.config.dynamics) return { total: action, action };
      const reward =
        r instanceof Int32Array
          ? crossEntropy(out.reward!, r)
          : (tf.mean(tf.square(tf.sub(out.reward!, tf.tensor2d(r, [total, 1])))) as tf.Scalar);
      if (out.nextState === undefined) {
        return { total: tf.add(action, tf.mul(reward, this.config.dynamicsWeight)), action, reward };
      }
      const nextState = crossEntropy(out.nextState, s2);
      const totalLoss = tf.add(action, tf.mul(tf.add(reward, nextState), this.config.dynamicsWeight));
      return { total: totalLoss, action, reward, nextState };
    }) as unknown as LossTerms;
  }

  /**
   * The current segment's c noisy decisions `[n · c · dimZ]`: Making Decisions over `inputs` (an
   * `IdtRollingState.startSegment`, whose last slot is this segment), then `sampleZ` at that slot.
   */
  segmentDecisions(inputs: IdtDecisionInputs, n: number, rng: Rng): Float32Array {
    const { segments: K, returns, startStates, reviewed } = inputs;
    const dz = this.config.dimZ;
    return tf.tidy(() => {
      const dec = this.decide(returns, startStates, tf.tensor3d(reviewed, [n, K, 2 * dz]), null); // [n, K, 2dz]
      const last = tf.reshape(tf.slice(dec, [0, K - 1, 0], [n, 1, 2 * dz]), [n, 2 * dz]) as tf.Tensor2D;
      return this.sampleZ(last, this.config.lowPerHigh, rng).dataSync() as Float32Array;
    });
  }

  /**
   * The action head at each env's newest step of `inputs` (an `IdtRollingState.stepInputs`), with the segment's
   * decisions `z [n · c · dimZ]`: logits `[n · A]`, or mean ‖ log-variance `[n · 2·actionSize]` (continuous).
   */
  policyAtLastStep(z: Float32Array, inputs: IdtSteps, n: number): Float32Array {
    const { steps, states, actions, rewards } = inputs;
    const c = this.config.lowPerHigh;
    const width = this.encoding.numActions ?? 2 * this.encoding.actionSize;
    return tf.tidy(() => {
      const h = this.decisionsStream(
        tf.tensor3d(z, [n, c, this.config.dimZ]),
        steps,
        states,
        actions,
        rewards,
        null,
      );
      const out = this.decisionHeads(h).action; // [n·steps, width]
      return tf
        .reshape(tf.slice(tf.reshape(out, [n, steps, width]), [0, steps - 1, 0], [n, 1, width]), [n, width])
        .dataSync() as Float32Array;
    });
  }

  /** A finished segment's reviewed decisions `[n · 2·dimZ]` (an `IdtRollingState.observe` result), no dropout. */
  reviewSegment(segment: IdtSegment): Float32Array {
    const { states, actions, rewards, nextStates } = segment;
    return tf.tidy(() => this.review(states, actions, rewards, nextStates, null).dataSync() as Float32Array);
  }

  /** z_j = μ for every step (evaluation without noise). */
  meanZ(decision: tf.Tensor2D, c: number): tf.Tensor3D {
    return tf.tidy(() => {
      const [N] = decision.shape;
      const dz = this.config.dimZ;
      const [mu] = tf.split(decision, 2, 1);
      return tf.tile(tf.reshape(mu!, [N, 1, dz]), [1, c, 1]) as tf.Tensor3D;
    });
  }

  dispose(): void {
    this.reviewing.tf.dispose();
    this.making.tf.dispose();
    this.decisions.tf.dispose();
    this.params.dispose();
  }
}

/**
 * IDT's view of learning histories (`IDTDataset`): in every stream the episodes are sorted by return,
 * ascending, and each step carries its relabelled return-to-go — the episode's return-to-go plus (best episode
 * return of the stream − this episode's return), so every episode starts at the stream's best return. Streams
 * are prepared on first use and cached. Episodes are found from `dones`; a trailing unfinished episode is kept
 * last, unsorted.
 */
export class IDTHistories implements HistorySource {
  readonly meta: HistoryMeta;
  readonly taskIndices: readonly number[];
  private readonly cache = new Map<string, HistoryWindow & { returnsToGo: Float32Array }>();

  constructor(private readonly source: HistorySource) {
    this.meta = source.meta;
    this.taskIndices = source.taskIndices;
  }

  taskInfo(taskIndex: number): TaskHistoryInfo {
    return this.source.taskInfo(taskIndex);
  }

  private stream(task: number, stream: number): HistoryWindow & { returnsToGo: Float32Array } {
    const key = `${task}/${stream}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const info = this.source.taskInfo(task);
    const w = this.source.read(task, stream, 0, info.length);
    const T = w.length;
    const episodes: { start: number; end: number; ret: number }[] = [];
    let start = 0;
    for (let t = 0; t < T; t++) {
      if (w.dones[t] || t === T - 1) {
        let ret = 0;
        for (let u = start; u <= t; u++) ret += w.rewards[u]!;
        episodes.push({ start, end: t + 1, ret });
        start = t + 1;
      }
    }
    const complete = w.dones[T - 1] ? episodes : episodes.slice(0, -1);
    const tail = w.dones[T - 1] ? [] : episodes.slice(-1);
    const order = [...complete].sort((x, y) => x.ret - y.ret).concat(tail); // stable: ties keep their order
    const best = Math.max(...episodes.map((ep) => ep.ret));
    const obsSize = w.states.length / T;
    const actSize = w.actions.length / T;
    const out = {
      length: T,
      states: new (w.states.constructor as new (n: number) => typeof w.states)(w.states.length),
      nextStates: new (w.nextStates.constructor as new (n: number) => typeof w.nextStates)(
        w.nextStates.length,
      ),
      actions: new (w.actions.constructor as new (n: number) => typeof w.actions)(w.actions.length),
      rewards: new Float32Array(T),
      dones: new Uint8Array(T),
      returnsToGo: new Float32Array(T),
      ...(w.optimalActions ? { optimalActions: new Int32Array(T) } : {}),
    } as HistoryWindow & { returnsToGo: Float32Array; optimalActions?: Int32Array };
    let p = 0;
    for (const ep of order) {
      let togo = ep.ret + (best - ep.ret);
      for (let t = ep.start; t < ep.end; t++, p++) {
        out.states.set(w.states.subarray(t * obsSize, (t + 1) * obsSize), p * obsSize);
        out.nextStates.set(w.nextStates.subarray(t * obsSize, (t + 1) * obsSize), p * obsSize);
        out.actions.set(w.actions.subarray(t * actSize, (t + 1) * actSize), p * actSize);
        out.rewards[p] = w.rewards[t]!;
        out.dones[p] = w.dones[t]!;
        out.returnsToGo[p] = togo;
        togo -= w.rewards[t]!;
        if (out.optimalActions && w.optimalActions) out.optimalActions[p] = w.optimalActions[t]!;
      }
    }
    this.cache.set(key, out);
    return out;
  }

  read(
    taskIndex: number,
    stream: number,
    start: number,
    length: number,
  ): HistoryWindow & { returnsToGo: Float32Array } {
    const s = this.stream(taskIndex, stream);
    const obsSize = s.states.length / s.length;
    const actSize = s.actions.length / s.length;
    return {
      length,
      states: s.states.slice(start * obsSize, (start + length) * obsSize),
      nextStates: s.nextStates.slice(start * obsSize, (start + length) * obsSize),
      actions: s.actions.slice(start * actSize, (start + length) * actSize),
      rewards: s.rewards.slice(start, start + length),
      dones: s.dones.slice(start, start + length),
      returnsToGo: s.returnsToGo.slice(start, start + length),
      ...(s.optimalActions ? { optimalActions: s.optimalActions.slice(start, start + length) } : {}),
    };
  }

  close(): void | Promise<void> {
    this.cache.clear();
    return this.source.close();
  }
}
