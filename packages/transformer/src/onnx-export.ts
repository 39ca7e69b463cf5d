import { describeSpace, InvalidArgumentError } from '@icrl/core';
import type { ADModel } from './ad';
import type { ModelConfig } from './config';
import type { IDTModel } from './idt';
import { rotateHalfMatrix } from './model';

// ONNX export of AD / DICP-AD, built in TypeScript: a minimal protobuf writer for the five ONNX messages we
// need, then the graph. No Python, no converter.
//
// ONE graph serves both full re-encodes and the KV cache ("step" graph). Its contract (what a PyTorch
// export must match to run through `OnnxSession` / `OrtAgent`):
//
// inputs
//   context           float32 [batch, new_tokens, F]       new context tokens (F = 2·obs + actionFeatures + 1);
//                                                            new_tokens may be 0
//   query_state       int64   [batch]                      state index (discrete states), or float32 [batch, obs]
//   query_action      int64   [batch]                      or float32 [batch, actionSize] (continuous actions);
//                                                            (dynamics models only; any value when only the
//                                                            policy is wanted — causal attention keeps the
//                                                            action head independent of it)
//   past_key_{i}      float32 [batch, nHead, past, hs]     i = 0..nLayer−1: post-RoPE keys of the `past` cached
//   past_value_{i}    float32 [batch, nHead, past, hs]     context tokens (positions 0..past−1); past may be 0
//   prefix_key_{i}    float32 [groups, nHead, prefix, hs]  a shared prefix: post-RoPE keys/values of `prefix`
//   prefix_value_{i}  float32 [groups, nHead, prefix, hs]  tokens before the past ones (positions 0..prefix−1),
//                                                            one per group of batch/groups consecutive rows
//                                                            (row b reads group ⌊b·groups/batch⌋); batch must
//                                                            be a multiple of groups. No prefix: [1, nHead, 0, hs]
// outputs
//   action            float32 [batch, nActions]            policy logits at q_state (continuous actions:
//                                                            [batch, 2·actionSize] = mean ‖ log-variance)
//   reward            float32 [batch, rewardClasses]       (dynamics) reward logits at q_action; [batch, 1]
//                                                            clipped to [0, rewardMax] when states and actions
//                                                            are both continuous
//   next_state        float32 [batch, numStates]           (dynamics, discrete states) next-state logits
//   present_key_{i}   float32 [batch, nHead, past+new_tokens, hs]   the cache to feed back (context tokens only)
//   present_value_{i}
// The new context tokens take positions prefix+past..prefix+past+new−1, q_state the next one and q_action the
// one after; prefix + past + new_tokens + 2 must not exceed n_transit + 1 (the longest AD window, RoPE table
// size). A full re-encode is `prefix = past = 0` with the whole window as `context`. The prefix is what lets a
// planner's children share one encoded real context: it is read in place (a broadcast MatMul per group), not
// copied per row, and the presents hold only past + new tokens.
// DPT (`[q_state, ctx…, (q_action)]`): query_state is always the raw float32 observation [batch, obs] (it goes
// through the context Linear, zero-padded), and there are no past_*/present_* tensors — the query token comes
// first, so no prefix can be reused; the policy is read at the newest context token (q_state when empty).

export const ONNX_OPSET = 17;
const IR_VERSION = 8;

// ---------------------------------------------------------------------------------------------------------
// Protobuf writer (wire types 0 varint, 2 length-delimited, 5 fixed32).

class Writer {
  private chunks: number[] = [];
  private bufs: Uint8Array[] = [];

  private flushBytes(): void {
    if (this.chunks.length > 0) {
      this.bufs.push(Uint8Array.from(this.chunks));
      this.chunks = [];
    }
  }

  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    while (x >= 0x80n) {
      this.chunks.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.chunks.push(Number(x));
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, v: number): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.chunks.push(...b);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.varint(data.length);
    this.flushBytes();
    this.bufs.push(data);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, w: Writer): this {
    return this.bytes(field, w.finish());
  }

  finish(): Uint8Array {
    this.flushBytes();
    const n = this.bufs.reduce((a, b) => a + b.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const b of this.bufs) {
      out.set(b, o);
      o += b.length;
    }
    return out;
  }
}

const FLOAT = 1;
const INT64 = 7;

type Dim = number | string;
type Attr = number | number[] | { floats: number[] } | string;

function tensorProto(name: string, dims: number[], data: Float32Array | BigInt64Array): Writer {
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  w.int(2, data instanceof Float32Array ? FLOAT : INT64);
  w.string(8, name);
  w.bytes(9, new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
  return w;
}

function valueInfo(name: string, elemType: number, dims: Dim[]): Writer {
  const shape = new Writer();
  for (const d of dims) {
    const dim = new Writer();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tt = new Writer().int(1, elemType).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tt));
}

function attrProto(k: string, v: Attr): Writer {
  const a = new Writer().string(1, k);
  if (typeof v === 'number' && Number.isInteger(v)) a.int(3, v).int(20, 2);
  else if (typeof v === 'number') a.float(2, v).int(20, 1);
  else if (typeof v === 'string') a.bytes(4, new TextEncoder().encode(v)).int(20, 3);
  else if (Array.isArray(v)) {
    for (const x of v) a.int(8, x);
    a.int(20, 7);
  } else {
    for (const x of v.floats) a.float(7, x);
    a.int(20, 6);
  }
  return a;
}

/** Accumulates nodes and initializers; names are generated. */
class GraphBuilder {
  private readonly nodes: Writer[] = [];
  private readonly inits: Writer[] = [];
  private readonly inputs: Writer[] = [];
  private readonly outputs: Writer[] = [];
  private n = 0;
  private readonly constCache = new Map<string, string>();

  input(name: string, elemType: number, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: number, dims: Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  init(name: string, dims: number[], data: Float32Array | BigInt64Array): string {
    this.inits.push(tensorProto(name, dims, data));
    return name;
  }

  /** An int64 constant (1-D, or a scalar with `scalar`), shared by value. */
  ints(values: number[], scalar = false): string {
    const key = `${scalar ? 's' : 'v'}${values.join(',')}`;
    let name = this.constCache.get(key);
    if (name === undefined) {
      name = this.init(
        `const_${this.constCache.size}`,
        scalar ? [] : [values.length],
        BigInt64Array.from(values.map(BigInt)),
      );
      this.constCache.set(key, name);
    }
    return name;
  }

  floatScalar(v: number): string {
    const key = `f${v}`;
    let name = this.constCache.get(key);
    if (name === undefined) {
      name = this.init(`const_${this.constCache.size}`, [], Float32Array.of(v));
      this.constCache.set(key, name);
    }
    return name;
  }

  op(type: string, inputs: string[], attrs: Record<string, Attr> = {}, output?: string): string {
    const out = output ?? `${type.toLowerCase()}_${this.n++}`;
    const w = new Writer();
    for (const i of inputs) w.string(1, i);
    w.string(2, out);
    w.string(3, `n${this.n++}`);
    w.string(4, type);
    for (const [k, v] of Object.entries(attrs)) w.message(5, attrProto(k, v));
    this.nodes.push(w);
    return out;
  }

  /** A node with `count` outputs (e.g. Split). */
  ops(
    type: string,
    inputs: string[],
    count: number,
    attrs: Record<string, Attr> = {},
    names?: string[],
  ): string[] {
    const outs = names ?? Array.from({ length: count }, () => `${type.toLowerCase()}_${this.n++}`);
    const w = new Writer();
    for (const i of inputs) w.string(1, i);
    for (const o of outs) w.string(2, o);
    w.string(3, `n${this.n++}`);
    w.string(4, type);
    for (const [k, v] of Object.entries(attrs)) w.message(5, attrProto(k, v));
    this.nodes.push(w);
    return outs;
  }

  model(name: string, metadata: Record<string, string>): Uint8Array {
    const g = new Writer();
    for (const n of this.nodes) g.message(1, n);
    g.string(2, name);
    for (const i of this.inits) g.message(5, i);
    for (const i of this.inputs) g.message(11, i);
    for (const o of this.outputs) g.message(12, o);
    const m = new Writer().int(1, IR_VERSION).string(2, 'icrl').string(3, '0.0.0');
    m.message(7, g);
    m.message(8, new Writer().string(1, '').int(2, ONNX_OPSET));
    for (const [k, v] of Object.entries(metadata)) m.message(14, new Writer().string(1, k).string(2, v));
    return m.finish();
  }
}

// ---------------------------------------------------------------------------------------------------------
// The graph.

/** What `exportOnnx` records about the model (also written to the file's metadata_props as `icrl`). */
export interface OnnxModelInfo {
  readonly kind: 'ad' | 'dpt';
  readonly dynamics: boolean;
  readonly nTransit: number;
  readonly nLayer: number;
  readonly nHead: number;
  readonly headSize: number;
  readonly contextSize: number;
  readonly obsSize: number;
  readonly numStates: number | null;
  readonly numActions: number | null;
  readonly actionSize: number;
  /** Reward head width: `rewardClasses` (logits) when states or actions are discrete, else 1 (regression). */
  readonly rewardOutputs: number;
  /** Continuous reward: the head is clipped to [0, rewardMax]; null for logits. */
  readonly rewardMax: number | null;
}

/** Input/output names of the contract above. */
export const ONNX_NAMES = {
  context: 'context',
  queryState: 'query_state',
  queryAction: 'query_action',
  action: 'action',
  reward: 'reward',
  nextState: 'next_state',
  pastKey: (i: number) => `past_key_${i}`,
  pastValue: (i: number) => `past_value_${i}`,
  prefixKey: (i: number) => `prefix_key_${i}`,
  prefixValue: (i: number) => `prefix_value_${i}`,
  presentKey: (i: number) => `present_key_${i}`,
  presentValue: (i: number) => `present_value_${i}`,
} as const;

function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c]!;
  return out;
}

/** The ONNX info of an `ADModel` (throws for models the exporter does not cover yet). */
export function onnxModelInfo(model: ADModel): OnnxModelInfo {
  const c = model.config;
  if (c.kind !== 'ad' && c.kind !== 'dpt') {
    throw new InvalidArgumentError(
      'model.kind',
      c.kind,
      c.kind === 'idt'
        ? "'ad' or 'dpt' for exportOnnx (IDT has three modules: use exportIdtOnnx)"
        : "'ad' or 'dpt' (ONNX export covers AD, DPT and IDT, with or without dynamics)",
    );
  }
  const e = model.encoding;
  return {
    kind: c.kind,
    dynamics: c.dynamics,
    nTransit: c.nTransit,
    nLayer: c.nLayer,
    nHead: c.nHead,
    headSize: c.nEmbd / c.nHead,
    contextSize: e.contextSize,
    obsSize: e.obsSize,
    numStates: e.numStates,
    numActions: e.numActions,
    actionSize: e.actionSize,
    rewardOutputs: e.numActions !== null || e.numStates !== null ? c.rewardClasses : 1,
    rewardMax: e.numActions !== null || e.numStates !== null ? null : c.rewardMax,
  };
}

type Weights = (name: string) => Float32Array;

function weightsOf(params: { vars: ReadonlyMap<string, { dataSync(): unknown }> }): Weights {
  return (name) => {
    const v = params.vars.get(name);
    if (v === undefined) throw new Error(`internal: parameter ${name} missing from the model`);
    return v.dataSync() as Float32Array;
  };
}

/** Linear with PyTorch weight [out, in] (MatMul by its transpose, plus bias); initializers made once per name. */
function linearOp(g: GraphBuilder, weight: Weights) {
  const inits = new Map<string, { w: string; b: string | null }>();
  return (x: string, name: string, inF: number, outF: number, bias: boolean): string => {
    let p = inits.get(name);
    if (p === undefined) {
      p = {
        w: g.init(`${name}.weight_t`, [inF, outF], transposed(weight(`${name}.weight`), outF, inF)),
        b: bias ? g.init(`${name}.bias`, [outF], weight(`${name}.bias`)) : null,
      };
      inits.set(name, p);
    }
    const y = g.op('MatMul', [x, p.w]);
    return p.b !== null ? g.op('Add', [y, p.b]) : y;
  };
}

/** Embedding rows gathered by int64 indices (`[...]` → `[..., d]`). */
function embeddingOp(g: GraphBuilder, weight: Weights) {
  const inits = new Map<string, string>();
  return (x: string, name: string, n: number, d: number): string => {
    let w = inits.get(name);
    if (w === undefined) {
      w = g.init(`${name}.weight`, [n, d], weight(`${name}.weight`));
      inits.set(name, w);
    }
    return g.op('Gather', [w, x], { axis: 0 });
  };
}

interface StackInput {
  /** The token embeddings as the 2-D residual stream `[B·Tq, C]`. */
  readonly h0: string;
  /** `[1]`: B. */
  readonly batch: string;
  /** Scalar: tokens of this call (Tq). */
  readonly tokens: string;
  /** Scalar: cached tokens before them (P; their positions are 0..P−1). */
  readonly past: string;
  /** Per layer cached keys/values `[B, H, P, hs]`, or null (no cache in or out). */
  readonly cache: readonly { k: string; v: string }[] | null;
  /**
   * Per layer shared-prefix keys/values `[G, H, P0, hs]` (cache only): attended by every row before its own
   * cached tokens, row b reading group ⌊b·G/B⌋.
   */
  readonly prefix?: readonly { k: string; v: string }[];
  /** Scalar: prefix tokens (P0), the positions before the past ones. */
  readonly prefixLength?: string;
  /** `[1]`: G, the number of prefix groups. */
  readonly groups?: string;
  /** Cached tokens to return: the first `presentLength` of the P + Tq keys/values (cache only). */
  readonly presentLength?: string;
  /**
   * Only these `count` rows from `start` (a scalar) of each sequence are read downstream: the output is then
   * `[B·count, C]` (else `[B·Tq, C]`).
   */
  readonly read?: { readonly start: string; readonly count: number };
}

/**
 * Attention over a shared prefix and the row's own keys: `qRows` `[B, H, R, hs]` against the prefix of its group
 * `[G, H, P0, hs]` (a broadcast MatMul over `[G, B/G, H, …]`: the prefix is never copied per row) and against
 * `ownScores` (already masked, `[B, H, R, P + Tq]`), one softmax over both, values likewise. Returns `[B, H, R, hs]`.
 */
function prefixAttention(
  g: GraphBuilder,
  input: StackInput,
  l: number,
  qRows: string,
  ownScores: string,
  vAll: string,
  rows: string | number,
): string {
  const { k: pk, v: pv } = input.prefix![l]!;
  const unsq = (x: string) => g.op('Unsqueeze', [x, g.ints([0])]);
  const H = g.op('Slice', [g.op('Shape', [pk]), g.ints([1]), g.ints([2])]);
  const hs = g.op('Slice', [g.op('Shape', [pk]), g.ints([3]), g.ints([4])]);
  const G = input.groups!;
  const perGroup = g.op('Div', [input.batch, G]);
  const R = typeof rows === 'number' ? g.ints([rows]) : unsq(rows);
  const P0 = unsq(input.prefixLength!);
  // allowzero: P0 may be 0, and a 0 in a Reshape shape means "copy that input dim" otherwise.
  const reshape = (x: string, dims: string[]) =>
    g.op('Reshape', [x, g.op('Concat', dims, { axis: 0 })], { allowzero: 1 });
  const q5 = reshape(qRows, [G, perGroup, H, R, hs]); // [G, B/G, H, R, hs]
  const pkT = g.op('Unsqueeze', [g.op('Transpose', [pk], { perm: [0, 1, 3, 2] }), g.ints([1])]); // [G, 1, H, hs, P0]
  const prefixScores = reshape(g.op('MatMul', [q5, pkT]), [input.batch, H, R, P0]); // [B, H, R, P0]
  const probs = g.op('Softmax', [g.op('Concat', [prefixScores, ownScores], { axis: 3 })], { axis: -1 });
  const three = g.ints([3]);
  const pPrefix = g.op('Slice', [probs, g.ints([0]), P0, three]);
  const pOwn = g.op('Slice', [probs, P0, g.ints([2 ** 31 - 1]), three]);
  const yPrefix = g.op('MatMul', [
    reshape(pPrefix, [G, perGroup, H, R, P0]),
    g.op('Unsqueeze', [pv, g.ints([1])]), // [G, 1, H, P0, hs]
  ]);
  return g.op('Add', [reshape(yPrefix, [input.batch, H, R, hs]), g.op('MatMul', [pOwn, vAll])]);
}

/**
 * The transformer of `model.ts` (`prefix.h.{l}.…` weights) on a 2-D residual stream: returns the output stream
 * `[B·Tq, C]` (or the `input.read` rows) and writes `present_key_{l}` / `present_value_{l}` when `input.cache` is
 * given.
 *
 * Written for onnxruntime's CPU fusions (README, "How fast"): RMSNorm in the Pow/ReduceMean/Add/Sqrt/Div/Mul
 * form ORT fuses into SimplifiedLayerNormalization; q/k/v from one broadcast MatMul
 * straight into the head layout (bias as an extra input row); the residual stream 2-D so MatMul + bias fuse
 * into Gemm; the causal mask from one Trilu.
 */
function transformerStack(
  g: GraphBuilder,
  weight: Weights,
  config: ModelConfig,
  prefix: string,
  maxPos: number,
  input: StackInput,
): string {
  const C = config.nEmbd;
  const H = config.nHead;
  const hs = C / H;
  const I = config.nInner;
  const half = hs / 2;
  const linear = linearOp(g, weight);
  const { batch, tokens: Tq, past: P, cache } = input;
  const one = g.ints([1], true);
  const unsq = (x: string) => g.op('Unsqueeze', [x, g.ints([0])]);
  const end = g.op('Add', [P, Tq]);
  // With a shared prefix the new tokens come after it (prefix + past); without, the graph is as it always was.
  const start = input.prefixLength === undefined ? P : g.op('Add', [input.prefixLength, P]);
  const stop = input.prefixLength === undefined ? end : g.op('Add', [start, Tq]);
  const positions = g.op('Range', [start, stop, one]); // [Tq] absolute positions of the new tokens
  const headsIn = g.op('Concat', [batch, g.ints([1]), unsq(Tq), g.ints([C + 1])], { axis: 0 });
  const ones = g.op('Expand', [
    g.floatScalar(1),
    g.op('Concat', [g.op('Slice', [g.op('Shape', [input.h0]), g.ints([0]), g.ints([1])]), g.ints([1])], {
      axis: 0,
    }),
  ]); // [B·Tq, 1]

  // RoPE tables per head feature, gathered by position: [Tq, hs].
  const cosT = new Float32Array(maxPos * hs);
  const sinT = new Float32Array(maxPos * hs);
  for (let pos = 0; pos < maxPos; pos++) {
    for (let i = 0; i < hs; i++) {
      const angle = pos * config.ropeBase ** (-(2 * (i % half)) / hs);
      cosT[pos * hs + i] = Math.cos(angle);
      sinT[pos * hs + i] = Math.sin(angle);
    }
  }
  const cos = g.op('Gather', [g.init(`${prefix}.rope_cos`, [maxPos, hs], cosT), positions], { axis: 0 });
  const sin = g.op('Gather', [g.init(`${prefix}.rope_sin`, [maxPos, hs], sinT), positions], { axis: 0 });
  // Causal mask [Tq, P + Tq]: −1e9 where key position > query position (the triangle above diagonal P + 1).
  const mask = g.op(
    'Trilu',
    [
      g.op('Expand', [g.floatScalar(-1e9), g.op('Concat', [unsq(Tq), unsq(end)], { axis: 0 })]),
      g.op('Add', [P, one]),
    ],
    { upper: 1 },
  );

  const eps = g.floatScalar(config.normEps);
  const two = g.floatScalar(2);
  const norms = new Map<string, string>();
  // Pow → ReduceMean → Add → Sqrt → Div → Mul: the pattern ORT fuses into one SimplifiedLayerNormalization.
  const rmsNorm = (x: string, name: string): string => {
    const ms = g.op('ReduceMean', [g.op('Pow', [x, two])], { axes: [-1], keepdims: 1 });
    const normed = g.op('Div', [x, g.op('Sqrt', [g.op('Add', [ms, eps])])]);
    let w = norms.get(name);
    if (w === undefined) {
      w = g.init(`${name}.weight`, [C], weight(`${name}.weight`));
      norms.set(name, w);
    }
    return g.op('Mul', [normed, w]);
  };

  const scale = 1 / Math.sqrt(hs);
  const I2 = 2 * I;
  // rotateHalf for row vectors, x·R = (−x2, x1) with x = (x1, x2): R = Pᵀ of model.ts's P (rotateHalf(v) = P v).
  const rotate = g.init(`${prefix}.rope_rotate`, [hs, hs], transposed(rotateHalfMatrix(1, hs, 1), hs, hs));
  const layerInits: { heads: string; w12: string }[] = [];
  for (let l = 0; l < config.nLayer; l++) {
    const p = `${prefix}.h.${l}`;
    // Per-head projections [3H, C + 1, hs]: q (pre-scaled by 1/sqrt(hs)), k, v, each head's bias as row C.
    // A broadcast MatMul of [B, 1, Tq, C + 1] (the normed stream and a ones column) lands directly in the
    // attention layout [B, 3H, Tq, hs]: no Reshape/Transpose of a fused output, no bias Add broadcast over a
    // middle axis (which ORT runs ~5x slower than the extra row costs). RoPE is then qk·cos + (qk·R)·sin on
    // whole tensors (R: rotateHalf as a small [hs, hs] MatMul — cheaper than projecting rotated twins).
    const w = weight(`${p}.attn.attn.weight`); // [3C, C], rows (part, head, feature)
    const b = weight(`${p}.attn.attn.bias`);
    const w3 = new Float32Array(3 * H * (C + 1) * hs);
    const put = (part: number, hd: number, mult: number) => {
      const base = (part * H + hd) * (C + 1);
      for (let d = 0; d < hs; d++) {
        const row = part * C + hd * hs + d;
        for (let i = 0; i < C; i++) w3[(base + i) * hs + d] = mult * w[row * C + i]!;
        w3[(base + C) * hs + d] = mult * b[row]!;
      }
    };
    for (let hd = 0; hd < H; hd++) {
      put(0, hd, scale);
      put(1, hd, 1);
      put(2, hd, 1);
    }
    // SwiGLU's two input Linears as one [C, 2I] product.
    const w1 = transposed(weight(`${p}.mlp.swiglu.w1.weight`), I, C); // [C, I]
    const w2 = transposed(weight(`${p}.mlp.swiglu.w2.weight`), I, C);
    const w12 = new Float32Array(C * I2);
    for (let i = 0; i < C; i++) {
      w12.set(w1.subarray(i * I, (i + 1) * I), i * I2);
      w12.set(w2.subarray(i * I, (i + 1) * I), i * I2 + I);
    }
    layerInits.push({
      heads: g.init(`${p}.attn.heads.weight`, [3 * H, C + 1, hs], w3),
      w12: g.init(`${p}.mlp.swiglu.w12.weight_t`, [C, I2], w12),
    });
  }

  // The layer stack. With `input.read`, the last layer computes its attention output, projection and MLP only
  // for the rows the heads read (its keys/values still cover every token): the rest of its output is never
  // used, and that is a quarter of the model's work on a full re-encode.
  let h = input.h0;
  for (let l = 0; l < config.nLayer; l++) {
    const p = `${prefix}.h.${l}`;
    const last = l === config.nLayer - 1 && input.read !== undefined;
    const n1 = g.op('Reshape', [g.op('Concat', [rmsNorm(h, `${p}.norm_1`), ones], { axis: 1 }), headsIn]);
    const all3 = g.op('MatMul', [n1, layerInits[l]!.heads]); // [B, 3H, Tq, hs]
    const [qk, v] = g.ops('Split', [all3, g.ints([2 * H, H])], 2, { axis: 1 });
    const qkRot = g.op('MatMul', [qk!, rotate]); // rotateHalf of every q and k head
    const roped = g.op('Add', [g.op('Mul', [qk!, cos]), g.op('Mul', [qkRot, sin])]);
    const [q, k] = g.ops('Split', [roped, g.ints([H, H])], 2, { axis: 1 });
    const kAll = cache === null ? k! : g.op('Concat', [cache[l]!.k, k!], { axis: 2 }); // [B, H, P + Tq, hs]
    const vAll = cache === null ? v! : g.op('Concat', [cache[l]!.v, v!], { axis: 2 });
    if (cache !== null) {
      const presentEnd = unsq(input.presentLength!);
      g.op('Slice', [kAll, g.ints([0]), presentEnd, g.ints([2])], {}, ONNX_NAMES.presentKey(l));
      g.op('Slice', [vAll, g.ints([0]), presentEnd, g.ints([2])], {}, ONNX_NAMES.presentValue(l));
    }
    let qRows = q!;
    let maskRows = mask;
    if (last) {
      const from = unsq(input.read!.start);
      const to = unsq(g.op('Add', [input.read!.start, g.ints([input.read!.count], true)]));
      qRows = g.op('Slice', [q!, from, to, g.ints([2])]); // [B, H, count, hs]
      maskRows = g.op('Slice', [mask, from, to, g.ints([0])]);
      const h3 = g.op('Reshape', [h, g.op('Concat', [batch, unsq(Tq), g.ints([C])], { axis: 0 })]);
      h = g.op('Reshape', [g.op('Slice', [h3, from, to, g.ints([1])]), g.ints([-1, C])]); // [B·count, C]
    }
    const scores = g.op('MatMul', [qRows, g.op('Transpose', [kAll], { perm: [0, 1, 3, 2] })]);
    const y =
      input.prefix === undefined
        ? g.op('MatMul', [g.op('Softmax', [g.op('Add', [scores, maskRows])], { axis: -1 }), vAll])
        : prefixAttention(
            g,
            input,
            l,
            qRows,
            g.op('Add', [scores, maskRows]),
            vAll,
            last ? input.read!.count : Tq,
          );
    const merged = g.op('Reshape', [g.op('Transpose', [y], { perm: [0, 2, 1, 3] }), g.ints([-1, C])]);
    h = g.op('Add', [h, linear(merged, `${p}.attn.proj`, C, C, true)]);
    const mlpIn = g.op('MatMul', [rmsNorm(h, `${p}.norm_2`), layerInits[l]!.w12]);
    const [a, gate] = g.ops('Split', [mlpIn, g.ints([I, I])], 2, { axis: 1 });
    const hid = g.op('Mul', [g.op('Mul', [a!, g.op('Sigmoid', [a!])]), gate!]);
    h = g.op('Add', [h, linear(hid, `${p}.mlp.swiglu.w3`, I, C, false)]);
  }
  return h;
}

/** Options of `exportOnnx`. */
export interface OnnxExportOptions {
  /**
   * Include the `prefix_key_{i}` / `prefix_value_{i}` inputs. Default: for models with dynamics heads, the only
   * ones a planner can use — the extra attention ops cost policy-only steps 10–15 %. Without them the file has
   * the plain KV-cache contract (what a PyTorch export writes); planners still run on it, copying the shared
   * context into every child instead of reading it in place (2–4× slower planning).
   */
  readonly sharedPrefix?: boolean;
}

/**
 * Builds the ONNX model (bytes of a `ModelProto`, opset 17) of a trained AD / DICP-AD / DPT / DICP-DPT model
 * (discrete or continuous states and actions): one file for every batch size and window length up to
 * `nTransit`, with the KV-cache inputs and outputs described at the top of this file. Write the bytes to
 * `model.onnx`, or hand them to `OnnxSession`. IDT: `exportIdtOnnx`.
 */
export function exportOnnx(model: ADModel, options: OnnxExportOptions = {}): Uint8Array {
  const info = onnxModelInfo(model);
  const c = model.config;
  const C = c.nEmbd;
  const H = c.nHead;
  const hs = C / H;
  const F = info.contextSize;
  const weight = weightsOf(model.params);
  const g = new GraphBuilder();
  const linear = linearOp(g, weight);
  const embedding = embeddingOp(g, weight);

  const context = g.input(ONNX_NAMES.context, FLOAT, ['batch', 'new_tokens', F]);
  const dpt = info.kind === 'dpt';
  const queryState =
    info.numStates !== null && !dpt
      ? g.input(ONNX_NAMES.queryState, INT64, ['batch'])
      : g.input(ONNX_NAMES.queryState, FLOAT, ['batch', info.obsSize]);
  const queryAction = !info.dynamics
    ? null
    : info.numActions !== null
      ? g.input(ONNX_NAMES.queryAction, INT64, ['batch'])
      : g.input(ONNX_NAMES.queryAction, FLOAT, ['batch', info.actionSize]);
  const past: { k: string; v: string }[] = [];
  const prefix: { k: string; v: string }[] = [];
  for (let i = 0; i < (dpt ? 0 : c.nLayer); i++) {
    past.push({
      k: g.input(ONNX_NAMES.pastKey(i), FLOAT, ['batch', H, 'past', hs]),
      v: g.input(ONNX_NAMES.pastValue(i), FLOAT, ['batch', H, 'past', hs]),
    });
  }
  const withPrefix = !dpt && (options.sharedPrefix ?? info.dynamics);
  for (let i = 0; i < (withPrefix ? c.nLayer : 0); i++) {
    prefix.push({
      k: g.input(ONNX_NAMES.prefixKey(i), FLOAT, ['groups', H, 'prefix', hs]),
      v: g.input(ONNX_NAMES.prefixValue(i), FLOAT, ['groups', H, 'prefix', hs]),
    });
  }

  // Sizes: P (past), T (new context tokens), Tq = T + query tokens.
  const nQuery = info.dynamics ? 2 : 1;
  const ctxShape = g.op('Shape', [context]);
  const batch = g.op('Slice', [ctxShape, g.ints([0]), g.ints([1])]); // [1]
  const T = g.op('Gather', [ctxShape, g.ints([1], true)], { axis: 0 }); // scalar
  // DPT has no cache (its query token comes first, so no prefix survives a step): P = 0.
  const P = dpt
    ? g.ints([0], true)
    : g.op('Gather', [g.op('Shape', [past[0]!.k]), g.ints([2], true)], { axis: 0 });
  const Tq = g.op('Add', [T, g.ints([nQuery], true)]);

  // Embeddings: [B, T, C] context, then q_state (and q_action), each [B, 1, C].
  const parts = [linear(context, 'embed_context', F, C, true)];
  const axis1 = g.ints([1]);
  /** Embedding (`n` discrete values) or Linear (`n` null: a `size`-vector) of a query input → [B, 1, C]. */
  const queryToken = (x: string, name: string, n: number | null, size: number): string =>
    g.op('Unsqueeze', [n !== null ? embedding(x, name, n, C) : linear(x, name, size, C, true), axis1]);
  if (dpt) {
    // DPT: the raw query state, zero-padded to a context token, through the context Linear; first.
    const padded = g.op('Pad', [queryState, g.ints([0, 0, 0, F - info.obsSize])]);
    parts.unshift(g.op('Unsqueeze', [linear(padded, 'embed_context', F, C, true), axis1]));
  } else {
    parts.push(queryToken(queryState, 'embed_query_state', info.numStates, info.obsSize));
  }
  if (queryAction !== null) {
    parts.push(queryToken(queryAction, 'embed_query_action', info.numActions, info.actionSize));
  }
  // The residual stream is 2-D [B·Tq, C]: ORT fuses 2-D MatMul + bias into one Gemm (not 3-D ones).
  const h0 = g.op('Reshape', [g.op('Concat', parts, { axis: 1 }), g.ints([-1, C])]);
  const hOut = transformerStack(g, weight, c, 'transformer', c.nTransit + 1, {
    h0,
    batch,
    tokens: Tq,
    past: P,
    cache: dpt ? null : past,
    ...(!withPrefix
      ? {}
      : {
          prefix,
          prefixLength: g.op('Gather', [g.op('Shape', [prefix[0]!.k]), g.ints([2], true)], { axis: 0 }),
          groups: g.op('Slice', [g.op('Shape', [prefix[0]!.k]), g.ints([0]), g.ints([1])]),
        }),
    presentLength: g.op('Add', [P, T]),
    // Heads: policy at index T of the new tokens (AD: q_state; DPT: the newest context token, or q_state
    // when T = 0), dynamics at q_action (T + 1).
    read: { start: T, count: nQuery },
  });
  const h = g.op('Reshape', [hOut, g.ints([-1, nQuery, C])]); // [B, nQuery, C]
  const hq = g.op('Gather', [h, g.ints([0], true)], { axis: 1 }); // [B, C]
  const nA = info.numActions ?? 2 * info.actionSize;
  g.op('Identity', [linear(hq, 'pred_action', C, nA, true)], {}, ONNX_NAMES.action);
  g.output(ONNX_NAMES.action, FLOAT, ['batch', nA]);
  if (info.dynamics) {
    const ha = g.op('Gather', [h, g.ints([1], true)], { axis: 1 });
    const reward = linear(ha, 'pred_reward', C, info.rewardOutputs, true);
    if (info.rewardMax === null) g.op('Identity', [reward], {}, ONNX_NAMES.reward);
    else g.op('Clip', [reward, g.floatScalar(0), g.floatScalar(info.rewardMax)], {}, ONNX_NAMES.reward);
    g.output(ONNX_NAMES.reward, FLOAT, ['batch', info.rewardOutputs]);
    if (info.numStates !== null) {
      g.op('Identity', [linear(ha, 'pred_next_state', C, info.numStates, true)], {}, ONNX_NAMES.nextState);
      g.output(ONNX_NAMES.nextState, FLOAT, ['batch', info.numStates]);
    }
  }
  for (let l = 0; l < (dpt ? 0 : c.nLayer); l++) {
    g.output(ONNX_NAMES.presentKey(l), FLOAT, ['batch', H, 'present', hs]);
    g.output(ONNX_NAMES.presentValue(l), FLOAT, ['batch', H, 'present', hs]);
  }
  return g.model(`icrl-${info.dynamics ? 'dicp-' : ''}${info.kind}`, { icrl: JSON.stringify(info) });
}

// ---------------------------------------------------------------------------------------------------------
// IDT: three files, one per module (they run at different times: Making Decisions every c steps, Decisions-
// to-Go every step, Reviewing Decisions after each segment). No KV cache: their inputs are short (c, 3K and
// 4c tokens). z = μ + σ·ε stays with the agent (its Rng), so the files are deterministic.

/** Input/output names of the IDT module files. */
export const IDT_ONNX_NAMES = {
  states: 'states',
  actions: 'actions',
  rewards: 'rewards',
  nextStates: 'next_states',
  reviewed: 'reviewed',
  returns: 'returns',
  startStates: 'start_states',
  decision: 'decision',
  z: 'z',
  action: 'action',
  reward: 'reward',
  nextState: 'next_state',
} as const;

/** What `exportIdtOnnx` records about an IDT model (metadata `icrl` of each file, plus `module`). */
export interface IdtOnnxInfo {
  readonly kind: 'idt';
  readonly dynamics: boolean;
  readonly nTransit: number;
  readonly lowPerHigh: number;
  readonly dimZ: number;
  readonly numStates: number;
  readonly numActions: number;
  readonly rewardClasses: number;
}

/** The three IDT module files (ONNX `ModelProto` bytes). */
export interface IdtOnnxFiles {
  /**
   * Reviewing Decisions: `states`, `actions`, `rewards`, `next_states` int64 `[N, steps]` (one segment per row)
   * → `reviewed` float32 `[N, 2·dimZ]` (read at the segment's last step).
   */
  readonly reviewing: Uint8Array;
  /**
   * Making Decisions: `returns` float32 `[B, K]`, `start_states` int64 `[B, K]`, `reviewed` float32
   * `[B, K, 2·dimZ]` (the slot of the segment not yet executed zero) → `decision` float32 `[B, K, 2·dimZ]`
   * (μ_z ‖ log σ²_z of each segment, read at its state token).
   */
  readonly making: Uint8Array;
  /**
   * Decisions-to-Go: `z` float32 `[N, steps, dimZ]`, `states`, `actions`, `rewards` int64 `[N, steps]` →
   * `action` float32 `[N, steps, numActions]` logits (read at s_j) and, with dynamics, `reward`
   * `[N, steps, rewardClasses]` and `next_state` `[N, steps, numStates]` (read at a_j).
   */
  readonly decisions: Uint8Array;
  readonly info: IdtOnnxInfo;
}

/** ONNX export of an IDT / DICP-IDT model (`IDTModel`): one file per module, see `IdtOnnxFiles`. */
export function exportIdtOnnx(model: IDTModel): IdtOnnxFiles {
  const c = model.config;
  if (c.kind !== 'idt') throw new InvalidArgumentError('model.kind', c.kind, "'idt' for exportIdtOnnx");
  const e = model.encoding;
  if (e.numStates === null || e.numActions === null) {
    // The module graphs embed grid-state and action indices; continuous IDT runs on tfjs (IDTAgent).
    throw new InvalidArgumentError(
      'model.observationSpace',
      describeSpace(c.observationSpace),
      'a grid of integer states with discrete actions (the IDT ONNX export covers the gridworld IDT)',
    );
  }
  const S = e.numStates!;
  const A = e.numActions!;
  const R = c.rewardClasses;
  const C = c.nEmbd;
  const dz = c.dimZ;
  const info: IdtOnnxInfo = {
    kind: 'idt',
    dynamics: c.dynamics,
    nTransit: c.nTransit,
    lowPerHigh: c.lowPerHigh,
    dimZ: dz,
    numStates: S,
    numActions: A,
    rewardClasses: R,
  };
  const weight = weightsOf(model.params);
  const N = IDT_ONNX_NAMES;
  /** Shared scaffolding: rows [B] and tokens per row of a [B, n, ·] input; runs the module's stack. */
  const stack = (
    g: GraphBuilder,
    prefix: string,
    tokens3: string,
    maxTokens: number,
    read?: { start: string; count: number },
  ): string => {
    const shape = g.op('Shape', [tokens3]);
    return transformerStack(g, weight, c, prefix, maxTokens, {
      ...(read !== undefined ? { read } : {}),
      h0: g.op('Reshape', [tokens3, g.ints([-1, C])]),
      batch: g.op('Slice', [shape, g.ints([0]), g.ints([1])]),
      tokens: g.op('Gather', [shape, g.ints([1], true)], { axis: 0 }),
      past: g.ints([0], true),
      cache: null,
    });
  };
  /** [B, n, d] tokens interleaved per step: `parts` each [B, n, d] → [B, n·parts, d]. */
  const interleave = (g: GraphBuilder, parts: string[]): string =>
    g.op('Reshape', [
      g.op(
        'Concat',
        parts.map((p) => g.op('Unsqueeze', [p, g.ints([2])])),
        { axis: 2 },
      ),
      g.ints([0, -1, C]),
    ]);
  /** The stack's output [B·n·k, C] as [B, n, k, C], read at slot `slot` → [B, n, C]. */
  const readSlot = (g: GraphBuilder, h: string, k: number, slot: number, like: string): string => {
    const shape = g.op('Shape', [like]); // [B, n]
    const h4 = g.op('Reshape', [h, g.op('Concat', [shape, g.ints([k, C])], { axis: 0 })]);
    return g.op('Gather', [h4, g.ints([slot], true)], { axis: 2 });
  };
  const meta = (module: string) => ({ icrl: JSON.stringify({ ...info, module }) });
  const maxSteps = c.lowPerHigh;
  const maxSegments = c.nTransit / c.lowPerHigh;

  // Reviewing Decisions.
  const reviewing = (() => {
    const g = new GraphBuilder();
    const emb = embeddingOp(g, weight);
    const linear = linearOp(g, weight);
    const dims = ['segments', 'steps'];
    const s = g.input(N.states, INT64, dims);
    const a = g.input(N.actions, INT64, dims);
    const r = g.input(N.rewards, INT64, dims);
    const s2 = g.input(N.nextStates, INT64, dims);
    const tok = g.op('Add', [
      g.op('Add', [
        g.op('Add', [emb(s, 'reviewing.embed_state', S, C), emb(a, 'reviewing.embed_action', A, C)]),
        emb(r, 'reviewing.embed_reward', R, C),
      ]),
      emb(s2, 'reviewing.embed_next_state', S, C),
    ]); // [N, steps, C]
    const steps = g.op('Gather', [g.op('Shape', [s]), g.ints([1], true)], { axis: 0 });
    // Only the segment's last step is read: the last layer computes just that row.
    const last = stack(g, 'reviewing.transformer', tok, maxSteps, {
      start: g.op('Sub', [steps, g.ints([1], true)]),
      count: 1,
    }); // [N, C]
    g.op('Identity', [linear(last, 'reviewing.pred_z', C, 2 * dz, true)], {}, N.reviewed);
    g.output(N.reviewed, FLOAT, ['segments', 2 * dz]);
    return g.model('icrl-idt-reviewing', meta('reviewing'));
  })();

  // Making Decisions.
  const making = (() => {
    const g = new GraphBuilder();
    const emb = embeddingOp(g, weight);
    const linear = linearOp(g, weight);
    const ret = g.input(N.returns, FLOAT, ['batch', 'segments']);
    const st = g.input(N.startStates, INT64, ['batch', 'segments']);
    const rev = g.input(N.reviewed, FLOAT, ['batch', 'segments', 2 * dz]);
    const tokens = interleave(g, [
      linear(g.op('Unsqueeze', [ret, g.ints([2])]), 'making.embed_return', 1, C, true),
      emb(st, 'making.embed_state', S, C),
      linear(rev, 'making.embed_z', 2 * dz, C, true),
    ]); // [B, 3K, C]: R'_1, s_1, z_1, R'_2, …
    const h = stack(g, 'making.transformer', tokens, 3 * maxSegments);
    const atState = readSlot(g, h, 3, 1, ret);
    g.op('Identity', [linear(atState, 'making.pred_z', C, 2 * dz, true)], {}, N.decision);
    g.output(N.decision, FLOAT, ['batch', 'segments', 2 * dz]);
    return g.model('icrl-idt-making', meta('making'));
  })();

  // Decisions-to-Go.
  const decisions = (() => {
    const g = new GraphBuilder();
    const emb = embeddingOp(g, weight);
    const linear = linearOp(g, weight);
    const dims = ['segments', 'steps'];
    const z = g.input(N.z, FLOAT, [...dims, dz]);
    const s = g.input(N.states, INT64, dims);
    const a = g.input(N.actions, INT64, dims);
    const r = g.input(N.rewards, INT64, dims);
    const tokens = interleave(g, [
      linear(z, 'decisions.embed_z', dz, C, true),
      emb(s, 'decisions.embed_state', S, C),
      emb(a, 'decisions.embed_action', A, C),
      emb(r, 'decisions.embed_reward', R, C),
    ]); // [N, 4·steps, C]: z_1, s_1, a_1, r_1, z_2, …
    const h = stack(g, 'decisions.transformer', tokens, 4 * maxSteps);
    const atState = readSlot(g, h, 4, 1, s);
    g.op('Identity', [linear(atState, 'decisions.pred_action', C, A, true)], {}, N.action);
    g.output(N.action, FLOAT, [...dims, A]);
    if (c.dynamics) {
      const atAction = readSlot(g, h, 4, 2, s);
      g.op('Identity', [linear(atAction, 'decisions.pred_reward', C, R, true)], {}, N.reward);
      g.op('Identity', [linear(atAction, 'decisions.pred_next_state', C, S, true)], {}, N.nextState);
      g.output(N.reward, FLOAT, [...dims, R]);
      g.output(N.nextState, FLOAT, [...dims, S]);
    }
    return g.model('icrl-idt-decisions', meta('decisions'));
  })();

  return { reviewing, making, decisions, info };
}
