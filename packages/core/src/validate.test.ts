import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import {
  rejectUnknownKeys,
  requireInteger,
  requireIntegerTuple,
  requireNumber,
  requireOneOf,
} from './validate';

describe('validators', () => {
  it('name the field, the value and what is accepted', () => {
    expect(() => requireInteger('darkroom.size', 1.5, { min: 2, max: 4096 })).toThrow(
      'Invalid darkroom.size: got 1.5; expected an integer in [2, 4096].',
    );
    expect(() => requireNumber('lr', Number.NaN, { min: 0, exclusiveMin: true })).toThrow(
      'Invalid lr: got NaN; expected a finite number > 0.',
    );
    expect(() => requireOneOf('rewardMode', 'always', ['every-step', 'first-visit'])).toThrow(
      'Invalid rewardMode: got "always"; expected one of "every-step", "first-visit".',
    );
    expect(() => rejectUnknownKeys('darkroom', { size: 9, hoirzon: 20 }, ['size', 'horizon'])).toThrow(
      'Invalid darkroom.hoirzon: got 20; expected no such field; accepted fields are size, horizon.',
    );
    expect(() => requireIntegerTuple('start', [1, 9], 2, { min: 0, max: 8 })).toThrow(
      'Invalid start: got [1,9]; expected 2 integers, each in [0, 8].',
    );
  });

  it('throw InvalidArgumentError carrying the parts', () => {
    try {
      requireInteger('horizon', '20');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidArgumentError);
      const err = e as InvalidArgumentError;
      expect([err.name, err.field, err.value, err.expected]).toEqual([
        'InvalidArgumentError',
        'horizon',
        '20',
        'an integer',
      ]);
    }
  });

  it('return accepted values unchanged', () => {
    expect(requireInteger('n', 3, { min: 1 })).toBe(3);
    expect(requireIntegerTuple('g', [0, 8], 2, { min: 0, max: 8 })).toEqual([0, 8]);
  });
});
