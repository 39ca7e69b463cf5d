import { availableParallelism } from 'node:os';
import {
  allocateBatch,
  type EnvFamily,
  EventLoopYield,
  flatSize,
  HISTORY_SCHEMA_VERSION,
  type HistoryMeta,
  type HistorySink,
  InvalidArgumentError,
  type JsonObject,
  rejectUnknownKeys,
  requireInteger,
  requireObject,
  requireSeed,
  type SpaceArray,
  type TaskSpec,
  type TaskSplit,
} from '@icrl/core';
import type { LearnerSpec, SourceAlgorithm } from './algorithm';
import { type LearnerGroup, localGroup, type PendingObservation, workerGroup } from './learner-group';
import { SOURCE_ALGORITHMS } from './registry';
import { WorkerPool } from './worker/worker-pool';

/** Options of `collect`. */
export interface CollectOptions {
  /** The source algorithm (`ppo(...)`, `a2c()`, `tabularQ()`, `ucb1()`, `thompsonSampling()`, `adEpsilon()`). */
  readonly algorithm: SourceAlgorithm;
  /** The env family the tasks belong to. */
  readonly family: EnvFamily;
  /** Tasks to learn, each from scratch (e.g. `family.split().train`). */
  readonly tasks: readonly TaskSpec[];
  /** Parallel streams (envs) per task sharing one learner (DICP: 100). */
  readonly streams: number;
  /** Env steps per stream; every step of every stream is written. */
  readonly stepsPerStream: number;
  /** Root seed: task t's learner is seeded with `seed + t.index` (DICP's alg_seed + task index), envs with `seed`. */
  readonly seed: number;
  /** Where the histories go (`MemoryHistoryStore`, `@icrl/history-store`'s `HistoryWriter`, ...). */
  readonly sink: HistorySink;
  /** The split the tasks come from, recorded in the meta and per task (train/test). */
  readonly split?: TaskSplit;
  /** Called after every written block and at every completed task. */
  readonly onProgress?: (progress: CollectProgress) => void;
  /**
   * Worker threads for the learners: `'auto'` (default) uses one per core for PPO/A2C when there are at least
   * two tasks, none otherwise; 0 runs everything in this thread. Results do not depend on it.
   */
  readonly workers?: number | 'auto';
  /** Most tasks that learn in lockstep at once; a kill loses at most the batch in flight. Default 128. */
  readonly tasksPerBatch?: number;
  /** Steps per block handed to `sink.append`. Default 100. */
  readonly blockSteps?: number;
}

/** What `onProgress` receives. */
export interface CollectProgress {
  /** Tasks complete, including those a resumed run found complete. */
  readonly tasksDone: number;
  readonly tasksTotal: number;
  /** Tasks this run skipped because the sink already had them. */
  readonly tasksResumed: number;
  /** Step of the current batch of tasks, and its total. */
  readonly step: number;
  readonly stepsPerStream: number;
  /** Transitions written by this run so far. */
  readonly transitions: number;
  /** Seconds since `collect` started. */
  readonly elapsedS: number;
  /** The learners' latest metrics (CleanRL names) and `charts/episodic_return` of the batch in flight. */
  readonly metrics: Record<string, number>;
}

/** What `collect` returns. */
export interface CollectResult {
  readonly meta: HistoryMeta;
  /** Tasks learned by this run, and those skipped as already complete. */
  readonly tasksCollected: readonly number[];
  readonly tasksResumed: readonly number[];
  readonly transitions: number;
  readonly elapsedS: number;
  /** Per task learned by this run: the per-episode mean return over streams (as written to `endTask`). */
  readonly episodeReturns: ReadonlyMap<number, readonly number[]>;
}

const COLLECT_KEYS = [
  'algorithm',
  'family',
  'tasks',
  'streams',
  'stepsPerStream',
  'seed',
  'sink',
  'split',
  'onProgress',
  'workers',
  'tasksPerBatch',
  'blockSteps',
];

interface Resolved {
  algorithm: SourceAlgorithm;
  family: EnvFamily;
  tasks: readonly TaskSpec[];
  streams: number;
  stepsPerStream: number;
  seed: number;
  sink: HistorySink;
  split: TaskSplit | undefined;
  onProgress: ((progress: CollectProgress) => void) | undefined;
  workers: number;
  tasksPerBatch: number;
  blockSteps: number;
}

function requireFunctions(field: string, value: unknown, names: readonly string[], what: string): void {
  const obj = requireObject(field, value);
  for (const name of names) {
    if (typeof obj[name] !== 'function')
      throw new InvalidArgumentError(`${field}.${name}`, obj[name], `a function (${what})`);
  }
}

function validate(options: CollectOptions): Resolved {
  const o = requireObject('options', options);
  rejectUnknownKeys('options', o, COLLECT_KEYS);
  requireFunctions('algorithm', o.algorithm, ['check', 'createLearner'], 'a SourceAlgorithm such as ppo()');
  const algorithm = o.algorithm as SourceAlgorithm;
  requireFunctions('family', o.family, ['make'], 'an EnvFamily');
  const family = o.family as EnvFamily;
  requireFunctions('sink', o.sink, ['open', 'beginTask', 'append', 'endTask', 'close'], 'a HistorySink');
  if (!Array.isArray(o.tasks) || o.tasks.length === 0) {
    throw new InvalidArgumentError('tasks', o.tasks, `a non-empty array of tasks of family "${family.id}"`);
  }
  const seen = new Set<number>();
  for (const [i, task] of (o.tasks as TaskSpec[]).entries()) {
    if (
      task === null ||
      typeof task !== 'object' ||
      task.familyId !== family.id ||
      !Number.isSafeInteger(task.index)
    ) {
      throw new InvalidArgumentError(`tasks[${i}]`, task, `a task of family "${family.id}"`);
    }
    if (seen.has(task.index))
      throw new InvalidArgumentError(`tasks[${i}].index`, task.index, 'each task once');
    seen.add(task.index);
  }
  const streams = requireInteger('streams', o.streams, { min: 1, max: 1 << 20 });
  const stepsPerStream = requireInteger('stepsPerStream', o.stepsPerStream, { min: 1, max: 2 ** 31 - 1 });
  const seed = requireSeed('seed', o.seed);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw new InvalidArgumentError('onProgress', o.onProgress, 'a function');
  }
  if (o.split !== undefined) requireObject('split', o.split);
  const builtIn = SOURCE_ALGORITHMS[algorithm.name] !== undefined;
  let workers = 0;
  if (o.workers === undefined || o.workers === 'auto') {
    const heavy = algorithm.name === 'ppo' || algorithm.name === 'a2c' || algorithm.name === 'sac';
    workers = heavy && o.tasks.length >= 2 ? Math.min(availableParallelism(), o.tasks.length) : 0;
  } else {
    workers = requireInteger('workers', o.workers, { min: 0, max: 256 });
    if (workers > 0 && !builtIn) {
      throw new InvalidArgumentError(
        'workers',
        workers,
        `0 for an algorithm outside the registry ("${algorithm.name}")`,
      );
    }
  }
  const tasksPerBatch = requireInteger('tasksPerBatch', o.tasksPerBatch ?? 128, { min: 1 });
  const blockSteps = requireInteger('blockSteps', o.blockSteps ?? 100, { min: 1 });
  // The algorithm's own checks against the env: action space, batch size vs rollout, ...
  algorithm.check(family.observationSpace, family.actionSpace, streams);
  if (algorithm.needsOracle) {
    const probe = family.make([o.tasks[0] as TaskSpec], { envsPerTask: 1, autoReset: 'same-step' });
    const ok = typeof probe.optimalActions === 'function';
    probe.close();
    if (!ok) {
      throw new InvalidArgumentError(
        'family',
        family.id,
        `a family whose envs implement optimalActions() ("${algorithm.name}" follows the oracle)`,
      );
    }
  }
  return {
    algorithm,
    family,
    tasks: o.tasks as TaskSpec[],
    streams,
    stepsPerStream,
    seed,
    sink: o.sink as HistorySink,
    split: o.split as TaskSplit | undefined,
    onProgress: o.onProgress as ((progress: CollectProgress) => void) | undefined,
    workers,
    tasksPerBatch,
    blockSteps,
  };
}

/**
 * Runs a source algorithm from scratch on every task and writes every transition of every stream to the
 * sink (time-major blocks per task, with the env's oracle actions when it has them), then each task's
 * learning curve (mean return over streams of each episode) in `endTask`.
 *
 * - All options are checked before the first step: a bad one throws one `InvalidArgumentError` naming it.
 * - Resumable: `sink.open(meta)` reports the tasks already complete, which are skipped. A task's history
 *   depends only on the seed, the task and the settings, so a resumed run writes what an uninterrupted one
 *   would have.
 * - Batched: up to `tasksPerBatch` tasks step in lockstep in one vector env (`autoReset: 'same-step'`, as SB3),
 *   their learners spread over worker threads.
 * - A diverging learner (NaN/inf loss) throws `TrainingDivergedError` naming the task and update. Tasks already
 *   ended stay in the sink; the sink is left open (not closed), like a killed run, so a rerun resumes.
 *
 * @example
 * const family = makeEnvFamily('darkroom');
 * const split = family.split();
 * const store = new MemoryHistoryStore();
 * await collect({ algorithm: ppo(ppoPresetFor('darkroom')), family, tasks: split.train.slice(0, 2), split,
 *   streams: 4, stepsPerStream: 40, seed: 0, sink: store });
 */
export async function collect(options: CollectOptions): Promise<CollectResult> {
  const started = performance.now();
  const r = validate(options);
  const { algorithm, family, streams: S, stepsPerStream: T, seed, sink } = r;
  const settings: JsonObject = { ...algorithm.settings, stepsPerStream: T };
  const meta: HistoryMeta = {
    schemaVersion: HISTORY_SCHEMA_VERSION,
    envId: family.id,
    envConfig: family.config,
    observationSpace: family.observationSpace,
    actionSpace: family.actionSpace,
    source: { algorithm: algorithm.name, settings },
    streams: S,
    subsample: 1,
    seed,
    ...(r.split ? { split: { seed: r.split.seed, trainRatio: r.split.trainRatio } } : {}),
  };
  const { completeTasks } = await sink.open(meta);
  const done = new Set(completeTasks);
  const todo = r.tasks.filter((t) => !done.has(t.index));
  const resumed = r.tasks.filter((t) => done.has(t.index)).map((t) => t.index);
  const testSet = new Set(r.split?.test.map((t) => t.index) ?? []);
  const trainSet = new Set(r.split?.train.map((t) => t.index) ?? []);
  const episodeReturns = new Map<number, readonly number[]>();
  let transitions = 0;
  let tasksDone = resumed.length;
  const pool = r.workers > 0 && todo.length > 0 ? new WorkerPool(Math.min(r.workers, todo.length)) : null;
  try {
    for (let at = 0; at < todo.length; at += r.tasksPerBatch) {
      const batch = todo.slice(at, at + r.tasksPerBatch);
      const spec: LearnerSpec = {
        observationSpace: family.observationSpace,
        actionSpace: family.actionSpace,
        streams: S,
        taskIndices: batch.map((t) => t.index),
        taskSeeds: batch.map((t) => seed + t.index),
        horizon: family.horizon,
        totalSteps: T,
      };
      const group = pool ? await workerGroup(algorithm, spec, pool) : localGroup(algorithm, spec);
      for (const task of batch) {
        const split = testSet.has(task.index) ? 'test' : trainSet.has(task.index) ? 'train' : undefined;
        await sink.beginTask({ task, seed: seed + task.index, ...(split ? { split } : {}) });
      }
      const curves = await runBatch(r, batch, group, (steps, batchMetrics) => {
        transitions += steps * batch.length * S;
        r.onProgress?.({
          tasksDone,
          tasksTotal: r.tasks.length,
          tasksResumed: resumed.length,
          step: batchMetrics.step,
          stepsPerStream: T,
          transitions,
          elapsedS: (performance.now() - started) / 1000,
          metrics: batchMetrics.metrics,
        });
      });
      for (const [k, task] of batch.entries()) {
        await sink.endTask(task.index, { episodeReturns: curves[k]! });
        episodeReturns.set(task.index, curves[k]!);
        tasksDone++;
      }
    }
  } finally {
    await pool?.close();
  }
  await sink.close();
  const elapsedS = (performance.now() - started) / 1000;
  r.onProgress?.({
    tasksDone,
    tasksTotal: r.tasks.length,
    tasksResumed: resumed.length,
    step: T,
    stepsPerStream: T,
    transitions,
    elapsedS,
    metrics: {},
  });
  return {
    meta,
    tasksCollected: todo.map((t) => t.index),
    tasksResumed: resumed,
    transitions,
    elapsedS,
    episodeReturns,
  };
}

// Steps one batch of tasks for the whole run, appending blocks to the sink; returns each task's curve.
async function runBatch(
  r: Resolved,
  tasks: readonly TaskSpec[],
  group: LearnerGroup,
  progress: (steps: number, info: { step: number; metrics: Record<string, number> }) => void,
): Promise<number[][]> {
  const { family, streams: S, stepsPerStream: T, sink, blockSteps } = r;
  const K = tasks.length;
  const env = family.make(tasks, { envsPerTask: S, autoReset: 'same-step' });
  const n = env.numEnvs;
  const obsSize = flatSize(family.observationSpace);
  const actSize = flatSize(family.actionSpace);
  // Optimal-action labels are stored for discrete actions only (the DICP layout's int column); a continuous
  // family's expert (Meta-World's scripted policies) is called only for an algorithm that follows it (AD-ε).
  const oracle = typeof env.optimalActions === 'function' && family.actionSpace.kind === 'discrete';
  const follow = r.algorithm.needsOracle;
  const optimal = oracle || follow ? allocateBatch(family.actionSpace, n) : null;
  // History blocks, [task][step][stream(, size)] so each task's block is contiguous and time-major.
  const L = Math.min(blockSteps, T);
  const block = {
    states: allocateBatch(family.observationSpace, K * L * S),
    actions: allocateBatch(family.actionSpace, K * L * S),
    rewards: new Float32Array(K * L * S),
    nextStates: allocateBatch(family.observationSpace, K * L * S),
    dones: new Uint8Array(K * L * S),
    optimalActions: oracle ? new Int32Array(K * L * S) : null,
  };
  const running = new Float64Array(n);
  const returns: number[][] = Array.from({ length: n }, () => []);
  let obs: SpaceArray = env.reset({ seed: r.seed }).slice();
  let pending: PendingObservation | null = null;
  let filled = 0;
  let recent = 0;
  let recentCount = 0;
  const loop = new EventLoopYield(); // a main-thread learner computes synchronously: let Ctrl-C through
  try {
    for (let t = 0; t < T; t++) {
      await loop.maybeYield();
      if (optimal) env.optimalActions!(optimal);
      // TRY NOT TO MODIFY: act, step, record. The previous transition is delivered with this request.
      const actions: SpaceArray = (await group.step(pending, obs, follow ? optimal : null))!;
      const step = env.step(actions);
      const dones = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        dones[i] = step.terminated[i]! | step.truncated[i]!;
        running[i]! += step.rewards[i]!;
        if (dones[i]) {
          returns[i]!.push(running[i]!);
          recent += running[i]!;
          recentCount++;
          running[i] = 0;
        }
      }
      for (let k = 0; k < K; k++) {
        const dst = k * L * S + filled * S;
        const src = k * S;
        block.states.set(obs.subarray(src * obsSize, (src + S) * obsSize), dst * obsSize);
        block.actions.set(actions.subarray(src * actSize, (src + S) * actSize), dst * actSize);
        block.rewards.set(step.rewards.subarray(src, src + S), dst);
        // next_states as SB3 logs new_obs: the reset observation where an episode ended (DICP's layout).
        block.nextStates.set(step.obs.subarray(src * obsSize, (src + S) * obsSize), dst * obsSize);
        block.dones.set(dones.subarray(src, src + S), dst);
        block.optimalActions?.set((optimal as Int32Array).subarray(src, src + S), dst);
      }
      filled++;
      const last = t === T - 1;
      pending = {
        obs,
        actions: actions.slice(),
        rewards: step.rewards.slice(),
        // The learner sees the true last observation of an ended episode, never the reset one.
        nextObs: (step.finalObs ?? step.obs).slice(),
        terminated: step.terminated.slice(),
        truncated: step.truncated.slice(),
        last,
      };
      obs = step.obs.slice();
      if (filled === L || last) {
        for (const [k, task] of tasks.entries()) {
          const from = k * L * S;
          const to = from + filled * S;
          await sink.append(task.index, {
            length: filled,
            states: block.states.subarray(from * obsSize, to * obsSize),
            actions: block.actions.subarray(from * actSize, to * actSize),
            rewards: block.rewards.subarray(from, to),
            nextStates: block.nextStates.subarray(from * obsSize, to * obsSize),
            dones: block.dones.subarray(from, to),
            ...(block.optimalActions ? { optimalActions: block.optimalActions.subarray(from, to) } : {}),
          });
        }
        const metrics = await group.metrics();
        if (recentCount > 0) metrics['charts/episodic_return'] = recent / recentCount;
        recent = 0;
        recentCount = 0;
        progress(filled, { step: t + 1, metrics });
        filled = 0;
      }
    }
    await group.step(pending, null, null); // the last transition (no update follows: `last`)
  } finally {
    env.close();
  }
  // Learning curve of each task: mean over its streams of the k-th episode's return, for every k that all
  // streams completed.
  return tasks.map((_, k) => {
    const perStream = returns.slice(k * S, (k + 1) * S);
    const episodes = Math.min(...perStream.map((e) => e.length));
    return Array.from({ length: episodes }, (_, e) => perStream.reduce((sum, list) => sum + list[e]!, 0) / S);
  });
}
