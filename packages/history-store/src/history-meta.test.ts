import { canonicalJson, HISTORY_SCHEMA_VERSION, type HistoryMeta, InvalidArgumentError } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import {
  firstDifference,
  parseCanonicalJson,
  validateHistoryMeta,
  validateSummary,
  validateTaskHistoryMeta,
} from './history-meta';

const meta: HistoryMeta = {
  schemaVersion: HISTORY_SCHEMA_VERSION,
  envId: 'darkroom',
  envConfig: { size: 9, horizon: 20 },
  observationSpace: { kind: 'box', shape: [2], low: 0, high: 8, dtype: 'int32' },
  actionSpace: { kind: 'discrete', n: 5 },
  source: { algorithm: 'ppo', settings: { lr: 3e-4 } },
  streams: 4,
  subsample: 1,
  seed: 0,
  split: { seed: 0, trainRatio: 0.8 },
};

describe('validateHistoryMeta', () => {
  it('accepts a valid meta', () => {
    expect(validateHistoryMeta(meta)).toBe(meta);
  });

  it.each([
    [{ ...meta, streams: 0 }, 'Invalid meta.streams: got 0; expected an integer in [1, 1000000].'],
    [{ ...meta, envId: '' }, 'Invalid meta.envId: got ""; expected a non-empty string.'],
    [{ ...meta, schemaVersion: 2 }, 'Invalid meta.schemaVersion: got 2; expected one of 1.'],
    [{ ...meta, envConfig: { f: () => 1 } }, 'Invalid meta.envConfig.f: got a function'],
    [{ ...meta, actionSpace: { kind: 'discrete', n: 0 } }, 'Invalid meta.actionSpace.n: got 0'],
    [{ ...meta, split: { seed: 0, trainRatio: 0 } }, 'Invalid meta.split.trainRatio: got 0'],
    [{ ...meta, colour: 'red' }, 'Invalid meta.colour'],
  ])('rejects a bad field (%#)', (bad, message) => {
    expect(() => validateHistoryMeta(bad)).toThrow(InvalidArgumentError);
    expect(() => validateHistoryMeta(bad)).toThrow(message);
  });

  it('validates task meta and summaries', () => {
    expect(() =>
      validateTaskHistoryMeta({
        task: { familyId: 'darkroom', index: 3, params: { goal: [1, 2] } },
        split: 'train',
        seed: 3,
      }),
    ).not.toThrow();
    expect(() => validateTaskHistoryMeta({ task: { familyId: 'darkroom', index: -1, params: {} } })).toThrow(
      'Invalid taskMeta.task.index: got -1',
    );
    expect(() => validateSummary({ episodeReturns: [1, Number.NaN] })).toThrow(
      'Invalid summary.episodeReturns[1]: got NaN',
    );
  });
});

describe('canonical JSON', () => {
  it('sorts keys and keeps unbounded box bounds', () => {
    const space = { kind: 'box', shape: [2], low: -Infinity, high: [1, Infinity], dtype: 'float32' };
    const text = canonicalJson({ z: 1, space });
    expect(text).toBe(
      '{"space":{"dtype":"float32","high":[1,"Infinity"],"kind":"box","low":"-Infinity","shape":[2]},"z":1}',
    );
    expect(parseCanonicalJson(text)).toEqual({ z: 1, space });
  });

  it('names the first differing field', () => {
    expect(firstDifference(meta, { ...meta })).toBeNull();
    expect(firstDifference(meta, { ...meta, source: { algorithm: 'a2c', settings: {} } })).toBe(
      'source.algorithm',
    );
    expect(firstDifference(meta, { ...meta, streams: 8 })).toBe('streams');
  });
});
