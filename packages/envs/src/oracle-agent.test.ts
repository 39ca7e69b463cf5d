import { rollout, type VecEnv } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { darkroom } from './index';
import { OracleAgent } from './oracle-agent';

describe('OracleAgent', () => {
  it('earns the optimum of every Darkroom task', async () => {
    const family = darkroom();
    const tasks = family.split().test;
    const env = family.make(tasks, { autoReset: 'same-step' });
    const { returns } = await rollout(env, new OracleAgent(env), { episodes: 2 });
    tasks.forEach((t, i) => {
      expect(returns[2 * i]).toBe(family.maxReturn!(t));
    });
  });

  it('hands a continuous env a float buffer of numEnvs × action size (a scripted expert fills it)', () => {
    const seen: unknown[] = [];
    const env = {
      numEnvs: 3,
      actionSpace: { kind: 'box', shape: [4], low: -1, high: 1, dtype: 'float32' },
      optimalActions(out: Float32Array) {
        seen.push(out);
        return out.fill(0.5);
      },
    } as unknown as VecEnv;
    const actions = new OracleAgent(env).act(new Float32Array(0));
    expect(actions).toBeInstanceOf(Float32Array);
    expect(Array.from(actions)).toEqual(new Array(12).fill(0.5));
    expect(seen[0]).toBe(actions);
  });
});
