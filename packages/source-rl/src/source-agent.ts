import {
  type InContextAgent,
  InvalidArgumentError,
  requireInteger,
  requireSeed,
  type SpaceArray,
  type VecEnv,
  type VecTransition,
} from '@icrl/core';
import type { BatchedLearner, SourceAlgorithm } from './algorithm';

/** Options of `SourceAgent`. */
export interface SourceAgentOptions {
  /** Consecutive envs sharing one learner (DICP's source: 100 streams per task). Default 1. */
  readonly streams?: number;
  /** Steps per stream the agent will play (AD-ε's schedule needs it). */
  readonly totalSteps?: number;
}

/**
 * A source algorithm as an `InContextAgent`, so an evaluator can score it the way it scores AD (the AD paper's
 * data-efficiency comparison): `reset` starts fresh learners, `act` samples from them, `observe` feeds them
 * (PPO/A2C update inside `observe` when a rollout is full). Envs `[j * streams, (j + 1) * streams)` share
 * learner j, seeded `seed + j`; like any in-context agent it is never told the task.
 *
 * @example
 * const env = family.make(family.split().test, { envsPerTask: 1, autoReset: 'same-step' });
 * const { returns } = await rollout(env, new SourceAgent(ppo(ppoPresetFor('darkroom')), env), { episodes: 5 });
 */
export class SourceAgent implements InContextAgent {
  readonly name: string;
  private learner: BatchedLearner | null = null;
  private readonly streams: number;
  private readonly totalSteps: number | undefined;

  constructor(
    readonly algorithm: SourceAlgorithm,
    private readonly env: VecEnv,
    options: SourceAgentOptions = {},
  ) {
    this.name = algorithm.name;
    this.streams = requireInteger('options.streams', options.streams ?? 1, { min: 1 });
    this.totalSteps =
      options.totalSteps === undefined
        ? undefined
        : requireInteger('options.totalSteps', options.totalSteps, { min: 1 });
    algorithm.check(env.observationSpace, env.actionSpace, this.streams);
    if (algorithm.needsOracle && typeof env.optimalActions !== 'function') {
      throw new InvalidArgumentError(
        'env',
        env.constructor?.name ?? env,
        `a VecEnv with optimalActions() ("${algorithm.name}" follows the oracle)`,
      );
    }
  }

  reset(numEnvs: number, options?: { seed?: number }): void {
    requireInteger('numEnvs', numEnvs, { min: 1 });
    if (numEnvs % this.streams !== 0) {
      throw new InvalidArgumentError('numEnvs', numEnvs, `a multiple of streams = ${this.streams}`);
    }
    const seed = requireSeed('seed', options?.seed ?? 0);
    const learners = numEnvs / this.streams;
    this.learner = this.algorithm.createLearner({
      observationSpace: this.env.observationSpace,
      actionSpace: this.env.actionSpace,
      streams: this.streams,
      taskIndices: Array.from({ length: learners }, (_, j) => j),
      taskSeeds: Array.from({ length: learners }, (_, j) => seed + j),
      horizon: this.env.horizon,
      ...(this.totalSteps === undefined ? {} : { totalSteps: this.totalSteps }),
    });
  }

  act(obs: SpaceArray): SpaceArray {
    if (this.learner === null)
      throw new InvalidArgumentError('agent', 'not reset', 'reset(numEnvs) before act()');
    const optimal = this.algorithm.needsOracle ? this.env.optimalActions!() : null;
    return this.learner.act(obs, optimal);
  }

  observe(transition: VecTransition): void {
    if (this.learner === null)
      throw new InvalidArgumentError('agent', 'not reset', 'reset(numEnvs) before observe()');
    this.learner.observe(transition);
  }

  /** The learners' latest training metrics (CleanRL names). */
  metrics(): Record<string, number> {
    return this.learner?.metrics() ?? {};
  }
}
