import { IcrlError } from './icrl-error';

/**
 * A caller passed a value that is not accepted. The message names the field, the value received
 * and what is accepted, e.g. `Invalid darkroom.size: got 1.5; expected an integer in [2, 4096].`
 */
export class InvalidArgumentError extends IcrlError {
  override name = 'InvalidArgumentError';
  /** Dotted path of the offending field (`darkroom.size`, `actions[3]`). */
  readonly field: string;
  /** The value that was received. */
  readonly value: unknown;
  /** Human-readable description of what is accepted. */
  readonly expected: string;

  constructor(field: string, value: unknown, expected: string, options?: { cause?: unknown }) {
    super(`Invalid ${field}: got ${describeValue(value)}; expected ${expected}.`, options);
    this.field = field;
    this.value = value;
    this.expected = expected;
  }
}

/** Short, safe rendering of any value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (ArrayBuffer.isView(value)) {
    return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  }
  if (Array.isArray(value)) {
    const text = JSON.stringify(value);
    return text !== undefined && text.length <= 60 ? text : `an array of length ${value.length}`;
  }
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text.length <= 60 ? text : `${text.slice(0, 57)}...`;
  } catch {
    // cyclic or otherwise unserialisable: fall through
  }
  return Object.prototype.toString.call(value);
}
