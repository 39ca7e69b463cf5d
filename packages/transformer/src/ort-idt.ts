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
import type { ModelConfig } from './config';
import { Encoding } from './encoding';
import type { IDTModel, IdtValues } from './idt';
import type { IDTAgentOptions } from './idt-agent';
import { IdtRollingState } from './idt-rolling-state';
import { exportIdtOnnx, IDT_ONNX_NAMES as N } from './onnx-export';
import { type Feed, OnnxSession, type OnnxSessionOptions } from './onnx-session';
import { sampleDiscrete } from './rolling-context';

// IDT on onnxruntime-node: the three module files of `exportIdtOnnx` (Reviewing Decisions, Making Decisions,
// Decisions-to-Go), each checked against the config on load, and `OrtIdtAgent`, `IDTAgent`'s test-time loop
// on them (same Rng stream: the same actions for the same seed).

/** The three files, as bytes or paths. */
export interface IdtOnnxSources {
  readonly reviewing: Uint8Array | string;
  readonly making: Uint8Array | string;
  readonly decisions: Uint8Array | string;
}

type Module = keyof IdtOnnxSources;

/** Dynamics heads of Decisions-to-Go, `[N, steps, ·]` row-major. */
export interface IdtDecisionOutputs {
  readonly action: Float32Array;
  readonly reward?: Float32Array;
  readonly nextState?: Float32Array;
}

/** An IDT / DICP-IDT model on onnxruntime-node (see the file comment). */
export class OrtIdtModel {
  readonly encoding: Encoding;

  private constructor(
    private readonly sessions: Record<Module, OnnxSession>,
    readonly config: ModelConfig,
  ) {
    this.encoding = new Encoding(config);
  }

  /** Exports a trained tfjs `IDTModel` and opens its three modules. */
  static async fromModel(model: IDTModel, options?: OnnxSessionOptions): Promise<OrtIdtModel> {
    const files = exportIdtOnnx(model);
    return OrtIdtModel.load(files, model.config, options);
  }

  /** Opens the three module files of an IDT model with `config`; files of another model are rejected. */
  static async load(
    files: IdtOnnxSources,
    config: ModelConfig,
    options?: OnnxSessionOptions,
  ): Promise<OrtIdtModel> {
    if (config.kind !== 'idt') throw new InvalidArgumentError('config.kind', config.kind, "'idt'");
    const sessions: Partial<Record<Module, OnnxSession>> = {};
    try {
      for (const m of ['reviewing', 'making', 'decisions'] as const) {
        sessions[m] = await OnnxSession.create(files[m], options);
      }
      const model = new OrtIdtModel(sessions as Record<Module, OnnxSession>, config);
      model.checkContract(files);
      return model;
    } catch (err) {
      for (const s of Object.values(sessions)) await s.dispose();
      throw err;
    }
  }

  /** Inputs / outputs each module file must have for `config` (the contract of `IdtOnnxFiles`). */
  private checkContract(files: IdtOnnxSources): void {
    const c = this.config;
    const e = this.encoding;
    const dz = c.dimZ;
    type Spec = readonly [string, string, readonly (number | null)[]];
    const idx = (name: string): Spec => [name, 'int64', [null, null]];
    const want: Record<Module, { inputs: Spec[]; outputs: string[] }> = {
      reviewing: {
        inputs: [idx(N.states), idx(N.actions), idx(N.rewards), idx(N.nextStates)],
        outputs: [N.reviewed],
      },
      making: {
        inputs: [
          [N.returns, 'float32', [null, null]],
          idx(N.startStates),
          [N.reviewed, 'float32', [null, null, 2 * dz]],
        ],
        outputs: [N.decision],
      },
      decisions: {
        inputs: [[N.z, 'float32', [null, null, dz]], idx(N.states), idx(N.actions), idx(N.rewards)],
        outputs: c.dynamics ? [N.action, N.reward, N.nextState] : [N.action],
      },
    };
    for (const m of ['reviewing', 'making', 'decisions'] as const) {
      const s = this.sessions[m];
      const problems: string[] = [];
      for (const [name, type, dims] of want[m].inputs) {
        const spec = s.inputs.get(name);
        if (spec === undefined) {
          problems.push(`missing input ${name}`);
          continue;
        }
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
      const names = new Set(want[m].inputs.map((x) => x[0]));
      for (const name of s.inputs.keys()) if (!names.has(name)) problems.push(`unexpected input ${name}`);
      for (const o of want[m].outputs) if (!s.outputs.has(o)) problems.push(`missing output ${o}`);
      const width = (o: string, w: number) => {
        const spec = s.outputs.get(o);
        const got = spec?.shape[spec.shape.length - 1];
        if (typeof got === 'number' && got !== w) problems.push(`${o} has ${got} columns, expected ${w}`);
      };
      if (m === 'decisions') {
        width(N.action, e.numActions!);
        if (c.dynamics) width(N.nextState, e.numStates!);
      } else width(m === 'making' ? N.decision : N.reviewed, 2 * dz);
      if (problems.length > 0) {
        const what = `the ${m} module of an IDT model matching the config (${c.dynamics ? 'dynamics, ' : ''}dimZ ${dz}, ${e.numStates} states, ${e.numActions} actions): ${problems.join('; ')}`;
        const file = files[m];
        if (typeof file === 'string') throw new InvalidFileError(file, `is not ${what}`);
        throw new InvalidArgumentError(`files.${m}`, 'ONNX file', what);
      }
    }
  }

  private indices(name: string, values: IdtValues | BigInt64Array, n: number): BigInt64Array {
    if (!(values instanceof BigInt64Array)) {
      const bad = values.find((v) => !Number.isInteger(v));
      if (bad !== undefined) throw new InvalidArgumentError(name, bad, `indices in [0, ${n - 1}]`);
    }
    const out = values instanceof BigInt64Array ? values : BigInt64Array.from(values, (v) => BigInt(v));
    for (const v of out) {
      if (v < 0n || v >= BigInt(n))
        throw new InvalidArgumentError(name, Number(v), `indices in [0, ${n - 1}]`);
    }
    return out;
  }

  private checkSize(name: string, got: number, n: number, max: number, what: string): void {
    requireInteger(name, n, { min: 1 });
    if (n > max) throw new InvalidArgumentError(name, n, `at most ${max} (${what})`);
    if (got % n !== 0) throw new InvalidArgumentError(name, n, `a divisor of the ${got} values given`);
  }

  /**
   * Reviewing Decisions: `N` segments of `steps` ≤ c steps, indices `[N·steps]` → reviewed decisions
   * `[N, 2·dimZ]`.
   */
  async review(
    steps: number,
    states: IdtValues,
    actions: IdtValues,
    rewards: IdtValues,
    nextStates: IdtValues,
  ): Promise<Float32Array> {
    const { numStates: S, numActions: A } = this.encoding;
    this.checkSize('steps', states.length, steps, this.config.lowPerHigh, 'lowPerHigh');
    const dims = [states.length / steps, steps];
    const out = await this.sessions.reviewing.run({
      [N.states]: { data: this.indices('states', states, S!), dims },
      [N.actions]: { data: this.indices('actions', actions, A!), dims },
      [N.rewards]: { data: this.indices('rewards', rewards, this.config.rewardClasses), dims },
      [N.nextStates]: { data: this.indices('nextStates', nextStates, S!), dims },
    });
    return out[N.reviewed]!.data;
  }

  /**
   * Making Decisions: `segments` ≤ nTransit / c high-level tokens per row, returns and start-state indices
   * `[B·K]`, reviewed decisions `[B·K·2·dimZ]` → (μ_z ‖ log σ²_z) `[B, K, 2·dimZ]`.
   */
  async decide(
    segments: number,
    returns: Float32Array,
    startStates: IdtValues,
    reviewed: Float32Array,
  ): Promise<Float32Array> {
    const c = this.config;
    this.checkSize('segments', returns.length, segments, c.nTransit / c.lowPerHigh, 'nTransit / lowPerHigh');
    const B = returns.length / segments;
    const feeds: Record<string, Feed> = {
      [N.returns]: { data: returns, dims: [B, segments] },
      [N.startStates]: {
        data: this.indices('startStates', startStates, this.encoding.numStates!),
        dims: [B, segments],
      },
      [N.reviewed]: { data: reviewed, dims: [B, segments, 2 * c.dimZ] },
    };
    return (await this.sessions.making.run(feeds))[N.decision]!.data;
  }

  /**
   * Decisions-to-Go: `steps` ≤ c steps per segment row, z `[N·steps·dimZ]`, indices `[N·steps]` → logits
   * `[N, steps, ·]` (action at s_j; with dynamics reward and next state at a_j).
   */
  async decisions(
    steps: number,
    z: Float32Array,
    states: IdtValues,
    actions: IdtValues,
    rewards: IdtValues,
  ): Promise<IdtDecisionOutputs> {
    const { numStates: S, numActions: A } = this.encoding;
    this.checkSize('steps', states.length, steps, this.config.lowPerHigh, 'lowPerHigh');
    const dims = [states.length / steps, steps];
    const out = await this.sessions.decisions.run({
      [N.z]: { data: z, dims: [...dims, this.config.dimZ] },
      [N.states]: { data: this.indices('states', states, S!), dims },
      [N.actions]: { data: this.indices('actions', actions, A!), dims },
      [N.rewards]: { data: this.indices('rewards', rewards, this.config.rewardClasses), dims },
    });
    const r: { action: Float32Array; reward?: Float32Array; nextState?: Float32Array } = {
      action: out[N.action]!.data,
    };
    if (out[N.reward] !== undefined) r.reward = out[N.reward].data;
    if (out[N.nextState] !== undefined) r.nextState = out[N.nextState].data;
    return r;
  }

  get closed(): boolean {
    return this.sessions.decisions.closed;
  }

  async dispose(): Promise<void> {
    for (const s of Object.values(this.sessions)) await s.dispose();
  }
}

/**
 * `IDTAgent` on onnxruntime-node: the same test-time loop (spec §3.3) and the same Rng stream — decision
 * noise, then one draw per action — so with the same seed it takes the same actions.
 */
export class OrtIdtAgent implements InContextAgent {
  readonly name: string;
  private rng: Rng;
  private readonly context: IdtRollingState;
  private z: Float32Array = new Float32Array(0); // [n, c, dimZ] of the current segment

  constructor(
    readonly model: OrtIdtModel,
    private readonly options: IDTAgentOptions,
  ) {
    this.name = options.name ?? (model.config.dynamics ? 'dicp-idt' : 'idt');
    this.rng = new Rng(requireSeed('options.seed', options.seed ?? 0));
    this.context = new IdtRollingState(model, options.initialReturn);
  }

  reset(numEnvs: number, options?: { seed?: number }): void {
    this.context.reset(numEnvs);
    this.rng = new Rng(requireSeed('seed', options?.seed ?? this.options.seed ?? 0)).fork(0x1d7);
  }

  async act(obs: SpaceArray): Promise<SpaceArray> {
    const m = this.model;
    const e = m.encoding;
    const n = this.context.numEnvs;
    const c = m.config.lowPerHigh;
    const dz = m.config.dimZ;
    if (n === 0) throw new InvalidArgumentError('agent', 'not reset', 'reset(numEnvs) before act()');
    if (obs.length !== n * e.obsSize) {
      throw new InvalidArgumentError('obs', obs, `${n * e.obsSize} values (${n} envs × ${e.obsSize})`);
    }
    const states = this.context.stateInputs(obs);
    if (this.context.atSegmentStart) {
      const { segments: K, returns, startStates, reviewed } = this.context.startSegment(states);
      const dec = await m.decide(K, returns, startStates, reviewed); // [n, K, 2dz]
      // z = μ + σ·ε per step, in float32 and in IDTModel.sampleZ's order (same noise draws).
      const noise = new Float32Array(n * c * dz);
      for (let i = 0; i < noise.length; i++) noise[i] = this.rng.normal();
      this.z = new Float32Array(n * c * dz);
      for (let i = 0; i < n; i++) {
        const o = (i * K + K - 1) * 2 * dz;
        for (let t = 0; t < c; t++) {
          for (let k = 0; k < dz; k++) {
            const sigma = Math.fround(Math.exp(Math.fround(dec[o + dz + k]! * 0.5)));
            const idx = (i * c + t) * dz + k;
            this.z[idx] = dec[o + k]! + Math.fround(sigma * noise[idx]!);
          }
        }
      }
    }
    const { steps, states: s, actions: a, rewards: r } = this.context.stepInputs(states);
    // Decisions-to-Go reads one z per step it is given: the segment's first `steps`.
    const z = new Float32Array(n * steps * dz);
    for (let i = 0; i < n; i++) z.set(this.z.subarray(i * c * dz, (i * c + steps) * dz), i * steps * dz);
    const out = await m.decisions(steps, z, s, a, r); // action [n, steps, A]
    const A = e.numActions!;
    const logits = new Float32Array(n * A);
    for (let i = 0; i < n; i++)
      logits.set(out.action.subarray((i * steps + steps - 1) * A, (i * steps + steps) * A), i * A);
    return sampleDiscrete(logits, n, A, false, this.rng);
  }

  async observe(t: VecTransition): Promise<void> {
    const segment = this.context.observe(t);
    if (segment === undefined) return;
    // The segment is done: review it into the next high-level token.
    const { steps, states, actions, rewards, nextStates } = segment;
    this.context.endSegment(await this.model.review(steps, states, actions, rewards, nextStates));
  }

  async dispose(): Promise<void> {
    if (this.options.ownsModel) await this.model.dispose();
  }
}
