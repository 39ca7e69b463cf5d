import { InvalidArgumentError } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { computeGae } from './compute-gae';

// One env, four steps, gamma 0.5 and lambda 0.5 so the hand arithmetic stays exact in binary.
//   t:          0     1     2     3
//   reward      1     0     2     1
//   V(s_t)      0.5   1     0.25  2
//   episode ends after step 1 (terminated or truncated, per case); V(final obs of step 1) = 4
//   V(obs after step 3) = 8
const base = {
  rewards: [1, 0, 2, 1],
  values: [0.5, 1, 0.25, 2],
  finalValues: [0, 4, 0, 0],
  lastValues: [8],
  numEnvs: 1,
  gamma: 0.5,
  gaeLambda: 0.5,
};

describe('computeGae', () => {
  it('stops at a terminated step: no bootstrap from the final observation', () => {
    const { advantages, returns } = computeGae({
      ...base,
      terminated: [0, 1, 0, 0],
      truncated: [0, 0, 0, 0],
    });
    // t=3: delta = 1 + 0.5*8 - 2 = 3;                 A3 = 3
    // t=2: delta = 2 + 0.5*2 - 0.25 = 2.75;           A2 = 2.75 + 0.25*3 = 3.5
    // t=1: terminal: delta = 0 - 1 = -1;              A1 = -1
    // t=0: delta = 1 + 0.5*1 - 0.5 = 1;               A0 = 1 + 0.25*(-1) = 0.75
    expect([...advantages]).toEqual([0.75, -1, 3.5, 3]);
    expect([...returns]).toEqual([1.25, 0, 3.75, 5]);
  });

  it('bootstraps a truncated step from V(final obs), as SB3 adds gamma * V(terminal_observation)', () => {
    const { advantages } = computeGae({ ...base, terminated: [0, 0, 0, 0], truncated: [0, 1, 0, 0] });
    // t=1: reward 0 + 0.5*4 = 2; the episode still ends: delta = 2 - 1 = 1, A1 = 1
    // t=0: delta = 1, A0 = 1 + 0.25*1 = 1.25
    expect([...advantages]).toEqual([1.25, 1, 3.5, 3]);
  });

  it('treats truncation as termination when bootstrapping is off (the DICP reference envs)', () => {
    const off = computeGae({
      ...base,
      terminated: [0, 0, 0, 0],
      truncated: [0, 1, 0, 0],
      bootstrapTruncated: false,
    });
    const term = computeGae({ ...base, terminated: [0, 1, 0, 0], truncated: [0, 0, 0, 0] });
    expect([...off.advantages]).toEqual([...term.advantages]);
  });

  it('terminated wins over truncated when both are set', () => {
    const both = computeGae({ ...base, terminated: [0, 1, 0, 0], truncated: [0, 1, 0, 0] });
    expect([...both.advantages]).toEqual([0.75, -1, 3.5, 3]);
  });

  it('keeps envs apart in the time-major layout', () => {
    const two = computeGae({
      rewards: [1, 0, 0, 1],
      values: [0, 0, 0, 0],
      terminated: [0, 0, 1, 1],
      truncated: [0, 0, 0, 0],
      finalValues: [0, 0, 0, 0],
      lastValues: [0, 0],
      numEnvs: 2,
      gamma: 1,
      gaeLambda: 1,
    });
    // env 0: rewards 1, 0 -> A = [1, 0]; env 1: rewards 0, 1 -> A = [1, 1]
    expect([...two.advantages]).toEqual([1, 1, 0, 1]);
  });

  it('rejects mismatched lengths naming the field', () => {
    expect(() => computeGae({ ...base, terminated: [0], truncated: [0, 0, 0, 0] })).toThrow(
      InvalidArgumentError,
    );
    expect(() =>
      computeGae({ ...base, terminated: [0, 0, 0, 0], truncated: [0, 0, 0, 0], lastValues: [1, 2] }),
    ).toThrow('Invalid lastValues');
  });
});
