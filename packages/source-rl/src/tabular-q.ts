// Tabular Q-learning with epsilon-greedy exploration (Watkins 1989; Sutton & Barto §6.5) for finite
// observation spaces: Q(s, a) += alpha (r + gamma max_a' Q(s', a') - Q(s, a)).

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
import { ObservationIndex } from './observation-index';

/** Tabular Q-learning hyperparameters. */
export interface TabularQConfig {
  /** Step size alpha. Default 0.1. */
  readonly learningRate: number;
  /** Discount factor. Default 0.99. */
  readonly gamma: number;
  /** Exploration rate at the first step. Default 1. */
  readonly epsilonStart: number;
  /** Exploration rate after the decay. Default 0.01. */
  readonly epsilonEnd: number;
  /** Steps per stream over which epsilon decays linearly from start to end. Default 500. */
  readonly epsilonDecaySteps: number;
  /** Initial Q value of every state-action pair. Default 0. */
  readonly initialQ: number;
  /**
   * One Q table per stream (each stream an independent learner) instead of one per task shared by its
   * streams (many actors, one learner, like PPO's streams). Default false.
   */
  readonly independentStreams: boolean;
  /** Bootstrap from max Q(final obs) when an episode is truncated (the time limit is not terminal). Default true. */
  readonly bootstrapTruncated: boolean;
}

/** Defaults of `tabularQ()`. */
export const DEFAULT_TABULAR_Q_CONFIG: TabularQConfig = Object.freeze({
  learningRate: 0.1,
  gamma: 0.99,
  epsilonStart: 1,
  epsilonEnd: 0.01,
  epsilonDecaySteps: 500,
  initialQ: 0,
  independentStreams: false,
  bootstrapTruncated: true,
});

/** Validates a partial config and fills in the defaults; throws `InvalidArgumentError` naming the field. */
export function resolveTabularQConfig(config: Partial<TabularQConfig> = {}): TabularQConfig {
  const c = requireObject('tabularQ', config);
  rejectUnknownKeys('tabularQ', c, Object.keys(DEFAULT_TABULAR_Q_CONFIG));
  const v = { ...DEFAULT_TABULAR_Q_CONFIG, ...c } as TabularQConfig;
  return Object.freeze({
    learningRate: requireNumber('tabularQ.learningRate', v.learningRate, {
      min: 0,
      max: 1,
      exclusiveMin: true,
    }),
    gamma: requireNumber('tabularQ.gamma', v.gamma, { min: 0, max: 1 }),
    epsilonStart: requireNumber('tabularQ.epsilonStart', v.epsilonStart, { min: 0, max: 1 }),
    epsilonEnd: requireNumber('tabularQ.epsilonEnd', v.epsilonEnd, { min: 0, max: 1 }),
    epsilonDecaySteps: requireInteger('tabularQ.epsilonDecaySteps', v.epsilonDecaySteps, { min: 0 }),
    initialQ: requireNumber('tabularQ.initialQ', v.initialQ),
    independentStreams: requireBoolean('tabularQ.independentStreams', v.independentStreams),
    bootstrapTruncated: requireBoolean('tabularQ.bootstrapTruncated', v.bootstrapTruncated),
  });
}

/** Discrete actions only: a tabular method has one column per action. */
export function requireDiscreteActions(algorithm: string, actionSpace: Space): number {
  if (actionSpace.kind !== 'discrete') {
    throw new InvalidArgumentError(`${algorithm}: actionSpace`, actionSpace, 'a Discrete action space');
  }
  return actionSpace.n;
}

/**
 * Tabular Q-learning as a source algorithm, for envs with finitely many observations (Discrete, or an int32
 * Box with finite bounds such as Darkroom's (x, y)) and Discrete actions.
 *
 * @example
 * await collect({ algorithm: tabularQ({ epsilonDecaySteps: 300 }), family, tasks, streams: 10, stepsPerStream: 1000, seed: 0, sink });
 */
export function tabularQ(config: Partial<TabularQConfig> = {}): SourceAlgorithm {
  const resolved = resolveTabularQConfig(config);
  return {
    name: 'tabular-q',
    settings: resolved as unknown as JsonObject,
    needsOracle: false,
    check(observationSpace: Space, actionSpace: Space, streams: number): void {
      ObservationIndex.for('tabular-q', observationSpace);
      requireDiscreteActions('tabular-q', actionSpace);
      requireInteger('streams', streams, { min: 1 });
    },
    createLearner: (spec) => new TabularQLearner(resolved, spec),
  };
}

/** Q tables for a group of tasks in lockstep; streams update their table in stream order. */
export class TabularQLearner implements BatchedLearner {
  private readonly index: ObservationIndex;
  private readonly nA: number;
  /** [table][state * nA + action], table = task (shared) or task * streams + stream (independent). */
  private readonly q: Float64Array;
  private readonly rngs: Rng[];
  private readonly actions: Int32Array;
  private readonly states: Int32Array;
  private readonly ties: Int32Array;
  private steps = 0;
  private tdSum = 0;
  private tdCount = 0;

  constructor(
    readonly config: TabularQConfig,
    readonly spec: LearnerSpec,
  ) {
    this.index = ObservationIndex.for('tabular-q', spec.observationSpace);
    this.nA = requireDiscreteActions('tabular-q', spec.actionSpace);
    const tables = spec.taskSeeds.length * (config.independentStreams ? spec.streams : 1);
    this.q = new Float64Array(tables * this.index.size * this.nA).fill(config.initialQ);
    this.rngs = spec.taskSeeds.map((seed) => new Rng(seed).fork(1));
    const n = spec.taskSeeds.length * spec.streams;
    this.actions = new Int32Array(n);
    this.states = new Int32Array(n);
    this.ties = new Int32Array(this.nA);
  }

  /** Exploration rate at the current step (linear decay, then constant). */
  get epsilon(): number {
    const { epsilonStart, epsilonEnd, epsilonDecaySteps } = this.config;
    if (this.steps >= epsilonDecaySteps) return epsilonEnd;
    return epsilonStart + (epsilonEnd - epsilonStart) * (this.steps / epsilonDecaySteps);
  }

  private table(env: number): number {
    const S = this.spec.streams;
    const t = this.config.independentStreams ? env : Math.floor(env / S);
    return t * this.index.size * this.nA;
  }

  act(obs: SpaceArray): SpaceArray {
    const eps = this.epsilon;
    const S = this.spec.streams;
    for (let i = 0; i < this.actions.length; i++) {
      const rng = this.rngs[Math.floor(i / S)]!;
      const state = this.index.of(obs, i);
      this.states[i] = state;
      // epsilon-greedy: a uniform action with probability epsilon, else greedy with random tie-breaking.
      this.actions[i] =
        rng.float() < eps ? rng.int(this.nA) : this.greedy(this.table(i) + state * this.nA, rng);
    }
    return this.actions;
  }

  private greedy(row: number, rng: Rng): number {
    let best = Number.NEGATIVE_INFINITY;
    let count = 0;
    for (let a = 0; a < this.nA; a++) {
      const v = this.q[row + a]!;
      if (v > best) {
        best = v;
        count = 0;
      }
      if (v === best) this.ties[count++] = a;
    }
    return count === 1 ? this.ties[0]! : this.ties[rng.int(count)]!;
  }

  observe(tr: VecTransition): void {
    const { learningRate: alpha, gamma, bootstrapTruncated } = this.config;
    const nA = this.nA;
    for (let i = 0; i < this.actions.length; i++) {
      const table = this.table(i);
      const at = table + this.states[i]! * nA + (tr.actions[i] as number);
      let target = tr.rewards[i]!;
      const terminal = tr.terminated[i] === 1 || (tr.truncated[i] === 1 && !bootstrapTruncated);
      if (!terminal) {
        const next = table + this.index.of(tr.nextObs, i) * nA;
        let max = this.q[next]!;
        for (let a = 1; a < nA; a++) max = Math.max(max, this.q[next + a]!);
        target += gamma * max;
      }
      const td = target - this.q[at]!;
      this.q[at]! += alpha * td;
      this.tdSum += Math.abs(td);
      this.tdCount++;
    }
    this.steps++;
  }

  metrics(): Record<string, number> {
    const m = {
      'losses/td_error': this.tdCount ? this.tdSum / this.tdCount : 0,
      'charts/epsilon': this.epsilon,
    };
    this.tdSum = 0;
    this.tdCount = 0;
    return m;
  }
}
