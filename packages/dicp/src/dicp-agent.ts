import {
  type InContextAgent,
  InvalidArgumentError,
  Rng,
  requireBoolean,
  requireInteger,
  requireSeed,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import { ADModel, OrtModel, transitionTokens } from '@icrl/transformer';
import { beamSearch, type SearchPath, type SearchResult, type SearchRoot } from './beam-search';
import { CachedEngine } from './cached-engine';
import {
  type PlannerOptions,
  type ResolvedPlannerOptions,
  requireWindowMode,
  resolvePlannerOptions,
  type WindowMode,
} from './planner-options';
import { sampleOne, samplingOrder } from './policy-order';
import { ReencodeEngine } from './reencode-engine';
import type { TreeEngine } from './tree-engine';
import { ortWorldModel, tfjsWorldModel, type WorldModel } from './world-model';

/** Options of `DicpAgent`. */
export interface DicpAgentOptions extends PlannerOptions {
  /**
   * `'cached'` (default for an AD `OrtModel`): real context encoded once per step, shared by every child through
   * KV caches. `'reencode'` (the only choice for other models, DPT's included): every level re-encodes every
   * child's window.
   */
  readonly planner?: 'cached' | 'reencode';
  /** Window semantics (`'reencode'` only; `'cached'` is always `'reserve'`). Default `'reserve'`. */
  readonly window?: WindowMode;
  /** false: act from the policy alone (AD behaviour, same sampling stream), never plan. Default true. */
  readonly plan?: boolean;
}

/** What planning did since `reset`. */
export interface PlanStats {
  /** Env-steps whose action came from the beam search. */
  readonly planned: number;
  /** Of those, how many differ from the policy's first sampled action. */
  readonly changed: number;
}

/**
 * What the planner imagined for one env at its last planned step (`DicpAgent.lastPlan`): the best path of the
 * beam search, level by level — `actions[0]` is the action taken; `states[d]` the predicted cell after
 * `actions[d]`, `rewards[d]` its predicted reward; `score` their sum. Its length is the depth cut at the episode
 * end: `min(depth, horizon − position)`.
 */
export interface DicpPlan extends SearchPath {
  /** Real transitions seen since `reset` when it planned (the 0-based index of the step it chose the action of). */
  readonly step: number;
  /** In-episode position of that step (0 = the first step of an episode). */
  readonly position: number;
  /** The policy's first sampled action (the draw a plain policy agent makes); `actions[0]` ≠ it: overruled. */
  readonly policyAction: number;
}

/**
 * DICP-AD (or DICP-DPT: the same search over DPT's window, whose query state — the imagined next state at deeper
 * levels — comes first) acting in context with beam-search planning (spec §2.2). Each env keeps its last nTransit − 1 real
 * transitions across episodes (as `TransformerAgent`). Once the context is full — `nTransit` real transitions
 * seen, the reference's `step ≥ n_transit` — every step plans: the root's actions in the order of sampling the
 * policy without replacement, deeper levels in index order, imagined transitions (argmax reward and next
 * state) appended to the context, paths scored by the sum of predicted rewards, the top `beam` kept by a stable
 * sort, `depth` levels cut at the episode end; the first action of the best path is taken. Before that, and
 * with `plan: false`, actions are sampled from the policy.
 */
export class DicpAgent implements InContextAgent {
  readonly name: string;
  readonly options: ResolvedPlannerOptions & {
    readonly planner: 'cached' | 'reencode';
    readonly window: WindowMode;
    readonly plan: boolean;
  };
  private readonly engine: TreeEngine;
  private rng: Rng;
  private numEnvs = 0;
  private steps = 0;
  private position = new Int32Array(0);
  private stats = { planned: 0, changed: 0 };
  private last: {
    step: number;
    position: Int32Array;
    roots: readonly SearchRoot[];
    result: SearchResult;
  } | null = null;

  constructor(model: WorldModel | ADModel | OrtModel, options: DicpAgentOptions) {
    const config = model.config;
    const resolved = resolvePlannerOptions(config, options, ['planner', 'window', 'plan']);
    const isOrt = model instanceof OrtModel;
    // DPT's query state comes first in its window, so no prefix of the real context is shared by the children.
    const dpt = config.kind === 'dpt';
    const planner = options.planner ?? (isOrt && !dpt ? 'cached' : 'reencode');
    if (planner !== 'cached' && planner !== 'reencode') {
      throw new InvalidArgumentError('options.planner', planner, "'cached' or 'reencode'");
    }
    if (planner === 'cached' && dpt) {
      throw new InvalidArgumentError(
        'options.planner',
        planner,
        "'reencode' for a DPT model (its query state comes first, so the children share no cached prefix)",
      );
    }
    if (planner === 'cached' && !isOrt) {
      throw new InvalidArgumentError(
        'options.planner',
        planner,
        "'reencode' for a model that is not an OrtModel",
      );
    }
    const window = requireWindowMode(options.window ?? 'reserve');
    if (planner === 'cached' && window !== 'reserve') {
      throw new InvalidArgumentError(
        'options.window',
        window,
        "'reserve' with the cached planner (a sliding window cannot stay cached exactly)",
      );
    }
    if (window === 'reserve') {
      requireInteger('options.depth', resolved.depth, {
        min: 1,
        max: config.nTransit - 1,
      });
    }
    const plan = requireBoolean('options.plan', options.plan ?? true);
    this.options = { ...resolved, planner, window, plan };
    this.name = options.name ?? (dpt ? 'dicp-dpt' : 'dicp-ad');
    const world =
      model instanceof ADModel
        ? tfjsWorldModel(model)
        : isOrt && planner === 'reencode'
          ? ortWorldModel(model)
          : model;
    this.engine =
      planner === 'cached'
        ? new CachedEngine(model as OrtModel, resolved.depth)
        : new ReencodeEngine(world as WorldModel, window, resolved.depth);
    this.rng = new Rng(resolved.seed);
  }

  reset(numEnvs: number, options?: { seed?: number }): void {
    this.numEnvs = requireInteger('numEnvs', numEnvs, { min: 1 });
    this.rng = new Rng(requireSeed('seed', options?.seed ?? this.options.seed)).fork(0xac7);
    this.engine.reset(numEnvs);
    this.steps = 0;
    this.position = new Int32Array(numEnvs);
    this.stats = { planned: 0, changed: 0 };
    this.last = null;
  }

  /** Planning counts since `reset`. */
  get planStats(): PlanStats {
    return { ...this.stats };
  }

  /**
   * What the search imagined for env `env` at the last step that planned (null before any since `reset`): the
   * best path's actions, predicted cells and rewards, kept from the search itself (no model call; the path is
   * rebuilt from back-pointers when you ask).
   */
  lastPlan(env: number): DicpPlan | null {
    if (this.last === null) return null;
    requireInteger('env', env, { min: 0, max: this.numEnvs - 1 });
    const { step, position, roots, result } = this.last;
    return { ...result.path(env), step, position: position[env]!, policyAction: roots[env]!.order[0]! };
  }

  /** Whether the next `act` plans (the context is full: nTransit real transitions seen). */
  get planning(): boolean {
    return this.options.plan && this.steps >= this.engine.config.nTransit;
  }

  async act(obs: SpaceArray): Promise<SpaceArray> {
    const n = this.numEnvs;
    const e = this.engine.encoding;
    if (n === 0) throw new InvalidArgumentError('agent', 'not reset', 'reset(numEnvs) before act()');
    if (obs.length !== n * e.obsSize) {
      throw new InvalidArgumentError('obs', obs, `${n * e.obsSize} values (${n} envs × ${e.obsSize})`);
    }
    const A = this.options.numActions;
    const logits = await this.engine.policy(obs);
    // One uniform per env first, in env order: the same draws a plain policy sample makes.
    const u = Float64Array.from({ length: n }, () => this.rng.float());
    const actions = new Int32Array(n);
    if (!this.planning) {
      for (let i = 0; i < n; i++) actions[i] = sampleOne(logits, i * A, A, u[i]!);
      return actions;
    }
    const roots: SearchRoot[] = [];
    for (let i = 0; i < n; i++) {
      roots.push({
        obs: Float32Array.from(obs.subarray(i * e.obsSize, (i + 1) * e.obsSize)),
        order: samplingOrder(logits, i * A, A, u[i]!, this.rng),
        levels: Math.max(1, Math.min(this.options.depth, this.options.horizon - this.position[i]!)),
      });
    }
    const result = await beamSearch(this.engine, roots, this.options);
    this.last = { step: this.steps, position: this.position.slice(), roots, result };
    const best = result.actions;
    for (let i = 0; i < n; i++) {
      actions[i] = best[i]!;
      this.stats.planned += 1;
      if (best[i] !== roots[i]!.order[0]) this.stats.changed += 1;
    }
    return actions;
  }

  observe(t: VecTransition): void {
    const tok = transitionTokens(this.engine.encoding, this.numEnvs, t);
    for (let i = 0; i < this.numEnvs; i++) {
      this.position[i] = t.terminated[i] || t.truncated[i] ? 0 : this.position[i]! + 1;
    }
    this.engine.observe(tok);
    this.steps += 1;
  }

  async dispose(): Promise<void> {
    await this.engine.dispose();
  }
}
