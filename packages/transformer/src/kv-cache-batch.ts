import { InvalidArgumentError } from '@icrl/core';
import type { CacheQuery, KvCache, StepOutputs } from './kv-cache';
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
    private readonly model: OrtModel,
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

  /** A batch whose row i is this batch's row `rows[i]` (rows may repeat). */
  gather(rows: ArrayLike<number>): KvBatch {
    const { nHead: H, headSize: hs, nLayer } = this.model.shape;
    const n = rows.length;
    if (n < 1) throw new InvalidArgumentError('rows', '[]', 'at least one row');
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      if (!(Number.isInteger(r) && r >= 0 && r < this.batch)) {
        throw new InvalidArgumentError('rows', r, `row indices in [0, ${this.batch - 1}]`);
      }
    }
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
   * Appends `count` tokens per row (`tokens`: `[batch, count, F]`) and evaluates the query after them; returns
   * the heads and the extended batch. Refused when a row would exceed `maxContext` (never slides).
   */
  async step(
    tokens: Float32Array,
    count: number,
    query: CacheQuery,
  ): Promise<{ out: StepOutputs; next: KvBatch }> {
    const { contextSize: F, maxContext, nLayer, nHead, headSize, dynamics } = this.model.shape;
    const B = this.batch;
    if (!Number.isInteger(count) || count < 0)
      throw new InvalidArgumentError('count', count, 'an integer ≥ 0');
    if (this.length + count > maxContext) {
      throw new InvalidArgumentError(
        'count',
        count,
        `at most ${maxContext - this.length} (rows hold ${this.length} of nTransit − 1 = ${maxContext} tokens; a KvBatch never slides)`,
      );
    }
    if (tokens.length !== B * count * F) {
      throw new InvalidArgumentError(
        'tokens',
        `${tokens.length} values`,
        `${B * count * F} ([${B}, ${count}, ${F}])`,
      );
    }
    const dims = (d: BigInt64Array | Float32Array) => (d instanceof BigInt64Array ? [B] : [B, d.length / B]);
    const feeds: Parameters<OrtModel['session']['run']>[0] = {
      [ONNX_NAMES.context]: { data: tokens, dims: [B, count, F] },
      [ONNX_NAMES.queryState]: { data: query.queryStates, dims: dims(query.queryStates) },
    };
    if (dynamics) {
      const e = this.model.encoding;
      const qa =
        query.queryActions ??
        (e.numActions !== null ? new BigInt64Array(B) : new Float32Array(B * e.actionSize));
      feeds[ONNX_NAMES.queryAction] = { data: qa, dims: dims(qa) };
    }
    for (let l = 0; l < nLayer; l++) {
      feeds[ONNX_NAMES.pastKey(l)] = { data: this.keys[l]!, dims: [B, nHead, this.length, headSize] };
      feeds[ONNX_NAMES.pastValue(l)] = { data: this.values[l]!, dims: [B, nHead, this.length, headSize] };
    }
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
