import type { VecTransition } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { resolveModelConfig } from './config';
import { Encoding } from './encoding';
import { IdtRollingState } from './idt-rolling-state';

// Observations are one cell of a 10-cell line, so a state index is the observation itself. c = 2 steps per
// segment, nTransit / c = 3 high-level steps: 2 reviewed tokens plus the current slot.
const config = resolveModelConfig({
  envId: 'line-10',
  observationSpace: { kind: 'box', shape: [1], low: 0, high: 9, dtype: 'int32' },
  actionSpace: { kind: 'discrete', n: 3 },
  kind: 'idt',
  nTransit: 6,
  lowPerHigh: 2,
  dimZ: 1,
});
const model = { config, encoding: new Encoding(config) };

/** Two envs stepping from `states` one cell to the right; `ended[i]` ends env i's episode. */
function step(states: number[], actions: number[], rewards: number[], ended = [0, 0]): VecTransition {
  return {
    obs: Int32Array.from(states),
    actions: Int32Array.from(actions),
    rewards: Float32Array.from(rewards),
    nextObs: Int32Array.from(states, (s) => s + 1),
    terminated: Uint8Array.from(ended),
    truncated: new Uint8Array(2),
  };
}

describe('IdtRollingState', () => {
  it('gives Decisions-to-Go the segment so far plus the current state, and the segment back after c steps', () => {
    const context = new IdtRollingState(model, 5);
    context.reset(2);
    expect(context.atSegmentStart).toBe(true);
    expect(context.stateInputs(Int32Array.of(1, 4))).toEqual(Int32Array.of(1, 4));
    expect(context.stepInputs(Int32Array.of(1, 4))).toEqual({
      steps: 1,
      states: Int32Array.of(1, 4),
      actions: Int32Array.of(0, 0),
      rewards: Int32Array.of(0, 0),
    });
    expect(context.observe(step([1, 4], [2, 1], [0, 1]))).toBeUndefined();
    expect(context.atSegmentStart).toBe(false);
    expect(context.stepInputs(Int32Array.of(2, 5))).toEqual({
      steps: 2,
      states: Int32Array.of(1, 2, 4, 5),
      actions: Int32Array.of(2, 0, 1, 0),
      rewards: Int32Array.of(0, 0, 1, 0),
    });
    expect(context.observe(step([2, 5], [0, 2], [1, 0]))).toEqual({
      steps: 2,
      states: Int32Array.of(1, 2, 4, 5),
      actions: Int32Array.of(2, 0, 1, 2),
      rewards: Int32Array.of(0, 1, 1, 0),
      nextStates: Int32Array.of(2, 3, 5, 6),
    });
    context.endSegment(new Float32Array(4));
    expect(context.atSegmentStart).toBe(true);
    expect(context.stepInputs(Int32Array.of(3, 6)).steps).toBe(1);
  });

  it('lowers the return-to-go by each reward and restarts it at the initial return when an episode ends', () => {
    const context = new IdtRollingState(model, [5, 7]);
    context.reset(2);
    expect(context.startSegment(Int32Array.of(1, 4)).returns).toEqual(Float32Array.of(5, 7));
    context.observe(step([1, 4], [0, 0], [1, 2]));
    context.observe(step([2, 5], [0, 0], [1, 1], [0, 1]));
    context.endSegment(new Float32Array(4));
    const next = context.startSegment(Int32Array.of(3, 0));
    // Env-major: each env's finished segment (start return and state), then its current slot.
    expect(next.returns).toEqual(Float32Array.of(5, 3, 7, 7));
    expect(next.startStates).toEqual(Int32Array.of(1, 3, 4, 0));
  });

  it('keeps the last nTransit / c − 1 reviewed tokens and forgets them on reset', () => {
    const context = new IdtRollingState(model, 0);
    context.reset(2);
    for (let k = 1; k <= 4; k++) {
      context.startSegment(Int32Array.of(k, k));
      context.observe(step([k, k], [0, 0], [0, 0]));
      context.observe(step([k, k], [0, 0], [0, 0]));
      context.endSegment(Float32Array.of(k, k, 10 * k, 10 * k));
    }
    const window = context.startSegment(Int32Array.of(9, 9));
    expect(window.segments).toBe(3);
    expect(window.startStates).toEqual(Int32Array.of(3, 4, 9, 3, 4, 9));
    expect(window.reviewed).toEqual(Float32Array.of(3, 3, 4, 4, 0, 0, 30, 30, 40, 40, 0, 0));
    context.reset(1);
    expect(context.startSegment(Int32Array.of(9)).segments).toBe(1);
  });

  it('rejects a bad env count and an initial return per env that does not match it', () => {
    expect(() => new IdtRollingState(model, 5).reset(0)).toThrow('Invalid numEnvs: got 0');
    expect(() => new IdtRollingState(model, [1, 2]).reset(3)).toThrow(
      'Invalid options.initialReturn: got [1,2]; expected one number or 3 (one per env).',
    );
  });
});
