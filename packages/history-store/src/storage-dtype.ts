import { InvalidArgumentError } from '@icrl/core';
import { halfTable } from './float16';

/**
 * Element type of a dataset as stored on disk. `bool` is h5py's boolean (an int8 enum FALSE/TRUE), which
 * h5wasm can read but not create; `float16` is likewise read-only (XLand-100B's rewards).
 */
export type StorageDtype =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float16'
  | 'float32'
  | 'float64';

/** Dtypes the writer can create (h5wasm 0.10.3 cannot create enum or 2-byte float datatypes). */
export const WRITABLE_DTYPES = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'float32'] as const;
export type WritableDtype = (typeof WRITABLE_DTYPES)[number];

/** Bytes per element. */
export function dtypeSize(dtype: StorageDtype): number {
  switch (dtype) {
    case 'bool':
    case 'int8':
    case 'uint8':
      return 1;
    case 'int16':
    case 'uint16':
    case 'float16':
      return 2;
    case 'int32':
    case 'uint32':
    case 'float32':
      return 4;
    case 'int64':
    case 'float64':
      return 8;
  }
}

/** numpy-style type string h5wasm creates datasets from (`'<i'` is little-endian int32). */
export function h5wasmDtype(dtype: WritableDtype): string {
  const codes: Record<WritableDtype, string> = {
    int8: '<b',
    uint8: '<B',
    int16: '<h',
    uint16: '<H',
    int32: '<i',
    float32: '<f',
  };
  return codes[dtype];
}

/** Whether the dtype holds integers only. */
export function isIntegerDtype(dtype: StorageDtype): boolean {
  return dtype !== 'float16' && dtype !== 'float32' && dtype !== 'float64';
}

const INTEGER_RANGE: Partial<Record<StorageDtype, readonly [number, number]>> = {
  bool: [0, 1],
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

/** A typed array whose elements are stored as `dtype` (float16 as its raw Uint16 bit patterns). */
export type RawArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/** A view of `byteLength` bytes of `buffer` as elements of `dtype` (the offset must be aligned). */
export function rawView(
  dtype: StorageDtype,
  buffer: ArrayBufferLike,
  byteOffset: number,
  count: number,
): RawArray {
  switch (dtype) {
    case 'bool':
    case 'int8':
      return new Int8Array(buffer, byteOffset, count);
    case 'uint8':
      return new Uint8Array(buffer, byteOffset, count);
    case 'int16':
      return new Int16Array(buffer, byteOffset, count);
    case 'uint16':
    case 'float16':
      return new Uint16Array(buffer, byteOffset, count);
    case 'int32':
      return new Int32Array(buffer, byteOffset, count);
    case 'uint32':
      return new Uint32Array(buffer, byteOffset, count);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, count);
    case 'float32':
      return new Float32Array(buffer, byteOffset, count);
    case 'float64':
      return new Float64Array(buffer, byteOffset, count);
  }
}

/** A zeroed array of `count` elements stored as `dtype`. */
export function allocateRaw(dtype: StorageDtype, count: number): RawArray {
  return rawView(dtype, new ArrayBuffer(count * dtypeSize(dtype)), 0, count);
}

/** Output arrays the reader fills: what a model consumes. */
export type OutputArray = Int32Array | Float32Array | Uint8Array;

/**
 * Copies `rows` rows of `rowLength` elements from `src` (a raw array of `dtype`), row r starting at
 * `srcOffset + r * srcRowStride`, into `dst` from `dstOffset` on, converting to `dst`'s element type.
 *
 * @example
 * // one stream (s) of a time-major (T, S, 2) int32 block, steps 10..19:
 * copyRows('int32', block, (10 * S + s) * 2, S * 2, 2, 10, out, 0);
 */
export function copyRows(
  dtype: StorageDtype,
  src: RawArray,
  srcOffset: number,
  srcRowStride: number,
  rowLength: number,
  rows: number,
  dst: OutputArray,
  dstOffset: number,
): void {
  if (dtype === 'float16') {
    const table = halfTable();
    const bits = src as Uint16Array;
    for (let r = 0; r < rows; r++) {
      const from = srcOffset + r * srcRowStride;
      const to = dstOffset + r * rowLength;
      for (let i = 0; i < rowLength; i++) dst[to + i] = table[bits[from + i]!]!;
    }
    return;
  }
  if (dtype === 'int64') {
    const big = src as BigInt64Array;
    for (let r = 0; r < rows; r++) {
      const from = srcOffset + r * srcRowStride;
      const to = dstOffset + r * rowLength;
      for (let i = 0; i < rowLength; i++) dst[to + i] = Number(big[from + i]!);
    }
    return;
  }
  const numeric = src as Exclude<RawArray, BigInt64Array>;
  if (srcRowStride === rowLength) {
    // Contiguous rows: one typed-array copy (which also converts the element type).
    dst.set(numeric.subarray(srcOffset, srcOffset + rows * rowLength), dstOffset);
    return;
  }
  if (rowLength <= 16) {
    // Short rows (a stream's obs inside a time-major block): element loops beat a subarray per row.
    for (let r = 0; r < rows; r++) {
      const from = srcOffset + r * srcRowStride;
      const to = dstOffset + r * rowLength;
      for (let i = 0; i < rowLength; i++) dst[to + i] = numeric[from + i]!;
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const from = srcOffset + r * srcRowStride;
    dst.set(numeric.subarray(from, from + rowLength), dstOffset + r * rowLength);
  }
}

/**
 * Converts `src` into `dst` (stored as `dtype`) from `dstOffset` on, checking that every value is
 * representable: an integer in range for integer dtypes. `field` names the source in the error.
 *
 * @throws InvalidArgumentError naming `field[i]` for the first value that does not fit.
 */
export function encodeInto(
  field: string,
  dtype: WritableDtype | 'uint8',
  src: Int32Array | Float32Array | Uint8Array,
  dst: RawArray,
  dstOffset: number,
): void {
  const range = INTEGER_RANGE[dtype];
  const numericDst = dst as Exclude<RawArray, BigInt64Array>;
  const needsCheck =
    range !== undefined &&
    !(src instanceof Int32Array && dtype === 'int32') &&
    !(src instanceof Uint8Array && (dtype === 'uint8' || dtype === 'int16' || dtype === 'int32'));
  if (needsCheck) {
    const [lo, hi] = range;
    for (let i = 0; i < src.length; i++) {
      const v = src[i]!;
      if (!(Number.isInteger(v) && v >= lo && v <= hi)) {
        throw new InvalidArgumentError(
          `${field}[${i}]`,
          v,
          `an integer in [${lo}, ${hi}] (the field is stored as ${dtype})`,
        );
      }
    }
  }
  numericDst.set(src, dstOffset);
}
