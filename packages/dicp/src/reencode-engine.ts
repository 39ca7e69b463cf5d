import { Encoding, type ModelConfig } from '@icrl/transformer';
import type { WindowMode } from './planner-options';
import type { LevelOutputs, LevelRows, TreeEngine } from './tree-engine';
import type { WorldModel } from './world-model';

// The reference-style engine: every level re-encodes every child's whole window through the model's full
// forward. `'slide'` is the reference's window (each imagined token pushes the oldest real one out);
// `'reserve'` is the cached engine's window (levels ≥ 2 see the newest maxContext − (depth − 1) real tokens,
// then the imagined ones), so both engines compute the same thing.

export class ReencodeEngine implements TreeEngine {
  readonly config: ModelConfig;
  readonly encoding: Encoding;
  private readonly maxContext: number;
  private numEnvs = 0;
  /** Real tokens, oldest first, each `[numEnvs, F]`. */
  private window: Float32Array[] = [];
  private envs: Int32Array = new Int32Array(0);
  /** Imagined tokens of each row of the last level. */
  private imagined: Float32Array[][] = [];

  constructor(
    private readonly model: WorldModel,
    private readonly mode: WindowMode,
    /** Planning depth: the room `'reserve'` keeps for imagined tokens is depth − 1. */
    private readonly depth: number,
  ) {
    this.config = model.config;
    this.encoding = new Encoding(model.config);
    this.maxContext = model.config.nTransit - 1;
  }

  reset(numEnvs: number): void {
    this.numEnvs = numEnvs;
    this.window = [];
  }

  observe(tokens: Float32Array): void {
    this.window.push(tokens);
    if (this.window.length > this.maxContext) this.window.shift();
  }

  /** Env `env`'s newest `count` real tokens, each `[F]`. */
  private real(env: number, count: number): Float32Array[] {
    const F = this.encoding.contextSize;
    return this.window.slice(this.window.length - count).map((t) => t.subarray(env * F, (env + 1) * F));
  }

  async policy(obs: ArrayLike<number>): Promise<Float32Array> {
    const n = this.numEnvs;
    const L = this.window.length;
    const seqs = Array.from({ length: n }, (_, i) => this.real(i, L));
    return (await this.forward(seqs, Float32Array.from(obs))).action;
  }

  begin(envs: Int32Array): void {
    this.envs = envs;
    this.imagined = [];
  }

  async expand(rows: LevelRows): Promise<LevelOutputs> {
    const F = this.encoding.contextSize;
    const first = rows.tokens.length === 0;
    const imagined = Array.from({ length: rows.size }, (_, i) =>
      first ? [] : [...this.imagined[rows.parent[i]!]!, rows.tokens.subarray(i * F, (i + 1) * F)],
    );
    this.imagined = imagined;
    const seqs = imagined.map((im, i) => {
      const env = this.envs[rows.slot[i]!]!;
      if (im.length === 0) return this.real(env, this.window.length); // level 1 appends no context token
      if (this.mode === 'reserve')
        return [...this.real(env, Math.min(this.window.length, this.maxContext - (this.depth - 1))), ...im];
      return [...this.real(env, this.window.length), ...im].slice(-this.maxContext);
    });
    const out = await this.forward(seqs, rows.queryStates, rows.actions);
    return { action: out.action, reward: out.reward!, nextState: out.nextState! };
  }

  /** One full forward per distinct window length (all rows of a level normally share one). */
  private async forward(seqs: Float32Array[][], queryStates: Float32Array, actions?: Int32Array) {
    const e = this.encoding;
    const F = e.contextSize;
    const O = e.obsSize;
    const n = seqs.length;
    const A = e.numActions!;
    const R = this.config.rewardClasses;
    const S = e.numStates ?? 0;
    const action = new Float32Array(n * A);
    const reward = new Float32Array(n * R);
    const nextState = new Float32Array(n * S);
    const groups = new Map<number, number[]>();
    seqs.forEach((s, i) => {
      groups.set(s.length, [...(groups.get(s.length) ?? []), i]);
    });
    for (const [L, idx] of groups) {
      const B = idx.length;
      const context = new Float32Array(B * L * F);
      const qs = new Float32Array(B * O);
      idx.forEach((i, b) => {
        seqs[i]!.forEach((tok, t) => {
          context.set(tok, (b * L + t) * F);
        });
        qs.set(queryStates.subarray(i * O, (i + 1) * O), b * O);
      });
      const input = { size: B, contextLength: L, context, queryStates: qs };
      const out = await this.model.predict(
        actions === undefined ? input : { ...input, queryActions: Int32Array.from(idx, (i) => actions[i]!) },
      );
      idx.forEach((i, b) => {
        action.set(out.action.subarray(b * A, (b + 1) * A), i * A);
        if (out.reward !== undefined) reward.set(out.reward.subarray(b * R, (b + 1) * R), i * R);
        if (out.nextState !== undefined) nextState.set(out.nextState.subarray(b * S, (b + 1) * S), i * S);
      });
    }
    return { action, reward, nextState };
  }

  dispose(): void {}
}
