import type {
  HistoryMeta,
  HistorySink,
  TaskHistoryMeta,
  TaskHistorySummary,
  TransitionBatch,
} from '@icrl/core';
import { InvalidArgumentError } from '@icrl/core';
import { bernoulliBandit, makeEnvFamily } from '@icrl/envs';
import { describe, expect, it } from 'vitest';
import { storeDigest } from '../test/helpers';
import { targetFamily, withNanRewards } from '../test/toy-families';
import { adEpsilon } from './ad-epsilon';
import { ucb1 } from './bandit-algorithms';
import { type CollectOptions, collect } from './collect';
import { TrainingDivergedError } from './errors/training-diverged-error';
import { MemoryHistoryStore } from './memory-history-store';
import { ppo, ppoPresetFor } from './ppo';
import { tabularQ } from './tabular-q';

const darkroom = makeEnvFamily('darkroom');
const split = darkroom.split();
const tasks = split.train.slice(0, 3);
// A small PPO: 4 streams x 20 steps = rollouts of 80, minibatches of 40, 3 rollouts.
const smallPpo = () => ppo({ ...ppoPresetFor('darkroom'), batchSize: 40, nEpochs: 4 });

function options(over: Partial<CollectOptions> = {}): CollectOptions {
  return {
    algorithm: smallPpo(),
    family: darkroom,
    tasks,
    split,
    streams: 4,
    stepsPerStream: 60,
    seed: 0,
    sink: new MemoryHistoryStore(),
    workers: 0,
    blockSteps: 25,
    ...over,
  };
}

async function digestOf(over: Partial<CollectOptions> = {}): Promise<string> {
  const store = new MemoryHistoryStore();
  await collect(options({ ...over, sink: store }));
  return storeDigest(store);
}

/** A sink that forwards to a store and throws (like a kill) on the n-th append of one task. */
class FailingSink implements HistorySink {
  private appends = 0;
  constructor(
    readonly inner: MemoryHistoryStore,
    private readonly failTask: number,
    private readonly failAt: number,
  ) {}
  open(meta: HistoryMeta) {
    return this.inner.open(meta);
  }
  beginTask(meta: TaskHistoryMeta) {
    this.inner.beginTask(meta);
  }
  append(taskIndex: number, batch: TransitionBatch) {
    if (taskIndex === this.failTask && ++this.appends === this.failAt) throw new Error('simulated kill');
    this.inner.append(taskIndex, batch);
  }
  endTask(taskIndex: number, summary: TaskHistorySummary) {
    this.inner.endTask(taskIndex, summary);
  }
  close() {
    return this.inner.close();
  }
}

describe('collect', () => {
  it('writes every step of every stream, time-major, with SB3 next_states and oracle labels', async () => {
    const store = new MemoryHistoryStore();
    const result = await collect(options({ sink: store }));
    expect(store.taskIndices).toEqual([...tasks.map((t) => t.index)].sort((a, b) => a - b));
    expect(result.transitions).toBe(3 * 4 * 60);
    const S = 4;
    for (const task of tasks) {
      const h = store.task(task.index)!;
      expect(h.length).toBe(60);
      expect(h.meta).toEqual({ task, seed: task.index, split: 'train' });
      for (let t = 0; t < 60; t++) {
        for (let s = 0; s < S; s++) {
          const i = t * S + s;
          const ended = (t + 1) % darkroom.horizon === 0;
          expect(h.dones[i]).toBe(ended ? 1 : 0);
          const next = [h.nextStates[2 * i], h.nextStates[2 * i + 1]];
          if (ended)
            expect(next).toEqual([4, 4]); // the reset observation, as SB3's new_obs
          else expect(next).toEqual([h.states[2 * (i + S)], h.states[2 * (i + S) + 1]]);
          expect(h.optimalActions![i]).toBe(
            darkroom.optimalAction!(task, [h.states[2 * i]!, h.states[2 * i + 1]!]),
          );
        }
      }
      // The learning curve in the summary: mean over streams of each episode's return.
      const curve = h.summary.episodeReturns;
      expect(curve).toHaveLength(3);
      for (let e = 0; e < 3; e++) {
        let sum = 0;
        for (let t = e * 20; t < (e + 1) * 20; t++) for (let s = 0; s < S; s++) sum += h.rewards[t * S + s]!;
        expect(curve[e]).toBeCloseTo(sum / S, 10);
      }
      expect(result.episodeReturns.get(task.index)).toEqual(curve);
    }
    expect(store.meta.source).toEqual({
      algorithm: 'ppo',
      settings: { ...smallPpo().settings, stepsPerStream: 60 },
    });
    expect(store.meta.split).toEqual({ seed: 0, trainRatio: split.trainRatio });
  });

  it('collects a continuous family with a scripted expert (Meta-World) without asking it for int labels', async () => {
    const family = targetFamily(5, { expert: true });
    const store = new MemoryHistoryStore();
    const result = await collect({
      algorithm: ppo({ nSteps: 5, batchSize: 10, nEpochs: 1 }),
      family,
      tasks: family.tasks().slice(0, 2),
      streams: 2,
      stepsPerStream: 10,
      seed: 0,
      sink: store,
      workers: 0,
    });
    expect(result.transitions).toBe(2 * 2 * 10);
    expect(store.task(0)!.optimalActions).toBeUndefined();
    expect(store.task(0)!.actions).toBeInstanceOf(Float32Array);
  });

  it('is deterministic: the same seed gives identical histories, another seed different ones', async () => {
    const a = await digestOf();
    expect(await digestOf()).toBe(a);
    expect(await digestOf({ seed: 1 })).not.toBe(a);
  });

  it('gives the same histories whatever the batching: worker threads, tasks per batch, block size', async () => {
    const a = await digestOf();
    expect(await digestOf({ workers: 2 })).toBe(a);
    expect(await digestOf({ tasksPerBatch: 1, blockSteps: 7 })).toBe(a);
  }, 60_000);

  it('resumes after a kill mid-task and ends with exactly what an uninterrupted run writes', async () => {
    const uninterrupted = await digestOf({ tasksPerBatch: 1 });
    const store = new MemoryHistoryStore();
    const sink = new FailingSink(store, tasks[1]!.index, 2);
    await expect(collect(options({ sink, tasksPerBatch: 1 }))).rejects.toThrow('simulated kill');
    expect(store.taskIndices).toEqual([tasks[0]!.index]); // the finished task survived, the killed one is not there
    const resumed = await collect(options({ sink: store, tasksPerBatch: 1 }));
    expect(resumed.tasksResumed).toEqual([tasks[0]!.index]);
    expect(resumed.tasksCollected).toEqual([tasks[1]!.index, tasks[2]!.index]);
    expect(storeDigest(store)).toBe(uninterrupted);
  });

  it('stops on a NaN loss naming the task and update; tasks already written stay intact', async () => {
    const bad = tasks[1]!.index;
    const store = new MemoryHistoryStore();
    const family = withNanRewards(darkroom, bad, 30); // rewards turn NaN in the second rollout
    const run = collect(options({ family, sink: store, tasksPerBatch: 1 }));
    await expect(run).rejects.toThrow(TrainingDivergedError);
    await expect(run).rejects.toThrow(`Training diverged on task ${bad} at update 2: the loss is not finite`);
    const error = (await run.catch((e: unknown) => e)) as TrainingDivergedError;
    expect(error.taskIndex).toBe(bad);
    expect(error.update).toBe(2);
    expect(store.taskIndices).toEqual([tasks[0]!.index]);
    const clean = new MemoryHistoryStore();
    await collect(options({ sink: clean, tasks: [tasks[0]!] }));
    expect(store.task(tasks[0]!.index)!.rewards).toEqual(clean.task(tasks[0]!.index)!.rewards);
  });

  it('reports a NaN loss from a worker thread the same way', async () => {
    const bad = tasks[2]!.index;
    const run = collect(options({ family: withNanRewards(darkroom, bad, 30), workers: 2 }));
    await expect(run).rejects.toThrow(`Training diverged on task ${bad} at update 2`);
  }, 60_000);

  it('reports progress', async () => {
    const seen: number[] = [];
    await collect(options({ onProgress: (p) => seen.push(p.step) }));
    expect(seen).toEqual([25, 50, 60, 60]);
  });

  describe('rejects bad input before any step, naming the field', () => {
    // A sink that records whether anything reached it.
    const untouched = () => {
      const calls: string[] = [];
      const sink = new Proxy(new MemoryHistoryStore(), {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value === 'function') {
            return (...args: unknown[]) => {
              calls.push(String(prop));
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          }
          return value;
        },
      });
      return { sink, calls };
    };
    const cases: [string, () => Partial<CollectOptions>, string][] = [
      [
        'a negative learning rate',
        () => ({ algorithm: ppo({ learningRate: -3e-4 }) }),
        'Invalid ppo.learningRate: got -0.0003; expected a finite number > 0.',
      ],
      [
        'a batch larger than the rollout',
        () => ({ algorithm: ppo({ ...ppoPresetFor('darkroom'), batchSize: 100 }) }),
        'Invalid ppo.batchSize: got 100; expected a divisor of the rollout size nSteps x streams = 20 x 4 = 80.',
      ],
      [
        'a batch that does not divide the rollout',
        () => ({ algorithm: ppo({ ...ppoPresetFor('darkroom'), batchSize: 30 }) }),
        'Invalid ppo.batchSize: got 30',
      ],
      [
        'an unknown PPO field',
        () => ({ algorithm: ppo({ learningrate: 1 } as never) }),
        'Invalid ppo.learningrate',
      ],
      [
        'tabular Q on a continuous observation',
        () => ({ algorithm: tabularQ(), family: targetFamily(), tasks: targetFamily().tasks() }),
        'Invalid tabular-q: observationSpace',
      ],
      ['UCB1 on a gridworld', () => ({ algorithm: ucb1() }), 'Invalid ucb1: observationSpace'],
      [
        'AD-epsilon on a continuous family without an expert',
        () => ({ algorithm: adEpsilon(), family: targetFamily(), tasks: targetFamily().tasks() }),
        'Invalid family: got "target"; expected a family whose envs implement optimalActions()',
      ],
      [
        'tasks of another family',
        () => ({ tasks: bernoulliBandit().tasks().slice(0, 1) }),
        'Invalid tasks[0]',
      ],
      ['zero streams', () => ({ streams: 0 }), 'Invalid streams: got 0'],
      ['a negative seed', () => ({ seed: -1 }), 'Invalid seed: got -1'],
      ['an unknown option', () => ({ stepsPerstream: 5 }) as never, 'Invalid options.stepsPerstream'],
    ];
    it.each(cases)('%s', async (_, over, message) => {
      const { sink, calls } = untouched();
      let thrown: unknown;
      try {
        await collect(options({ ...over(), sink }));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(InvalidArgumentError);
      expect((thrown as Error).message).toContain(message);
      expect(calls).toEqual([]);
    });
  });
});
