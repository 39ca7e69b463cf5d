import { createHash } from 'node:crypto';
import { type EnvFamily, RandomAgent, rollout, type TaskSpec } from '@icrl/core';
import type { CollectResult } from '../src/collect';
import type { MemoryHistoryStore } from '../src/memory-history-store';

/** Every `step`-th task, starting at the first: a spread-out subset of a split. */
export function everyNth<T>(items: readonly T[], step: number): T[] {
  return items.filter((_, i) => i % step === 0);
}

/** Mean of the last k entries of a learning curve (mean return over streams per episode). */
export function lastEpisodesMean(curve: readonly number[], k = 5): number {
  const tail = curve.slice(-k);
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

/** Each task's final performance as a fraction of its maxReturn (mean over the last 5 episodes). */
export function finalRatios(result: CollectResult, family: EnvFamily, tasks: readonly TaskSpec[]): number[] {
  return tasks.map((t) => lastEpisodesMean(result.episodeReturns.get(t.index)!) / family.maxReturn!(t));
}

/** Mean episode return of uniformly random play on each task (`episodes` episodes x `streams` envs). */
export async function randomReturns(
  family: EnvFamily,
  tasks: readonly TaskSpec[],
  streams = 20,
  episodes = 5,
): Promise<number[]> {
  const env = family.make(tasks, { envsPerTask: streams, autoReset: 'same-step' });
  const { returns } = await rollout(env, new RandomAgent(family.actionSpace, 1), { episodes, seed: 1 });
  return tasks.map((_, k) => {
    let sum = 0;
    for (let i = k * streams * episodes; i < (k + 1) * streams * episodes; i++) sum += returns[i]!;
    return sum / (streams * episodes);
  });
}

/** A hash of everything a store holds (meta, every complete task's arrays and summary). */
export function storeDigest(store: MemoryHistoryStore): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(store.meta));
  for (const index of store.taskIndices) {
    const t = store.task(index)!;
    hash.update(JSON.stringify({ index, meta: t.meta, length: t.length, summary: t.summary }));
    for (const arr of [t.states, t.actions, t.rewards, t.nextStates, t.dones, t.optimalActions]) {
      if (arr) hash.update(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    }
  }
  return hash.digest('hex');
}
