import { InvalidArgumentError } from '@icrl/core';
import { ONNX_NAMES } from './onnx-export';
import type { Feed, OnnxSession } from './onnx-session';

// KV cache over the exported "step" graph (onnx-export.ts): the cache holds, per layer, the post-RoPE keys
// and values of the context tokens already encoded (positions 0..length−1 of the current window), plus the
// raw token features. A step feeds only the new tokens and the query; the graph returns the extended cache.
//
// Exactness. While the window grows (length + new ≤ maxContext) a cached step is the same computation as a
// full re-encode (same positions, same causal attention). Once the window is full, dropping the oldest token
// changes the hidden states — and hence the layer ≥ 1 keys/values — of *every* surviving token, because they
// all attended to it; no ring buffer of per-layer K/V can reproduce a full re-encode then (only layer 0
// would survive, after re-rotating RoPE by one position). So on overflow this cache re-encodes the window
// from its stored raw tokens (one full forward, which also refreshes the cache): results equal a full
// re-encode at every step, and the saving is on every step before the window fills and on every query that
// does not append (planner branches off a shared prefix, q_action variations). `slide: 'ring'` is the
// opt-in ring buffer: it drops the oldest K/V and re-rotates the cached keys by the dropped positions
// (RoPE is relative). That is exact for a 1-layer model and for layer 0 of any model, approximate above.
//
// Buffers are immutable once produced (each step allocates new ones), so `fork()` is O(1): parent and
// child share the prefix and evolve independently.

const EMPTY = new Float32Array(0);

/** Sizes the cache needs (from `OnnxModelInfo` or a loaded model). */
export interface CacheShape {
  readonly nLayer: number;
  readonly nHead: number;
  readonly headSize: number;
  readonly contextSize: number;
  /** Longest context: nTransit − 1 tokens. */
  readonly maxContext: number;
  readonly dynamics: boolean;
  /** RoPE base (ring mode re-rotates cached keys). */
  readonly ropeBase: number;
  /** Whether the graph has past/present K/V (AD: yes; DPT: no, full re-encodes only). */
  readonly cached: boolean;
  /** Whether the graph has the shared-prefix inputs (`exportOnnx` writes them unless told not to). */
  readonly sharedPrefix: boolean;
}

/**
 * What happens when the window is full: `'reencode'` (default) re-encodes the newest `maxContext` tokens —
 * exactly a full re-encode; `'ring'` drops the oldest cached keys/values and re-rotates the rest by the
 * dropped positions — O(1) model work per step but APPROXIMATE for nLayer > 1 (layer ≥ 1 keys/values keep the
 * evicted tokens' influence; layer 0 stays exact).
 */
export type SlideMode = 'reencode' | 'ring';

/**
 * A query: per-env state indices `[batch]` (int64; discrete states) or observations `[batch, obsSize]`
 * (float32), and for dynamics models action indices `[batch]` or action vectors `[batch, actionSize]`.
 */
export interface CacheQuery {
  readonly queryStates: BigInt64Array | Float32Array;
  readonly queryActions?: BigInt64Array | Float32Array;
}

/** Dims of a query feed: `[batch]` for int64 indices, `[batch, n]` for float vectors. */
function queryDims(data: BigInt64Array | Float32Array, batch: number): number[] {
  return data instanceof BigInt64Array ? [batch] : [batch, data.length / batch];
}

/** Head outputs of one step, `[batch, ...]` row-major. */
export interface StepOutputs {
  readonly action: Float32Array;
  readonly reward?: Float32Array;
  readonly nextState?: Float32Array;
}

function heads(out: Record<string, { data: Float32Array }>): Omit<StepOutputs, 'action'> {
  const r: { reward?: Float32Array; nextState?: Float32Array } = {};
  if (out[ONNX_NAMES.reward] !== undefined) r.reward = out[ONNX_NAMES.reward].data;
  if (out[ONNX_NAMES.nextState] !== undefined) r.nextState = out[ONNX_NAMES.nextState].data;
  return r;
}

/** A shared prefix of a step: `groups` rows of per-layer keys/values `[groups, nHead, length, headSize]`. */
export interface StepPrefix {
  readonly groups: number;
  readonly length: number;
  readonly keys: readonly Float32Array[];
  readonly values: readonly Float32Array[];
}

/**
 * The feeds of one step: `ctxLen` new tokens after `past` cached ones (cached models) and, when given, after a
 * shared `prefix` (row b reads group ⌊b·groups/B⌋), then the query.
 */
export function stepFeeds(
  session: OnnxSession,
  shape: CacheShape,
  B: number,
  ctx: Float32Array,
  ctxLen: number,
  query: CacheQuery,
  keys: readonly Float32Array[],
  values: readonly Float32Array[],
  past: number,
  prefix?: StepPrefix,
): Record<string, Feed> {
  const { contextSize: F, nLayer, nHead, headSize } = shape;
  const feeds: Record<string, Feed> = {
    [ONNX_NAMES.context]: { data: ctx, dims: [B, ctxLen, F] },
    [ONNX_NAMES.queryState]: { data: query.queryStates, dims: queryDims(query.queryStates, B) },
  };
  if (shape.dynamics) {
    // Without query actions only the policy is meaningful; causal attention keeps it independent of them.
    const qa = query.queryActions ?? new BigInt64Array(B);
    const spec = session.inputs.get(ONNX_NAMES.queryAction);
    const filler =
      query.queryActions === undefined && spec?.type === 'float32'
        ? new Float32Array(B * Number(spec.shape[1] ?? 1))
        : qa;
    feeds[ONNX_NAMES.queryAction] = { data: filler, dims: queryDims(filler, B) };
  }
  for (let l = 0; l < (shape.cached ? nLayer : 0); l++) {
    feeds[ONNX_NAMES.pastKey(l)] = { data: keys[l]!, dims: [B, nHead, past, headSize] };
    feeds[ONNX_NAMES.pastValue(l)] = { data: values[l]!, dims: [B, nHead, past, headSize] };
    if (!shape.sharedPrefix) continue;
    const g = prefix?.groups ?? 1;
    const p = prefix?.length ?? 0;
    feeds[ONNX_NAMES.prefixKey(l)] = { data: prefix?.keys[l] ?? EMPTY, dims: [g, nHead, p, headSize] };
    feeds[ONNX_NAMES.prefixValue(l)] = { data: prefix?.values[l] ?? EMPTY, dims: [g, nHead, p, headSize] };
  }
  return feeds;
}

/**
 * One full re-encode (`past` = 0) that returns only the heads: the presents are not copied out of
 * onnxruntime (8 × [B, H, L, hs] floats per call that nobody keeps).
 */
export async function reencodeHeads(
  session: OnnxSession,
  shape: CacheShape,
  B: number,
  ctx: Float32Array,
  ctxLen: number,
  query: CacheQuery,
): Promise<StepOutputs> {
  const empty = Array.from({ length: shape.nLayer }, () => new Float32Array(0));
  const feeds = stepFeeds(session, shape, B, ctx, ctxLen, query, empty, empty, 0);
  const names = [ONNX_NAMES.action, ONNX_NAMES.reward, ONNX_NAMES.nextState].filter((n) =>
    session.outputs.has(n),
  );
  const out = await session.run(feeds, names);
  return { action: out[ONNX_NAMES.action]!.data, ...heads(out) };
}

export class KvCache {
  private keys: Float32Array[];
  private values: Float32Array[];
  /** Raw tokens `[batch, length, F]`. */
  private tokens: Float32Array;
  private len: number;

  private constructor(
    private readonly session: OnnxSession,
    readonly shape: CacheShape,
    readonly batch: number,
    readonly slide: SlideMode,
    state?: { keys: Float32Array[]; values: Float32Array[]; tokens: Float32Array; len: number },
  ) {
    this.keys = state?.keys ?? Array.from({ length: shape.nLayer }, () => new Float32Array(0));
    this.values = state?.values ?? Array.from({ length: shape.nLayer }, () => new Float32Array(0));
    this.tokens = state?.tokens ?? new Float32Array(0);
    this.len = state?.len ?? 0;
  }

  /** An empty cache for `batch` sequences. */
  static empty(
    session: OnnxSession,
    shape: CacheShape,
    batch: number,
    slide: SlideMode = 'reencode',
  ): KvCache {
    if (!Number.isInteger(batch) || batch < 1)
      throw new InvalidArgumentError('batch', batch, 'an integer ≥ 1');
    if (slide !== 'reencode' && slide !== 'ring')
      throw new InvalidArgumentError('slide', slide, "'reencode' or 'ring'");
    return new KvCache(session, shape, batch, slide);
  }

  /** Context tokens held (at most `maxContext`). */
  get length(): number {
    return this.len;
  }

  /** The cached post-RoPE keys and values of `layer`, `[batch, nHead, length, headSize]` (read-only). */
  layer(layer: number): { keys: Float32Array; values: Float32Array } {
    const keys = this.keys[layer];
    if (keys === undefined) throw new InvalidArgumentError('layer', layer, `0..${this.shape.nLayer - 1}`);
    return { keys, values: this.values[layer]! };
  }

  /** A cache sharing this one's prefix; appending to either leaves the other unchanged. O(1). */
  fork(): KvCache {
    if (this.session.closed)
      throw new InvalidArgumentError('cache', 'closed session', 'a cache whose session is open (fork)');
    return new KvCache(this.session, this.shape, this.batch, this.slide, {
      keys: [...this.keys],
      values: [...this.values],
      tokens: this.tokens,
      len: this.len,
    });
  }

  /** `[B, H, len, hs]` → `[B, H, keep, hs]` without the oldest `drop` positions. */
  private dropOldest(x: Float32Array, drop: number, keep: number): Float32Array {
    const { nHead: H, headSize: hs } = this.shape;
    const out = new Float32Array(this.batch * H * keep * hs);
    for (let bh = 0; bh < this.batch * H; bh++) {
      out.set(x.subarray((bh * this.len + drop) * hs, (bh + 1) * this.len * hs), bh * keep * hs);
    }
    return out;
  }

  /** `dropOldest`, then every key rotated by −drop positions (rotate-halves RoPE). */
  private shiftKeys(x: Float32Array, drop: number, keep: number): Float32Array {
    const out = this.dropOldest(x, drop, keep);
    const hs = this.shape.headSize;
    const half = hs / 2;
    const cos = new Float64Array(half);
    const sin = new Float64Array(half);
    for (let i = 0; i < half; i++) {
      const angle = -drop * this.shape.ropeBase ** (-(2 * i) / hs);
      cos[i] = Math.cos(angle);
      sin[i] = Math.sin(angle);
    }
    for (let o = 0; o < out.length; o += hs) {
      for (let i = 0; i < half; i++) {
        const x1 = out[o + i]!;
        const x2 = out[o + i + half]!;
        out[o + i] = x1 * cos[i]! - x2 * sin[i]!;
        out[o + i + half] = x2 * cos[i]! + x1 * sin[i]!;
      }
    }
    return out;
  }

  /**
   * Appends `count` tokens (`tokens`: `[batch, count, F]`, count may be 0) and evaluates the query after
   * them. The oldest tokens leave when the window would exceed `maxContext` (exact re-encode, see above).
   */
  async step(tokens: Float32Array, count: number, query: CacheQuery): Promise<StepOutputs> {
    const { contextSize: F, maxContext, nLayer } = this.shape;
    const B = this.batch;
    if (!Number.isInteger(count) || count < 0)
      throw new InvalidArgumentError('count', count, 'an integer ≥ 0');
    if (tokens.length !== B * count * F) {
      throw new InvalidArgumentError(
        'tokens',
        `${tokens.length} values`,
        `${B * count * F} ([${B}, ${count}, ${F}])`,
      );
    }
    let past = this.len;
    let ctx = tokens;
    let ctxLen = count;
    let keys = this.keys;
    let values = this.values;
    let all: Float32Array;
    if (this.len + count > maxContext && this.slide === 'ring' && count <= maxContext) {
      // Ring: drop the oldest cached tokens, move the rest to positions 0.. (RoPE is relative: rotate the
      // cached keys by −drop), then append as usual.
      const drop = this.len + count - maxContext;
      const keepOld = this.len - drop;
      keys = this.keys.map((k) => this.shiftKeys(k, drop, keepOld));
      values = this.values.map((v) => this.dropOldest(v, drop, keepOld));
      const n = keepOld + count;
      all = new Float32Array(B * n * F);
      for (let b = 0; b < B; b++) {
        all.set(this.tokens.subarray((b * this.len + drop) * F, (b + 1) * this.len * F), b * n * F);
        all.set(tokens.subarray(b * count * F, (b + 1) * count * F), (b * n + keepOld) * F);
      }
      past = keepOld;
    } else if (this.len + count > maxContext) {
      // Window slides: re-encode the newest maxContext tokens from scratch.
      const keep = maxContext;
      all = new Float32Array(B * keep * F);
      const drop = this.len + count - keep;
      // Per row: the surviving old tokens, then the surviving new ones (two contiguous copies).
      const oldKept = Math.max(this.len - drop, 0);
      const newFrom = Math.max(drop - this.len, 0);
      for (let b = 0; b < B; b++) {
        if (oldKept > 0)
          all.set(this.tokens.subarray((b * this.len + drop) * F, (b + 1) * this.len * F), b * keep * F);
        all.set(tokens.subarray((b * count + newFrom) * F, (b + 1) * count * F), (b * keep + oldKept) * F);
      }
      past = 0;
      ctx = all;
      ctxLen = keep;
      keys = keys.map(() => new Float32Array(0));
      values = keys;
    } else if (count > 0) {
      const n = this.len + count;
      all = new Float32Array(B * n * F);
      for (let b = 0; b < B; b++) {
        all.set(this.tokens.subarray(b * this.len * F, (b + 1) * this.len * F), b * n * F);
        all.set(tokens.subarray(b * count * F, (b + 1) * count * F), (b * n + this.len) * F);
      }
    } else {
      all = this.tokens;
    }
    const feeds = stepFeeds(this.session, this.shape, B, ctx, ctxLen, query, keys, values, past);
    const out = await this.session.run(feeds);
    if (!this.shape.cached) return { action: out[ONNX_NAMES.action]!.data, ...heads(out) };
    this.keys = Array.from({ length: nLayer }, (_, l) => out[ONNX_NAMES.presentKey(l)]!.data);
    this.values = Array.from({ length: nLayer }, (_, l) => out[ONNX_NAMES.presentValue(l)]!.data);
    this.tokens = all;
    this.len = past + ctxLen;
    const result: { action: Float32Array; reward?: Float32Array; nextState?: Float32Array } = {
      action: out[ONNX_NAMES.action]!.data,
    };
    if (out[ONNX_NAMES.reward] !== undefined) result.reward = out[ONNX_NAMES.reward].data;
    if (out[ONNX_NAMES.nextState] !== undefined) result.nextState = out[ONNX_NAMES.nextState].data;
    return result;
  }
}
