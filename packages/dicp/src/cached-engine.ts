import { type Encoding, KvBatch, type KvCache, type ModelConfig, type OrtModel } from '@icrl/transformer';
import type { LevelOutputs, LevelRows, TreeEngine } from './tree-engine';
import { stateIndices } from './world-model';

// The fast engine, on onnxruntime with KV caches. The real window lives in an exact `KvCache` (policy queries
// and level 1, which appends no context token, read it). Once per planned step the newest
// maxContext − (depth − 1) real tokens are encoded into a `KvBatch` (one row per planned env). Every level
// then runs with that row as the graph's shared prefix (read in place by all children of its env, never
// copied per child); a child carries only its own imagined tokens: level 2 appends one to an empty row,
// deeper levels gather their parent's few tokens and append one more. Nothing ever slides, so every level
// equals a full re-encode of the 'reserve' window (ReencodeEngine) while encoding the real context once.

/**
 * The slots of a level's rows, in order, checking the layout the shared prefix needs: each slot's rows are
 * contiguous and every slot has as many (the beam search expands every planned env alike).
 */
function slotsOf(slot: Int32Array): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < slot.length; i++) if (i === 0 || slot[i] !== slot[i - 1]) out.push(slot[i]!);
  const per = slot.length / out.length;
  for (let i = 0; i < slot.length; i++) {
    if (slot[i] !== out[Math.floor(i / per)]) {
      throw new RangeError('CachedEngine: a level must hold the same number of contiguous rows per slot');
    }
  }
  return Int32Array.from(out);
}

export class CachedEngine implements TreeEngine {
  readonly config: ModelConfig;
  readonly encoding: Encoding;
  private readonly maxContext: number;
  private numEnvs = 0;
  private kv: KvCache | null = null;
  private pending: Float32Array[] = [];
  private window: Float32Array[] = [];
  private envs: Int32Array = new Int32Array(0);
  /** The real context of this step's planned envs (row i: slot i), encoded at level 2. */
  private prefix: KvBatch | null = null;
  /** The previous level's rows: their own imagined tokens only. */
  private prev: KvBatch | null = null;
  private level = 0;

  constructor(
    private readonly model: OrtModel,
    private readonly depth: number,
  ) {
    this.config = model.config;
    this.encoding = model.encoding;
    this.maxContext = model.config.nTransit - 1;
  }

  reset(numEnvs: number): void {
    this.numEnvs = numEnvs;
    this.kv = this.model.cache(numEnvs);
    this.pending = [];
    this.window = [];
  }

  observe(tokens: Float32Array): void {
    this.pending.push(tokens);
    this.window.push(tokens);
    if (this.window.length > this.maxContext) this.window.shift();
  }

  /** Tokens `list` (each `[numEnvs, F]`) of the envs `envs`, env-major `[envs, list.length, F]`. */
  private pack(list: readonly Float32Array[], envs: ArrayLike<number>): Float32Array {
    const F = this.encoding.contextSize;
    const T = list.length;
    const out = new Float32Array(envs.length * T * F);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < envs.length; b++) {
        const i = envs[b]!;
        out.set(list[t]!.subarray(i * F, (i + 1) * F), (b * T + t) * F);
      }
    }
    return out;
  }

  async policy(obs: ArrayLike<number>): Promise<Float32Array> {
    const n = this.numEnvs;
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const out = await this.kv!.step(this.pack(this.pending, all), this.pending.length, {
      queryStates: stateIndices(this.model, obs, n),
    });
    this.pending = [];
    return out.action;
  }

  begin(envs: Int32Array): void {
    this.envs = envs;
    this.prefix = null;
    this.prev = null;
    this.level = 0;
  }

  async expand(rows: LevelRows): Promise<LevelOutputs> {
    this.level += 1;
    const query = {
      queryStates: stateIndices(this.model, rows.queryStates, rows.size),
      queryActions: BigInt64Array.from(rows.actions, BigInt),
    };
    const slots = slotsOf(rows.slot);
    if (this.level === 1) {
      // Level 1 appends nothing: every candidate's query reads its env's real window, the exact cache.
      const real = KvBatch.fromCache(this.model, this.kv!).gather(
        Int32Array.from(slots, (s) => this.envs[s]!),
      );
      const { out } = await KvBatch.empty(this.model, rows.size).step(new Float32Array(0), 0, query, real);
      return { action: out.action, reward: out.reward!, nextState: out.nextState! };
    }
    if (this.level === 2) {
      // The real prefix, encoded once for this step, leaving room for depth − 1 imagined tokens.
      const keep = Math.min(this.window.length, this.maxContext - (this.depth - 1));
      const planned = this.envs;
      this.prefix = (
        await KvBatch.empty(this.model, planned.length).step(
          this.pack(this.window.slice(-keep), planned),
          keep,
          {
            queryStates: new BigInt64Array(planned.length),
          },
        )
      ).next;
    }
    // Level 2 starts each child empty (its first imagined token follows the prefix); deeper levels extend the parent.
    const base = this.level === 2 ? KvBatch.empty(this.model, rows.size) : this.prev!.gather(rows.parent);
    const { out, next } = await base.step(rows.tokens, 1, query, this.prefix!.gather(slots));
    this.prev = next;
    return { action: out.action, reward: out.reward!, nextState: out.nextState! };
  }

  dispose(): void {}
}
