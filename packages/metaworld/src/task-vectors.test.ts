import { describe, expect, it } from 'vitest';
import { readFixture } from '../test/fixtures';
import { METAWORLD_TASK_NAMES } from './task-spec';
import { generateTaskVectors, ML1_VARIATIONS, ml1TaskVectors } from './task-vectors';
import { TASK_SPECS } from './tasks/index';

type VectorFixture = Record<string, { train: number[][]; test: number[][]; po: boolean[] }>;

describe('ML1 task variations', () => {
  const fixture = readFixture<VectorFixture>('ml1-seed0-task-vectors.json');

  it.each(METAWORLD_TASK_NAMES)("%s: seed 0 train and test equal Meta-World's, bit for bit", (name) => {
    const spec = TASK_SPECS[name];
    const { train, test } = ml1TaskVectors(spec, 0);
    expect(train).toHaveLength(ML1_VARIATIONS);
    expect(train).toEqual(fixture[spec.envName]!.train);
    expect(test).toEqual(fixture[spec.envName]!.test);
  });

  it('honours the rejection rules (object and goal at least 15 cm apart in xy)', () => {
    for (const rv of generateTaskVectors(TASK_SPECS.reach, 123)) {
      expect(Math.hypot(rv[0]! - rv[3]!, rv[1]! - rv[4]!)).toBeGreaterThanOrEqual(0.15);
    }
  });

  it('rejects seeds numpy would reject', () => {
    expect(() => ml1TaskVectors(TASK_SPECS.push, -1)).toThrow(/Invalid seed/);
    expect(() => ml1TaskVectors(TASK_SPECS.push, 2 ** 32 - 1)).toThrow(/Invalid seed/); // seed + 1 overflows
  });
});
