import type { Rng } from '@icrl/core';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle registers no gradients, and its per-op gradient modules are extensionless ESM that
// Node cannot load; the union package's Node bundle registers them all (into the registry every tfjs-core
// copy shares), so it is imported once, here, for that side effect.
import '@tensorflow/tfjs';

// Small tensor helpers the models share. Each one exists for speed or for a backend gap, and says which.

/**
 * `x @ w^T (+ b)` for `x: [N, in]`, `w: [out, in]` (PyTorch's Linear layout, so checkpoints map 1:1).
 *
 * Why a custom gradient: tfjs differentiates `matMul` with transposed-operand products, and the wasm backend
 * runs those on a slow generic loop — about 6x slower than its XNNPACK GEMM, which it uses only for plain
 * 2-D `a @ b`. Transposing the small weight or the gradient explicitly first keeps all three products
 * (forward, input gradient, weight gradient) on the fast path.
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  return (b === undefined ? linearNoBias(x, w) : linearBias(x, w, b)) as tf.Tensor2D;
}

type Saved = (tensors: tf.Tensor[]) => void;
type Grad = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
/** `tf.customGrad` with the types spelled out (its own signature erases them). */
function withGradient<A extends tf.Tensor[]>(
  f: (...args: [...A, Saved]) => { value: tf.Tensor; gradFunc: Grad },
): (...args: A) => tf.Tensor {
  return tf.customGrad(f as never) as unknown as (...args: A) => tf.Tensor;
}

const linearNoBias = withGradient<[tf.Tensor, tf.Tensor]>((x, w, save) => {
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, tf.transpose(w as tf.Tensor2D)), // [N, out]
    gradFunc: (dy, [sx, sw]) => [
      tf.matMul(dy as tf.Tensor2D, sw as tf.Tensor2D), // dx = dy @ w            [N, in]
      tf.matMul(tf.transpose(dy as tf.Tensor2D), sx as tf.Tensor2D), // dw = dy^T @ x  [out, in]
    ],
  };
});

const linearBias = withGradient<[tf.Tensor, tf.Tensor, tf.Tensor]>((x, w, b, save) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, tf.transpose(w as tf.Tensor2D)), b), // [N, out]
    gradFunc: (dy, [sx, sw]) => [
      tf.matMul(dy as tf.Tensor2D, sw as tf.Tensor2D),
      tf.matMul(tf.transpose(dy as tf.Tensor2D), sx as tf.Tensor2D),
      tf.sum(dy, 0), // db [out]
    ],
  };
});

/**
 * Embedding lookup as a one-hot product, `onehot(idx) @ table`: the wasm backend has no gradient for
 * `gather` (its `UnsortedSegmentSum` kernel is missing), so a gathered table could not train there.
 * `indices` are plain integers; the one-hot matrix is built in JS.
 */
export function embed(table: tf.Tensor2D, indices: ArrayLike<number>): tf.Tensor2D {
  const [n] = table.shape;
  const onehot = new Float32Array(indices.length * n);
  for (let i = 0; i < indices.length; i++) onehot[i * n + indices[i]!] = 1;
  // [N, n] @ [n, d]; the weight gradient is onehot^T @ dy, tiny.
  return matMul2d(tf.tensor2d(onehot, [indices.length, n]), table);
}

/** Plain `a @ b` for 2-D operands whose gradients also stay on the fast (non-transposed) GEMM path. */
export function matMul2d(a: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return matMul2dGrad(a, b) as tf.Tensor2D;
}

const matMul2dGrad = withGradient<[tf.Tensor, tf.Tensor]>((a, b, save) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy, [sa, sb]) => [
      tf.matMul(dy as tf.Tensor2D, tf.transpose(sb as tf.Tensor2D)),
      tf.matMul(tf.transpose(sa as tf.Tensor2D), dy as tf.Tensor2D),
    ],
  };
});

/**
 * Inverted dropout with the mask drawn from a seeded `Rng` in JS: one pass, deterministic and resumable
 * (the generator's state is checkpointed), and cheaper than `tf.dropout`'s randomUniform/add/floor/div chain.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number, rng: Rng | null): T {
  if (rng === null || rate <= 0) return x;
  const size = x.size;
  const mask = new Float32Array(size);
  const keep = 1 - rate;
  const threshold = keep * 4294967296;
  const scale = 1 / keep;
  for (let i = 0; i < size; i++) if (rng.nextUint32() < threshold) mask[i] = scale;
  return tf.mul(x, tf.tensor(mask, x.shape)) as T;
}

/** `-log softmax(logits)[target]` averaged over rows: `logits [N, K]`, `targets` integer class per row. */
export function crossEntropy(logits: tf.Tensor2D, targets: ArrayLike<number>): tf.Scalar {
  const [n, k] = logits.shape;
  const onehot = new Float32Array(n * k);
  for (let i = 0; i < n; i++) onehot[i * k + targets[i]!] = 1;
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.tensor2d(onehot, [n, k])), -1))) as tf.Scalar;
}

/**
 * PyTorch's `F.gaussian_nll_loss(mean, target, var, full=True, reduction='mean')` with `var = exp(logVar)`:
 * the mean over elements of `0.5 (log var + (mean - target)^2 / var + log 2π)`, var clamped at 1e-6.
 */
export function gaussianNll(mean: tf.Tensor2D, logVar: tf.Tensor2D, target: tf.Tensor2D): tf.Scalar {
  return gaussianNllImpl(mean, logVar, target) as tf.Scalar;
}

function gaussianNllImpl(mean: tf.Tensor2D, logVar: tf.Tensor2D, target: tf.Tensor2D): tf.Tensor {
  const variance = tf.maximum(tf.exp(logVar), 1e-6);
  const sq = tf.square(tf.sub(mean, target));
  const perElement = tf.add(tf.log(variance), tf.div(sq, variance));
  return tf.add(tf.mul(tf.mean(perElement), 0.5), 0.5 * Math.log(2 * Math.PI));
}
