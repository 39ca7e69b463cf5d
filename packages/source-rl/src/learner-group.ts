import type { SpaceArray, VecTransition } from '@icrl/core';
import type { BatchedLearner, LearnerSpec, SourceAlgorithm } from './algorithm';
import type { StepMessage } from './worker/protocol';
import type { WorkerPool } from './worker/worker-pool';

/** A transition plus whether it is the run's last. */
export interface PendingObservation extends VecTransition {
  readonly last: boolean;
}

/**
 * The learners of one lockstep batch of tasks, in this thread or spread over worker threads (contiguous
 * slices of tasks per worker). `step` delivers the previous transition and asks for the next actions in one
 * round trip.
 */
export interface LearnerGroup {
  step(
    observe: PendingObservation | null,
    obs: SpaceArray | null,
    optimalActions: SpaceArray | null,
  ): Promise<SpaceArray | null>;
  metrics(): Promise<Record<string, number>>;
}

/** All tasks in this thread. */
export function localGroup(algorithm: SourceAlgorithm, spec: LearnerSpec): LearnerGroup {
  const learner: BatchedLearner = algorithm.createLearner(spec);
  return {
    async step(observe, obs, optimalActions) {
      if (observe !== null) learner.observe(observe, observe.last);
      return obs === null ? null : learner.act(obs, optimalActions);
    },
    async metrics() {
      return learner.metrics();
    },
  };
}

/** Tasks split into contiguous slices, one per worker of `pool` (fewer workers than the pool if few tasks). */
export async function workerGroup(
  algorithm: SourceAlgorithm,
  spec: LearnerSpec,
  pool: WorkerPool,
): Promise<LearnerGroup> {
  const K = spec.taskSeeds.length;
  const W = Math.min(pool.size, K);
  const S = spec.streams;
  const bounds = Array.from({ length: W + 1 }, (_, w) => Math.round((w * K) / W));
  const slices = Array.from({ length: W }, (_, w) => [bounds[w]!, bounds[w + 1]!] as const);
  await Promise.all(
    slices.map(([a, b], w) =>
      pool.request(w, {
        type: 'init',
        name: algorithm.name,
        settings: algorithm.settings,
        spec: { ...spec, taskIndices: spec.taskIndices.slice(a, b), taskSeeds: spec.taskSeeds.slice(a, b) },
      }),
    ),
  );
  const cut = <A extends SpaceArray | Uint8Array | Float32Array>(arr: A, a: number, b: number): A => {
    const per = arr.length / (K * S);
    return arr.slice(a * S * per, b * S * per) as A;
  };
  let actions: SpaceArray | null = null;
  return {
    async step(observe, obs, optimalActions) {
      const msgs: StepMessage[] = slices.map(([a, b]) => ({
        type: 'step',
        observe:
          observe === null
            ? null
            : {
                obs: cut(observe.obs, a, b),
                actions: cut(observe.actions, a, b),
                rewards: cut(observe.rewards, a, b),
                nextObs: cut(observe.nextObs, a, b),
                terminated: cut(observe.terminated, a, b),
                truncated: cut(observe.truncated, a, b),
                last: observe.last,
              },
        act:
          obs === null
            ? null
            : { obs: cut(obs, a, b), optimalActions: optimalActions && cut(optimalActions, a, b) },
      }));
      const replies = await pool.all(msgs);
      if (obs === null) return null;
      const parts = replies.map((r) => r.actions!);
      if (actions === null || actions.length !== parts.reduce((n, p) => n + p.length, 0)) {
        const total = parts.reduce((n, p) => n + p.length, 0);
        actions = parts[0] instanceof Float32Array ? new Float32Array(total) : new Int32Array(total);
      }
      let at = 0;
      for (const p of parts) {
        actions.set(p, at);
        at += p.length;
      }
      return actions;
    },
    async metrics() {
      const replies = await pool.all(slices.map(() => ({ type: 'metrics' as const })));
      // Average over workers, weighted by their task counts.
      const out: Record<string, number> = {};
      replies.forEach((r, w) => {
        const share = (slices[w]![1] - slices[w]![0]) / K;
        for (const [key, v] of Object.entries(r.metrics ?? {})) out[key] = (out[key] ?? 0) + v * share;
      });
      return out;
    },
  };
}
