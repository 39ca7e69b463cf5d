// IEEE 754 half precision, which XLand-100B uses for rewards. JavaScript (Node 20) has no Float16Array,
// so float16 data is read as raw Uint16 words and decoded here through a 65,536-entry table (256 KB, built
// on first use) — one lookup per value is far faster than bit twiddling in the sampler's inner loop.

let table: Float32Array | null = null;

/** Decodes one float16 bit pattern (0..65535) to a number. */
export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal (and ±0)
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** The decode table: `halfTable()[bits]` is the value of float16 `bits`. */
export function halfTable(): Float32Array {
  if (table === null) {
    table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) table[bits] = halfToNumber(bits);
  }
  return table;
}

/**
 * Nearest float16 bit pattern of `value` (round half to even), for tests and fixtures.
 *
 * @example numberToHalf(1) // 0x3c00
 */
export function numberToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const x = Math.abs(value);
  if (x >= 65520) return sign | 0x7c00; // rounds to infinity
  if (x < 2 ** -14) return sign | roundHalfEven(x / 2 ** -24); // subnormal
  let exponent = Math.floor(Math.log2(x));
  if (2 ** exponent > x) exponent -= 1; // guard against log2 rounding up
  let fraction = roundHalfEven((x / 2 ** exponent - 1) * 1024);
  if (fraction === 1024) {
    fraction = 0;
    exponent += 1;
  }
  return sign | ((exponent + 15) << 10) | fraction;
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}
