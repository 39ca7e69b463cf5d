import { InvalidArgumentError } from './errors/invalid-argument-error';

// Small validators for entry points. Each throws one InvalidArgumentError naming the field, the value and
// what is accepted, so bad input fails before anything is computed or written. Zero dependencies on purpose.

/** Bounds for numeric validators; both ends inclusive unless `exclusiveMin`/`exclusiveMax` is set. */
export interface NumberBounds {
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
}

function describeBounds(kind: string, b: NumberBounds): string {
  const hasMin = b.min !== undefined;
  const hasMax = b.max !== undefined;
  if (hasMin && hasMax) {
    return `${kind} in ${b.exclusiveMin ? '(' : '['}${b.min}, ${b.max}${b.exclusiveMax ? ')' : ']'}`;
  }
  if (hasMin) return `${kind} ${b.exclusiveMin ? '>' : '>='} ${b.min}`;
  if (hasMax) return `${kind} ${b.exclusiveMax ? '<' : '<='} ${b.max}`;
  return kind;
}

function inBounds(x: number, b: NumberBounds): boolean {
  if (b.min !== undefined && (b.exclusiveMin ? x <= b.min : x < b.min)) return false;
  if (b.max !== undefined && (b.exclusiveMax ? x >= b.max : x > b.max)) return false;
  return true;
}

/** A finite number within the bounds. */
export function requireNumber(field: string, value: unknown, bounds: NumberBounds = {}): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !inBounds(value, bounds)) {
    throw new InvalidArgumentError(field, value, describeBounds('a finite number', bounds));
  }
  return value;
}

/** A safe integer within the bounds. */
export function requireInteger(field: string, value: unknown, bounds: NumberBounds = {}): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || !inBounds(value, bounds)) {
    throw new InvalidArgumentError(field, value, describeBounds('an integer', bounds));
  }
  return value;
}

/** A seed: a safe integer >= 0. */
export function requireSeed(field: string, value: unknown): number {
  return requireInteger(field, value, { min: 0, max: Number.MAX_SAFE_INTEGER });
}

/** A boolean. */
export function requireBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(field, value, 'true or false');
  return value;
}

/** One of a fixed set of string (or number) literals. */
export function requireOneOf<T extends string | number>(
  field: string,
  value: unknown,
  options: readonly T[],
): T {
  if (!options.includes(value as T)) {
    throw new InvalidArgumentError(
      field,
      value,
      `one of ${options.map((o) => JSON.stringify(o)).join(', ')}`,
    );
  }
  return value as T;
}

/** A plain object (not null, not an array). */
export function requireObject(field: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new InvalidArgumentError(field, value, 'an object');
  }
  return value as Record<string, unknown>;
}

/** Rejects keys of `obj` that are not in `allowed` (typos in config objects must not pass silently). */
export function rejectUnknownKeys(
  field: string,
  obj: Record<string, unknown>,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new InvalidArgumentError(
        field ? `${field}.${key}` : key,
        obj[key],
        `no such field; accepted fields are ${allowed.join(', ')}`,
      );
    }
  }
}

/** An integer vector of a fixed length, each entry within the bounds. */
export function requireIntegerTuple(
  field: string,
  value: unknown,
  length: number,
  bounds: NumberBounds = {},
): number[] {
  const expected = `${length} integers, each ${describeBounds('an integer', bounds).replace('an integer ', '')}`;
  if (!Array.isArray(value) || value.length !== length)
    throw new InvalidArgumentError(field, value, expected);
  for (const x of value) {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || !inBounds(x, bounds)) {
      throw new InvalidArgumentError(field, value, expected);
    }
  }
  return value as number[];
}
