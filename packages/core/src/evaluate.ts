import type { InContextAgent } from './agent';
import type { EnvFamily } from './env-family';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import type { JsonObject } from './json';
import { rollout } from './rollout';
import { learningCurve } from './stats';
import type { TaskSpec } from './task';
import { requireInteger, requireSeed } from './validate';
import type { VecEnv } from './vec-env';

/** Builds an agent for the env `evaluate` makes (for baselines that need the env itself, like an oracle). */
export type AgentFactory = (env: VecEnv) => InContextAgent;

/** Options for `evaluate`. */
export interface EvaluateOptions {
  /** Consecutive episodes per env, the agent's context kept across them (DICP: 50 model-free, 100 with planning). */
  episodes: number;
  /** Seed for the envs and the agent. Default 0. */
  seed?: number;
  /** Independent runs per task (each its own env and context). Default 1. */
  runsPerTask?: number;
  /** Called as episodes complete, with the number every env has completed. */
  onProgress?: (completedEpisodes: number, totalEpisodes: number) => void;
}

/** What an in-context evaluation measured, with everything needed to reproduce it. JSON-serialisable. */
export interface EvaluationResult {
  /** The agent's name. */
  readonly agent: string;
  /** Env family id and its resolved config. */
  readonly envId: string;
  readonly envConfig: JsonObject;
  /** Indices of the evaluated tasks, in run order (`runs` are task-major: run r is task r / runsPerTask). */
  readonly tasks: readonly number[];
  readonly runsPerTask: number;
  readonly episodes: number;
  readonly seed: number;
  /** `returns[run][episode]`. */
  readonly returns: readonly (readonly number[])[];
  /** Mean return per episode index over all runs, and the half-width of its 95% confidence interval (Student's t). */
  readonly mean: readonly number[];
  readonly ci95: readonly number[];
  /**
   * Envs with a success criterion (`VecEnv.episodeSuccesses`, Meta-World) only: `successes[run][episode]` (0/1),
   * and the cumulative success rate per episode index — the share of runs that have succeeded in any episode so
   * far (DICP's Meta-World metric, `np.maximum.accumulate` over episodes, then the mean over runs).
   */
  readonly successes?: readonly (readonly number[])[];
  readonly cumulativeSuccess?: readonly number[];
  /** Mean over runs of each task's maximum return, when the family knows it. */
  readonly maxReturn: number | null;
  /** Environment steps taken and wall time. */
  readonly envSteps: number;
  readonly wallSeconds: number;
}

/**
 * Evaluates an agent in context: every task (× `runsPerTask`) runs in parallel in one vector env for `episodes`
 * consecutive episodes, the agent keeping its context across episode boundaries and never told the task — the
 * protocol of AD and DICP (all test tasks at once, returns per task × episode). Works for any `InContextAgent`:
 * a transformer, a planner, the source algorithm learning from scratch, a random agent. Pass a factory
 * `(env) => agent` for baselines that need the env (`(env) => new OracleAgent(env)`).
 *
 * @example
 * const family = darkroom();
 * const result = await evaluate(new RandomAgent(family.actionSpace), family, family.split().test, { episodes: 10 });
 * result.mean; // mean return per episode index, with result.ci95
 */
export async function evaluate(
  agentOrFactory: InContextAgent | AgentFactory,
  family: EnvFamily,
  tasks: readonly TaskSpec[],
  options: EvaluateOptions,
): Promise<EvaluationResult> {
  const episodes = requireInteger('episodes', options.episodes, { min: 1 });
  const seed = requireSeed('seed', options.seed ?? 0);
  const runsPerTask = requireInteger('runsPerTask', options.runsPerTask ?? 1, { min: 1 });
  if (!Array.isArray(tasks) || tasks.length === 0) {
    throw new InvalidArgumentError('tasks', tasks, 'a non-empty array of tasks of the family');
  }
  const started = performance.now();
  const env = family.make(tasks, { envsPerTask: runsPerTask, autoReset: 'same-step' });
  try {
    const agent = typeof agentOrFactory === 'function' ? agentOrFactory(env) : agentOrFactory;
    const result = await rollout(env, agent, {
      episodes,
      seed,
      onStep: options.onProgress
        ? (done) => options.onProgress!(Math.min(done, episodes), episodes)
        : undefined,
    });
    const returns = Array.from({ length: env.numEnvs }, (_, i) =>
      Array.from(result.returns.subarray(i * episodes, (i + 1) * episodes)),
    );
    const { mean, ci95 } = learningCurve(returns);
    const success = result.successes ? successCurves(result.successes, env.numEnvs, episodes) : {};
    const maxReturn = family.maxReturn
      ? tasks.reduce((sum, task) => sum + family.maxReturn!(task), 0) / tasks.length
      : null;
    return {
      agent: agent.name,
      envId: family.id,
      envConfig: family.config,
      tasks: tasks.map((t) => t.index),
      runsPerTask,
      episodes,
      seed,
      returns,
      mean,
      ci95,
      ...success,
      maxReturn,
      envSteps: result.envSteps,
      wallSeconds: (performance.now() - started) / 1000,
    };
  } finally {
    env.close();
  }
}

/** Per-run successes and the cumulative success rate per episode (succeeded in any episode ≤ e). */
function successCurves(
  flat: Uint8Array,
  runs: number,
  episodes: number,
): { successes: number[][]; cumulativeSuccess: number[] } {
  const successes = Array.from({ length: runs }, (_, i) =>
    Array.from(flat.subarray(i * episodes, (i + 1) * episodes)),
  );
  const cumulativeSuccess = new Array<number>(episodes).fill(0);
  for (const run of successes) {
    let any = 0;
    for (let e = 0; e < episodes; e++) {
      any |= run[e]!;
      cumulativeSuccess[e]! += any / runs;
    }
  }
  return { successes, cumulativeSuccess };
}
