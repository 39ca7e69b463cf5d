import {
  HISTORY_SCHEMA_VERSION,
  type HistoryMeta,
  type TaskHistoryMeta,
  type TransitionBatch,
} from '@icrl/core';

/** Darkroom-like meta: int32 (x, y) observations, 5 discrete actions. */
export function gridMeta(streams: number, overrides: Partial<HistoryMeta> = {}): HistoryMeta {
  return {
    schemaVersion: HISTORY_SCHEMA_VERSION,
    envId: 'darkroom',
    envConfig: { size: 9, horizon: 20 },
    observationSpace: { kind: 'box', shape: [2], low: 0, high: 8, dtype: 'int32' },
    actionSpace: { kind: 'discrete', n: 5 },
    source: { algorithm: 'ppo', settings: { lr: 0.0003, nSteps: 20 } },
    streams,
    subsample: 1,
    seed: 7,
    split: { seed: 0, trainRatio: 0.8 },
    ...overrides,
  };
}

export function taskMeta(index: number): TaskHistoryMeta {
  return {
    task: { familyId: 'darkroom', index, params: { goal: [index % 9, Math.floor(index / 9)] } },
    split: 'train',
    seed: 100 + index,
  };
}

/** The value every field holds at (task, t, s): distinct everywhere, so any misplaced copy shows. */
export function cell(task: number, t: number, s: number): number {
  return (task * 7 + t * 3 + s * 5) % 9;
}

/** Episodes of `episodeLength` steps: done at every step t with (t + 1) % episodeLength === 0. */
export function gridBatch(
  task: number,
  t0: number,
  length: number,
  streams: number,
  opts: { episodeLength?: number; optimal?: boolean } = {},
): TransitionBatch {
  const ep = opts.episodeLength ?? 4;
  const n = length * streams;
  const states = new Int32Array(n * 2);
  const nextStates = new Int32Array(n * 2);
  const actions = new Int32Array(n);
  const rewards = new Float32Array(n);
  const dones = new Uint8Array(n);
  const optimalActions = new Int32Array(n);
  for (let i = 0; i < length; i++) {
    const t = t0 + i;
    for (let s = 0; s < streams; s++) {
      const k = i * streams + s;
      states[2 * k] = cell(task, t, s);
      states[2 * k + 1] = cell(task, t + 1, s);
      nextStates[2 * k] = cell(task, t + 1, s);
      nextStates[2 * k + 1] = cell(task, t + 2, s);
      actions[k] = (task + t + s) % 5;
      rewards[k] = (t + s) % 3 === 0 ? 1 : 0;
      dones[k] = (t + 1) % ep === 0 ? 1 : 0;
      optimalActions[k] = (task + s + 2 * t) % 5;
    }
  }
  return { length, states, actions, rewards, nextStates, dones, ...(opts.optimal ? { optimalActions } : {}) };
}
