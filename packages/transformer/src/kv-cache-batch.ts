import { InvalidArgumentError } from '@icrl/core';
import { type CacheQuery, type KvCache, type StepOutputs, stepFeeds } from './kv-cache';
import { ONNX_NAMES } from './onnx-export';
import type { OrtModel } from './ort-agent';

// Many cached prefixes side by side, for planners: `gather(rows)` picks (and repeats) rows of a batch — the
// children of a tree level share their parent's keys/values — and `step` appends tokens to every row. Rows
// never slide: a step that would push a row past `maxContext` is refused, so every result equals a full
// re-encode of the row's tokens (the cache is exact by construction; see kv-cache.ts on why sliding is not).
// Immutable: `step` and `gather` return new batches; buffers may be shared.

/** A batch of cached context prefixes of equal length on an AD ONNX model (see the file comment). */
export class KvBatch {
  private constructor(
    readonly model: OrtModel,
    readonly batch: number,
    /** Context tokens held per row. */
    readonly length: number,
    /** Per layer, `[batch, nHead, length, headSize]`. */
    private readonly keys: readonly Float32Array[],
    private readonly values: readonly Float32Array[],
  ) {}

  /** `batch` empty rows. */
  static empty(model: OrtModel, batch: number): KvBatch {
    if (!model.shape.cached) {
      throw new InvalidArgumentError('model.kind', model.config.kind, "'ad' for a KV cache");
    }
    if (!Number.isInteger(batch) || batch < 1)
      throw new InvalidArgumentError('batch', batch, 'an integer ≥ 1');
    const none = Array.from({ length: model.shape.nLayer }, () => new Float32Array(0));
    return new KvBatch(model, batch, 0, none, none);
  }

  /** The rows of a `KvCache` (of `model`), sharing its buffers. */
  static fromCache(model: OrtModel, cache: KvCache): KvBatch {
    const { nLayer } = model.shape;
    const layers = Array.from({ length: nLayer }, (_, l) => cache.layer(l));
    return new KvBatch(
      model,
      cache.batch,
      cache.length,
      layers.map((x) => x.keys),
      layers.map((x) => x.values),
    );
  }

  /**
   * A batch whose row i is this batch's row `rows[i]` (rows may repeat); this batch itself when `rows` is
   * 0 … batch − 1 (batches are immutable, so nothing needs copying).
   */
  gather(rows: ArrayLike<number>): KvBatch {
    const { nHead: H, headSize: hs, nLayer } = this.model.shape;
    const n = rows.length;
    if (n < 1) throw new InvalidArgumentError('rows', '[]', 'at least one row');
    let identity = n === this.batch;
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      if (!(Number.isInteger(r) && r >= 0 && r < this.batch)) {
        throw new InvalidArgumentError('rows', r, `row indices in [0, ${this.batch - 1}]`);
      }
      identity &&= r === i;
    }
    if (identity) return this;
    const per = H * this.length * hs; // floats per row and layer
    const pick = (x: Float32Array) => {
      const out = new Float32Array(n * per);
      for (let i = 0; i < n; i++) out.set(x.subarray(rows[i]! * per, (rows[i]! + 1) * per), i * per);
      return out;
    };
    return new KvBatch(
      this.model,
      n,
      this.length,
      Array.from({ length: nLayer }, (_, l) => pick(this.keys[l]!)),
      Array.from({ length: nLayer }, (_, l) => pick(this.values[l]!)),
    );
  }

  /**
   * Per layer `[rows, H, length, hs]` arrays built head by head: `fill(out, at, l, values, b, h)` writes row b's
   * head h of layer l (`length · hs` floats) into `out` from offset `at`.
   */
  private static assemble(
    model: OrtModel,
    rows: number,
    length: number,
    fill: (out: Float32Array, at: number, l: number, values: boolean, b: number, h: number) => void,
  ): KvBatch {
    const { nLayer, nHead: H, headSize: hs } = model.shape;
    const build = (values: boolean) =>
      Array.from({ length: nLayer }, (_, l) => {
        const out = new Float32Array(rows * H * length * hs);
        for (let b = 0; b < rows; b++)
          for (let h = 0; h < H; h++) fill(out, (b * H + h) * length * hs, l, values, b, h);
        return out;
      });
    return new KvBatch(model, rows, length, build(false), build(true));
  }

  /** Tokens `from … length − 1` of one head of row `b` in layer `l`, as a view. */
  private head(l: number, values: boolean, b: number, h: number, from = 0): Float32Array {
    const { nHead: H, headSize: hs } = this.model.shape;
    const at = (b * H + h) * this.length * hs;
    return (values ? this.values : this.keys)[l]!.subarray(at + from * hs, at + this.length * hs);
  }

  /** `rows` with this batch (a prefix, one row per group) written in front of each: the copying fallback. */
  private before(rows: KvBatch): KvBatch {
    const per = rows.batch / this.batch;
    const n = this.length * this.model.shape.headSize;
    return KvBatch.assemble(this.model, rows.batch, this.length + rows.length, (out, at, l, v, b, h) => {
      out.set(this.head(l, v, Math.floor(b / per), h), at);
      if (rows.length > 0) out.set(rows.head(l, v, b, h), at + n);
    });
  }

  /** This batch without its first `n` tokens. */
  private after(n: number): KvBatch {
    return KvBatch.assemble(this.model, this.batch, this.length - n, (out, at, l, v, b, h) =>
      out.set(this.head(l, v, b, h, n), at),
    );
  }

  /**
   * Appends `count` tokens per row (`tokens`: `[batch, count, F]`) and evaluates the query after them; returns
   * the heads and the extended batch. Refused when a row would exceed `maxContext` (never slides).
   *
   * With `prefix` (a batch of G rows, G dividing this batch), row b attends first to prefix row ⌊b·G/batch⌋ —
   * read in place by the graph, not copied per row — and this batch's tokens follow it: positions start at
   * `prefix.length`. The returned batch holds this batch's tokens only; pass the same prefix to its steps.
   * That is how a planner's children share one encoded real context. (A file exported without the prefix
   * inputs gets the same results by copying the prefix into every row.)
   */
  async step(
    tokens: Float32Array,
    count: number,
    query: CacheQuery,
    prefix?: KvBatch,
  ): Promise<{ out: StepOutputs; next: KvBatch }> {
    const { contextSize: F, maxContext, nLayer } = this.model.shape;
    const B = this.batch;
    if (!Number.isInteger(count) || count < 0)
      throw new InvalidArgumentError('count', count, 'an integer ≥ 0');
    const before = (prefix?.length ?? 0) + this.length;
    if (before + count > maxContext) {
      throw new InvalidArgumentError(
        'count',
        count,
        `at most ${maxContext - before} (rows hold ${before} of nTransit − 1 = ${maxContext} tokens${prefix ? `, ${prefix.length} of them the prefix's` : ''}; a KvBatch never slides)`,
      );
    }
    if (prefix !== undefined && (prefix.model !== this.model || B % prefix.batch !== 0)) {
      throw new InvalidArgumentError(
        'prefix',
        `${prefix.batch} rows`,
        `a KvBatch of the same model whose rows divide this batch's ${B}`,
      );
    }
    if (tokens.length !== B * count * F) {
      throw new InvalidArgumentError(
        'tokens',
        `${tokens.length} values`,
        `${B * count * F} ([${B}, ${count}, ${F}])`,
      );
    }
    if (prefix !== undefined && !this.model.shape.sharedPrefix) {
      // A file without the prefix inputs: copy the prefix in front of every row, then drop it from the result.
      const { out, next } = await prefix.before(this).step(tokens, count, query);
      return { out, next: next.after(prefix.length) };
    }
    const shared =
      prefix === undefined
        ? undefined
        : { groups: prefix.batch, length: prefix.length, keys: prefix.keys, values: prefix.values };
    const feeds = stepFeeds(
      this.model.session,
      this.model.shape,
      B,
      tokens,
      count,
      query,
      this.keys,
      this.values,
      this.length,
      shared,
    );
    const res = await this.model.session.run(feeds);
    const out: { action: Float32Array; reward?: Float32Array; nextState?: Float32Array } = {
      action: res[ONNX_NAMES.action]!.data,
    };
    if (res[ONNX_NAMES.reward] !== undefined) out.reward = res[ONNX_NAMES.reward].data;
    if (res[ONNX_NAMES.nextState] !== undefined) out.nextState = res[ONNX_NAMES.nextState].data;
    const next = new KvBatch(
      this.model,
      B,
      this.length + count,
      Array.from({ length: nLayer }, (_, l) => res[ONNX_NAMES.presentKey(l)]!.data),
      Array.from({ length: nLayer }, (_, l) => res[ONNX_NAMES.presentValue(l)]!.data),
    );
    return { out, next };
  }
}
