import { InvalidArgumentError } from '@icrl/core';

/** Hidden layer sizes: an array of at most 8 integers in [1, 4096] (empty: a linear network). */
export function requireLayerSizes(field: string, value: unknown): readonly number[] {
  const expected = 'an array of at most 8 integers in [1, 4096]';
  if (!Array.isArray(value) || value.length > 8) throw new InvalidArgumentError(field, value, expected);
  for (const x of value) {
    if (!Number.isSafeInteger(x) || x < 1 || x > 4096) throw new InvalidArgumentError(field, value, expected);
  }
  return Object.freeze([...(value as number[])]);
}
