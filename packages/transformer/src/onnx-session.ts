import { InvalidArgumentError } from '@icrl/core';
import type * as Ort from 'onnxruntime-node';

// The one file that touches onnxruntime-node: a session over an ONNX model (bytes or a path) that checks
// every feed against the model's declared inputs before it reaches native code, so a wrong file, name, type
// or shape is a clear JS error instead of a native failure. The native addon is imported lazily (on the first
// `create`), so importing @icrl/transformer never loads it.

type OrtModule = typeof Ort;
let ortModule: Promise<OrtModule> | null = null;
function loadOrt(): Promise<OrtModule> {
  ortModule ??= import('onnxruntime-node').then(
    (m) => ((m as { default?: OrtModule }).default ?? m) as OrtModule,
  );
  return ortModule;
}

/** A named float32 / int64 array with its shape. */
export interface Feed {
  readonly data: Float32Array | BigInt64Array;
  readonly dims: readonly number[];
}

/** Options of `OnnxSession.create`. */
export interface OnnxSessionOptions {
  /** Intra-op threads. Default 1 (fastest for these small models on this machine, toolchain.md §4). */
  readonly intraOpNumThreads?: number;
}

/** Thrown when a session is used after `dispose()`. */
export class SessionClosedError extends Error {
  constructor(what: string) {
    super(`${what}: the ONNX session was disposed (create a new OnnxSession)`);
    this.name = 'SessionClosedError';
  }
}

interface InputSpec {
  readonly name: string;
  readonly type: string;
  readonly shape: ReadonlyArray<number | string>;
}

/** An onnxruntime-node CPU session with input validation. */
export class OnnxSession {
  private session: Ort.InferenceSession | null;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputs: ReadonlyMap<string, InputSpec>;
  readonly outputs: ReadonlyMap<string, InputSpec>;

  private constructor(
    session: Ort.InferenceSession,
    private readonly ort: OrtModule,
  ) {
    this.session = session;
    this.inputNames = [...session.inputNames];
    this.outputNames = [...session.outputNames];
    const specs = (meta: readonly Ort.InferenceSession.ValueMetadata[]) =>
      new Map(
        meta.map((m) => [
          m.name,
          { name: m.name, type: m.isTensor ? m.type : 'non-tensor', shape: m.isTensor ? m.shape : [] },
        ]),
      );
    this.inputs = specs(session.inputMetadata);
    this.outputs = specs(session.outputMetadata);
  }

  /** Loads a model from bytes or a file path. Invalid ONNX is reported as an `InvalidArgumentError`. */
  static async create(model: Uint8Array | string, options: OnnxSessionOptions = {}): Promise<OnnxSession> {
    const opts: Ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: options.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
    };
    let ort: OrtModule;
    try {
      ort = await loadOrt();
    } catch (err) {
      throw new Error(`onnxruntime-node could not be loaded: ${(err as Error).message}`);
    }
    try {
      const s =
        typeof model === 'string'
          ? await ort.InferenceSession.create(model, opts)
          : await ort.InferenceSession.create(model, opts);
      return new OnnxSession(s, ort);
    } catch (err) {
      throw new InvalidArgumentError(
        'model',
        typeof model === 'string' ? model : `<${model.length} bytes>`,
        `a loadable ONNX model (onnxruntime: ${(err as Error).message})`,
      );
    }
  }

  get closed(): boolean {
    return this.session === null;
  }

  /**
   * Checks `feeds` against the model inputs: every missing input is listed, unknown names rejected, element
   * types and ranks must match, and fixed dimensions must be equal; symbolic ones must agree across inputs.
   */
  validateFeeds(feeds: Record<string, Feed>): void {
    const missing = this.inputNames.filter((n) => !(n in feeds));
    if (missing.length > 0) {
      throw new InvalidArgumentError(
        'feeds',
        Object.keys(feeds).join(', '),
        `every model input; missing: ${missing.join(', ')} (model inputs: ${this.inputNames.join(', ')})`,
      );
    }
    const extra = Object.keys(feeds).filter((n) => !this.inputs.has(n));
    if (extra.length > 0) {
      throw new InvalidArgumentError(
        'feeds',
        extra.join(', '),
        `only model inputs (${this.inputNames.join(', ')})`,
      );
    }
    const symbols = new Map<string, { value: number; input: string }>();
    for (const [name, feed] of Object.entries(feeds)) {
      const spec = this.inputs.get(name)!;
      const type = feed.data instanceof Float32Array ? 'float32' : 'int64';
      if (spec.type !== type) {
        throw new InvalidArgumentError(`feeds.${name}`, type, `${spec.type} data`);
      }
      const size = feed.dims.reduce((a, b) => a * b, 1);
      if (size !== feed.data.length) {
        throw new InvalidArgumentError(
          `feeds.${name}`,
          `[${feed.dims}]`,
          `dims matching its ${feed.data.length} values`,
        );
      }
      if (spec.shape.length > 0 && spec.shape.length !== feed.dims.length) {
        throw new InvalidArgumentError(
          `feeds.${name}`,
          `[${feed.dims}]`,
          `rank ${spec.shape.length} ([${spec.shape}])`,
        );
      }
      spec.shape.forEach((d, i) => {
        const got = feed.dims[i]!;
        if (typeof d === 'number' && d >= 0 && d !== got) {
          throw new InvalidArgumentError(
            `feeds.${name}`,
            `[${feed.dims}]`,
            `shape [${spec.shape}] (axis ${i} must be ${d})`,
          );
        }
        if (typeof d === 'string' && d.length > 0) {
          const seen = symbols.get(d);
          if (seen !== undefined && seen.value !== got) {
            throw new InvalidArgumentError(
              `feeds.${name}`,
              `[${feed.dims}]`,
              `'${d}' = ${seen.value} as in ${seen.input} (axis ${i})`,
            );
          }
          symbols.set(d, { value: got, input: name });
        }
      });
    }
  }

  /** Validates and runs; returns every output as float32 data with dims. */
  async run(feeds: Record<string, Feed>): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
    const session = this.session;
    if (session === null) throw new SessionClosedError('run');
    this.validateFeeds(feeds);
    const input: Record<string, Ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) {
      input[name] = new this.ort.Tensor(f.data instanceof Float32Array ? 'float32' : 'int64', f.data, [
        ...f.dims,
      ]);
    }
    const out = await session.run(input);
    const result: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const [name, t] of Object.entries(out)) {
      result[name] = { data: t.data as Float32Array, dims: [...t.dims] };
    }
    return result;
  }

  /** Releases the native session; later calls throw `SessionClosedError`. */
  async dispose(): Promise<void> {
    const s = this.session;
    this.session = null;
    if (s !== null) await s.release();
  }
}
