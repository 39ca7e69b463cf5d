import type { Encoding, ModelConfig } from '@icrl/transformer';

// The seam between the beam search (what to expand, how to score) and the engines that evaluate a tree level
// (a full re-encode of every child's window, or a KV cache of the real context shared by all children).

/** One tree level: row i expands `parent[i]` (a row of the previous level; −1 at level 1, the root). */
export interface LevelRows {
  readonly size: number;
  /** Which planned env (its slot in `begin`'s list) the row belongs to. */
  readonly slot: Int32Array;
  readonly parent: Int32Array;
  /**
   * Levels ≥ 2: the imagined transition each row appends to its parent's context, `[size, contextSize]` —
   * the parent's (state, action, predicted reward, predicted next state). Empty at level 1.
   */
  readonly tokens: Float32Array;
  /** Query observation per row `[size, obsSize]`. */
  readonly queryStates: Float32Array;
  /** Query action per row. */
  readonly actions: Int32Array;
}

/** Heads of a level's rows: policy at q_state, reward and next-state logits at q_action. */
export interface LevelOutputs {
  readonly action: Float32Array;
  readonly reward: Float32Array;
  readonly nextState: Float32Array;
}

/** What the beam search needs: something that evaluates tree levels. */
export interface TreeLevels {
  readonly config: ModelConfig;
  readonly encoding: Encoding;
  /** Starts the trees of the envs `envs` (slot i is env `envs[i]`); their windows are full. */
  begin(envs: Int32Array): void;
  /** Evaluates the next level (the first after `begin` is level 1). */
  expand(rows: LevelRows): Promise<LevelOutputs>;
}

/** Holds the real windows of `numEnvs` envs and evaluates policy queries and tree levels on them. */
export interface TreeEngine extends TreeLevels {
  reset(numEnvs: number): void;
  /** Appends one real transition token per env, `[numEnvs, contextSize]`. */
  observe(tokens: Float32Array): void;
  /** Policy logits `[numEnvs, numActions]` at `obs` after each env's real window. */
  policy(obs: ArrayLike<number>): Promise<Float32Array>;
  dispose(): void | Promise<void>;
}
