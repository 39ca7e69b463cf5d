import { InvalidArgumentError } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import { numberToHalf } from './float16';
import { allocateRaw, copyRows, dtypeSize, encodeInto, h5wasmDtype, isIntegerDtype } from './storage-dtype';

describe('storage dtypes', () => {
  it('knows sizes and h5wasm codes', () => {
    expect(dtypeSize('uint8')).toBe(1);
    expect(dtypeSize('float16')).toBe(2);
    expect(dtypeSize('int64')).toBe(8);
    expect(h5wasmDtype('int32')).toBe('<i');
    expect(h5wasmDtype('uint8')).toBe('<B');
    expect(isIntegerDtype('bool')).toBe(true);
    expect(isIntegerDtype('float16')).toBe(false);
  });
});

describe('copyRows', () => {
  it('gathers one stream out of a time-major block, converting the element type', () => {
    // (T=3, S=2, 2) uint8 block; stream 1 holds (10+t, 20+t).
    const block = allocateRaw('uint8', 12) as Uint8Array;
    for (let t = 0; t < 3; t++) {
      block[(t * 2 + 1) * 2] = 10 + t;
      block[(t * 2 + 1) * 2 + 1] = 20 + t;
    }
    const out = new Int32Array(6);
    copyRows('uint8', block, 2, 4, 2, 3, out, 0);
    expect([...out]).toEqual([10, 20, 11, 21, 12, 22]);
  });

  it('decodes float16 and int64 and single-element rows', () => {
    const half = allocateRaw('float16', 4) as Uint16Array;
    half.set([numberToHalf(0.5), numberToHalf(-1), numberToHalf(2), numberToHalf(4)]);
    const f = new Float32Array(2);
    copyRows('float16', half, 1, 2, 1, 2, f, 0);
    expect([...f]).toEqual([-1, 4]);
    const big = allocateRaw('int64', 3) as BigInt64Array;
    big.set([5n, 6n, 7n]);
    const i = new Int32Array(3);
    copyRows('int64', big, 0, 1, 1, 3, i, 0);
    expect([...i]).toEqual([5, 6, 7]);
    const b = allocateRaw('bool', 4) as Int8Array;
    b.set([0, 1, 1, 0]);
    const d = new Uint8Array(2);
    copyRows('bool', b, 1, 2, 1, 2, d, 0);
    expect([...d]).toEqual([1, 0]);
  });
});

describe('encodeInto', () => {
  it('stores values that fit and rejects the first one that does not, naming it', () => {
    const dst = allocateRaw('uint8', 3);
    encodeInto('batch.states', 'uint8', new Int32Array([0, 7, 255]), dst, 0);
    expect([...dst]).toEqual([0, 7, 255]);
    expect(() => encodeInto('batch.states', 'uint8', new Int32Array([1, 256]), dst, 0)).toThrow(
      'Invalid batch.states[1]: got 256; expected an integer in [0, 255] (the field is stored as uint8).',
    );
    expect(() => encodeInto('batch.rewards', 'int32', new Float32Array([0.5]), dst, 0)).toThrow(
      InvalidArgumentError,
    );
  });

  it('passes floats to float storage unchanged', () => {
    const dst = allocateRaw('float32', 2);
    encodeInto('batch.rewards', 'float32', new Float32Array([0.25, -3]), dst, 0);
    expect([...dst]).toEqual([0.25, -3]);
  });
});
