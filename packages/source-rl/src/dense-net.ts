import type { Rng } from '@icrl/core';

// A small fully connected network in plain TypeScript for the off-policy learners (SAC): ReLU hidden layers,
// a linear output, batched forward with the activations kept for one backward pass, and Adam. PPO and A2C use
// the WASM kernels (tanh MLPs, fused losses); SAC needs ReLU nets, gradients with respect to the *input* (the
// actor's loss flows through the critics into the action) and target copies, which this file keeps simple.
// Float32 storage, float64 accumulation in the matrix loops.

/** One linear layer: `w` is `[out][in]` row-major (torch's layout), `b` is `[out]`. */
interface Dense {
  readonly nin: number;
  readonly nout: number;
  readonly w: Float32Array;
  readonly b: Float32Array;
}

/** Adam's state and settings (torch's: bias-corrected, eps outside the square root). */
export interface AdamSettings {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

/**
 * One Adam update of parameters `p` with gradients `g` and moments `m`, `v`, at 1-based step `t` (in place).
 * DenseNet's layers and SAC's entropy coefficient share it.
 */
export function adamUpdate(
  p: Float32Array | Float64Array,
  g: ArrayLike<number>,
  m: Float32Array | Float64Array,
  v: Float32Array | Float64Array,
  t: number,
  s: AdamSettings,
): void {
  const c1 = 1 - s.beta1 ** t;
  const c2 = 1 - s.beta2 ** t;
  for (let i = 0; i < p.length; i++) {
    m[i] = s.beta1 * m[i]! + (1 - s.beta1) * g[i]!;
    v[i] = s.beta2 * v[i]! + (1 - s.beta2) * g[i]! * g[i]!;
    p[i]! -= (s.lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + s.eps);
  }
}

export class DenseNet {
  readonly layers: Dense[];
  /** Gradients, same layout as the parameters. */
  private readonly gw: Float32Array[];
  private readonly gb: Float32Array[];
  private readonly mw: Float32Array[];
  private readonly vw: Float32Array[];
  private readonly mb: Float32Array[];
  private readonly vb: Float32Array[];
  private t = 0;
  /** Inputs of each layer from the last `forward` (`acts[l]` is `[batch, nin_l]`, post-ReLU). */
  private acts: Float32Array[] = [];
  private batch = 0;

  /** `sizes` = [input, hidden…, output]; torch's default Linear init: U(±1/√fan_in) for weights and biases. */
  constructor(
    readonly sizes: readonly number[],
    rng: Rng,
  ) {
    this.layers = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const nin = sizes[l]!;
      const nout = sizes[l + 1]!;
      const bound = 1 / Math.sqrt(nin);
      const w = Float32Array.from({ length: nout * nin }, () => rng.uniform(-bound, bound));
      const b = Float32Array.from({ length: nout }, () => rng.uniform(-bound, bound));
      this.layers.push({ nin, nout, w, b });
    }
    const zerosW = () => this.layers.map((d) => new Float32Array(d.w.length));
    const zerosB = () => this.layers.map((d) => new Float32Array(d.b.length));
    this.gw = zerosW();
    this.gb = zerosB();
    this.mw = zerosW();
    this.vw = zerosW();
    this.mb = zerosB();
    this.vb = zerosB();
  }

  /** Copies the parameters of `other` (same sizes): target networks start as their online twins. */
  copyFrom(other: DenseNet): void {
    this.layers.forEach((d, l) => {
      d.w.set(other.layers[l]!.w);
      d.b.set(other.layers[l]!.b);
    });
  }

  /** Polyak averaging: θ ← (1 − τ)·θ + τ·θ_other. */
  blendFrom(other: DenseNet, tau: number): void {
    this.layers.forEach((d, l) => {
      const o = other.layers[l]!;
      for (let i = 0; i < d.w.length; i++) d.w[i] = (1 - tau) * d.w[i]! + tau * o.w[i]!;
      for (let i = 0; i < d.b.length; i++) d.b[i] = (1 - tau) * d.b[i]! + tau * o.b[i]!;
    });
  }

  /** `x` `[batch, in]` → `[batch, out]`; keeps the activations for `backward`. */
  forward(x: Float32Array, batch: number): Float32Array {
    this.batch = batch;
    this.acts = [x];
    let h = x;
    this.layers.forEach((d, l) => {
      const last = l === this.layers.length - 1;
      const out = new Float32Array(batch * d.nout);
      for (let n = 0; n < batch; n++) {
        const xi = n * d.nin;
        for (let o = 0; o < d.nout; o++) {
          let s = d.b[o]!;
          const wi = o * d.nin;
          for (let i = 0; i < d.nin; i++) s += d.w[wi + i]! * h[xi + i]!;
          out[n * d.nout + o] = last || s > 0 ? s : 0; // ReLU on hidden layers
        }
      }
      if (!last) this.acts.push(out);
      h = out;
    });
    return h;
  }

  /** Sets every gradient to zero. */
  zeroGrad(): void {
    for (const g of this.gw) g.fill(0);
    for (const g of this.gb) g.fill(0);
  }

  /**
   * Backward pass of the last `forward` for the output gradient `dy` `[batch, out]`: adds the parameter
   * gradients (unless `params` is false: the critics when only the actor learns) and returns the input gradient.
   */
  backward(dy: Float32Array, params = true): Float32Array {
    const B = this.batch;
    let g = dy;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const d = this.layers[l]!;
      const x = this.acts[l]!;
      if (params) {
        const gw = this.gw[l]!;
        const gb = this.gb[l]!;
        for (let n = 0; n < B; n++) {
          for (let o = 0; o < d.nout; o++) {
            const go = g[n * d.nout + o]!;
            if (go === 0) continue;
            gb[o]! += go;
            const wi = o * d.nin;
            const xi = n * d.nin;
            for (let i = 0; i < d.nin; i++) gw[wi + i]! += go * x[xi + i]!;
          }
        }
      }
      const dx = new Float32Array(B * d.nin);
      for (let n = 0; n < B; n++) {
        for (let o = 0; o < d.nout; o++) {
          const go = g[n * d.nout + o]!;
          if (go === 0) continue;
          const wi = o * d.nin;
          const xi = n * d.nin;
          for (let i = 0; i < d.nin; i++) dx[xi + i]! += go * d.w[wi + i]!;
        }
      }
      // Through the ReLU that produced this layer's input (every layer but the first reads one).
      if (l > 0) for (let i = 0; i < dx.length; i++) if (x[i]! <= 0) dx[i] = 0;
      g = dx;
    }
    return g;
  }

  /** One Adam step on the accumulated gradients. */
  adamStep(s: AdamSettings): void {
    this.t++;
    this.layers.forEach((d, l) => {
      adamUpdate(d.w, this.gw[l]!, this.mw[l]!, this.vw[l]!, this.t, s);
      adamUpdate(d.b, this.gb[l]!, this.mb[l]!, this.vb[l]!, this.t, s);
    });
  }
}
