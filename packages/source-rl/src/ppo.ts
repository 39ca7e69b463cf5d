// PPO (clipped surrogate) as Stable-Baselines3 2.3.2 runs it with `MlpPolicy`, the source algorithm of the
// DICP reference: separate 64-64 tanh policy and value networks, orthogonal init, one Adam (eps 1e-5) over all
// parameters, GAE, minibatch advantage normalisation, global gradient-norm clipping. What differs is only how
// it is batched: every task has its own weights, and all tasks x streams step and update in lockstep on
// WebAssembly SIMD kernels (see actor-critic.ts). Papers: Schulman et al. 2017 (arXiv 1707.06347); code read
// from SB3's ppo.py / on_policy_algorithm.py / buffers.py and CleanRL's ppo.py.

import {
  InvalidArgumentError,
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

/** PPO hyperparameters. Defaults are SB3's; `ppoPresetFor(envId)` gives the DICP reference's per-env values. */
export interface PpoConfig {
  /** Adam learning rate (constant). Default 3e-4. */
  readonly learningRate: number;
  /** Steps per env (stream) per rollout. Default 2048. */
  readonly nSteps: number;
  /** Minibatch size; must divide nSteps x streams (SB3 only warns and trains on a truncated batch). Default 64. */
  readonly batchSize: number;
  /** Passes over each rollout. Default 10. */
  readonly nEpochs: number;
  /** Discount factor. Default 0.99. */
  readonly gamma: number;
  /** GAE lambda. Default 0.95. */
  readonly gaeLambda: number;
  /** Surrogate clipping range epsilon (constant). Default 0.2. */
  readonly clipRange: number;
  /** Normalise advantages per minibatch ((A - mean) / (std + 1e-8)). Default true. */
  readonly normalizeAdvantage: boolean;
  /** Entropy coefficient in the loss. Default 0. */
  readonly entCoef: number;
  /** Value-loss coefficient. Default 0.5. */
  readonly vfCoef: number;
  /** Global gradient-norm clip. Default 0.5. */
  readonly maxGradNorm: number;
  /** Hidden layer sizes of the policy MLP (tanh). Default [64, 64]. */
  readonly policyHidden: readonly number[];
  /** Hidden layer sizes of the value MLP (tanh). Default [64, 64]. */
  readonly valueHidden: readonly number[];
  /** Initial log std of a Gaussian policy (continuous actions). Default 0. */
  readonly logStdInit: number;
  /** Adam epsilon (SB3 sets 1e-5; torch's default is 1e-8). Default 1e-5. */
  readonly adamEps: number;
  /**
   * Bootstrap truncated episodes from V(final obs) (SB3 with a Gymnasium env that reports truncation).
   * Default true. The DICP reference env reports terminated and truncated together, which makes SB3 skip
   * this bootstrap: set false to reproduce that.
   */
  readonly bootstrapTruncated: boolean;
  /**
   * Run each distinct observation of a minibatch through the networks once (exact up to float summation
   * order; 2-3x faster on gridworlds, where observations repeat). Default true.
   */
  readonly dedupeObservations: boolean;
}

/** SB3 2.3.2's PPO defaults (`PPO(...)` and `ActorCriticPolicy`), plus icrl's two engine switches. */
export const DEFAULT_PPO_CONFIG: PpoConfig = Object.freeze({
  learningRate: 3e-4,
  nSteps: 2048,
  batchSize: 64,
  nEpochs: 10,
  gamma: 0.99,
  gaeLambda: 0.95,
  clipRange: 0.2,
  normalizeAdvantage: true,
  entCoef: 0,
  vfCoef: 0.5,
  maxGradNorm: 0.5,
  policyHidden: Object.freeze([64, 64]),
  valueHidden: Object.freeze([64, 64]),
  logStdInit: 0,
  adamEps: 1e-5,
  bootstrapTruncated: true,
  dedupeObservations: true,
});

// dicp-spec §5.1: the reference's cfg/alg/ppo_*.yaml (everything else is SB3's default). Its gridworld envs
// report `terminated` together with `truncated` at the time limit, so SB3 never bootstraps there
// (`TimeLimit.truncated = truncated and not terminated`); Meta-World runs under Gymnasium's TimeLimit, which
// reports truncation alone, so SB3 bootstraps.
type PresetFields = 'nSteps' | 'batchSize' | 'nEpochs' | 'bootstrapTruncated';
const DICP_PPO_PRESETS: Readonly<Record<string, Pick<PpoConfig, PresetFields>>> = {
  darkroom: { nSteps: 20, batchSize: 50, nEpochs: 20, bootstrapTruncated: false },
  'dark-key-to-door': { nSteps: 50, batchSize: 100, nEpochs: 10, bootstrapTruncated: false },
  'darkroom-permuted': { nSteps: 50, batchSize: 50, nEpochs: 20, bootstrapTruncated: false },
  metaworld: { nSteps: 100, batchSize: 200, nEpochs: 20, bootstrapTruncated: true },
};

/** Env ids with a DICP PPO preset. */
export const PPO_PRESET_ENVS: readonly string[] = Object.freeze(Object.keys(DICP_PPO_PRESETS));

/**
 * The DICP reference's PPO settings for an env (n_steps / batch_size / n_epochs from its configs, everything
 * else SB3's default): darkroom 20/50/20, dark-key-to-door 50/100/10, darkroom-permuted 50/50/20,
 * metaworld 100/200/20. The reference ran 100 streams per task for 1,000 steps each (10,000 on Meta-World).
 * The gridworld presets set `bootstrapTruncated: false`, which is what SB3 did with the reference's envs (they
 * flag the time limit as terminal too).
 *
 * @example
 * const algorithm = ppo(ppoPresetFor('darkroom'));
 */
export function ppoPresetFor(envId: string): PpoConfig {
  const preset = DICP_PPO_PRESETS[envId];
  if (preset === undefined) {
    throw new InvalidArgumentError(
      'envId',
      envId,
      `one of ${PPO_PRESET_ENVS.map((e) => `"${e}"`).join(', ')}`,
    );
  }
  return { ...DEFAULT_PPO_CONFIG, ...preset };
}

/** Validates a partial PPO config and fills in the defaults; throws `InvalidArgumentError` naming the field. */
export function resolvePpoConfig(config: Partial<PpoConfig> = {}): PpoConfig {
  const c = requireObject('ppo', config);
  rejectUnknownKeys('ppo', c, Object.keys(DEFAULT_PPO_CONFIG));
  const v = { ...DEFAULT_PPO_CONFIG, ...c } as PpoConfig;
  const resolved: PpoConfig = {
    learningRate: requireNumber('ppo.learningRate', v.learningRate, { min: 0, exclusiveMin: true }),
    nSteps: requireInteger('ppo.nSteps', v.nSteps, { min: 1, max: 1 << 20 }),
    batchSize: requireInteger('ppo.batchSize', v.batchSize, {
      min: v.normalizeAdvantage === false ? 1 : 2,
      max: 1 << 24,
    }),
    nEpochs: requireInteger('ppo.nEpochs', v.nEpochs, { min: 1, max: 10000 }),
    gamma: requireNumber('ppo.gamma', v.gamma, { min: 0, max: 1 }),
    gaeLambda: requireNumber('ppo.gaeLambda', v.gaeLambda, { min: 0, max: 1 }),
    clipRange: requireNumber('ppo.clipRange', v.clipRange, { min: 0, exclusiveMin: true }),
    normalizeAdvantage: requireBoolean('ppo.normalizeAdvantage', v.normalizeAdvantage),
    entCoef: requireNumber('ppo.entCoef', v.entCoef, { min: 0 }),
    vfCoef: requireNumber('ppo.vfCoef', v.vfCoef, { min: 0 }),
    maxGradNorm: requireNumber('ppo.maxGradNorm', v.maxGradNorm, { min: 0, exclusiveMin: true }),
    policyHidden: requireLayerSizes('ppo.policyHidden', v.policyHidden),
    valueHidden: requireLayerSizes('ppo.valueHidden', v.valueHidden),
    logStdInit: requireNumber('ppo.logStdInit', v.logStdInit, { min: -20, max: 2 }),
    adamEps: requireNumber('ppo.adamEps', v.adamEps, { min: 0, exclusiveMin: true }),
    bootstrapTruncated: requireBoolean('ppo.bootstrapTruncated', v.bootstrapTruncated),
    dedupeObservations: requireBoolean('ppo.dedupeObservations', v.dedupeObservations),
  };
  return Object.freeze(resolved);
}

/**
 * PPO as a source algorithm: validates the config now (one `InvalidArgumentError` naming the field) and
 * the env's spaces and stream count in `check`, before anything runs.
 *
 * @example
 * const family = makeEnvFamily('darkroom');
 * await collect({ algorithm: ppo(ppoPresetFor('darkroom')), family, tasks: family.split().train,
 *   streams: 100, stepsPerStream: 1000, seed: 0, sink: new MemoryHistoryStore() });
 */
export function ppo(config: Partial<PpoConfig> = {}): SourceAlgorithm {
  const resolved = resolvePpoConfig(config);
  return {
    name: 'ppo',
    settings: resolved as unknown as JsonObject,
    needsOracle: false,
    check(observationSpace: Space, actionSpace: Space, streams: number): void {
      checkActorCriticSpaces('ppo', observationSpace, actionSpace);
      const rollout = resolved.nSteps * requireInteger('streams', streams, { min: 1 });
      if (resolved.batchSize > rollout || rollout % resolved.batchSize !== 0) {
        throw new InvalidArgumentError(
          'ppo.batchSize',
          resolved.batchSize,
          `a divisor of the rollout size nSteps x streams = ${resolved.nSteps} x ${streams} = ${rollout}`,
        );
      }
    },
    createLearner: (spec) => new PpoLearner(resolved, spec),
  };
}

/**
 * PPO learners for a group of tasks in lockstep (`BatchedLearner`): acts with each task's policy, and every
 * `nSteps` steps runs `nEpochs` passes of minibatch updates on each task's rollout.
 */
export class PpoLearner implements BatchedLearner {
  private readonly rollout: ActorCriticRollout;
  private updates = 0;
  private latest: Record<string, number> = {};
  private readonly perm: Int32Array;
  private readonly stamp: Int32Array;
  private readonly slotOf: Int32Array;
  private generation = 0;

  constructor(
    readonly config: PpoConfig,
    readonly spec: LearnerSpec,
  ) {
    this.rollout = new ActorCriticRollout(
      spec,
      config,
      { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: config.adamEps },
      config.batchSize,
      () => this.update(),
    );
    const rows = this.rollout.rows;
    this.perm = new Int32Array(rows);
    this.stamp = new Int32Array(rows);
    this.slotOf = new Int32Array(rows);
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

  // ALGO LOGIC: the PPO update (SB3 `PPO.train`), one task at a time: tasks share nothing, and running a
  // task's whole update before the next keeps its weights and optimizer state in cache.
  private update(): void {
    this.updates++;
    const ro = this.rollout;
    const { nets, arena, rows } = ro;
    const {
      batchSize: B,
      nEpochs,
      clipRange,
      entCoef,
      vfCoef,
      normalizeAdvantage,
      learningRate,
      maxGradNorm,
    } = this.config;
    const k32 = arena.k;
    const f64 = arena.f64;
    const head = ro.head;
    const sums = new Float64Array(6);
    let explained = 0;
    let minibatches = 0;
    for (let k = 0; k < ro.numTasks; k++) {
      explained += ro.explainedVariance(k);
      ro.dedupeRollout(k);
      const obsBase = ro.taskBase(ro.obs, k, ro.obsSize * 4);
      const actBase = ro.taskBase(ro.actions, k, head.kind === 'categorical' ? 4 : head.dim * 4);
      const logpBase = ro.taskBase(ro.logp, k, 8);
      const advBase = ro.taskBase(ro.advantages, k, 8);
      const retBase = ro.taskBase(ro.returns, k, 8);
      const shuffle = ro.taskRngs[k]!.shuffle;
      for (let epoch = 0; epoch < nEpochs; epoch++) {
        // A fresh random permutation of the rollout per epoch (SB3's RolloutBuffer.get).
        for (let i = 0; i < rows; i++) this.perm[i] = i;
        for (let i = rows - 1; i > 0; i--) {
          const j = shuffle.int(i + 1);
          const tmp = this.perm[i]!;
          this.perm[i] = this.perm[j]!;
          this.perm[j] = tmp;
        }
        for (let start = 0; start < rows; start += B) {
          const unique = this.composeMinibatch(start, B);
          k32.gatherRows(obsBase, ro.firsts, unique, (unique + 3) & ~3, nets.x, ro.obsSize);
          nets.forward(k, unique);
          const rowsPadded = (unique + 3) & ~3;
          if (head.kind === 'categorical') {
            k32.categoricalLoss(
              nets.policyOut,
              nets.policyOutStride,
              head.n,
              nets.valueOut,
              nets.valueOutStride,
              ro.mb,
              ro.slots,
              B,
              actBase,
              logpBase,
              advBase,
              retBase,
              nets.policyOutGrad,
              nets.valueOutGrad,
              rowsPadded,
              clipRange,
              entCoef,
              vfCoef,
              normalizeAdvantage ? 1 : 0,
              1,
              ro.stats,
            );
          } else {
            k32.gaussianLoss(
              nets.policyOut,
              nets.policyOutStride,
              head.dim,
              nets.logStdOf(k),
              nets.valueOut,
              nets.valueOutStride,
              ro.mb,
              ro.slots,
              B,
              actBase,
              logpBase,
              advBase,
              retBase,
              nets.policyOutGrad,
              nets.logStdGradOf(k),
              nets.valueOutGrad,
              rowsPadded,
              clipRange,
              entCoef,
              vfCoef,
              normalizeAdvantage ? 1 : 0,
              1,
              ro.stats,
            );
          }
          const stats = ro.stats >> 3;
          const loss = f64[stats + 5]!;
          if (!Number.isFinite(loss)) {
            throw new TrainingDivergedError(
              this.spec.taskIndices[k]!,
              this.updates,
              'loss',
              `epoch ${epoch + 1}, minibatch ${start / B + 1}`,
            );
          }
          nets.backward(k, unique);
          const norm = nets.step(k, learningRate, maxGradNorm);
          if (!Number.isFinite(norm)) {
            throw new TrainingDivergedError(
              this.spec.taskIndices[k]!,
              this.updates,
              'gradient norm',
              `epoch ${epoch + 1}, minibatch ${start / B + 1}`,
            );
          }
          for (let s = 0; s < 6; s++) sums[s]! += f64[stats + s]!;
          minibatches++;
        }
      }
    }
    // TRY NOT TO MODIFY: record the metrics (CleanRL names), averaged over tasks and minibatches.
    this.latest = {
      'losses/policy_loss': sums[0]! / minibatches,
      'losses/value_loss': sums[1]! / minibatches,
      'losses/entropy': sums[2]! / minibatches,
      'losses/approx_kl': sums[3]! / minibatches,
      'losses/clipfrac': sums[4]! / minibatches,
      'losses/loss': sums[5]! / minibatches,
      'losses/explained_variance': explained / ro.numTasks,
      'charts/learning_rate': learningRate,
      'charts/updates': this.updates,
    };
  }

  // Writes minibatch perm[start, start + B) into the kernel's scratch: the rollout row of each sample, its
  // slot among the minibatch's distinct observations, and the first row of each slot. Returns the slot count.
  private composeMinibatch(start: number, B: number): number {
    const ro = this.rollout;
    const i32 = ro.arena.i32;
    const mb = ro.mb >> 2;
    const slots = ro.slots >> 2;
    const firsts = ro.firsts >> 2;
    const gen = ++this.generation;
    const ids = ro.rolloutIds;
    let unique = 0;
    for (let b = 0; b < B; b++) {
      const row = this.perm[start + b]!;
      i32[mb + b] = row;
      const id = ids[row]!;
      if (this.stamp[id] !== gen) {
        this.stamp[id] = gen;
        this.slotOf[id] = unique;
        i32[firsts + unique] = row;
        unique++;
      }
      i32[slots + b] = this.slotOf[id]!;
    }
    return unique;
  }
}
