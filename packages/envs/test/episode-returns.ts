import type { JsonObject, TaskSpec } from '@icrl/core';
import type { GridFamily } from '../src/grid-family';
import type { GridVecEnv } from '../src/grid-vec-env';

/**
 * Plays one episode in every env of `env` (made with autoReset 'disabled') and returns each env's return.
 * `policy` picks the actions; by default the env's own oracle.
 */
export function episodeReturns(
  env: GridVecEnv,
  policy: (env: GridVecEnv, t: number) => ArrayLike<number> = (e) => e.optimalActions(),
  seed = 0,
): Float64Array {
  env.reset({ seed });
  const returns = new Float64Array(env.numEnvs);
  for (let t = 0; t < env.horizon; t++) {
    const { rewards } = env.step(policy(env, t));
    for (let i = 0; i < env.numEnvs; i++) returns[i]! += rewards[i]!;
  }
  return returns;
}

/** Tasks whose oracle return differs from `family.maxReturn(task)`, as `index: got/expected` strings. */
export function oracleShortfalls<P extends JsonObject>(family: GridFamily<P>, tasks: readonly TaskSpec<P>[]) {
  const returns = episodeReturns(family.make(tasks));
  return tasks
    .map((task, i) => ({ task, got: returns[i]!, expected: family.maxReturn(task) }))
    .filter((r) => r.got !== r.expected)
    .map((r) => `${r.task.index}: ${r.got}/${r.expected}`);
}
