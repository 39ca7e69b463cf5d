import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from './safetensors';

// AdamW as PyTorch's `torch.optim.AdamW` computes it (tfjs has none), HF's cosine schedule without warmup, and
// `clip_grad_norm_`. The DICP reference: β = (0.9, 0.99), weight decay 0.01 on all parameters, clip 1.0.

/** AdamW hyper-parameters (PyTorch names in comments). */
export interface AdamWConfig {
  /** β1 (`betas[0]`). */
  readonly beta1: number;
  /** β2 (`betas[1]`). */
  readonly beta2: number;
  /** Added to the denominator (`eps`). */
  readonly eps: number;
  /** Decoupled weight decay, applied to every parameter (`weight_decay`). */
  readonly weightDecay: number;
}

/**
 * Decoupled-weight-decay Adam over a set of variables, step for step PyTorch's update:
 * `p ← p·(1 − lr·wd)`; `m ← β1 m + (1 − β1) g`; `v ← β2 v + (1 − β2) g²`;
 * `p ← p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)`.
 * Owns its moment tensors; `dispose()` frees them.
 */
export class AdamW {
  /** Updates applied so far (PyTorch's `state['step']`). */
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    readonly config: AdamWConfig,
  ) {
    for (const [name, p] of params) {
      this.m.set(name, zeros(p));
      this.v.set(name, zeros(p));
    }
  }

  /** One update with learning rate `lr` from `grads` (by parameter name; every parameter must have one). */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    this.step += 1;
    const { beta1, beta2, eps, weightDecay } = this.config;
    const bc1 = 1 - beta1 ** this.step;
    const bc2Sqrt = Math.sqrt(1 - beta2 ** this.step);
    tf.tidy(() => {
      for (const [name, p] of this.params) {
        const g = grads.get(name);
        if (g === undefined) throw new Error(`internal: no gradient for ${name}`);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(vNew), bc2Sqrt), eps);
        const decayed = tf.mul(p, 1 - lr * weightDecay);
        p.assign(tf.sub(decayed, tf.mul(tf.div(mNew, denom), lr / bc1)));
        m.assign(mNew);
        v.assign(vNew);
      }
    });
  }

  /** The moments as named tensors (`exp_avg.<param>`, `exp_avg_sq.<param>`), for checkpoints. */
  stateTensors(): Map<string, NamedTensor> {
    const out = new Map<string, NamedTensor>();
    for (const [name, m] of this.m)
      out.set(`exp_avg.${name}`, { shape: m.shape, data: m.dataSync() as Float32Array });
    for (const [name, v] of this.v)
      out.set(`exp_avg_sq.${name}`, { shape: v.shape, data: v.dataSync() as Float32Array });
    return out;
  }

  /** Restores moments saved by `stateTensors()` and the step count; throws naming a missing or misshaped one. */
  loadState(tensors: ReadonlyMap<string, NamedTensor>, step: number, path: string): void {
    for (const [prefix, store] of [
      ['exp_avg', this.m],
      ['exp_avg_sq', this.v],
    ] as const) {
      for (const [name, variable] of store) {
        const t = tensors.get(`${prefix}.${name}`);
        if (t === undefined || t.shape.join(',') !== variable.shape.join(',')) {
          throw new Error(`${path}: optimizer state ${prefix}.${name} is missing or has the wrong shape`);
        }
        tf.tidy(() => variable.assign(tf.tensor(t.data, [...t.shape])));
      }
    }
    this.step = step;
  }

  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
    this.m.clear();
    this.v.clear();
  }
}

function zeros(p: tf.Tensor): tf.Variable {
  const init = tf.zerosLike(p);
  const v = tf.variable(init, false);
  init.dispose();
  return v;
}

/**
 * HF `get_cosine_schedule_with_warmup` with no warmup: the learning rate of update `step` (0-based) of
 * `total` is `base · ½ (1 + cos(π · step / total))`, from `base` down to 0.
 */
export function cosineLearningRate(base: number, step: number, total: number): number {
  const progress = Math.min(1, Math.max(0, step / total));
  return base * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/**
 * `torch.nn.utils.clip_grad_norm_`: scales every gradient by `min(1, maxNorm / (‖g‖ + 1e-6))`, where ‖g‖ is
 * the global L2 norm over all of them. Returns the new gradients (inputs are disposed) and the norm before
 * clipping.
 */
export function clipByGlobalNorm(
  grads: Map<string, tf.Tensor>,
  maxNorm: number,
): { grads: Map<string, tf.Tensor>; norm: number } {
  const norm = tf.tidy(() => {
    const squares = [...grads.values()].map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(squares));
  });
  const value = norm.dataSync()[0]!;
  norm.dispose();
  const coef = Math.min(1, maxNorm / (value + 1e-6));
  const out = new Map<string, tf.Tensor>();
  for (const [name, g] of grads) {
    out.set(name, tf.mul(g, coef));
    g.dispose();
  }
  return { grads: out, norm: value };
}
