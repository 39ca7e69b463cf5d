import { InvalidArgumentError } from '@icrl/core';
import type { ADModel } from './ad';
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
// outputs
//   action            float32 [batch, nActions]            policy logits at q_state (continuous actions:
//                                                            [batch, 2·actionSize] = mean ‖ log-variance)
//   reward            float32 [batch, rewardClasses]       (dynamics) reward logits at q_action; [batch, 1]
//                                                            clipped to [0, rewardMax] when states and actions
//                                                            are both continuous
//   next_state        float32 [batch, numStates]           (dynamics, discrete states) next-state logits
//   present_key_{i}   float32 [batch, nHead, past+new_tokens, hs]   the cache to feed back (context tokens only)
//   present_value_{i}
// The new context tokens take positions past..past+new−1, q_state the next one and q_action the one after;
// past + new_tokens + 2 must not exceed n_transit + 1 (the longest AD window, RoPE table size).
// A full re-encode is `past = 0` with the whole window as `context`.
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
    for (const [k, v] of Object.entries(attrs)) {
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
      w.message(5, a);
    }
    this.nodes.push(w);
    return out;
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
      "'ad' or 'dpt' (ONNX export covers AD and DPT, with or without dynamics; IDT is not exported yet)",
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

/**
 * Builds the ONNX model (bytes of a `ModelProto`, opset 17) of a trained AD / DICP-AD model (discrete or
 * continuous states and actions): one file for every batch size and window length up to `nTransit`, with the KV-cache inputs and
 * outputs described at the top of this file. Write the bytes to `model.onnx`, or hand them to `OnnxSession`.
 */
export function exportOnnx(model: ADModel): Uint8Array {
  const info = onnxModelInfo(model);
  const c = model.config;
  const C = c.nEmbd;
  const H = c.nHead;
  const hs = C / H;
  const I = c.nInner;
  const F = info.contextSize;
  const maxPos = c.nTransit + 1;
  const weight = (name: string): Float32Array => {
    const v = model.params.vars.get(name);
    if (v === undefined) throw new Error(`internal: parameter ${name} missing from the model`);
    return v.dataSync() as Float32Array;
  };
  const g = new GraphBuilder();
  /** Linear with PyTorch weight [out, in]: MatMul by its transpose, plus bias. */
  const linearInits = new Map<string, { w: string; b: string | null }>();
  const linear = (x: string, name: string, inF: number, outF: number, bias: boolean): string => {
    let p = linearInits.get(name);
    if (p === undefined) {
      p = {
        w: g.init(`${name}.weight_t`, [inF, outF], transposed(weight(`${name}.weight`), outF, inF)),
        b: bias ? g.init(`${name}.bias`, [outF], weight(`${name}.bias`)) : null,
      };
      linearInits.set(name, p);
    }
    const y = g.op('MatMul', [x, p.w]);
    return p.b !== null ? g.op('Add', [y, p.b]) : y;
  };

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
  for (let i = 0; i < (dpt ? 0 : c.nLayer); i++) {
    past.push({
      k: g.input(ONNX_NAMES.pastKey(i), FLOAT, ['batch', H, 'past', hs]),
      v: g.input(ONNX_NAMES.pastValue(i), FLOAT, ['batch', H, 'past', hs]),
    });
  }

  // Sizes: P (past), T (new context tokens), Tq = T + query tokens.
  const nQuery = info.dynamics ? 2 : 1;
  const ctxShape = g.op('Shape', [context]);
  const T = g.op('Gather', [ctxShape, g.ints([1], true)], { axis: 0 }); // scalar
  // DPT has no cache (its query token comes first, so no prefix survives a step): P = 0.
  const P = dpt
    ? g.ints([0], true)
    : g.op('Gather', [g.op('Shape', [past[0]!.k]), g.ints([2], true)], { axis: 0 });
  const PT = g.op('Add', [P, T]);
  const end = g.op('Add', [PT, g.ints([nQuery], true)]); // P + Tq
  const one = g.ints([1], true);
  const positions = g.op('Range', [P, end, one]); // [Tq] absolute positions of the new tokens
  const keyPositions = g.op('Range', [g.ints([0], true), end, one]); // [P + Tq]

  // Embeddings: [B, T, C] context, then q_state (and q_action), each [B, 1, C].
  const parts = [linear(context, 'embed_context', F, C, true)];
  const axis1 = g.ints([1]);
  /** Embedding (`n` discrete values) or Linear (`n` null: a `size`-vector) of a query input → [B, 1, C]. */
  const queryToken = (x: string, name: string, n: number | null, size: number): string =>
    g.op('Unsqueeze', [
      n !== null
        ? g.op('Gather', [g.init(`${name}.weight`, [n, C], weight(`${name}.weight`)), x], { axis: 0 })
        : linear(x, name, size, C, true),
      axis1,
    ]);
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
  let h = g.op('Concat', parts, { axis: 1 }); // [B, Tq, C]

  // RoPE tables on the fused qkv layout (as in model.ts), q pre-scaled by 1/sqrt(hs); gathered by position.
  const cos3 = new Float32Array(maxPos * 3 * C);
  const sin3 = new Float32Array(maxPos * 3 * C);
  const scale = 1 / Math.sqrt(hs);
  for (let pos = 0; pos < maxPos; pos++) {
    for (let hd = 0; hd < H; hd++) {
      for (let i = 0; i < hs; i++) {
        const f = i % (hs / 2);
        const angle = pos * c.ropeBase ** (-(2 * f) / hs);
        const row = pos * 3 * C + hd * hs + i;
        cos3[row] = Math.cos(angle) * scale;
        sin3[row] = Math.sin(angle) * scale;
        cos3[row + C] = Math.cos(angle);
        sin3[row + C] = Math.sin(angle);
        cos3[row + 2 * C] = 1;
      }
    }
  }
  const cos = g.op('Gather', [g.init('rope_cos', [maxPos, 3 * C], cos3), positions], { axis: 0 }); // [Tq, 3C]
  const sin = g.op('Gather', [g.init('rope_sin', [maxPos, 3 * C], sin3), positions], { axis: 0 });
  // Causal mask over [Tq, P + Tq]: key position > query position → −1e9.
  const mask = g.op('Where', [
    g.op('Greater', [keyPositions, g.op('Unsqueeze', [positions, axis1])]),
    g.floatScalar(-1e9),
    g.floatScalar(0),
  ]);

  const rot = rotateHalfMatrix(H, hs, 3); // [3C, 3C]
  const eps = g.floatScalar(c.normEps);
  const rmsNorm = (x: string, name: string): string => {
    const ms = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    const inv = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, eps])])]);
    return g.op('Mul', [g.op('Mul', [x, inv]), g.init(`${name}.weight`, [C], weight(`${name}.weight`))]);
  };
  const headsShape = g.ints([0, 0, 3 * H, hs]);
  const mergeShape = g.ints([0, 0, C]);
  const presentEnd = g.op('Unsqueeze', [PT, g.ints([0])]);

  for (let l = 0; l < c.nLayer; l++) {
    const p = `transformer.h.${l}`;
    // Fused [qkv | rotateHalf(qkv)] Linear: weight [C, 6C].
    const w = weight(`${p}.attn.attn.weight`); // [3C, C]
    const b = weight(`${p}.attn.attn.bias`);
    const wBoth = new Float32Array(C * 6 * C);
    const bBoth = new Float32Array(6 * C);
    for (let o = 0; o < 3 * C; o++) {
      bBoth[o] = b[o]!;
      for (let i = 0; i < C; i++) wBoth[i * 6 * C + o] = w[o * C + i]!;
    }
    for (let o = 0; o < 3 * C; o++) {
      for (let j = 0; j < 3 * C; j++) {
        const r = rot[o * 3 * C + j]!;
        if (r === 0) continue;
        bBoth[3 * C + o]! += r * b[j]!;
        for (let i = 0; i < C; i++) wBoth[i * 6 * C + 3 * C + o]! += r * w[j * C + i]!;
      }
    }
    const n1 = rmsNorm(h, `${p}.norm_1`);
    const both = g.op('Add', [
      g.op('MatMul', [n1, g.init(`${p}.attn.qkv_rot.weight_t`, [C, 6 * C], wBoth)]),
      g.init(`${p}.attn.qkv_rot.bias`, [6 * C], bBoth),
    ]);
    const qkv = g.op('Slice', [both, g.ints([0]), g.ints([3 * C]), g.ints([2])]);
    const qkvRot = g.op('Slice', [both, g.ints([3 * C]), g.ints([6 * C]), g.ints([2])]);
    const roped = g.op('Add', [g.op('Mul', [qkv, cos]), g.op('Mul', [qkvRot, sin])]); // [B, Tq, 3C]
    const heads = g.op('Transpose', [g.op('Reshape', [roped, headsShape])], { perm: [0, 2, 1, 3] }); // [B, 3H, Tq, hs]
    const q = g.op('Slice', [heads, g.ints([0]), g.ints([H]), axis1]);
    const k = g.op('Slice', [heads, g.ints([H]), g.ints([2 * H]), axis1]);
    const v = g.op('Slice', [heads, g.ints([2 * H]), g.ints([3 * H]), axis1]);
    const kAll = dpt ? k : g.op('Concat', [past[l]!.k, k], { axis: 2 }); // [B, H, P + Tq, hs]
    const vAll = dpt ? v : g.op('Concat', [past[l]!.v, v], { axis: 2 });
    if (!dpt) {
      g.op('Slice', [kAll, g.ints([0]), presentEnd, g.ints([2])], {}, ONNX_NAMES.presentKey(l));
      g.op('Slice', [vAll, g.ints([0]), presentEnd, g.ints([2])], {}, ONNX_NAMES.presentValue(l));
    }
    const scores = g.op('Add', [
      g.op('MatMul', [q, g.op('Transpose', [kAll], { perm: [0, 1, 3, 2] })]),
      mask,
    ]);
    const y = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), vAll]); // [B, H, Tq, hs]
    const merged = g.op('Reshape', [g.op('Transpose', [y], { perm: [0, 2, 1, 3] }), mergeShape]);
    h = g.op('Add', [h, linear(merged, `${p}.attn.proj`, C, C, true)]);
    const n2 = rmsNorm(h, `${p}.norm_2`);
    const a = linear(n2, `${p}.mlp.swiglu.w1`, C, I, false);
    const gate = linear(n2, `${p}.mlp.swiglu.w2`, C, I, false);
    const hid = g.op('Mul', [g.op('Mul', [a, g.op('Sigmoid', [a])]), gate]);
    h = g.op('Add', [h, linear(hid, `${p}.mlp.swiglu.w3`, I, C, false)]);
  }

  // Heads: policy at index T of the new tokens (AD: q_state; DPT: the newest context token, or q_state when
  // T = 0), dynamics at q_action (T + 1).
  const hq = g.op('Gather', [h, T], { axis: 1 }); // [B, C]
  const nA = info.numActions ?? 2 * info.actionSize;
  g.op('Identity', [linear(hq, 'pred_action', C, nA, true)], {}, ONNX_NAMES.action);
  g.output(ONNX_NAMES.action, FLOAT, ['batch', nA]);
  if (info.dynamics) {
    const ha = g.op('Gather', [h, g.op('Add', [T, one])], { axis: 1 });
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
