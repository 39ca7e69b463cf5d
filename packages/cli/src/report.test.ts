import { describe, expect, it } from 'vitest';
import { reportEpisodes } from './report';
import type { MethodResult } from './results';

function method(name: string, episodes: number): MethodResult {
  const mean = Array.from({ length: episodes }, (_, k) => k);
  return {
    name,
    role: 'baseline',
    planner: null,
    backend: null,
    agent: name,
    envId: 'darkroom',
    envConfig: {},
    tasks: [1],
    runsPerTask: 1,
    episodes,
    seed: 0,
    returns: [mean],
    mean,
    ci95: mean.map(() => 0),
    maxReturn: null,
    envSteps: 0,
    wallSeconds: 0,
  };
}

describe('reportEpisodes', () => {
  it('marks episodes 1, 10, 25, 50 within the longest curve, and 100 with planning-length curves', () => {
    expect(reportEpisodes([method('a', 2)])).toEqual([1]);
    expect(reportEpisodes([method('a', 20)])).toEqual([1, 10]);
    expect(reportEpisodes([method('a', 50), method('b', 20)])).toEqual([1, 10, 25, 50]);
    expect(reportEpisodes([method('a', 50), method('b', 100)])).toEqual([1, 10, 25, 50, 100]);
  });
});
