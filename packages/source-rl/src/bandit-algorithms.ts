// Bandit source algorithms: UCB1 (Auer, Cesa-Bianchi & Fischer 2002) and Thompson sampling with Beta-Bernoulli
// posteriors (Thompson 1933; Agrawal & Goyal 2012). AD distils UCB histories on its bandit tasks. Both ignore
// observations, so they only accept envs whose observation never changes (a bandit's dummy state).

import {
  InvalidArgumentError,
  type JsonObject,
  Rng,
  rejectUnknownKeys,
  requireBoolean,
  requireInteger,
  requireNumber,
  requireObject,
  type Space,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import type { BatchedLearner, LearnerSpec, SourceAlgorithm } from './algorithm';
import { isConstantSpace } from './observation-index';
import { requireDiscreteActions } from './tabular-q';

function checkBanditSpaces(algorithm: string, observationSpace: Space, actionSpace: Space): number {
  if (!isConstantSpace(observationSpace)) {
    throw new InvalidArgumentError(
      `${algorithm}: observationSpace`,
      observationSpace,
      'a constant observation (a bandit; this algorithm ignores observations, so it cannot learn a gridworld)',
    );
  }
  return requireDiscreteActions(algorithm, actionSpace);
}

/** Options both bandit algorithms share. */
interface BanditStatsOptions {
  /**
   * One set of arm statistics per stream (each stream an independent bandit run, the histories AD distils)
   * instead of one per task shared by its streams. Default true.
   */
  readonly independentStreams: boolean;
}

/** Per-arm pull counts and reward sums for every learner of a group (per stream or per task). */
class ArmStats {
  readonly pulls: Float64Array;
  readonly sums: Float64Array;
  readonly totals: Float64Array;
  readonly rngs: Rng[];

  constructor(
    readonly spec: LearnerSpec,
    readonly arms: number,
    readonly independent: boolean,
  ) {
    const learners = spec.taskSeeds.length * (independent ? spec.streams : 1);
    this.pulls = new Float64Array(learners * arms);
    this.sums = new Float64Array(learners * arms);
    this.totals = new Float64Array(learners);
    this.rngs = spec.taskSeeds.map((seed) => new Rng(seed).fork(1));
  }

  learner(env: number): number {
    return this.independent ? env : Math.floor(env / this.spec.streams);
  }

  rng(env: number): Rng {
    return this.rngs[Math.floor(env / this.spec.streams)]!;
  }

  record(tr: VecTransition): void {
    for (let i = 0; i < tr.rewards.length; i++) {
      const l = this.learner(i);
      const at = l * this.arms + (tr.actions[i] as number);
      this.pulls[at]! += 1;
      this.sums[at]! += tr.rewards[i]!;
      this.totals[l]! += 1;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// UCB1

/** UCB1 hyperparameters. */
export interface Ucb1Config extends BanditStatsOptions {
  /** c in mean + c * sqrt(ln t / n): sqrt(2) is Auer et al.'s UCB1. Default sqrt(2). */
  readonly explorationCoef: number;
}

/** Defaults of `ucb1()`. */
export const DEFAULT_UCB1_CONFIG: Ucb1Config = Object.freeze({
  explorationCoef: Math.SQRT2,
  independentStreams: true,
});

/**
 * UCB1 as a source algorithm for bandits: pull every arm once (in index order), then the arm maximising
 * mean + c sqrt(ln t / n_a) (lowest index on ties). Statistics persist across episodes.
 *
 * @example
 * await collect({ algorithm: ucb1(), family: bernoulliBandit(), tasks, streams: 10, stepsPerStream: 500, seed: 0, sink });
 */
export function ucb1(config: Partial<Ucb1Config> = {}): SourceAlgorithm {
  const c = requireObject('ucb1', config);
  rejectUnknownKeys('ucb1', c, Object.keys(DEFAULT_UCB1_CONFIG));
  const v = { ...DEFAULT_UCB1_CONFIG, ...c } as Ucb1Config;
  const resolved: Ucb1Config = Object.freeze({
    explorationCoef: requireNumber('ucb1.explorationCoef', v.explorationCoef, { min: 0 }),
    independentStreams: requireBoolean('ucb1.independentStreams', v.independentStreams),
  });
  return {
    name: 'ucb1',
    settings: resolved as unknown as JsonObject,
    needsOracle: false,
    check(observationSpace: Space, actionSpace: Space, streams: number): void {
      checkBanditSpaces('ucb1', observationSpace, actionSpace);
      requireInteger('streams', streams, { min: 1 });
    },
    createLearner: (spec) => new Ucb1Learner(resolved, spec),
  };
}

/** UCB1 learners of a group in lockstep. */
export class Ucb1Learner implements BatchedLearner {
  private readonly stats: ArmStats;
  private readonly actions: Int32Array;

  constructor(
    readonly config: Ucb1Config,
    readonly spec: LearnerSpec,
  ) {
    const arms = checkBanditSpaces('ucb1', spec.observationSpace, spec.actionSpace);
    this.stats = new ArmStats(spec, arms, config.independentStreams);
    this.actions = new Int32Array(spec.taskSeeds.length * spec.streams);
  }

  act(_obs: SpaceArray): SpaceArray {
    const { pulls, sums, totals, arms } = this.stats;
    const c = this.config.explorationCoef;
    for (let i = 0; i < this.actions.length; i++) {
      const l = this.stats.learner(i);
      const row = l * arms;
      const logT = Math.log(Math.max(totals[l]!, 1));
      let best = -1;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (let a = 0; a < arms; a++) {
        const n = pulls[row + a]!;
        if (n === 0) {
          best = a; // every arm once first
          break;
        }
        const score = sums[row + a]! / n + c * Math.sqrt(logT / n);
        if (score > bestScore) {
          bestScore = score;
          best = a;
        }
      }
      this.actions[i] = best;
    }
    return this.actions;
  }

  observe(tr: VecTransition): void {
    this.stats.record(tr);
  }

  metrics(): Record<string, number> {
    return {};
  }
}

// ---------------------------------------------------------------------------------------------------------
// Thompson sampling

/** Thompson-sampling hyperparameters. */
export interface ThompsonConfig extends BanditStatsOptions {
  /** Beta prior alpha of every arm. Default 1 (uniform prior). */
  readonly priorAlpha: number;
  /** Beta prior beta of every arm. Default 1. */
  readonly priorBeta: number;
}

/** Defaults of `thompsonSampling()`. */
export const DEFAULT_THOMPSON_CONFIG: ThompsonConfig = Object.freeze({
  priorAlpha: 1,
  priorBeta: 1,
  independentStreams: true,
});

/**
 * Thompson sampling with Beta-Bernoulli posteriors: draw theta_a ~ Beta(alpha_a, beta_a) for every arm, pull
 * the argmax, then alpha += r and beta += 1 - r. Rewards must lie in [0, 1]; fractional rewards (a bandit
 * in `mean` mode) update the posterior fractionally. Statistics persist across episodes.
 *
 * @example
 * await collect({ algorithm: thompsonSampling(), family: bernoulliBandit(), tasks, streams: 10, stepsPerStream: 500, seed: 0, sink });
 */
export function thompsonSampling(config: Partial<ThompsonConfig> = {}): SourceAlgorithm {
  const c = requireObject('thompson', config);
  rejectUnknownKeys('thompson', c, Object.keys(DEFAULT_THOMPSON_CONFIG));
  const v = { ...DEFAULT_THOMPSON_CONFIG, ...c } as ThompsonConfig;
  // Marsaglia-Tsang sampling below needs shapes >= 1; posteriors only grow from the prior.
  const resolved: ThompsonConfig = Object.freeze({
    priorAlpha: requireNumber('thompson.priorAlpha', v.priorAlpha, { min: 1, max: 1e6 }),
    priorBeta: requireNumber('thompson.priorBeta', v.priorBeta, { min: 1, max: 1e6 }),
    independentStreams: requireBoolean('thompson.independentStreams', v.independentStreams),
  });
  return {
    name: 'thompson',
    settings: resolved as unknown as JsonObject,
    needsOracle: false,
    check(observationSpace: Space, actionSpace: Space, streams: number): void {
      checkBanditSpaces('thompson', observationSpace, actionSpace);
      requireInteger('streams', streams, { min: 1 });
    },
    createLearner: (spec) => new ThompsonLearner(resolved, spec),
  };
}

/** A Gamma(shape, 1) deviate for shape >= 1 (Marsaglia & Tsang 2000). */
export function sampleGamma(shape: number, rng: Rng): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const t = 1 + c * x;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = rng.float();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Beta(a, b) deviate for a, b >= 1, as Gamma(a) / (Gamma(a) + Gamma(b)). */
export function sampleBeta(a: number, b: number, rng: Rng): number {
  const x = sampleGamma(a, rng);
  const y = sampleGamma(b, rng);
  return x / (x + y);
}

/** Thompson-sampling learners of a group in lockstep. */
export class ThompsonLearner implements BatchedLearner {
  private readonly stats: ArmStats;
  private readonly actions: Int32Array;

  constructor(
    readonly config: ThompsonConfig,
    readonly spec: LearnerSpec,
  ) {
    const arms = checkBanditSpaces('thompson', spec.observationSpace, spec.actionSpace);
    this.stats = new ArmStats(spec, arms, config.independentStreams);
    this.actions = new Int32Array(spec.taskSeeds.length * spec.streams);
  }

  act(_obs: SpaceArray): SpaceArray {
    const { pulls, sums, arms } = this.stats;
    const { priorAlpha, priorBeta } = this.config;
    for (let i = 0; i < this.actions.length; i++) {
      const row = this.stats.learner(i) * arms;
      const rng = this.stats.rng(i);
      let best = 0;
      let bestTheta = Number.NEGATIVE_INFINITY;
      for (let a = 0; a < arms; a++) {
        const s = sums[row + a]!;
        const theta = sampleBeta(priorAlpha + s, priorBeta + pulls[row + a]! - s, rng);
        if (theta > bestTheta) {
          bestTheta = theta;
          best = a;
        }
      }
      this.actions[i] = best;
    }
    return this.actions;
  }

  observe(tr: VecTransition): void {
    for (let i = 0; i < tr.rewards.length; i++) {
      const r = tr.rewards[i]!;
      if (!(r >= 0 && r <= 1)) {
        throw new InvalidArgumentError(
          `rewards[${i}]`,
          r,
          'a reward in [0, 1] (Beta-Bernoulli Thompson sampling)',
        );
      }
    }
    this.stats.record(tr);
  }

  metrics(): Record<string, number> {
    return {};
  }
}
