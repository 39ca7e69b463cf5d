import { InvalidArgumentError, Rng, type VecTransition } from '@icrl/core';
import { bernoulliBandit, makeEnvFamily } from '@icrl/envs';
import { describe, expect, it } from 'vitest';
import { AdEpsilonLearner, adEpsilon } from './ad-epsilon';
import type { BatchedLearner, LearnerSpec } from './algorithm';
import { sampleBeta, thompsonSampling, ucb1 } from './bandit-algorithms';
import { isConstantSpace, ObservationIndex } from './observation-index';
import { TabularQLearner, tabularQ } from './tabular-q';

const darkroom = makeEnvFamily('darkroom');
const bandit = bernoulliBandit({ arms: 3 });

function spec(over: Partial<LearnerSpec> = {}): LearnerSpec {
  return {
    observationSpace: darkroom.observationSpace,
    actionSpace: darkroom.actionSpace,
    streams: 2,
    taskIndices: [0],
    taskSeeds: [0],
    horizon: 20,
    totalSteps: 100,
    ...over,
  };
}

describe('ObservationIndex', () => {
  it("maps Darkroom's (x, y) to the reference's 81-way index x * 9 + y", () => {
    const index = ObservationIndex.for('t', darkroom.observationSpace);
    expect(index.size).toBe(81);
    expect(index.of([0, 0, 2, 3, 8, 8], 1)).toBe(21);
    expect(index.of([0, 0, 2, 3, 8, 8], 2)).toBe(80);
  });

  it('rejects float or unbounded boxes', () => {
    expect(() =>
      ObservationIndex.for('tabular-q', { kind: 'box', shape: [1], low: 0, high: 1, dtype: 'float32' }),
    ).toThrow('Invalid tabular-q: observationSpace');
    expect(() =>
      ObservationIndex.for('tabular-q', {
        kind: 'box',
        shape: [1],
        low: 0,
        high: Number.POSITIVE_INFINITY,
        dtype: 'int32',
      }),
    ).toThrow(InvalidArgumentError);
  });

  it('recognises a bandit by its constant observation', () => {
    expect(isConstantSpace(bandit.observationSpace)).toBe(true);
    expect(isConstantSpace(darkroom.observationSpace)).toBe(false);
  });
});

describe('tabular Q-learning', () => {
  it('decays epsilon linearly, then holds it', () => {
    const learner = new TabularQLearner(
      tabularQ({ epsilonDecaySteps: 10, epsilonEnd: 0.1 }).settings as never,
      spec(),
    );
    const obs = new Int32Array([4, 4, 4, 4]);
    const tr: VecTransition = {
      obs,
      actions: new Int32Array([0, 0]),
      rewards: new Float32Array(2),
      nextObs: obs,
      terminated: new Uint8Array(2),
      truncated: new Uint8Array(2),
    };
    expect(learner.epsilon).toBe(1);
    for (let i = 0; i < 5; i++) learner.observe(tr);
    expect(learner.epsilon).toBeCloseTo(0.55, 12);
    for (let i = 0; i < 10; i++) learner.observe(tr);
    expect(learner.epsilon).toBe(0.1);
  });

  it("makes the Q-learning update Q += alpha (r + gamma max Q(s') - Q)", () => {
    const learner: BatchedLearner = new TabularQLearner(
      tabularQ({ learningRate: 0.5, gamma: 0.9, epsilonStart: 0, epsilonEnd: 0 }).settings as never,
      spec({ streams: 1 }),
    );
    const s0 = new Int32Array([4, 4]);
    const s1 = new Int32Array([5, 4]);
    learner.act(s0, null);
    learner.observe({
      obs: s0,
      actions: new Int32Array([0]),
      rewards: new Float32Array([1]),
      nextObs: s1,
      terminated: new Uint8Array(1),
      truncated: new Uint8Array(1),
    });
    expect(learner.metrics()['losses/td_error']).toBe(1); // Q(s0, 0): 0 -> 0.5
    learner.act(s1, null);
    learner.observe({
      obs: s1,
      actions: new Int32Array([2]),
      rewards: new Float32Array([0]),
      nextObs: s0,
      terminated: new Uint8Array(1),
      truncated: new Uint8Array(1),
    });
    // target 0 + 0.9 * max Q(s0) = 0.45
    expect(learner.metrics()['losses/td_error']).toBeCloseTo(0.45, 12);
    // The greedy action in s0 is now 0.
    expect(learner.act(s0, null)[0]).toBe(0);
  });

  it('cannot run on continuous actions', () => {
    expect(() =>
      tabularQ().check(
        darkroom.observationSpace,
        { kind: 'box', shape: [1], low: -1, high: 1, dtype: 'float32' },
        1,
      ),
    ).toThrow('Invalid tabular-q: actionSpace');
  });
});

describe('bandit algorithms', () => {
  it('UCB1 pulls every arm once, in order, then the best upper bound', () => {
    const learner = ucb1().createLearner(
      spec({ observationSpace: bandit.observationSpace, actionSpace: bandit.actionSpace, streams: 1 }),
    );
    const obs = new Int32Array(1);
    const pulls: number[] = [];
    const pay = [0, 1, 0];
    for (let t = 0; t < 6; t++) {
      const a = learner.act(obs, null)[0]!;
      pulls.push(a);
      learner.observe({
        obs,
        actions: new Int32Array([a]),
        rewards: new Float32Array([pay[a]!]),
        nextObs: obs,
        terminated: new Uint8Array(1),
        truncated: new Uint8Array(1),
      });
    }
    expect(pulls.slice(0, 3)).toEqual([0, 1, 2]);
    expect(pulls[3]).toBe(1);
  });

  it('UCB1 and Thompson sampling refuse a gridworld', () => {
    expect(() => ucb1().check(darkroom.observationSpace, darkroom.actionSpace, 1)).toThrow(
      'Invalid ucb1: observationSpace',
    );
    expect(() => thompsonSampling().check(darkroom.observationSpace, darkroom.actionSpace, 1)).toThrow(
      'Invalid thompson: observationSpace',
    );
  });

  it('samples Beta(a, b) with the right mean and variance', () => {
    const rng = new Rng(0);
    const n = 20000;
    const xs = Array.from({ length: n }, () => sampleBeta(3, 5, rng));
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    expect(mean).toBeCloseTo(3 / 8, 2);
    expect(variance).toBeCloseTo((3 * 5) / (8 * 8 * 9), 3);
  });

  it('Thompson sampling rejects rewards outside [0, 1]', () => {
    const learner = thompsonSampling().createLearner(
      spec({ observationSpace: bandit.observationSpace, actionSpace: bandit.actionSpace, streams: 1 }),
    );
    const obs = new Int32Array(1);
    expect(() =>
      learner.observe({
        obs,
        actions: new Int32Array([0]),
        rewards: new Float32Array([2]),
        nextObs: obs,
        terminated: new Uint8Array(1),
        truncated: new Uint8Array(1),
      }),
    ).toThrow('Invalid rewards[0]: got 2');
  });
});

describe('AD-epsilon', () => {
  it('follows the reference schedule: epsilon -= 1 / (0.9 T) per step, floored at 1 - maxPerf', () => {
    const learner = new AdEpsilonLearner(
      adEpsilon({ maxPerf: 0.5 }).settings as never,
      spec({ totalSteps: 90 }),
    );
    expect(learner.epsilon).toBe(1);
    for (let t = 0; t < 27; t++) learner.observe();
    expect(learner.epsilon).toBeCloseTo(1 - 27 / 81, 12);
    for (let t = 0; t < 100; t++) learner.observe();
    expect(learner.epsilon).toBe(0.5);
  });

  it('acts as the oracle once epsilon is 0, and needs the oracle', () => {
    const learner = new AdEpsilonLearner(adEpsilon().settings as never, spec({ totalSteps: 9 }));
    for (let t = 0; t < 10; t++) learner.observe();
    expect([...learner.act(new Int32Array(4), new Int32Array([3, 1]))]).toEqual([3, 1]);
    expect(() => learner.act(new Int32Array(4), null)).toThrow('Invalid optimalActions');
    expect(
      () => new AdEpsilonLearner(adEpsilon().settings as never, spec({ totalSteps: undefined as never })),
    ).toThrow('Invalid adEpsilon.totalSteps');
  });

  it('on a Box: uniform draws from the bounds at epsilon 1, the clipped expert at epsilon 0', () => {
    const box = { kind: 'box', shape: [2], low: [-1, 0], high: [1, 4], dtype: 'float32' } as const;
    const boxSpec = spec({ actionSpace: box, streams: 250, totalSteps: 9 });
    const learner = new AdEpsilonLearner(adEpsilon().settings as never, boxSpec);
    const expert = new Float32Array(500).map((_, i) => (i % 2 === 0 ? 5 : -3)); // outside the box both ways
    const a = learner.act(new Float32Array(250), expert);
    expect(a).toBeInstanceOf(Float32Array);
    const dim = (j: number) => [...a].filter((_, i) => i % 2 === j);
    expect(Math.min(...dim(0))).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...dim(0))).toBeLessThanOrEqual(1);
    expect(Math.min(...dim(1))).toBeGreaterThanOrEqual(0);
    expect(Math.max(...dim(1))).toBeLessThanOrEqual(4);
    // Uniform: means near the centres (0 and 2; the standard error of 250 draws is 0.04 and 0.07).
    expect(Math.abs(dim(0).reduce((x, y) => x + y) / 250)).toBeLessThan(0.15);
    expect(Math.abs(dim(1).reduce((x, y) => x + y) / 250 - 2)).toBeLessThan(0.3);
    for (let t = 0; t < 10; t++) learner.observe();
    expect([...learner.act(new Float32Array(250), expert).slice(0, 4)]).toEqual([1, 0, 1, 0]);
  });

  it('rejects a Box it cannot sample uniformly, naming the field', () => {
    const open = { kind: 'box', shape: [2], low: -Infinity, high: Infinity, dtype: 'float32' } as const;
    expect(() => adEpsilon().check(darkroom.observationSpace, open, 1)).toThrow(
      'Invalid ad-epsilon: actionSpace',
    );
    expect(() => adEpsilon().check(darkroom.observationSpace, open, 1)).toThrow('finite bounds');
  });
});
