import { InvalidArgumentError, InvalidFileError } from '@icrl/core';
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
  /**
   * Intra-op threads. Default 1: on the 2-core machines the project runs on, a second thread speeds a lone
   * full re-encode up but loses as soon as anything else wants that core (see the README's numbers).
   */
  readonly intraOpNumThreads?: number;
  /**
   * Let idle intra-op threads spin (onnxruntime's default). Default false with more than one thread: spinning
   * threads fight other processes for the cores (measured 4.9 ms vs 2.9 ms per full re-encode with 2 threads
   * next to a busy process).
   */
  readonly allowSpinning?: boolean;
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

  /**
   * Loads a model from bytes or a file path. Invalid ONNX is an `InvalidFileError` for a path (missing,
   * unreadable, corrupt), an `InvalidArgumentError` for bytes.
   */
  static async create(model: Uint8Array | string, options: OnnxSessionOptions = {}): Promise<OnnxSession> {
    const threads = options.intraOpNumThreads ?? 1;
    // Measured defaults (README): sequential execution, 'all' optimisations (fusions the graph is written
    // for), memory arena and patterns on (turning either off was slower).
    const opts: Ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
    };
    if (threads > 1 && !(options.allowSpinning ?? false)) {
      opts.extra = { session: { intra_op: { allow_spinning: '0' } } };
    }
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
      const why = `onnxruntime: ${(err as Error).message}`;
      if (typeof model === 'string') {
        throw new InvalidFileError(model, `is not a loadable ONNX model (${why})`, { cause: err });
      }
      throw new InvalidArgumentError('model', `<${model.length} bytes>`, `a loadable ONNX model (${why})`);
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

  /**
   * Validates and runs; returns the outputs named in `outputs` (default: every output) as float32 data with
   * dims. Outputs left out are not copied back from onnxruntime.
   */
  async run(
    feeds: Record<string, Feed>,
    outputs?: readonly string[],
  ): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
    const session = this.session;
    if (session === null) throw new SessionClosedError('run');
    this.validateFeeds(feeds);
    const input: Record<string, Ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds)) {
      input[name] = new this.ort.Tensor(f.data instanceof Float32Array ? 'float32' : 'int64', f.data, [
        ...f.dims,
      ]);
    }
    if (outputs !== undefined) {
      const unknown = outputs.filter((o) => !this.outputs.has(o));
      if (unknown.length > 0) {
        throw new InvalidArgumentError(
          'outputs',
          unknown.join(', '),
          `model outputs (${this.outputNames.join(', ')})`,
        );
      }
    }
    const out = await (outputs === undefined ? session.run(input) : session.run(input, [...outputs]));
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
