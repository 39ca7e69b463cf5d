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

type Shape4 = [number, number, number, number];

/**
 * Causal softmax attention for N = B·H heads at once, `softmax(q kᵀ + mask) · drop v`, on layouts chosen so every
 * product is a depthwise convolution (one channel per head, channel multiplier T or hs): the wasm backend runs
 * those on XNNPACK at 5–7 GFLOP/s, against 1.5–2 GFLOP/s for its generic batched-matmul loop. The gradient is
 * hand-written (wasm has no depthwise filter gradient) and uses the same products.
 * - `q`: `[T, hs, N]` (query i, feature c, head n), already scaled; `k`: `[hs, N, T]`; `v`: `[T, N, hs]`;
 * - `mask`: `[T, 1, T]` additive causal mask; `drop`: `[T, N, T]` inverted-dropout multipliers or `null`;
 * - returns `[T, N, hs]` (query i, head n, feature c).
 */
export function headsAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  mask: tf.Tensor3D,
  drop: tf.Tensor3D | null,
): tf.Tensor3D {
  const f = withGradient<[tf.Tensor, tf.Tensor, tf.Tensor]>((qd, kf, vf, save) => {
    const [T, hs, N] = qd.shape as [number, number, number];
    const scores = tf.reshape(
      tf.depthwiseConv2d(
        tf.reshape(qd, [1, T, hs, N]) as tf.Tensor4D,
        tf.reshape(kf, [1, hs, N, T]) as tf.Tensor4D,
        1,
        'valid',
      ),
      [T, N, T],
    ); // [i, n, j]
    const probs = tf.softmax(tf.add(scores, mask)); // [i, n, j]
    const dropped = drop === null ? probs : tf.mul(probs, drop);
    const droppedT = tf.transpose(dropped, [0, 2, 1]); // [i, j, n]
    const y = tf.reshape(
      tf.depthwiseConv2d(
        tf.reshape(droppedT, [1, T, T, N]) as tf.Tensor4D,
        tf.reshape(vf, [1, T, N, hs]) as tf.Tensor4D,
        1,
        'valid',
      ),
      [T, N, hs],
    ); // [i, n, c]
    save(drop === null ? [qd, kf, vf, probs, droppedT] : [qd, kf, vf, probs, droppedT, drop]);
    return {
      value: y,
      gradFunc: (dy, [sq, sk, sv, sp, sdT, sDrop]) => {
        // A [T, T, N] map (i, j, n) is the conv input; a filter [1, T, N, hs] sums over j, [T, 1, N, hs] over i.
        const dw = (x: tf.Tensor, w: tf.Tensor, xs: Shape4, ws: Shape4): tf.Tensor =>
          tf.depthwiseConv2d(tf.reshape(x, xs) as tf.Tensor4D, tf.reshape(w, ws) as tf.Tensor4D, 1, 'valid');
        // dV[j, n, c] = Σ_i drop[i, j, n] dy[i, n, c]
        const dv = tf.reshape(dw(sdT!, dy, [1, T, T, N], [T, 1, N, hs]), [T, N, hs]);
        // dDrop[i, n, j] = Σ_c dy[i, n, c] v[j, n, c]
        const dDrop = tf.reshape(
          dw(tf.transpose(dy, [0, 2, 1]), tf.transpose(sv!, [2, 1, 0]), [1, T, hs, N], [1, hs, N, T]),
          [T, N, T],
        );
        const dp = sDrop === undefined ? dDrop : tf.mul(dDrop, sDrop);
        const ds = tf.mul(sp!, tf.sub(dp, tf.sum(tf.mul(dp, sp!), -1, true))); // softmax backward, [i, n, j]
        const dsT = tf.transpose(ds, [0, 2, 1]); // [i, j, n]
        // dQ[i, n, c] = Σ_j ds[i, j, n] k[j, n, c]  → [i, c, n]
        const dqT = dw(dsT, tf.transpose(sk!, [2, 1, 0]), [1, T, T, N], [1, T, N, hs]);
        const dq = tf.transpose(tf.reshape(dqT, [T, N, hs]), [0, 2, 1]);
        // dK[j, n, c] = Σ_i ds[i, j, n] q[i, n, c]  → [c, n, j]
        const dkT = dw(dsT, tf.transpose(sq!, [0, 2, 1]), [1, T, T, N], [T, 1, N, hs]);
        const dk = tf.transpose(tf.reshape(dkT, [T, N, hs]), [2, 1, 0]);
        return [dq, dk, dv];
      },
    };
  });
  return f(q, k, v) as tf.Tensor3D;
}

/**
 * Inverted-dropout multipliers for attention probabilities, drawn from `rng` in the `[N, T, T]` order that
 * `dropout` would use on `[B·H, T, T]` probabilities (so the random stream is unchanged), laid out `[T, N, T]`.
 */
export function attentionDropMask(N: number, T: number, rate: number, rng: Rng): tf.Tensor3D {
  const mask = new Float32Array(N * T * T);
  const threshold = (1 - rate) * 4294967296;
  const scale = 1 / (1 - rate);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < T; i++) {
      const row = (i * N + n) * T;
      for (let j = 0; j < T; j++) if (rng.nextUint32() < threshold) mask[row + j] = scale;
    }
  return tf.tensor3d(mask, [T, N, T]);
}
