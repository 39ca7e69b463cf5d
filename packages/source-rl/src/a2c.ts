// A2C as Stable-Baselines3 2.3.2 runs it: the synchronous, deterministic variant of A3C (Mnih et al. 2016,
// arXiv 1602.01783) with SB3's defaults: 5-step rollouts, one gradient step per rollout on the whole batch,
// RMSprop (alpha 0.99, eps 1e-5), GAE lambda 1 (plain n-step returns), gradient-norm clip 0.5. Same networks,
// kernels and lockstep batching as PPO (actor-critic-rollout.ts); only the loss and the optimizer differ.

import {
  type JsonObject,
  rejectUnknownKeys,
  requireBoolean,
  requireInteger,
  requireNumber,
  requireObject,
  type Space,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import { ActorCriticRollout, checkActorCriticSpaces } from './actor-critic-rollout';
import type { BatchedLearner, LearnerSpec, SourceAlgorithm } from './algorithm';
import { TrainingDivergedError } from './errors/training-diverged-error';
import { requireLayerSizes } from './validate-config';

/** A2C hyperparameters; defaults are SB3's. */
export interface A2cConfig {
  /** Learning rate (constant). Default 7e-4. */
  readonly learningRate: number;
  /** Steps per env (stream) per rollout; one update per rollout. Default 5. */
  readonly nSteps: number;
  /** Discount factor. Default 0.99. */
  readonly gamma: number;
  /** GAE lambda (1: n-step returns). Default 1. */
  readonly gaeLambda: number;
  /** Entropy coefficient. Default 0. */
  readonly entCoef: number;
  /** Value-loss coefficient. Default 0.5. */
  readonly vfCoef: number;
  /** Global gradient-norm clip. Default 0.5. */
  readonly maxGradNorm: number;
  /** RMSprop (torch's, eps outside the sqrt) if true, else Adam (eps 1e-5). Default true. */
  readonly useRmsProp: boolean;
  /** RMSprop smoothing constant. Default 0.99. */
  readonly rmsPropAlpha: number;
  /** RMSprop epsilon. Default 1e-5. */
  readonly rmsPropEps: number;
  /** Normalise advantages over the batch. Default false. */
  readonly normalizeAdvantage: boolean;
  /** Hidden layer sizes of the policy MLP (tanh). Default [64, 64]. */
  readonly policyHidden: readonly number[];
  /** Hidden layer sizes of the value MLP (tanh). Default [64, 64]. */
  readonly valueHidden: readonly number[];
  /** Initial log std of a Gaussian policy. Default 0. */
  readonly logStdInit: number;
  /** Bootstrap truncated episodes from V(final obs) (see `PpoConfig.bootstrapTruncated`). Default true. */
  readonly bootstrapTruncated: boolean;
  /** One network pass per distinct observation (see `PpoConfig.dedupeObservations`). Default true. */
  readonly dedupeObservations: boolean;
}

/** SB3 2.3.2's A2C defaults. */
export const DEFAULT_A2C_CONFIG: A2cConfig = Object.freeze({
  learningRate: 7e-4,
  nSteps: 5,
  gamma: 0.99,
  gaeLambda: 1,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  useRmsProp: true,
  rmsPropAlpha: 0.99,
  rmsPropEps: 1e-5,
  normalizeAdvantage: false,
  policyHidden: Object.freeze([64, 64]),
  valueHidden: Object.freeze([64, 64]),
  logStdInit: 0,
  bootstrapTruncated: true,
  dedupeObservations: true,
});

/** Validates a partial A2C config and fills in the defaults; throws `InvalidArgumentError` naming the field. */
export function resolveA2cConfig(config: Partial<A2cConfig> = {}): A2cConfig {
  const c = requireObject('a2c', config);
  rejectUnknownKeys('a2c', c, Object.keys(DEFAULT_A2C_CONFIG));
  const v = { ...DEFAULT_A2C_CONFIG, ...c } as A2cConfig;
  return Object.freeze({
    learningRate: requireNumber('a2c.learningRate', v.learningRate, { min: 0, exclusiveMin: true }),
    nSteps: requireInteger('a2c.nSteps', v.nSteps, { min: 1, max: 1 << 16 }),
    gamma: requireNumber('a2c.gamma', v.gamma, { min: 0, max: 1 }),
    gaeLambda: requireNumber('a2c.gaeLambda', v.gaeLambda, { min: 0, max: 1 }),
    entCoef: requireNumber('a2c.entCoef', v.entCoef, { min: 0 }),
    vfCoef: requireNumber('a2c.vfCoef', v.vfCoef, { min: 0 }),
    maxGradNorm: requireNumber('a2c.maxGradNorm', v.maxGradNorm, { min: 0, exclusiveMin: true }),
    useRmsProp: requireBoolean('a2c.useRmsProp', v.useRmsProp),
    rmsPropAlpha: requireNumber('a2c.rmsPropAlpha', v.rmsPropAlpha, { min: 0, max: 1, exclusiveMax: true }),
    rmsPropEps: requireNumber('a2c.rmsPropEps', v.rmsPropEps, { min: 0, exclusiveMin: true }),
    normalizeAdvantage: requireBoolean('a2c.normalizeAdvantage', v.normalizeAdvantage),
    policyHidden: requireLayerSizes('a2c.policyHidden', v.policyHidden),
    valueHidden: requireLayerSizes('a2c.valueHidden', v.valueHidden),
    logStdInit: requireNumber('a2c.logStdInit', v.logStdInit, { min: -20, max: 2 }),
    bootstrapTruncated: requireBoolean('a2c.bootstrapTruncated', v.bootstrapTruncated),
    dedupeObservations: requireBoolean('a2c.dedupeObservations', v.dedupeObservations),
  });
}

/**
 * A2C as a source algorithm (config validated now, spaces in `check`).
 *
 * @example
 * await collect({ algorithm: a2c({ learningRate: 1e-3 }), family, tasks, streams: 16, stepsPerStream: 500, seed: 0, sink });
 */
export function a2c(config: Partial<A2cConfig> = {}): SourceAlgorithm {
  const resolved = resolveA2cConfig(config);
  return {
    name: 'a2c',
    settings: resolved as unknown as JsonObject,
    needsOracle: false,
    check(observationSpace: Space, actionSpace: Space, streams: number): void {
      checkActorCriticSpaces('a2c', observationSpace, actionSpace);
      requireInteger('streams', streams, { min: 1 });
    },
    createLearner: (spec) => new A2cLearner(resolved, spec),
  };
}

/** A2C learners for a group of tasks in lockstep: one full-batch gradient step per task and rollout. */
export class A2cLearner implements BatchedLearner {
  private readonly rollout: ActorCriticRollout;
  private updates = 0;
  private latest: Record<string, number> = {};
  private readonly slotOf: Int32Array;

  constructor(
    readonly config: A2cConfig,
    readonly spec: LearnerSpec,
  ) {
    const optimizer = config.useRmsProp
      ? ({ kind: 'rmsprop', alpha: config.rmsPropAlpha, eps: config.rmsPropEps } as const)
      : ({ kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-5 } as const);
    this.rollout = new ActorCriticRollout(spec, config, optimizer, config.nSteps * spec.streams, () =>
      this.update(),
    );
    this.slotOf = new Int32Array(this.rollout.rows);
  }

  act(obs: SpaceArray): SpaceArray {
    return this.rollout.act(obs);
  }

  observe(transition: VecTransition, last = false): void {
    this.rollout.observe(transition, last);
  }

  metrics(): Record<string, number> {
    return { ...this.latest };
  }

  // ALGO LOGIC: SB3 `A2C.train`: the policy-gradient loss -A log pi + vfCoef MSE - entCoef H on the whole
  // rollout, one optimizer step.
  private update(): void {
    this.updates++;
    const ro = this.rollout;
    const { nets, arena, rows } = ro;
    const k32 = arena.k;
    const i32 = arena.i32;
    const f64 = arena.f64;
    const head = ro.head;
    const { entCoef, vfCoef, normalizeAdvantage, learningRate, maxGradNorm } = this.config;
    const sums = new Float64Array(6);
    let explained = 0;
    for (let k = 0; k < ro.numTasks; k++) {
      explained += ro.explainedVariance(k);
      ro.dedupeRollout(k);
      // The whole rollout is one batch, deduplicated the same way as PPO's minibatches.
      const mb = ro.mb >> 2;
      const slots = ro.slots >> 2;
      const firsts = ro.firsts >> 2;
      const slotOf = this.slotOf.fill(-1);
      let unique = 0;
      for (let row = 0; row < rows; row++) {
        i32[mb + row] = row;
        const id = ro.rolloutIds[row]!;
        if (slotOf[id] === -1) {
          slotOf[id] = unique;
          i32[firsts + unique++] = row;
        }
        i32[slots + row] = slotOf[id]!;
      }
      const obsBase = ro.taskBase(ro.obs, k, ro.obsSize * 4);
      k32.gatherRows(obsBase, ro.firsts, unique, (unique + 3) & ~3, nets.x, ro.obsSize);
      nets.forward(k, unique);
      const args = [
        ro.mb,
        ro.slots,
        rows,
        ro.taskBase(ro.actions, k, head.kind === 'categorical' ? 4 : head.dim * 4),
        ro.taskBase(ro.logp, k, 8),
        ro.taskBase(ro.advantages, k, 8),
        ro.taskBase(ro.returns, k, 8),
      ];
      const tail = [(unique + 3) & ~3, 0.2, entCoef, vfCoef, normalizeAdvantage ? 1 : 0, 0, ro.stats];
      if (head.kind === 'categorical') {
        k32.categoricalLoss(
          nets.policyOut,
          nets.policyOutStride,
          head.n,
          nets.valueOut,
          nets.valueOutStride,
          ...args,
          nets.policyOutGrad,
          nets.valueOutGrad,
          ...tail,
        );
      } else {
        k32.gaussianLoss(
          nets.policyOut,
          nets.policyOutStride,
          head.dim,
          nets.logStdOf(k),
          nets.valueOut,
          nets.valueOutStride,
          ...args,
          nets.policyOutGrad,
          nets.logStdGradOf(k),
          nets.valueOutGrad,
          ...tail,
        );
      }
      const stats = ro.stats >> 3;
      if (!Number.isFinite(f64[stats + 5]!)) {
        throw new TrainingDivergedError(this.spec.taskIndices[k]!, this.updates, 'loss');
      }
      nets.backward(k, unique);
      if (!Number.isFinite(nets.step(k, learningRate, maxGradNorm))) {
        throw new TrainingDivergedError(this.spec.taskIndices[k]!, this.updates, 'gradient norm');
      }
      for (let s = 0; s < 6; s++) sums[s]! += f64[stats + s]!;
    }
    // TRY NOT TO MODIFY: record the metrics (CleanRL names), averaged over tasks.
    const n = ro.numTasks;
    this.latest = {
      'losses/policy_loss': sums[0]! / n,
      'losses/value_loss': sums[1]! / n,
      'losses/entropy': sums[2]! / n,
      'losses/loss': sums[5]! / n,
      'losses/explained_variance': explained / n,
      'charts/learning_rate': learningRate,
      'charts/updates': this.updates,
    };
  }
}
