import { HISTORY_SCHEMA_VERSION, type HistoryMeta, InvalidArgumentError } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { resolveStorage, validateWriterOptions } from './writer-options';

const gridMeta: HistoryMeta = {
  schemaVersion: HISTORY_SCHEMA_VERSION,
  envId: 'darkroom',
  envConfig: {},
  observationSpace: { kind: 'box', shape: [2], low: 0, high: 8, dtype: 'int32' },
  actionSpace: { kind: 'discrete', n: 5 },
  source: { algorithm: 'ppo', settings: {} },
  streams: 2,
  subsample: 1,
  seed: 0,
};

describe('writer options', () => {
  it('default to DICP dtypes: int32 everywhere for gridworlds, float32 for continuous envs', () => {
    const grid = resolveStorage(validateWriterOptions(undefined), gridMeta);
    expect(grid.dtypes).toEqual({
      states: 'int32',
      nextStates: 'int32',
      actions: 'int32',
      rewards: 'int32',
      dones: 'uint8',
      optimalActions: 'int32',
      success: 'float32',
    });
    expect(grid.chunkLength).toBe(1024);
    const mw = resolveStorage(validateWriterOptions({}), {
      ...gridMeta,
      observationSpace: { kind: 'box', shape: [18], low: -Infinity, high: Infinity, dtype: 'float32' },
      actionSpace: { kind: 'box', shape: [4], low: -1, high: 1, dtype: 'float32' },
    });
    expect([mw.dtypes.states, mw.dtypes.actions, mw.dtypes.rewards]).toEqual([
      'float32',
      'float32',
      'float32',
    ]);
  });

  it('take compact dtypes where declared', () => {
    const s = resolveStorage(
      validateWriterOptions({ dtypes: { states: 'uint8', rewards: 'float32' }, compression: 6 }),
      gridMeta,
    );
    expect([s.dtypes.states, s.dtypes.nextStates, s.dtypes.rewards, s.compression]).toEqual([
      'uint8',
      'uint8',
      'float32',
      6,
    ]);
  });

  it.each([
    [
      { dtypes: { rewards: 'float16' } },
      'Invalid options.dtypes.rewards: got "float16"; expected one of "int8"',
    ],
    [{ dtypes: { dones: 'uint8' } }, 'Invalid options.dtypes.dones'],
    [{ chunkLength: 0 }, 'Invalid options.chunkLength: got 0'],
    [{ compression: 10 }, 'Invalid options.compression: got 10'],
    [{ overwrite: 'yes' }, 'Invalid options.overwrite: got "yes"'],
    [{ chunk: 5 }, 'Invalid options.chunk'],
    ['fast', 'Invalid options: got "fast"; expected an object.'],
  ])('reject a bad option (%#) naming the field', (options, message) => {
    expect(() => validateWriterOptions(options)).toThrow(InvalidArgumentError);
    expect(() => validateWriterOptions(options)).toThrow(message);
  });
});
