import type { Rng } from '@icrl/core';
import type { WasmArena } from './kernels/wasm-arena';
import { orthogonalMatrix } from './orthogonal';

/** What the policy network outputs: categorical logits, or the mean of a diagonal Gaussian. */
export type PolicyHead =
  | { readonly kind: 'categorical'; readonly n: number }
  | { readonly kind: 'gaussian'; readonly dim: number; readonly logStdInit: number };

/** Shapes of SB3's `ActorCriticPolicy` with separate policy and value MLPs (tanh), batched over tasks. */
export interface ActorCriticShape {
  readonly obsSize: number;
  readonly policyHidden: readonly number[];
  readonly valueHidden: readonly number[];
  readonly head: PolicyHead;
}

/** Which torch optimizer the parameters follow (one optimizer over every parameter, as SB3). */
export type OptimizerSpec =
  | { readonly kind: 'adam'; readonly beta1: number; readonly beta2: number; readonly eps: number }
  | { readonly kind: 'rmsprop'; readonly alpha: number; readonly eps: number };

/** A task's networks in torch's layout: per layer W [out][in] (row-major) and b; the Gaussian log std. */
export interface ExportedActorCritic {
  readonly policy: readonly { readonly w: Float64Array; readonly b: Float64Array }[];
  readonly value: readonly { readonly w: Float64Array; readonly b: Float64Array }[];
  readonly logStd: Float64Array | null;
}

/** One linear layer inside a task's parameter block; offsets in floats from the block start. */
interface Layer {
  readonly nin: number;
  readonly nout: number;
  /** nout rounded up to a multiple of 4: padded units have zero weights, get zero gradients, stay zero. */
  readonly noutPad: number;
  readonly w: number;
  readonly b: number;
  readonly tanh: boolean;
  readonly gain: number;
}

const pad4 = (n: number) => (n + 3) & ~3;

function planLayers(obsSize: number, hidden: readonly number[], out: number, outGain: number, at: number) {
  const layers: Layer[] = [];
  let nin = obsSize;
  const sizes = [...hidden, out];
  sizes.forEach((nout, l) => {
    const noutPad = pad4(nout);
    const last = l === sizes.length - 1;
    layers.push({
      nin,
      nout,
      noutPad,
      w: at,
      b: at + nin * noutPad,
      tanh: !last,
      gain: last ? outGain : Math.SQRT2,
    });
    at += nin * noutPad + noutPad;
    nin = noutPad;
  });
  return { layers, end: at };
}

/**
 * The actor-critic networks of `numTasks` independent learners in one WebAssembly arena: task k's
 * parameters, gradients and optimizer moments are contiguous blocks, and every pass runs the SIMD kernels
 * on one task's rows at a time (tasks are independent, so their results do not depend on which other tasks
 * share the arena or the order they run in).
 *
 * Scratch buffers (the input rows, each layer's activations and their gradients) are shared by the tasks:
 * callers run forward -> loss -> backward -> step for one task before the next.
 */
export class ActorCriticNets {
  readonly policy: readonly Layer[];
  readonly value: readonly Layer[];
  /** Float offset of the log std vector in a block (Gaussian head), else -1. */
  readonly logStdAt: number;
  /** Floats per task block (a multiple of 4). */
  readonly blockSize: number;
  /** Largest number of rows one pass takes, padded to 4. */
  readonly maxRows: number;
  /** Byte offsets of the per-task blocks. */
  readonly params: number;
  readonly grads: number;
  readonly moment1: number;
  readonly moment2: number;
  /** Input rows, [maxRows][obsSize] f32. */
  readonly x: number;
  private readonly act: { policy: number[]; value: number[] };
  private readonly dAct: { policy: number[]; value: number[] };
  /** Optimizer steps taken by each task. */
  readonly steps: Int32Array;

  constructor(
    readonly arena: WasmArena,
    readonly shape: ActorCriticShape,
    readonly numTasks: number,
    maxRows: number,
    readonly optimizer: OptimizerSpec,
  ) {
    const head = shape.head;
    const outSize = head.kind === 'categorical' ? head.n : head.dim;
    const p = planLayers(shape.obsSize, shape.policyHidden, outSize, 0.01, 0);
    const v = planLayers(shape.obsSize, shape.valueHidden, 1, 1, p.end);
    this.policy = p.layers;
    this.value = v.layers;
    this.logStdAt = head.kind === 'gaussian' ? v.end : -1;
    this.blockSize = head.kind === 'gaussian' ? v.end + pad4(head.dim) : v.end;
    this.maxRows = pad4(maxRows);
    const bytes = this.blockSize * 4 * numTasks;
    this.params = arena.alloc(bytes);
    this.grads = arena.alloc(bytes);
    this.moment1 = arena.alloc(bytes);
    this.moment2 = optimizer.kind === 'adam' ? arena.alloc(bytes) : -1;
    this.x = arena.alloc(this.maxRows * shape.obsSize * 4);
    const rowsOf = (layers: readonly Layer[]) => layers.map((l) => arena.alloc(this.maxRows * l.noutPad * 4));
    this.act = { policy: rowsOf(this.policy), value: rowsOf(this.value) };
    this.dAct = { policy: rowsOf(this.policy), value: rowsOf(this.value) };
    this.steps = new Int32Array(numTasks);
  }

  /** Byte offset of task k's parameter block. */
  paramsOf(k: number): number {
    return this.params + k * this.blockSize * 4;
  }

  /**
   * Initialises task k as SB3 does: orthogonal weights (gain sqrt(2) in hidden layers, 0.01 for the policy
   * head, 1 for the value head), zero biases, log std = logStdInit; optimizer state zero. Draw order follows
   * SB3's module order: policy MLP, value MLP, action head, value head.
   */
  init(k: number, rng: Rng): void {
    const f32 = this.arena.f32;
    const base = this.paramsOf(k) >> 2;
    f32.fill(0, base, base + this.blockSize);
    const order = [
      ...this.policy.slice(0, -1),
      ...this.value.slice(0, -1),
      this.policy[this.policy.length - 1]!,
      this.value[this.value.length - 1]!,
    ];
    for (const layer of order) {
      // torch layout W[out][in] -> ours W[in][outPad]; inputs beyond the previous layer's real width stay 0.
      const realIn = this.realInputs(layer);
      const w = orthogonalMatrix(layer.nout, realIn, layer.gain, rng);
      for (let o = 0; o < layer.nout; o++) {
        for (let i = 0; i < realIn; i++) f32[base + layer.w + i * layer.noutPad + o] = w[o * realIn + i]!;
      }
    }
    if (this.shape.head.kind === 'gaussian') {
      f32.fill(this.shape.head.logStdInit, base + this.logStdAt, base + this.logStdAt + this.shape.head.dim);
    }
    for (const at of [this.grads, this.moment1, this.moment2]) {
      if (at < 0) continue;
      const o = (at >> 2) + k * this.blockSize;
      f32.fill(0, o, o + this.blockSize);
    }
    this.steps[k] = 0;
  }

  // A layer's real fan-in: the previous layer's unpadded width (or the observation size).
  private realInputs(layer: Layer): number {
    for (const net of [this.policy, this.value]) {
      const l = net.indexOf(layer);
      if (l > 0) return net[l - 1]!.nout;
      if (l === 0) return this.shape.obsSize;
    }
    throw new Error('unknown layer');
  }

  /** Byte offset of the policy output rows (logits or means), row stride `policyOutStride` floats. */
  get policyOut(): number {
    return this.act.policy[this.policy.length - 1]!;
  }

  get policyOutStride(): number {
    return this.policy[this.policy.length - 1]!.noutPad;
  }

  /** Byte offset of the value rows (value in column 0), row stride `valueOutStride` floats. */
  get valueOut(): number {
    return this.act.value[this.value.length - 1]!;
  }

  get valueOutStride(): number {
    return this.value[this.value.length - 1]!.noutPad;
  }

  /** Byte offsets where the loss kernels write the output gradients. */
  get policyOutGrad(): number {
    return this.dAct.policy[this.policy.length - 1]!;
  }

  get valueOutGrad(): number {
    return this.dAct.value[this.value.length - 1]!;
  }

  /** Byte offset of task k's log std (Gaussian head). */
  logStdOf(k: number): number {
    return this.paramsOf(k) + this.logStdAt * 4;
  }

  /** Byte offset of task k's log-std gradient (Gaussian head). */
  logStdGradOf(k: number): number {
    return this.grads + (k * this.blockSize + this.logStdAt) * 4;
  }

  /** Runs the policy (if `withPolicy`) and value MLPs of task k on the first `rows` rows of `x`. */
  forward(k: number, rows: number, withPolicy = true): void {
    const r = pad4(rows);
    const base = this.paramsOf(k);
    const kern = this.arena.k;
    const run = (layers: readonly Layer[], acts: number[]) => {
      let input = this.x;
      for (const [l, layer] of layers.entries()) {
        kern.linearForward(
          input,
          layer.nin,
          base + layer.w * 4,
          base + layer.b * 4,
          acts[l]!,
          r,
          layer.noutPad,
          layer.tanh ? 1 : 0,
        );
        input = acts[l]!;
      }
    };
    if (withPolicy) run(this.policy, this.act.policy);
    run(this.value, this.act.value);
  }

  /** Backpropagates the output gradients (written by a loss kernel) of task k into its gradient block. */
  backward(k: number, rows: number): void {
    const r = pad4(rows);
    const grads = this.grads + k * this.blockSize * 4;
    const base = this.paramsOf(k);
    const kern = this.arena.k;
    const run = (layers: readonly Layer[], acts: number[], dActs: number[]) => {
      for (let l = layers.length - 1; l >= 0; l--) {
        const layer = layers[l]!;
        const input = l === 0 ? this.x : acts[l - 1]!;
        kern.linearBackwardWeight(
          input,
          dActs[l]!,
          grads + layer.w * 4,
          grads + layer.b * 4,
          r,
          layer.nin,
          layer.noutPad,
        );
        if (l > 0)
          kern.linearBackwardInput(
            dActs[l]!,
            base + layer.w * 4,
            input,
            dActs[l - 1]!,
            r,
            layer.nin,
            layer.noutPad,
          );
      }
    };
    run(this.policy, this.act.policy, this.dAct.policy);
    run(this.value, this.act.value, this.dAct.value);
  }

  /**
   * Clips task k's gradient to a global L2 norm of `maxGradNorm` (torch's clip_grad_norm_: scale by
   * min(1, max / (norm + 1e-6))) and takes one optimizer step. Returns the norm before clipping.
   */
  step(k: number, learningRate: number, maxGradNorm: number): number {
    const kern = this.arena.k;
    const off = k * this.blockSize * 4;
    const norm = Math.sqrt(kern.sumSquares(this.grads + off, this.blockSize));
    const scale = Math.min(1, maxGradNorm / (norm + 1e-6));
    const t = ++this.steps[k]!;
    const opt = this.optimizer;
    if (opt.kind === 'adam') {
      const bc1 = 1 - opt.beta1 ** t;
      const invBc2Sqrt = 1 / Math.sqrt(1 - opt.beta2 ** t);
      kern.adamStep(
        this.params + off,
        this.grads + off,
        this.moment1 + off,
        this.moment2 + off,
        this.blockSize,
        learningRate,
        opt.beta1,
        opt.beta2,
        opt.eps,
        bc1,
        invBc2Sqrt,
        scale,
      );
    } else {
      kern.rmspropStep(
        this.params + off,
        this.grads + off,
        this.moment1 + off,
        this.blockSize,
        learningRate,
        opt.alpha,
        opt.eps,
        scale,
      );
    }
    return norm;
  }

  /**
   * Task k's parameters (or, with `which = 'grads'`, their latest gradients) as torch lists them: per layer
   * W [out][in] and b, the padding stripped. For tests and inspection.
   */
  exportParams(k: number, which: 'params' | 'grads' = 'params'): ExportedActorCritic {
    const f32 = this.arena.f32;
    const base = ((which === 'params' ? this.params : this.grads) >> 2) + k * this.blockSize;
    const dump = (layers: readonly Layer[]) =>
      layers.map((layer) => {
        const realIn = this.realInputs(layer);
        const w = new Float64Array(layer.nout * realIn);
        for (let o = 0; o < layer.nout; o++) {
          for (let i = 0; i < realIn; i++) w[o * realIn + i] = f32[base + layer.w + i * layer.noutPad + o]!;
        }
        return { w, b: Float64Array.from(f32.subarray(base + layer.b, base + layer.b + layer.nout)) };
      });
    const head = this.shape.head;
    return {
      policy: dump(this.policy),
      value: dump(this.value),
      logStd:
        head.kind === 'gaussian'
          ? Float64Array.from(f32.subarray(base + this.logStdAt, base + this.logStdAt + head.dim))
          : null,
    };
  }
}
