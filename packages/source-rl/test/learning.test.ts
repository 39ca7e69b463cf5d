// Learning tests: each source algorithm, run as `collect` runs it, ends near the optimum of its tasks while
// random play stays far below. CI-sized: the paper's per-task setting, fewer tasks (the full 73-goal run is
// bench/ppo-darkroom.bench.ts).
import { bernoulliBandit, makeEnvFamily } from '@icrl/envs';
import { describe, expect, it } from 'vitest';
import { a2c } from '../src/a2c';
import { adEpsilon } from '../src/ad-epsilon';
import { thompsonSampling, ucb1 } from '../src/bandit-algorithms';
import { collect } from '../src/collect';
import { MemoryHistoryStore } from '../src/memory-history-store';
import { ppo, ppoPresetFor } from '../src/ppo';
import { tabularQ } from '../src/tabular-q';
import { everyNth, finalRatios, randomReturns } from './helpers';

const darkroom = makeEnvFamily('darkroom');
// 11 of the 73 DICP train goals (split seed 0), spread over the list: near and far goals alike.
const goals = everyNth(darkroom.split().train, 7);

function fractionAtLeast(ratios: readonly number[], threshold: number): number {
  return ratios.filter((r) => r >= threshold).length / ratios.length;
}

describe('learning', () => {
  it('PPO with the DICP Darkroom settings (100 streams x 1,000 steps) reaches 90% of maxReturn on >= 90% of goals', async () => {
    const result = await collect({
      algorithm: ppo(ppoPresetFor('darkroom')),
      family: darkroom,
      tasks: goals,
      streams: 100,
      stepsPerStream: 1000,
      seed: 0,
      sink: new MemoryHistoryStore(),
    });
    const ratios = finalRatios(result, darkroom, goals);
    expect(fractionAtLeast(ratios, 0.9)).toBeGreaterThanOrEqual(0.9);
    // Random play, on the same goals: far below.
    const random = await randomReturns(darkroom, goals);
    const randomRatio = random.reduce((a, r, k) => a + r / darkroom.maxReturn!(goals[k]!), 0) / goals.length;
    const meanRatio = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    expect(randomRatio).toBeLessThan(0.15);
    expect(meanRatio - randomRatio).toBeGreaterThan(0.75);
  }, 120_000);

  it('tabular Q-learning (one table per task, 100 streams) reaches 95% of the optimum on every goal', async () => {
    const result = await collect({
      algorithm: tabularQ(),
      family: darkroom,
      tasks: goals,
      streams: 100,
      stepsPerStream: 1000,
      seed: 0,
      sink: new MemoryHistoryStore(),
    });
    expect(Math.min(...finalRatios(result, darkroom, goals))).toBeGreaterThanOrEqual(0.95);
  });

  it('A2C (SB3 defaults, entropy bonus 0.01) learns Darkroom far above random play', async () => {
    const tasks = goals.slice(0, 4);
    const result = await collect({
      algorithm: a2c({ entCoef: 0.01, bootstrapTruncated: false }),
      family: darkroom,
      tasks,
      streams: 16,
      stepsPerStream: 4000,
      seed: 0,
      sink: new MemoryHistoryStore(),
    });
    const ratios = finalRatios(result, darkroom, tasks);
    expect(ratios.reduce((a, b) => a + b, 0) / ratios.length).toBeGreaterThan(0.5);
    expect(Math.min(...ratios)).toBeGreaterThan(0.3);
  });

  const bandit = bernoulliBandit();
  const arms = everyNth(bandit.split().train, 450); // 20 bandit tasks

  it.each([
    ['UCB1', ucb1()],
    ['Thompson sampling', thompsonSampling()],
  ])(
    '%s (independent streams) ends at 90 percent of the best arm on 90 percent of bandits; random play near half',
    async (_, algorithm) => {
      const result = await collect({
        algorithm,
        family: bandit,
        tasks: arms,
        streams: 20,
        stepsPerStream: 3000,
        seed: 0,
        sink: new MemoryHistoryStore(),
      });
      const ratios = finalRatios(result, bandit, arms);
      expect(fractionAtLeast(ratios, 0.9)).toBeGreaterThanOrEqual(0.9);
      const random = await randomReturns(bandit, arms);
      const randomRatio = random.reduce((a, r, k) => a + r / bandit.maxReturn!(arms[k]!), 0) / arms.length;
      expect(randomRatio).toBeLessThan(0.7);
    },
  );

  it('AD-epsilon: from random play to the oracle (maxPerf 1), or to 1 - epsilon of it (maxPerf 0.7)', async () => {
    const run = (maxPerf: number) =>
      collect({
        algorithm: adEpsilon({ maxPerf }),
        family: darkroom,
        tasks: goals,
        streams: 20,
        stepsPerStream: 1000,
        seed: 0,
        sink: new MemoryHistoryStore(),
      });
    const full = await run(1);
    expect(Math.min(...finalRatios(full, darkroom, goals))).toBe(1); // epsilon is 0 over the last 10%
    const first = goals.map((t) => full.episodeReturns.get(t.index)![0]! / darkroom.maxReturn!(t));
    expect(Math.max(...first)).toBeLessThan(0.3); // the first episode is (nearly) random play
    const partial = finalRatios(await run(0.7), darkroom, goals);
    for (const r of partial) {
      expect(r).toBeGreaterThan(0.5);
      expect(r).toBeLessThan(0.8);
    }
  });
});
