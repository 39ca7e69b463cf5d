// SAC (Haarnoja et al. 2018, arXiv 1812.05905) as Stable-Baselines3 2.3.2 runs it, the source the DICP paper's
// Meta-World ablation used (dicp-spec §5.1: lr 3e-4, learning_starts 100, batch 128, buffer 1M, γ 0.99; the
// code trains 10 gradient steps after every env step). SB3's defaults otherwise: 256-256 ReLU actor and twin
// critics, tanh-squashed Gaussian (log std clamped to [−20, 2]), entropy coefficient tuned towards
// −dim(A), Polyak τ 0.005 every gradient step. Off-policy and batched over tasks in lockstep: each task has its
// own networks, replay buffer (shared by its streams) and random stream; plain TypeScript nets (dense-net.ts).

import {
  boxBounds,
  flatSize,
  InvalidArgumentError,
  type JsonObject,
  Rng,
  rejectUnknownKeys,
  requireInteger,
  requireNumber,
  requireObject,
  type Space,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import type { BatchedLearner, LearnerSpec, SourceAlgorithm } from './algorithm';
import { type AdamSettings, adamUpdate, DenseNet } from './dense-net';
import { TrainingDivergedError } from './errors/training-diverged-error';
import { ReplayBuffer } from './replay-buffer';
import { requireLayerSizes } from './validate-config';

/** SAC hyperparameters; defaults are SB3's with the DICP ablation's settings. */
export interface SacConfig {
  /** Adam learning rate of actor, critics and entropy coefficient. Default 3e-4. */
  readonly learningRate: number;
  /** Replay capacity per task (transitions of all its streams). Default 1,000,000. */
  readonly bufferSize: number;
  /** Steps per stream taken with uniformly random actions before learning starts. Default 100. */
  readonly learningStarts: number;
  /** Transitions per gradient step. Default 128. */
  readonly batchSize: number;
  /** Polyak coefficient of the target critics. Default 0.005. */
  readonly tau: number;
  /** Discount factor. Default 0.99. */
  readonly gamma: number;
  /** Env steps (per stream) between training rounds. Default 1. */
  readonly trainFreq: number;
  /** Gradient steps per training round. Default 10 (DICP's `sac_ml1.yaml`). */
  readonly gradientSteps: number;
  /** Hidden layer sizes of the actor and of each critic (ReLU). Default [256, 256]. */
  readonly hidden: readonly number[];
  /** Initial entropy coefficient α (tuned from there towards the target entropy −dim(A)). Default 1. */
  readonly entCoefInit: number;
}

export const DEFAULT_SAC_CONFIG: SacConfig = Object.freeze({
  learningRate: 3e-4,
  bufferSize: 1_000_000,
  learningStarts: 100,
  batchSize: 128,
  tau: 0.005,
  gamma: 0.99,
  trainFreq: 1,
  gradientSteps: 10,
  hidden: Object.freeze([256, 256]),
  entCoefInit: 1,
});

/** Validates a partial SAC config and fills in the defaults; throws `InvalidArgumentError` naming the field. */
export function resolveSacConfig(config: Partial<SacConfig> = {}): SacConfig {
  const c = requireObject('sac', config);
  rejectUnknownKeys('sac', c, Object.keys(DEFAULT_SAC_CONFIG));
  const v = { ...DEFAULT_SAC_CONFIG, ...c } as SacConfig;
  return Object.freeze({
    learningRate: requireNumber('sac.learningRate', v.learningRate, { min: 0, exclusiveMin: true }),
    bufferSize: requireInteger('sac.bufferSize', v.bufferSize, { min: 1, max: 100_000_000 }),
    learningStarts: requireInteger('sac.learningStarts', v.learningStarts, { min: 0 }),
    batchSize: requireInteger('sac.batchSize', v.batchSize, { min: 1, max: 1 << 16 }),
    tau: requireNumber('sac.tau', v.tau, { min: 0, max: 1, exclusiveMin: true }),
    gamma: requireNumber('sac.gamma', v.gamma, { min: 0, max: 1 }),
    trainFreq: requireInteger('sac.trainFreq', v.trainFreq, { min: 1 }),
    gradientSteps: requireInteger('sac.gradientSteps', v.gradientSteps, { min: 1, max: 1000 }),
    hidden: requireLayerSizes('sac.hidden', v.hidden),
    entCoefInit: requireNumber('sac.entCoefInit', v.entCoefInit, { min: 0, exclusiveMin: true }),
  });
}

/**
 * SAC as a source algorithm: continuous (Box, float32) actions only; observations any Box, fed raw.
 *
 * @example
 * await collect({ algorithm: sac({ hidden: [64, 64] }), family, tasks, streams: 10, stepsPerStream: 5000, seed: 0, sink });
 */
export function sac(config: Partial<SacConfig> = {}): SourceAlgorithm {
  const resolved = resolveSacConfig(config);
  return {
    name: 'sac',
    settings: resolved as unknown as JsonObject,
    needsOracle: false,
    check(observationSpace: Space, actionSpace: Space, streams: number): void {
      if (observationSpace.kind !== 'box') {
        throw new InvalidArgumentError('sac: observationSpace', observationSpace, 'a Box observation space');
      }
      if (actionSpace.kind !== 'box' || actionSpace.dtype !== 'float32') {
        throw new InvalidArgumentError(
          'sac: actionSpace',
          actionSpace,
          'a float32 Box action space (SAC is for continuous actions; use PPO for discrete ones)',
        );
      }
      const { low, high } = boxBounds(actionSpace);
      for (let i = 0; i < low.length; i++) {
        if (!(Number.isFinite(low[i]) && Number.isFinite(high[i]) && low[i]! < high[i]!)) {
          throw new InvalidArgumentError('sac: actionSpace', actionSpace, 'finite bounds with low < high');
        }
      }
      requireInteger('streams', streams, { min: 1 });
    },
    createLearner: (spec) => new SacLearner(resolved, spec),
  };
}

const LOG_STD_MIN = -20;
const LOG_STD_MAX = 2;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** One task's SAC state. */
interface TaskSac {
  readonly rng: Rng;
  readonly actor: DenseNet; // obs → [mean ‖ log std]
  readonly q: readonly [DenseNet, DenseNet];
  readonly target: readonly [DenseNet, DenseNet];
  readonly buffer: ReplayBuffer;
  /** log α and its Adam moments (one value each); `alphaSteps` counts its updates. */
  readonly logAlpha: Float64Array;
  readonly alphaM: Float64Array;
  readonly alphaV: Float64Array;
  alphaSteps: number;
}

/** SAC learners for a group of tasks in lockstep. */
export class SacLearner implements BatchedLearner {
  private readonly tasks: TaskSac[];
  private readonly obsSize: number;
  private readonly actDim: number;
  private readonly low: Float64Array;
  private readonly high: Float64Array;
  private readonly adam: AdamSettings;
  private steps = 0;
  private latest: Record<string, number> = {};
  /** Actions of the last `act` in [−1, 1] (what the buffer stores), `[numEnvs * actDim]`. */
  private squashed: Float32Array;

  constructor(
    readonly config: SacConfig,
    readonly spec: LearnerSpec,
  ) {
    const { observationSpace: os, actionSpace: as } = spec;
    if (os.kind !== 'box' || as.kind !== 'box')
      throw new Error('internal: SAC needs Box spaces (check first)');
    this.obsSize = flatSize(os);
    this.actDim = flatSize(as);
    ({ low: this.low, high: this.high } = boxBounds(as));
    this.adam = { lr: config.learningRate, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const capacity = Math.min(
      config.bufferSize,
      spec.totalSteps === undefined ? config.bufferSize : spec.totalSteps * spec.streams,
    );
    const O = this.obsSize;
    const A = this.actDim;
    this.tasks = spec.taskSeeds.map((seed) => {
      const rng = new Rng(seed);
      const actor = new DenseNet([O, ...config.hidden, 2 * A], rng);
      const critic = () => new DenseNet([O + A, ...config.hidden, 1], rng);
      const q: [DenseNet, DenseNet] = [critic(), critic()];
      const target: [DenseNet, DenseNet] = [critic(), critic()];
      target[0].copyFrom(q[0]);
      target[1].copyFrom(q[1]);
      return {
        rng,
        actor,
        q,
        target,
        buffer: new ReplayBuffer(capacity, O, A),
        logAlpha: Float64Array.of(Math.log(config.entCoefInit)),
        alphaM: new Float64Array(1),
        alphaV: new Float64Array(1),
        alphaSteps: 0,
      };
    });
    this.squashed = new Float32Array(spec.taskSeeds.length * spec.streams * A);
  }

  act(obs: SpaceArray): SpaceArray {
    const { streams } = this.spec;
    const O = this.obsSize;
    const A = this.actDim;
    const out = new Float32Array(this.squashed.length);
    const warmup = this.steps < this.config.learningStarts;
    this.tasks.forEach((t, k) => {
      const base = k * streams;
      if (warmup) {
        // SB3: uniform actions over the (rescaled) box before learning starts.
        for (let i = 0; i < streams * A; i++) this.squashed[base * A + i] = t.rng.uniform(-1, 1);
      } else {
        const x = Float32Array.from(obs.subarray(base * O, (base + streams) * O));
        const sample = this.sample(t, x, streams);
        this.squashed.set(sample.action, base * A);
      }
    });
    for (let e = 0; e < out.length / A; e++) {
      for (let j = 0; j < A; j++) {
        const a = this.squashed[e * A + j]!;
        out[e * A + j] = this.low[j]! + 0.5 * (a + 1) * (this.high[j]! - this.low[j]!);
      }
    }
    return out;
  }

  observe(transition: VecTransition, last = false): void {
    const { streams } = this.spec;
    const O = this.obsSize;
    const A = this.actDim;
    this.tasks.forEach((t, k) => {
      for (let s = 0; s < streams; s++) {
        const e = k * streams + s;
        // A time-limit truncation is not an end of the MDP: bootstrap through it (SB3's handle_timeout).
        t.buffer.add(
          transition.obs.subarray(e * O, (e + 1) * O),
          this.squashed.subarray(e * A, (e + 1) * A),
          transition.rewards[e]!,
          transition.nextObs.subarray(e * O, (e + 1) * O),
          transition.terminated[e] === 1,
        );
      }
    });
    this.steps++;
    if (last || this.steps < this.config.learningStarts || this.steps % this.config.trainFreq !== 0) return;
    const sums = { actor: 0, critic: 0, alpha: 0, entropy: 0 };
    for (const [k, t] of this.tasks.entries()) {
      for (let g = 0; g < this.config.gradientSteps; g++) {
        const m = this.train(t);
        if (!Number.isFinite(m.critic) || !Number.isFinite(m.actor)) {
          throw new TrainingDivergedError(this.spec.taskIndices[k]!, this.steps, 'SAC loss');
        }
        sums.actor += m.actor;
        sums.critic += m.critic;
        sums.alpha += Math.exp(t.logAlpha[0]!);
        sums.entropy += m.entropy;
      }
    }
    const n = this.tasks.length * this.config.gradientSteps;
    this.latest = {
      'losses/actor_loss': sums.actor / n,
      'losses/qf_loss': sums.critic / n,
      'losses/alpha': sums.alpha / n,
      'charts/entropy': sums.entropy / n,
    };
  }

  metrics(): Record<string, number> {
    return { ...this.latest };
  }

  /**
   * Squashed Gaussian draws for `x` `[B, obs]` through the actor (activations kept for `backward`): the action
   * tanh(u) in [−1, 1], its log-probability, and what the backward pass needs (ε, σ, the clamp mask).
   */
  private sample(t: TaskSac, x: Float32Array, B: number) {
    const A = this.actDim;
    const head = t.actor.forward(x, B);
    const action = new Float32Array(B * A);
    const logp = new Float64Array(B);
    const eps = new Float64Array(B * A);
    const std = new Float64Array(B * A);
    const clamped = new Uint8Array(B * A);
    for (let n = 0; n < B; n++) {
      let lp = 0;
      for (let j = 0; j < A; j++) {
        const mean = head[n * 2 * A + j]!;
        let ls = head[n * 2 * A + A + j]!;
        if (ls < LOG_STD_MIN || ls > LOG_STD_MAX) {
          ls = Math.min(LOG_STD_MAX, Math.max(LOG_STD_MIN, ls));
          clamped[n * A + j] = 1;
        }
        const sd = Math.exp(ls);
        const e = t.rng.normal();
        const a = Math.tanh(mean + sd * e);
        action[n * A + j] = a;
        eps[n * A + j] = e;
        std[n * A + j] = sd;
        // log N(u; μ, σ) − log(1 − tanh(u)² + 1e-6): SB3's squash correction.
        lp += -0.5 * e * e - ls - HALF_LOG_2PI - Math.log(1 - a * a + 1e-6);
      }
      logp[n] = lp;
    }
    return { action, logp, eps, std, clamped };
  }

  /** `[obs ‖ action]` rows for the critics. */
  private joined(obs: Float32Array, actions: Float32Array, B: number): Float32Array {
    const O = this.obsSize;
    const A = this.actDim;
    const x = new Float32Array(B * (O + A));
    for (let n = 0; n < B; n++) {
      x.set(obs.subarray(n * O, (n + 1) * O), n * (O + A));
      x.set(actions.subarray(n * A, (n + 1) * A), n * (O + A) + O);
    }
    return x;
  }

  // ALGO LOGIC: SB3 `SAC.train`, one gradient step: entropy coefficient, critics towards the soft Bellman
  // target of the target critics, actor through the updated critics, then Polyak.
  private train(t: TaskSac): { actor: number; critic: number; entropy: number } {
    const { batchSize: B, gamma, tau } = this.config;
    const O = this.obsSize;
    const A = this.actDim;
    const batch = t.buffer.sample(B, t.rng);
    const alpha = Math.exp(t.logAlpha[0]!);

    // Entropy coefficient: loss −log α · (log π(a|s) + target entropy), target −dim(A).
    const pi = this.sample(t, batch.obs, B);
    let gradLogAlpha = 0;
    let entropy = 0;
    for (let n = 0; n < B; n++) {
      gradLogAlpha -= (pi.logp[n]! - A) / B;
      entropy -= pi.logp[n]! / B;
    }
    adamUpdate(t.logAlpha, [gradLogAlpha], t.alphaM, t.alphaV, ++t.alphaSteps, this.adam);

    // Critic targets: y = r + γ(1 − d)(min_i Q'_i(s', a') − α log π(a'|s')), a' ~ π(s').
    // The actor's forward on s' overwrites its kept activations; its own backward below re-runs on s.
    const next = this.sample(t, batch.nextObs, B);
    const xNext = this.joined(batch.nextObs, next.action, B);
    const q1n = t.target[0].forward(xNext, B);
    const q2n = t.target[1].forward(xNext, B);
    const y = new Float64Array(B);
    for (let n = 0; n < B; n++) {
      const soft = Math.min(q1n[n]!, q2n[n]!) - alpha * next.logp[n]!;
      y[n] = batch.rewards[n]! + (batch.dones[n] ? 0 : gamma * soft);
    }
    // Critic loss ½ Σ_i MSE(Q_i(s, a), y).
    const x = this.joined(batch.obs, batch.actions, B);
    let criticLoss = 0;
    for (const q of t.q) {
      const out = q.forward(x, B);
      const d = new Float32Array(B);
      for (let n = 0; n < B; n++) {
        const err = out[n]! - y[n]!;
        criticLoss += (0.5 * err * err) / B;
        d[n] = err / B;
      }
      q.zeroGrad();
      q.backward(d);
      q.adamStep(this.adam);
    }

    // Actor loss mean(α log π(ã|s) − min_i Q_i(s, ã)), ã = tanh(μ + σ ε) with the draws of `pi`.
    const xa = this.joined(batch.obs, pi.action, B);
    const qa = t.q.map((q) => ({ q, out: Float32Array.from(q.forward(xa, B)) }));
    let actorLoss = 0;
    const dQ = new Float32Array(B * A); // ∂(−min Q)/∂ã
    for (const [i, { q, out }] of qa.entries()) {
      const d = new Float32Array(B);
      for (let n = 0; n < B; n++) {
        const other = qa[1 - i]!.out[n]!;
        // torch.min sends the gradient to the smaller one (the first on ties).
        if (out[n]! < other || (out[n]! === other && i === 0)) d[n] = -1 / B;
      }
      const dx = q.backward(d, false);
      for (let n = 0; n < B; n++) for (let j = 0; j < A; j++) dQ[n * A + j]! += dx[n * (O + A) + O + j]!;
    }
    for (let n = 0; n < B; n++) {
      actorLoss += (alpha * pi.logp[n]! - Math.min(qa[0]!.out[n]!, qa[1]!.out[n]!)) / B;
    }
    // Back through the squashed Gaussian to [mean ‖ log std].
    t.actor.forward(batch.obs, B);
    const dHead = new Float32Array(B * 2 * A);
    for (let n = 0; n < B; n++) {
      for (let j = 0; j < A; j++) {
        const i = n * A + j;
        const a = pi.action[i]!;
        const dadu = 1 - a * a;
        // ∂ log π / ∂u from the squash correction −log(1 − tanh(u)² + 1e-6).
        const dLogpDu = (2 * a * dadu) / (dadu + 1e-6);
        const dLdu = (alpha / B) * dLogpDu + dQ[i]! * dadu;
        dHead[n * 2 * A + j] = dLdu;
        // u = μ + σ ε: ∂u/∂ log σ = σ ε; the Gaussian term contributes −1 per dimension (∂(−log σ)/∂ log σ).
        const dLogStd = dLdu * pi.std[i]! * pi.eps[i]! - alpha / B;
        dHead[n * 2 * A + A + j] = pi.clamped[i] ? 0 : dLogStd;
      }
    }
    t.actor.zeroGrad();
    t.actor.backward(dHead);
    t.actor.adamStep(this.adam);

    for (let i = 0; i < 2; i++) t.target[i]!.blendFrom(t.q[i]!, tau);
    return { actor: actorLoss, critic: criticLoss, entropy };
  }
}
