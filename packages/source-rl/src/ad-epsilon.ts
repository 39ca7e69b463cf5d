// AD-epsilon (Zisman et al., "Emergence of In-Context RL from Noise Distillation", ICML 2024): synthetic
// learning histories from the oracle policy with epsilon-greedy noise that shrinks as the "learner" improves.
// Schedule as the reference's generate_trajectories.py: epsilon starts at 1 and drops by 1 / (0.9 T) after
// every step (T = steps per stream), floored at 1 - maxPerf. With maxPerf = 1 that is the paper's "linear from
// 1 to 1 - max_perf over the first 90% of episodes, then constant"; with maxPerf < 1 the floor is reached
// earlier, at 0.9 maxPerf T, as in the code.
// Continuous actions (Meta-World) use the same schedule over whole action vectors: with probability epsilon a
// uniform draw from the Box, else the scripted expert's action clipped to the Box. The paper defines the
// curriculum for discrete actions; this is its direct extension, not a setting of the reference.

import {
  type BoxSpace,
  boxBounds,
  InvalidArgumentError,
  type JsonObject,
  Rng,
  rejectUnknownKeys,
  requireInteger,
  requireNumber,
  requireObject,
  type Space,
  type SpaceArray,
} from '@icrl/core';
import type { BatchedLearner, LearnerSpec, SourceAlgorithm } from './algorithm';
import { requireDiscreteActions } from './tabular-q';

/** AD-epsilon settings. */
export interface AdEpsilonConfig {
  /** Best performance the curriculum reaches: epsilon ends at 1 - maxPerf. Default 1. */
  readonly maxPerf: number;
  /** Fraction of the run over which epsilon decays (at slope 1 / (fraction x totalSteps)). Default 0.9. */
  readonly decayFraction: number;
  /** Steps per stream of the run; `collect` fills it in from `stepsPerStream` when absent. */
  readonly totalSteps?: number;
}

/** Defaults of `adEpsilon()`. */
export const DEFAULT_AD_EPSILON_CONFIG: AdEpsilonConfig = Object.freeze({ maxPerf: 1, decayFraction: 0.9 });

/**
 * The AD-epsilon noise curriculum as a source algorithm: with probability epsilon a uniform action, else the
 * env's oracle action (`VecEnv.optimalActions()`, so the env must have one). Discrete actions, or a float Box
 * with finite bounds (the oracle then is a scripted expert, e.g. Meta-World's, whose actions are clipped).
 *
 * @example
 * await collect({ algorithm: adEpsilon({ maxPerf: 0.9 }), family: makeEnvFamily('darkroom'), tasks, streams: 10, stepsPerStream: 1000, seed: 0, sink });
 */
export function adEpsilon(config: Partial<AdEpsilonConfig> = {}): SourceAlgorithm {
  const c = requireObject('adEpsilon', config);
  rejectUnknownKeys('adEpsilon', c, ['maxPerf', 'decayFraction', 'totalSteps']);
  const v = { ...DEFAULT_AD_EPSILON_CONFIG, ...c } as AdEpsilonConfig;
  const resolved: AdEpsilonConfig = Object.freeze({
    maxPerf: requireNumber('adEpsilon.maxPerf', v.maxPerf, { min: 0, max: 1 }),
    decayFraction: requireNumber('adEpsilon.decayFraction', v.decayFraction, {
      min: 0,
      max: 1,
      exclusiveMin: true,
    }),
    ...(v.totalSteps === undefined
      ? {}
      : { totalSteps: requireInteger('adEpsilon.totalSteps', v.totalSteps, { min: 1 }) }),
  });
  return {
    name: 'ad-epsilon',
    settings: resolved as unknown as JsonObject,
    needsOracle: true,
    check(_observationSpace: Space, actionSpace: Space, streams: number): void {
      if (actionSpace.kind === 'box') requireBoundedBox(actionSpace);
      else requireDiscreteActions('ad-epsilon', actionSpace);
      requireInteger('streams', streams, { min: 1 });
    },
    createLearner: (spec) => new AdEpsilonLearner(resolved, spec),
  };
}

/** A float Box with finite bounds, low < high in every dimension: what uniform exploration can sample. */
function requireBoundedBox(space: BoxSpace): { low: Float64Array; high: Float64Array } {
  const bounds = boxBounds(space);
  const ok =
    space.dtype === 'float32' &&
    bounds.low.every(
      (lo, j) => Number.isFinite(lo) && Number.isFinite(bounds.high[j]!) && lo < bounds.high[j]!,
    );
  if (!ok) {
    throw new InvalidArgumentError(
      'ad-epsilon: actionSpace',
      space,
      'a Discrete action space or a float32 Box with finite bounds, low < high',
    );
  }
  return bounds;
}

/** AD-epsilon "learners" of a group in lockstep (they learn nothing: the schedule is the curriculum). */
export class AdEpsilonLearner implements BatchedLearner {
  /** Discrete: the number of actions; Box: null (see `box`). */
  private readonly nA: number | null;
  /** Box: its bounds and flat size. */
  private readonly box: { low: Float64Array; high: Float64Array; size: number } | null;
  private readonly rngs: Rng[];
  private readonly actions: SpaceArray;
  private readonly slope: number;
  private eps = 1;

  constructor(
    readonly config: AdEpsilonConfig,
    readonly spec: LearnerSpec,
  ) {
    const as = spec.actionSpace;
    this.nA = as.kind === 'box' ? null : requireDiscreteActions('ad-epsilon', as);
    const bounds = as.kind === 'box' ? requireBoundedBox(as) : null;
    this.box = bounds && { ...bounds, size: bounds.low.length };
    const total = config.totalSteps ?? spec.totalSteps;
    if (total === undefined) {
      throw new InvalidArgumentError(
        'adEpsilon.totalSteps',
        total,
        'the steps per stream of the run (collect() fills it in)',
      );
    }
    this.slope = 1 / (config.decayFraction * total);
    this.rngs = spec.taskSeeds.map((seed) => new Rng(seed).fork(1));
    const n = spec.taskSeeds.length * spec.streams;
    this.actions = this.box === null ? new Int32Array(n) : new Float32Array(n * this.box.size);
  }

  /** The current exploration rate. */
  get epsilon(): number {
    return this.eps;
  }

  act(_obs: SpaceArray, optimalActions: SpaceArray | null): SpaceArray {
    if (optimalActions === null) {
      throw new InvalidArgumentError(
        'optimalActions',
        optimalActions,
        "the env's oracle actions (VecEnv.optimalActions())",
      );
    }
    const S = this.spec.streams;
    const n = this.spec.taskSeeds.length * S;
    const box = this.box;
    for (let i = 0; i < n; i++) {
      const rng = this.rngs[Math.floor(i / S)]!;
      const explore = rng.float() < this.eps;
      if (box === null) {
        this.actions[i] = explore ? rng.int(this.nA!) : optimalActions[i]!;
        continue;
      }
      const { low, high, size } = box;
      for (let j = 0; j < size; j++) {
        const at = i * size + j;
        this.actions[at] = explore
          ? low[j]! + rng.float() * (high[j]! - low[j]!)
          : Math.min(high[j]!, Math.max(low[j]!, optimalActions[at]!));
      }
    }
    return this.actions;
  }

  observe(): void {
    this.eps = Math.max(1 - this.config.maxPerf, this.eps - this.slope);
  }

  metrics(): Record<string, number> {
    return { 'charts/epsilon': this.eps };
  }
}
