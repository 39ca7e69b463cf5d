import { InvalidArgumentError, Rng, requireInteger, requireNumber } from '@icrl/core';
import * as tf from '@tensorflow/tfjs-core';
import { attentionDropMask, dropout, headsAttention, linear, matMul2d } from './ops';

// The causal transformer of the DICP reference (`tiny_llama/model.py`, a TinyLlama / lit-gpt block), read top
// to bottom: parameters, RMSNorm, rotary positions, attention, SwiGLU MLP, block, then the stack.
// - pre-norm blocks `x = x + Attn(Norm1(drop(x)))`, `x = x + MLP(Norm2(drop(x)))`: dropout on the *norm input*
//   (flash-attn's dropout_add_layer_norm with residual = None); the residual path itself is never dropped;
// - RMSNorm, eps 1e-5, learnable scale initialised to 1, no bias;
// - one fused QKV Linear with bias, output projection with bias, causal softmax attention, attention dropout;
// - RoPE on the full head dimension, base 10000, rotate-halves (GPT-NeoX), positions restarting at 0 on every
//   forward (the reference has no KV cache);
// - SwiGLU MLP without bias, `W3(silu(W1 x) * W2 x)`;
// - no final norm: the heads read the raw residual stream;
// - PyTorch default inits (Linear: U(±1/sqrt(fan_in)) for weight and bias; Embedding: N(0, 1)).
// Shapes: B batch, T tokens, C = nEmbd, H = nHead, hs = C / H, I = nInner.

/** Sizes of the backbone. Defaults are the DICP gridworld AD/DPT model (spec §1.2). */
export interface TransformerConfig {
  /** Blocks. Default 4. */
  readonly nLayer: number;
  /** Attention heads; must divide `nEmbd` into an even head size. Default 4. */
  readonly nHead: number;
  /** Width of the residual stream. Default 32 (Meta-World AD: 64). */
  readonly nEmbd: number;
  /** Hidden size of the SwiGLU MLP (`tf_n_inner`). Default 128 (4 × nEmbd). */
  readonly nInner: number;
  /** Dropout on every norm input during training (`tf_dropout`). Default 0.1. */
  readonly dropout: number;
  /** Dropout on the attention probabilities during training. Default 0.1. */
  readonly attnDropout: number;
  /** RoPE base. Default 10000. */
  readonly ropeBase: number;
  /** RMSNorm epsilon. Default 1e-5. */
  readonly normEps: number;
}

export const TRANSFORMER_DEFAULTS: TransformerConfig = Object.freeze({
  nLayer: 4,
  nHead: 4,
  nEmbd: 32,
  nInner: 128,
  dropout: 0.1,
  attnDropout: 0.1,
  ropeBase: 10000,
  normEps: 1e-5,
});

/** Validates backbone sizes, naming the offending field (`model.nHead`, ...). */
export function validateTransformerConfig(c: TransformerConfig, field = 'model'): void {
  requireInteger(`${field}.nLayer`, c.nLayer, { min: 1, max: 256 });
  requireInteger(`${field}.nEmbd`, c.nEmbd, { min: 2, max: 65536 });
  requireInteger(`${field}.nHead`, c.nHead, { min: 1, max: c.nEmbd });
  const hs = c.nEmbd / c.nHead;
  if (!Number.isInteger(hs) || hs % 2 !== 0) {
    throw new InvalidArgumentError(
      `${field}.nHead`,
      c.nHead,
      `a divisor of nEmbd (${c.nEmbd}) leaving an even head size (RoPE rotates halves)`,
    );
  }
  requireInteger(`${field}.nInner`, c.nInner, { min: 1, max: 1 << 20 });
  requireNumber(`${field}.dropout`, c.dropout, { min: 0, max: 1, exclusiveMax: true });
  requireNumber(`${field}.attnDropout`, c.attnDropout, { min: 0, max: 1, exclusiveMax: true });
  requireNumber(`${field}.ropeBase`, c.ropeBase, { min: 1 });
  requireNumber(`${field}.normEps`, c.normEps, { min: 0, exclusiveMin: true });
}

// ---------------------------------------------------------------------------------------------------------
// Parameters: a flat name -> variable map with PyTorch names and shapes (Linear weight is [out, in]), so the
// safetensors checkpoint opens in PyTorch as a state dict.

/** The trainable variables of a model, by PyTorch state-dict name, initialised from a seeded `Rng`. */
export class Params {
  readonly vars = new Map<string, tf.Variable>();
  constructor(private readonly rng: Rng) {}

  private add(name: string, shape: number[], fill: (i: number) => number): tf.Variable {
    if (this.vars.has(name)) throw new Error(`internal: parameter ${name} defined twice`);
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = fill(i);
    const init = tf.tensor(data, shape);
    const v = tf.variable(init, true); // unnamed: tfjs variable names are global, and two models may coexist
    init.dispose();
    this.vars.set(name, v);
    return v;
  }

  /** nn.Linear(inF, outF): weight [out, in] and bias [out], both U(-1/sqrt(in), 1/sqrt(in)). */
  linear(name: string, inF: number, outF: number, bias = true): { w: tf.Variable; b?: tf.Variable } {
    const bound = 1 / Math.sqrt(inF);
    const w = this.add(`${name}.weight`, [outF, inF], () => this.rng.uniform(-bound, bound));
    if (!bias) return { w };
    return { w, b: this.add(`${name}.bias`, [outF], () => this.rng.uniform(-bound, bound)) };
  }

  /** nn.Embedding(n, d): weight [n, d] ~ N(0, 1). */
  embedding(name: string, n: number, d: number): tf.Variable {
    return this.add(`${name}.weight`, [n, d], () => this.rng.normal());
  }

  /** A scale vector initialised to ones (RMSNorm). */
  ones(name: string, n: number): tf.Variable {
    return this.add(`${name}.weight`, [n], () => 1);
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

/** Applies a Linear to the last axis of `x` (`[..., in]` → `[..., out]`) through one 2-D product. */
export function applyLinear(x: tf.Tensor, p: { w: tf.Variable; b?: tf.Variable }): tf.Tensor {
  const inF = x.shape[x.shape.length - 1]!;
  const outF = p.w.shape[0]!;
  const y = linear(tf.reshape(x, [-1, inF]) as tf.Tensor2D, p.w as tf.Tensor2D, p.b as tf.Tensor1D);
  return tf.reshape(y, [...x.shape.slice(0, -1), outF]);
}

// ---------------------------------------------------------------------------------------------------------
// RMSNorm: x / sqrt(mean(x^2) + eps) * weight, over the last axis.

export function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  const ms = tf.mean(tf.square(x), -1, true); // [..., 1]
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), weight);
}

// ---------------------------------------------------------------------------------------------------------
// Rotary positions, rotate-halves: for a head vector split in halves (x1, x2) and frequency
// θ_i = base^(-2i/hs), position t maps it to (x1 cos tθ - x2 sin tθ, x2 cos tθ + x1 sin tθ), i.e.
// `x * cos + rotateHalf(x) * sin` with rotateHalf(x) = (-x2, x1).
//
// Speed trick (the maths is unchanged): rotateHalf is a fixed signed permutation P of each head's features,
// and it commutes with the fused QKV Linear: rotateHalf(x W^T + b) = x (P W)^T + P b. So the block computes
// `qkv` and `qkvRot` with two Linears of the same size on the [B*T, C] input — no slicing of heads, no
// concatenation — and rotates with `qkv * cos + qkvRot * sin` on the fused [B, T, 3C] layout, where the
// tables hold (cos, sin) for q and k and (1, 0) for v. The 1/sqrt(hs) attention scale is folded into q's
// tables.

/** `P` with `rotateHalf(v) = P v` for every q and k head of the fused [3C] vector; rows of v are zero. */
export function rotateHalfMatrix(nHead: number, headSize: number, parts: number): Float32Array {
  const width = parts * nHead * headSize;
  const p = new Float32Array(width * width);
  const half = headSize / 2;
  for (let part = 0; part < Math.min(parts, 2); part++) {
    for (let h = 0; h < nHead; h++) {
      const base = (part * nHead + h) * headSize;
      for (let a = 0; a < half; a++) {
        p[(base + a) * width + base + a + half] = -1; // out[a] = -x[a + half]
        p[(base + a + half) * width + base + a] = 1; // out[a + half] = x[a]
      }
    }
  }
  return p;
}

/** The permutation taking the fused [parts·C] vector from (part, head, feature) to (part, feature, head) order. */
export function headMajorToFeatureMajor(nHead: number, headSize: number, parts: number): Float32Array {
  const C = nHead * headSize;
  const width = parts * C;
  const p = new Float32Array(width * width);
  for (let part = 0; part < parts; part++)
    for (let h = 0; h < nHead; h++)
      for (let i = 0; i < headSize; i++)
        p[(part * C + i * nHead + h) * width + part * C + h * headSize + i] = 1;
  return p;
}

/** cos/sin of position × frequency, `[T, hs]` each, halves repeated (the rotate-halves layout). */
export function ropeTables(
  T: number,
  headSize: number,
  base: number,
): { cos: Float32Array; sin: Float32Array } {
  const half = headSize / 2;
  const cos = new Float32Array(T * headSize);
  const sin = new Float32Array(T * headSize);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const angle = t * base ** (-(2 * i) / headSize);
      cos[t * headSize + i] = cos[t * headSize + i + half] = Math.cos(angle);
      sin[t * headSize + i] = sin[t * headSize + i + half] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

// ---------------------------------------------------------------------------------------------------------
// The stack.

interface BlockParams {
  norm1: tf.Variable;
  attn: { w: tf.Variable; b?: tf.Variable };
  proj: { w: tf.Variable; b?: tf.Variable };
  norm2: tf.Variable;
  w1: { w: tf.Variable };
  w2: { w: tf.Variable };
  w3: { w: tf.Variable };
}

/**
 * The backbone: `forward(x [B, T, C]) -> [B, T, C]`. Pass an `Rng` to train (dropout on, masks drawn from
 * it), `null` to evaluate. Owns only constant tables; its variables live in the caller's `Params`.
 */
export class Transformer {
  readonly config: TransformerConfig;
  private readonly blocks: BlockParams[] = [];
  private readonly headSize: number;
  private readonly permute: tf.Tensor2D; // [3C, 3C]: (part, head, feature) -> (part, feature, head)
  private readonly permuteRotate: tf.Tensor2D; // [3C, 3C]: permute · rotateHalf
  private readonly tables = new Map<number, { cos: tf.Tensor2D; sin: tf.Tensor2D; mask: tf.Tensor3D }>();

  constructor(config: TransformerConfig, params: Params, prefix = 'transformer') {
    validateTransformerConfig(config);
    this.config = config;
    const { nLayer, nEmbd: C, nInner: I, nHead: H } = config;
    this.headSize = C / H;
    for (let i = 0; i < nLayer; i++) {
      const p = `${prefix}.h.${i}`;
      this.blocks.push({
        norm1: params.ones(`${p}.norm_1`, C),
        attn: params.linear(`${p}.attn.attn`, C, 3 * C),
        proj: params.linear(`${p}.attn.proj`, C, C),
        norm2: params.ones(`${p}.norm_2`, C),
        w1: params.linear(`${p}.mlp.swiglu.w1`, C, I, false),
        w2: params.linear(`${p}.mlp.swiglu.w2`, C, I, false),
        w3: params.linear(`${p}.mlp.swiglu.w3`, I, C, false),
      });
    }
    const perm = headMajorToFeatureMajor(H, this.headSize, 3);
    this.permute = tf.keep(tf.tensor2d(perm, [3 * C, 3 * C]));
    this.permuteRotate = tf.tidy(() =>
      tf.keep(tf.matMul(this.permute, tf.tensor2d(rotateHalfMatrix(H, this.headSize, 3), [3 * C, 3 * C]))),
    );
  }

  /** RoPE tables on the fused qkv layout and the additive causal mask for `T` tokens (built once per T). */
  private tablesFor(T: number) {
    let t = this.tables.get(T);
    if (t !== undefined) return t;
    const { nEmbd: C, nHead: H, ropeBase } = this.config;
    const hs = this.headSize;
    const { cos, sin } = ropeTables(T, hs, ropeBase);
    const scale = 1 / Math.sqrt(hs);
    const cos3 = new Float32Array(T * 3 * C);
    const sin3 = new Float32Array(T * 3 * C);
    for (let pos = 0; pos < T; pos++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < hs; i++) {
          const row = pos * 3 * C + i * H + h; // feature-major: (part, i, h)
          cos3[row] = cos[pos * hs + i]! * scale; // q, pre-scaled by 1/sqrt(hs)
          sin3[row] = sin[pos * hs + i]! * scale;
          cos3[row + C] = cos[pos * hs + i]!; // k
          sin3[row + C] = sin[pos * hs + i]!;
          cos3[row + 2 * C] = 1; // v passes through
        }
      }
    }
    const mask = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask[i * T + j] = -1e9;
    t = tf.tidy(() => ({
      cos: tf.keep(tf.tensor2d(cos3, [T, 3 * C])),
      sin: tf.keep(tf.tensor2d(sin3, [T, 3 * C])),
      mask: tf.keep(tf.tensor3d(mask, [T, 1, T])), // [i, 1, j]: broadcast over heads
    }));
    this.tables.set(T, t);
    return t;
  }

  private attention(x: tf.Tensor2D, p: BlockParams, B: number, T: number, rng: Rng | null): tf.Tensor2D {
    const { nEmbd: C, nHead: H, attnDropout } = this.config;
    const hs = this.headSize;
    const { cos, sin, mask } = this.tablesFor(T);
    const w = p.attn.w as tf.Tensor2D;
    const b = p.attn.b as tf.Tensor1D;
    // Layout for `headsAttention` without a 5-D transpose: the fused qkv outputs are permuted (inside the tiny
    // weight and bias, exactly) from PyTorch's (part, head, feature) order to (part, feature, head), and RoPE's
    // rotateHalf is folded in as well, so `[B, T, 3C]` is `[B, T·3·hs, H]` and one 3-D transpose gives
    // `[T, 3, hs, B, H]`, i.e. q, k, v as `[T, hs, N]` with N = B·H heads, n = b·H + h.
    const fold = (m: tf.Tensor2D) => ({
      w: matMul2d(m, w), // [3C, C]
      b: tf.reshape(matMul2d(m, tf.reshape(b, [3 * C, 1])), [3 * C]) as tf.Tensor1D,
    });
    const plain = fold(this.permute);
    const rot = fold(this.permuteRotate);
    const qkv = tf.reshape(linear(x, plain.w, plain.b), [B, T, 3 * C]); // [B, T, 3C]
    const qkvRot = tf.reshape(linear(x, rot.w, rot.b), [B, T, 3 * C]);
    const roped = tf.add(tf.mul(qkv, cos), tf.mul(qkvRot, sin)); // [B, T, 3C], q scaled by 1/sqrt(hs)
    const heads = tf.transpose(tf.reshape(roped, [B, T * 3 * hs, H]), [1, 0, 2]); // [T·3·hs, B, H]
    const [q, k, v] = tf
      .split(tf.reshape(heads, [T, 3, hs * B * H]), 3, 1)
      .map((t) => tf.reshape(t, [T, hs, B * H])) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const drop = rng !== null && attnDropout > 0 ? attentionDropMask(B * H, T, attnDropout, rng) : null;
    const y = headsAttention(q, tf.transpose(k, [1, 2, 0]), tf.transpose(v, [0, 2, 1]), mask, drop); // [T, N, hs]
    const merged = tf.reshape(tf.transpose(tf.reshape(y, [T, B, C]), [1, 0, 2]), [B * T, C]) as tf.Tensor2D;
    return linear(merged, p.proj.w as tf.Tensor2D, p.proj.b as tf.Tensor1D); // [B*T, C]
  }

  private mlp(x: tf.Tensor2D, p: BlockParams): tf.Tensor2D {
    const a = linear(x, p.w1.w as tf.Tensor2D); // [B*T, I]
    const g = linear(x, p.w2.w as tf.Tensor2D); // [B*T, I]
    const h = tf.mul(tf.mul(a, tf.sigmoid(a)), g); // silu(W1 x) * W2 x
    return linear(h as tf.Tensor2D, p.w3.w as tf.Tensor2D); // [B*T, C]
  }

  /** `[B, T, C]` token embeddings → `[B, T, C]` residual stream after the last block (no final norm). */
  forward(x: tf.Tensor3D, rng: Rng | null): tf.Tensor3D {
    return tf.tidy(() => {
      const [B, T, C] = x.shape;
      const { dropout: pDrop, normEps } = this.config;
      let h = tf.reshape(x, [B * T, C]) as tf.Tensor2D; // [B*T, C]
      for (const p of this.blocks) {
        const n1 = rmsNorm(dropout(h, pDrop, rng), p.norm1, normEps) as tf.Tensor2D;
        h = tf.add(h, this.attention(n1, p, B, T, rng));
        const n2 = rmsNorm(dropout(h, pDrop, rng), p.norm2, normEps) as tf.Tensor2D;
        h = tf.add(h, this.mlp(n2, p));
      }
      return tf.reshape(h, [B, T, C]);
    });
  }

  /** Frees the constant tables (the variables belong to `Params`). */
  dispose(): void {
    this.permute.dispose();
    this.permuteRotate.dispose();
    for (const t of this.tables.values()) {
      t.cos.dispose();
      t.sin.dispose();
      t.mask.dispose();
    }
    this.tables.clear();
  }
}

/** A fresh `Rng` for parameter init: a model's weights are a pure function of its seed. */
export function initRng(seed: number): Rng {
  return new Rng(seed).fork(0x1417);
}
