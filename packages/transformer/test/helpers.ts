import {
  type EnvFamily,
  HISTORY_SCHEMA_VERSION,
  type HistoryMeta,
  type HistorySource,
  type HistoryWindow,
  Rng,
  type TaskHistoryInfo,
  type TaskSpec,
} from '@icrl/core';

// Test helpers: learning histories made in memory by a fast source, the AD-ε idea (Zisman et al. 2023) — an
// oracle whose actions are replaced by uniform random ones with a probability ε that decays over each stream,
// so every stream is a "learning history" from random to optimal behaviour, made in milliseconds.

/** One task's history, time-major `[T, streams, ...]` as `TransitionBatch` lays it out. */
interface TaskData {
  readonly task: TaskSpec;
  readonly length: number;
  readonly streams: number;
  readonly states: Int32Array;
  readonly actions: Int32Array;
  readonly rewards: Float32Array;
  readonly nextStates: Int32Array;
  readonly dones: Uint8Array;
  readonly optimalActions: Int32Array;
}

/** A `HistorySource` over in-memory arrays. */
export class MemoryHistorySource implements HistorySource {
  readonly taskIndices: number[];
  private readonly data = new Map<number, TaskData>();

  constructor(
    readonly meta: HistoryMeta,
    tasks: TaskData[],
  ) {
    for (const t of tasks) this.data.set(t.task.index, t);
    this.taskIndices = tasks.map((t) => t.task.index);
  }

  taskInfo(taskIndex: number): TaskHistoryInfo {
    const d = this.data.get(taskIndex)!;
    return { task: d.task, length: d.length, streams: d.streams };
  }

  read(taskIndex: number, stream: number, start: number, length: number): HistoryWindow {
    const d = this.data.get(taskIndex)!;
    const S = d.streams;
    const states = new Int32Array(length * 2);
    const nextStates = new Int32Array(length * 2);
    const actions = new Int32Array(length);
    const rewards = new Float32Array(length);
    const dones = new Uint8Array(length);
    const optimalActions = new Int32Array(length);
    for (let t = 0; t < length; t++) {
      const i = (start + t) * S + stream;
      states[2 * t] = d.states[2 * i]!;
      states[2 * t + 1] = d.states[2 * i + 1]!;
      nextStates[2 * t] = d.nextStates[2 * i]!;
      nextStates[2 * t + 1] = d.nextStates[2 * i + 1]!;
      actions[t] = d.actions[i]!;
      rewards[t] = d.rewards[i]!;
      dones[t] = d.dones[i]!;
      optimalActions[t] = d.optimalActions[i]!;
    }
    return { length, states, actions, rewards, nextStates, dones, optimalActions };
  }

  close(): void {}
}

/**
 * A uniformly chosen move that brings the agent closer to the goal (stay when on it). The reference oracle moves
 * along x first, then y: its next action is then usually the previous one, a shortcut a model can learn instead
 * of reading the goal from its context; breaking ties at random removes it.
 */
function towardGoal(task: TaskSpec, obs: ArrayLike<number>, env: number, rng: Rng): number {
  const [gx, gy] = (task.params as { goal: [number, number] }).goal;
  const x = obs[2 * env]!;
  const y = obs[2 * env + 1]!;
  const moves: number[] = [];
  if (gx > x) moves.push(0);
  if (gx < x) moves.push(1);
  if (gy > y) moves.push(2);
  if (gy < y) moves.push(3);
  return moves.length === 0 ? 4 : moves[rng.int(moves.length)]!;
}

/** Options of `noisyOracleHistories`. */
export interface NoisyOracleOptions {
  readonly family: EnvFamily;
  readonly tasks: readonly TaskSpec[];
  /** Parallel streams per task. */
  readonly streams: number;
  /** Episodes per stream. */
  readonly episodes: number;
  readonly seed: number;
  /** Fraction of the stream over which ε decays linearly from 1 to 0 (the rest is ε = 0). Default 0.7. */
  readonly decayFraction?: number;
  /**
   * The learner only "knows" the goal once its stream has been rewarded: it explores uniformly at random until
   * the end of that episode, then follows the oracle with a decaying ε (see `noisyOracleHistories`). Default
   * false (plain AD-ε: the oracle knows the goal from the start).
   */
  readonly discovery?: boolean;
  /** With `discovery`: the ε of the exploiting episodes. Default 0.3. */
  readonly exploitEpsilon?: number;
}

/**
 * Darkroom-style histories of an ε-greedy oracle with ε decaying per episode: ε_k = max(0, 1 − k / (f·K)).
 * With `discovery`, each stream explores uniformly at random until the end of the episode in which it first
 * earns a reward, and from the next episode on exploits the goal it found, ε-greedily (`exploitEpsilon`, whose
 * random detours make the next move depend on the goal rather than on the previous move): a learning history that goes from exploring to exploiting between episodes, like a
 * learner updated after each episode — what in-context RL must distil (the plain noisy oracle heads for the
 * goal before it could know it, so its early actions say nothing about exploration). Its exploiting moves break
 * the oracle's x-before-y ties at random (see `towardGoal`). Darkroom-style goal tasks only.
 * Records what SB3 logs: `nextStates` is the reset observation after an episode's last step.
 */
export function noisyOracleHistories(o: NoisyOracleOptions): MemoryHistorySource {
  const { family, streams, episodes } = o;
  const f = o.decayFraction ?? 0.7;
  const rng = new Rng(o.seed);
  const exploitEpsilon = o.exploitEpsilon ?? 0.3;
  const T = episodes * family.horizon;
  const tasks: TaskData[] = [];
  for (const task of o.tasks) {
    const env = family.make(task, { envsPerTask: streams, autoReset: 'same-step' });
    const S = streams;
    const d: TaskData = {
      task,
      length: T,
      streams: S,
      states: new Int32Array(T * S * 2),
      actions: new Int32Array(T * S),
      rewards: new Float32Array(T * S),
      nextStates: new Int32Array(T * S * 2),
      dones: new Uint8Array(T * S),
      optimalActions: new Int32Array(T * S),
    };
    let obs = env.reset({ seed: o.seed + task.index }).slice();
    const actions = new Int32Array(S);
    const foundAt = new Int32Array(S).fill(-1); // episode of the first reward, per stream
    for (let t = 0; t < T; t++) {
      const episode = Math.floor(t / family.horizon);
      const opt = env.optimalActions!() as Int32Array;
      for (let s = 0; s < S; s++) {
        const eps = !o.discovery
          ? Math.max(0, 1 - episode / (f * episodes))
          : foundAt[s]! < 0 || episode <= foundAt[s]!
            ? 1
            : exploitEpsilon;
        actions[s] = rng.float() < eps ? rng.int(5) : o.discovery ? towardGoal(task, obs, s, rng) : opt[s]!;
      }
      d.optimalActions.set(opt, t * S);
      d.states.set(obs, t * S * 2);
      d.actions.set(actions, t * S);
      const step = env.step(actions);
      d.rewards.set(step.rewards, t * S);
      d.nextStates.set(step.obs, t * S * 2);
      for (let s = 0; s < S; s++) {
        d.dones[t * S + s] = step.terminated[s]! | step.truncated[s]!;
        if (step.rewards[s]! > 0 && foundAt[s]! < 0) foundAt[s] = episode;
      }
      obs = step.obs.slice();
    }
    tasks.push(d);
  }
  const meta: HistoryMeta = {
    schemaVersion: HISTORY_SCHEMA_VERSION,
    envId: family.id,
    envConfig: family.config,
    observationSpace: family.observationSpace,
    actionSpace: family.actionSpace,
    source: { algorithm: 'noisy-oracle', settings: { decayFraction: f, episodes } },
    streams,
    subsample: 1,
    seed: o.seed,
  };
  return new MemoryHistorySource(meta, tasks);
}
