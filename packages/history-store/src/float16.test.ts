import { describe, expect, it } from 'vitest';
import { halfTable, halfToNumber, numberToHalf } from './float16';

describe('float16', () => {
  it('decodes the reference bit patterns', () => {
    expect(halfToNumber(0x3c00)).toBe(1);
    expect(halfToNumber(0xc000)).toBe(-2);
    expect(halfToNumber(0x3555)).toBeCloseTo(0.33325, 5);
    expect(halfToNumber(0x7bff)).toBe(65504);
    expect(halfToNumber(0x0001)).toBe(2 ** -24);
    expect(halfToNumber(0x7c00)).toBe(Infinity);
    expect(halfToNumber(0xfc00)).toBe(-Infinity);
    expect(halfToNumber(0x7e00)).toBeNaN();
    expect(Object.is(halfToNumber(0x8000), -0)).toBe(true);
  });

  it('round-trips every finite pattern through numberToHalf', () => {
    const t = halfTable();
    for (let bits = 0; bits < 65536; bits++) {
      const exponent = (bits >> 10) & 0x1f;
      if (exponent === 0x1f) continue;
      expect(numberToHalf(t[bits]!)).toBe(bits);
    }
  });

  it('rounds to the nearest representable value', () => {
    expect(halfToNumber(numberToHalf(0.1))).toBeCloseTo(0.1, 3);
    expect(numberToHalf(1e6)).toBe(0x7c00);
  });
});
