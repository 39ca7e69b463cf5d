import { Rng } from '@icrl/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/index';
import { attentionDropMask, dropout, headsAttention } from '../src/ops';

beforeAll(async () => {
  expect(await initBackend('wasm')).toBe('wasm');
});

// headsAttention (depthwise-conv products, hand-written gradient) against tfjs autodiff of the plain batched
// formulation softmax(q kᵀ + mask) · drop · v, with the same dropout draws.
describe('headsAttention', () => {
  it.each([0, 0.3])('equals the batched-matmul attention, values and gradients (dropout %s)', (rate) => {
    const N = 6;
    const T = 7;
    const hs = 4;
    const [q, k, v, w] = [0, 1, 2, 3].map((s) => tf.randomNormal([N, T, hs], 0, 1, 'float32', s + 1));
    const m = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = -1e9;
    const mask2 = tf.tensor2d(m, [T, T]);
    const mask3 = tf.tensor3d(m, [T, 1, T]);
    const ref = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
      const scores = tf.add(tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, false, true), mask2);
      const p = dropout(tf.softmax(scores), rate, rate > 0 ? new Rng(5) : null);
      return tf.sum(tf.mul(tf.matMul(p, c as tf.Tensor3D), w!)) as tf.Scalar;
    };
    const mine = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
      const d = rate > 0 ? attentionDropMask(N, T, rate, new Rng(5)) : null;
      const y = headsAttention(
        tf.transpose(a, [1, 2, 0]) as tf.Tensor3D,
        tf.transpose(b, [2, 0, 1]) as tf.Tensor3D,
        tf.transpose(c, [1, 0, 2]) as tf.Tensor3D,
        mask3,
        d,
      );
      return tf.sum(tf.mul(tf.transpose(y, [1, 0, 2]), w!)) as tf.Scalar;
    };
    expect(mine(q!, k!, v!).dataSync()[0]).toBeCloseTo(ref(q!, k!, v!).dataSync()[0]!, 5);
    const g1 = tf.grads(ref)([q!, k!, v!]);
    const g2 = tf.grads(mine)([q!, k!, v!]);
    for (let i = 0; i < 3; i++) {
      const diff = tf.max(tf.abs(tf.sub(g1[i]!, g2[i]!))).dataSync()[0]!;
      expect(diff).toBeLessThan(2e-6);
    }
  });
});
