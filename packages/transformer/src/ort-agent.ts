import {
  type InContextAgent,
  InvalidArgumentError,
  InvalidFileError,
  Rng,
  requireInteger,
  requireSeed,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import type { ADModel } from './ad';
import type { ModelConfig } from './config';
import { Encoding } from './encoding';
import { type CacheShape, KvCache, reencodeHeads, type SlideMode, type StepOutputs } from './kv-cache';
import { exportOnnx, ONNX_NAMES } from './onnx-export';
import { OnnxSession, type OnnxSessionOptions, SessionClosedError } from './onnx-session';
import { packWindow, pushToken, sampleDiscrete, sampleGaussian, transitionTokens } from './rolling-context';

/**
 * An AD / DICP-AD model on onnxruntime-node: a file from `exportOnnx`, or one exported from PyTorch with the
 * same input/output contract (onnx-export.ts, README), checked against the model config on load.
 */
export class OrtModel {
  readonly encoding: Encoding;
  readonly shape: CacheShape;

  private constructor(
    readonly session: OnnxSession,
    readonly config: ModelConfig,
  ) {
    this.encoding = new Encoding(config);
    this.shape = {
      nLayer: config.nLayer,
      nHead: config.nHead,
      headSize: config.nEmbd / config.nHead,
      contextSize: this.encoding.contextSize,
      maxContext: config.nTransit - 1,
      dynamics: config.dynamics,
      ropeBase: config.ropeBase,
      cached: config.kind === 'ad',
      sharedPrefix: session.inputs.has(ONNX_NAMES.prefixKey(0)),
    };
  }

  /** Exports a trained tfjs model and opens it. */
  static async fromModel(model: ADModel, options?: OnnxSessionOptions): Promise<OrtModel> {
    return OrtModel.load(exportOnnx(model), model.config, options);
  }

  /** Opens an ONNX file (bytes or path) for a model with `config`; a file of another model is rejected. */
  static async load(
    file: Uint8Array | string,
    config: ModelConfig,
    options?: OnnxSessionOptions,
  ): Promise<OrtModel> {
    const session = await OnnxSession.create(file, options);
    const m = new OrtModel(session, config);
    try {
      m.checkContract(typeof file === 'string' ? file : null);
    } catch (err) {
      await session.dispose();
      throw err;
    }
    return m;
  }

  /**
   * Compares the file's inputs/outputs with what `config` implies: `InvalidFileError` naming `path` when it
   * came from a file, else `InvalidArgumentError`.
   */
  private checkContract(path: string | null): void {
    const { nLayer, nHead, headSize, contextSize, dynamics, cached, sharedPrefix } = this.shape;
    const e = this.encoding;
    const want: Record<string, (number | null)[]> = {
      [ONNX_NAMES.context]: [null, null, contextSize],
      [ONNX_NAMES.queryState]: e.numStates !== null && cached ? [null] : [null, e.obsSize],
    };
    if (dynamics) want[ONNX_NAMES.queryAction] = e.numActions !== null ? [null] : [null, e.actionSize];
    const types: Record<string, string> = {
      [ONNX_NAMES.queryState]: e.numStates !== null && cached ? 'int64' : 'float32',
      [ONNX_NAMES.queryAction]: e.numActions !== null ? 'int64' : 'float32',
    };
    for (let l = 0; l < (cached ? nLayer : 0); l++) {
      want[ONNX_NAMES.pastKey(l)] = [null, nHead, null, headSize];
      want[ONNX_NAMES.pastValue(l)] = [null, nHead, null, headSize];
      // Optional as a set: a file has every prefix input (prefix_key_0 decides) or none.
      if (sharedPrefix) {
        want[ONNX_NAMES.prefixKey(l)] = [null, nHead, null, headSize];
        want[ONNX_NAMES.prefixValue(l)] = [null, nHead, null, headSize];
      }
    }
    const problems: string[] = [];
    const have = this.session.inputs;
    for (const [name, dims] of Object.entries(want)) {
      const spec = have.get(name);
      if (spec === undefined) {
        problems.push(`missing input ${name}`);
        continue;
      }
      const type = types[name] ?? 'float32';
      if (spec.type !== type) problems.push(`${name} is ${spec.type}, expected ${type}`);
      if (spec.shape.length !== dims.length) {
        problems.push(`${name} has rank ${spec.shape.length}, expected ${dims.length}`);
        continue;
      }
      dims.forEach((d, i) => {
        const got = spec.shape[i];
        if (d !== null && typeof got === 'number' && got !== d)
          problems.push(`${name} axis ${i} is ${got}, expected ${d}`);
      });
    }
    for (const name of have.keys()) if (!(name in want)) problems.push(`unexpected input ${name}`);
    const outs = [
      ONNX_NAMES.action,
      ...Array.from({ length: cached ? nLayer : 0 }, (_, l) => [
        ONNX_NAMES.presentKey(l),
        ONNX_NAMES.presentValue(l),
      ]).flat(),
    ];
    if (dynamics) outs.push(ONNX_NAMES.reward);
    if (dynamics && e.numStates !== null) outs.push(ONNX_NAMES.nextState);
    for (const o of outs) if (!this.session.outputs.has(o)) problems.push(`missing output ${o}`);
    const act = this.session.outputs.get(ONNX_NAMES.action);
    const nA = e.numActions ?? 2 * e.actionSize;
    if (act !== undefined && typeof act.shape[1] === 'number' && act.shape[1] !== nA) {
      problems.push(`action has ${act.shape[1]} columns, expected ${nA}`);
    }
    if (problems.length > 0) {
      const what = `a model matching the config (${this.config.kind}${dynamics ? '+dynamics' : ''}, nLayer ${nLayer}, nHead ${nHead}, head size ${headSize}, context features ${contextSize}): ${problems.join('; ')}`;
      if (path !== null) throw new InvalidFileError(path, `is not ${what}`);
      throw new InvalidArgumentError('model', 'ONNX file', what);
    }
  }

  /** A fresh KV cache for `batch` sequences (`slide`: see `SlideMode`; default exact re-encode). */
  cache(batch: number, slide: SlideMode = 'reencode'): KvCache {
    if (!this.shape.cached) {
      throw new InvalidArgumentError(
        'model.kind',
        this.config.kind,
        "'ad' for a KV cache (DPT's query token comes first: nothing to reuse; use predict)",
      );
    }
    return KvCache.empty(this.session, this.shape, batch, slide);
  }

  /**
   * Full re-encode: `context` `[batch, contextLength, F]`, query state indices `[batch]` (and action indices,
   * dynamics). `contextLength` may not exceed nTransit − 1.
   */
  async predict(input: {
    size: number;
    contextLength: number;
    context: Float32Array;
    queryStates: BigInt64Array | Float32Array;
    queryActions?: BigInt64Array | Float32Array;
  }): Promise<StepOutputs> {
    const { contextLength: L, size: B } = input;
    requireInteger('size', B, { min: 1 });
    requireInteger('contextLength', L, { min: 0 });
    if (L > this.shape.maxContext) {
      throw new InvalidArgumentError(
        'contextLength',
        L,
        `at most nTransit − 1 = ${this.shape.maxContext} tokens`,
      );
    }
    if (this.session.closed) throw new SessionClosedError('predict');
    if (input.context.length < B * L * this.shape.contextSize) {
      throw new InvalidArgumentError(
        'context',
        `${input.context.length} values`,
        `at least ${B * L * this.shape.contextSize} ([${B}, ${L}, ${this.shape.contextSize}])`,
      );
    }
    const ctx = input.context.subarray(0, B * L * this.shape.contextSize);
    return reencodeHeads(this.session, this.shape, B, ctx, L, input);
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}

/** Options of `OrtAgent`. */
export interface OrtAgentOptions {
  readonly name?: string;
  readonly seed?: number;
  readonly greedy?: boolean;
  /** Use the KV cache (default true); false re-encodes the window every step like `TransformerAgent`. */
  readonly kvCache?: boolean;
  /**
   * With the cache, what a full window does (default `'reencode'`: exactly `TransformerAgent`'s behaviour;
   * `'ring'` is faster but approximate — see `SlideMode`).
   */
  readonly slide?: SlideMode;
  /** `dispose()` also disposes the model. Default false. */
  readonly ownsModel?: boolean;
}

/**
 * `TransformerAgent` on onnxruntime-node: same window (last nTransit − 1 transitions per env, across
 * episodes), same sampling (same Rng stream), so with the same seed it takes the same actions (discrete
 * or continuous).
 */
export class OrtAgent implements InContextAgent {
  readonly name: string;
  private readonly seed: number;
  private readonly greedy: boolean;
  private readonly useCache: boolean;
  private rng: Rng;
  private numEnvs = 0;
  private kv: KvCache | null = null;
  /** Tokens observed since the last act (appended to the cache on the next act). */
  private pending: Float32Array[] = [];
  private window: Float32Array[] = [];

  constructor(
    readonly model: OrtModel,
    private readonly options: OrtAgentOptions = {},
  ) {
    this.name = options.name ?? `${model.config.dynamics ? 'dicp-' : ''}${model.config.kind}`;
    this.seed = requireSeed('options.seed', options.seed ?? 0);
    this.greedy = options.greedy ?? false;
    this.useCache = options.kvCache ?? model.shape.cached;
    if (this.useCache && !model.shape.cached) {
      throw new InvalidArgumentError('options.kvCache', true, 'false for DPT (no reusable prefix)');
    }
    this.rng = new Rng(this.seed);
  }

  reset(numEnvs: number, options?: { seed?: number }): void {
    this.numEnvs = requireInteger('numEnvs', numEnvs, { min: 1 });
    this.rng = new Rng(requireSeed('seed', options?.seed ?? this.seed)).fork(0xac7);
    this.window = [];
    this.pending = [];
    this.kv = this.useCache ? this.model.cache(numEnvs, this.options.slide) : null;
  }

  get contextLength(): number {
    return this.window.length;
  }

  async act(obs: SpaceArray): Promise<SpaceArray> {
    const e = this.model.encoding;
    const n = this.numEnvs;
    if (n === 0) throw new InvalidArgumentError('agent', 'not reset', 'reset(numEnvs) before act()');
    if (obs.length !== n * e.obsSize) {
      throw new InvalidArgumentError('obs', obs, `${n * e.obsSize} values (${n} envs × ${e.obsSize})`);
    }
    let qs: BigInt64Array | Float32Array;
    if (e.numStates !== null && this.model.shape.cached) {
      qs = new BigInt64Array(n);
      for (let i = 0; i < n; i++) qs[i] = BigInt(e.stateIndex(obs, i * e.obsSize));
    } else {
      qs = Float32Array.from(obs);
    }
    const F = e.contextSize;
    let out: StepOutputs;
    if (this.kv !== null && this.kv.length + this.pending.length > this.model.shape.maxContext) {
      // The window is full and stays full until reset: from now on every step slides it, which the exact
      // cache answers with a full re-encode anyway. Re-encode directly (heads only: the slid cache would be
      // rebuilt next step, so copying it back from onnxruntime is wasted).
      if (this.options.slide !== 'ring') {
        this.kv = null;
        this.pending = [];
      }
    }
    if (this.kv !== null) {
      const T = this.pending.length;
      const tokens = new Float32Array(n * T * F);
      for (let t = 0; t < T; t++) {
        const tok = this.pending[t]!;
        for (let i = 0; i < n; i++) tokens.set(tok.subarray(i * F, (i + 1) * F), (i * T + t) * F);
      }
      out = await this.kv.step(tokens, T, { queryStates: qs });
      this.pending = [];
    } else {
      const context = packWindow(this.window, n, F);
      out = await this.model.predict({
        size: n,
        contextLength: this.window.length,
        context,
        queryStates: qs,
      });
    }
    return e.numActions !== null
      ? sampleDiscrete(out.action, n, e.numActions, this.greedy, this.rng)
      : sampleGaussian(out.action, n, e.actionSize, this.greedy, this.rng);
  }

  observe(t: VecTransition): void {
    const tok = transitionTokens(this.model.encoding, this.numEnvs, t);
    pushToken(this.window, tok, this.model.config.nTransit - 1);
    if (this.kv !== null) this.pending.push(tok);
  }

  async dispose(): Promise<void> {
    if (this.options.ownsModel) await this.model.dispose();
  }
}
