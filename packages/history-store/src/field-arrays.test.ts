import { describe, expect, it } from 'vitest';
import { gridMeta } from '../test/synthetic-history';
import { allocateField, fieldStepSize } from './field-arrays';

describe('allocateField', () => {
  it('types each field as HistoryWindow does', () => {
    const grid = gridMeta(2);
    expect(allocateField(grid, 'states', 3)).toEqual(new Int32Array(6));
    expect(allocateField(grid, 'actions', 3)).toEqual(new Int32Array(3));
    expect(allocateField(grid, 'rewards', 3)).toEqual(new Float32Array(3));
    expect(allocateField(grid, 'dones', 3)).toEqual(new Uint8Array(3));
    expect(allocateField(grid, 'optimalActions', 3)).toEqual(new Int32Array(3));
    const mw = gridMeta(2, {
      observationSpace: { kind: 'box', shape: [18], low: -1, high: 1, dtype: 'float32' },
      actionSpace: { kind: 'box', shape: [4], low: -1, high: 1, dtype: 'float32' },
    });
    expect(allocateField(mw, 'nextStates', 2)).toEqual(new Float32Array(36));
    expect(allocateField(mw, 'actions', 2)).toEqual(new Float32Array(8));
    expect(fieldStepSize(mw, 'success')).toBe(1);
  });
});
