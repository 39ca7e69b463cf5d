import type { InContextAgent } from './agent';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import { EventLoopYield } from './event-loop-yield';
import { requireInteger, requireSeed } from './validate';
import type { VecEnv } from './vec-env';

/** Returns of every episode an agent played, env-major: `returns[env * episodes + k]` is env's k-th episode. */
export interface RolloutResult {
  readonly numEnvs: number;
  readonly episodes: number;
  readonly returns: Float64Array;
  /** Whether each episode succeeded, laid out as `returns`; only for envs with `episodeSuccesses()`. */
  readonly successes?: Uint8Array;
  /** Environment steps taken, summed over envs (steps of envs that had already finished their quota included). */
  readonly envSteps: number;
}

/** Options for `rollout`. */
export interface RolloutOptions {
  /** Episodes to play in every env. */
  episodes: number;
  /** Seed for `env.reset` and `agent.reset`. Default 0. */
  seed?: number;
  /** Called after each env step with the number of episodes every env has completed so far (the minimum). */
  onStep?: (completedEpisodes: number) => void;
}

/**
 * Plays `episodes` consecutive episodes in every env of `env` with one agent, keeping the agent's context across
 * episode boundaries (that is what in-context learning needs), and returns the return of each episode.
 * Works with envs made with `autoReset: 'disabled'` or `'same-step'`.
 */
export async function rollout(
  env: VecEnv,
  agent: InContextAgent,
  options: RolloutOptions,
): Promise<RolloutResult> {
  const episodes = requireInteger('episodes', options.episodes, { min: 1 });
  const seed = requireSeed('seed', options.seed ?? 0);
  if (env.autoReset === 'next-step') {
    throw new InvalidArgumentError(
      'env.autoReset',
      env.autoReset,
      "an env made with autoReset 'disabled' or 'same-step'",
    );
  }
  const n = env.numEnvs;
  const returns = new Float64Array(n * episodes);
  const running = new Float64Array(n);
  const done = new Int32Array(n); // episodes completed per env
  const ended = new Uint8Array(n);
  const successes = typeof env.episodeSuccesses === 'function' ? new Uint8Array(n * episodes) : null;
  await agent.reset(n, { seed });
  const first = env.reset({ seed });
  const obs = first.slice();
  const nextObs = first.slice();
  let envSteps = 0;
  let minDone = 0;
  const loop = new EventLoopYield();
  while (minDone < episodes) {
    const actions = (await agent.act(obs)).slice();
    const step = env.step(actions);
    envSteps += n;
    // The agent must see the true last observation of an episode, not the reset observation.
    nextObs.set(step.finalObs ?? step.obs);
    let anyEnded = false;
    for (let i = 0; i < n; i++) {
      running[i]! += step.rewards[i]!;
      ended[i] = step.terminated[i]! | step.truncated[i]!;
      if (ended[i]) {
        anyEnded = true;
        const k = done[i]!;
        if (k < episodes) {
          returns[i * episodes + k] = running[i]!;
          if (successes) successes[i * episodes + k] = env.episodeSuccesses!()[i]!;
        }
        done[i] = k + 1;
        running[i] = 0;
      }
    }
    await agent.observe({
      obs,
      actions,
      rewards: step.rewards,
      nextObs,
      terminated: step.terminated,
      truncated: step.truncated,
    });
    // Next observation: the reset one for ended envs (already in step.obs for same-step; reset them for disabled).
    obs.set(anyEnded && env.autoReset === 'disabled' ? env.reset({ mask: ended }) : step.obs);
    minDone = done.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    options.onStep?.(minDone);
    await loop.maybeYield(); // signals and timers get their turn even when the agent computes synchronously
  }
  return { numEnvs: n, episodes, returns, envSteps, ...(successes ? { successes } : {}) };
}
