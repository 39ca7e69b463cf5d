import { describe, expect, it } from 'vitest';
import { configDiff, resolveModelConfig } from './config';

const space = (low: number, high: number) =>
  ({ kind: 'box', shape: [2], low: [low, -Infinity], high: [high, Infinity], dtype: 'float32' }) as const;

describe('configDiff', () => {
  const config = resolveModelConfig({
    envId: 'reach',
    observationSpace: space(-1, 1),
    actionSpace: { kind: 'box', shape: [1], low: -1, high: 1, dtype: 'float32' },
  });

  it("compares as a checkpoint's config.json stores it: key order and Infinity-as-null do not count", () => {
    const stored = JSON.parse(JSON.stringify(config)); // unbounded bounds become null, as in config.json
    const reordered = { ...stored, observationSpace: { dtype: 'float32', ...stored.observationSpace } };
    expect(configDiff(config, reordered)).toEqual([]);
  });

  it('names the fields that differ', () => {
    expect(configDiff(config, { ...config, nTransit: 10, observationSpace: space(-2, 1) })).toEqual([
      'nTransit',
      'observationSpace',
    ]);
  });
});
