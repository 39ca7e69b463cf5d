import {
  describeSpace,
  type EnvFamily,
  type InContextAgent,
  InvalidArgumentError,
  Rng,
  rejectUnknownKeys,
  requireBoolean,
  requireInteger,
  requireSeed,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import { ADModel, Encoding, type ModelConfig, OrtModel, transitionTokens } from '@icrl/transformer';
import { drawGreedyCandidates, takeBest } from './greedy-candidates';
import { checkModelFitsFamily } from './planner-options';
import { ortWorldModel, tfjsWorldModel, type WorldModel } from './world-model';

/** Options of `GreedyAgent`. */
export interface GreedyAgentOptions {
  /** The env family played: its horizon gives the in-episode position; the model must match it. */
  readonly family: EnvFamily;
  /** Candidate actions L: the policy mean and L − 1 draws from N(μ, σ²). Default 10; 1 never plans. */
  readonly samples?: number;
  /** Plan only at in-episode positions above this (the reference's `beam_start`). Default horizon / 2. */
  readonly start?: number;
  /** false: act from the policy alone. Default true. */
  readonly plan?: boolean;
  readonly name?: string;
  readonly seed?: number;
}

/** `GreedyAgentOptions` checked against the model, with the family's horizon. */
export interface ResolvedGreedyOptions {
  readonly samples: number;
  readonly start: number;
  readonly horizon: number;
  readonly plan: boolean;
  readonly seed: number;
}

/**
 * Checks a continuous planner's options and model (DICP-AD's `GreedyAgent`, DICP-IDT's `GreedyIdtAgent`): a
 * DICP model of `kind` trained on the family, continuous actions, L ≥ 1 samples, `start` inside the episode.
 */
export function resolveGreedyOptions(
  config: ModelConfig,
  options: GreedyAgentOptions,
  kind: 'ad' | 'idt',
  extraKeys: readonly string[] = [],
): ResolvedGreedyOptions {
  rejectUnknownKeys('options', options as unknown as Record<string, unknown>, [
    'family',
    'samples',
    'start',
    'plan',
    'name',
    'seed',
    ...extraKeys,
  ]);
  const family = checkModelFitsFamily(config, options.family, [kind]);
  if (config.actionSpace.kind !== 'box') {
    throw new InvalidArgumentError(
      'model.actionSpace',
      describeSpace(config.actionSpace),
      `continuous actions (discrete envs use ${kind === 'ad' ? 'DicpAgent' : 'DicpIdtAgent'})`,
    );
  }
  const horizon = family.horizon;
  return {
    samples: requireInteger('options.samples', options.samples ?? 10, { min: 1 }),
    start: requireInteger('options.start', options.start ?? Math.floor(horizon / 2), {
      min: 0,
      max: horizon - 1,
    }),
    horizon,
    plan: requireBoolean('options.plan', options.plan ?? true),
    seed: requireSeed('options.seed', options.seed ?? 0),
  };
}

/**
 * DICP's continuous "greedy search" (spec §2.4, Meta-World): a one-step lookahead. Once the context is full
 * (nTransit real transitions seen) and past position `start` of the episode, the candidates — the policy's
 * mean and L − 1 samples of N(μ, σ²) — are scored by the reward head (clipped to [0, rewardMax]) in one
 * batched forward, and the best is taken (the mean on ties). Otherwise the action is sampled from the policy,
 * as `TransformerAgent` samples it. No next-state rollout: the reference's Meta-World model has no
 * next-observation head.
 */
export class GreedyAgent implements InContextAgent {
  readonly name: string;
  readonly options: ResolvedGreedyOptions;
  private readonly model: WorldModel;
  private readonly encoding: Encoding;
  private rng: Rng;
  private numEnvs = 0;
  private steps = 0;
  private position = new Int32Array(0);
  private window: Float32Array[] = [];
  private planned = 0;

  constructor(model: WorldModel | ADModel | OrtModel, options: GreedyAgentOptions) {
    const c = model.config;
    this.options = resolveGreedyOptions(c, options, 'ad');
    this.name = options.name ?? 'dicp-ad';
    this.model =
      model instanceof ADModel
        ? tfjsWorldModel(model)
        : model instanceof OrtModel
          ? ortWorldModel(model)
          : model;
    this.encoding = new Encoding(c);
    this.rng = new Rng(this.options.seed);
  }

  reset(numEnvs: number, options?: { seed?: number }): void {
    this.numEnvs = requireInteger('numEnvs', numEnvs, { min: 1 });
    this.rng = new Rng(requireSeed('seed', options?.seed ?? this.options.seed)).fork(0xac7);
    this.steps = 0;
    this.position = new Int32Array(numEnvs);
    this.window = [];
    this.planned = 0;
  }

  /** Env-steps whose action came from the greedy search since `reset`. */
  get plannedSteps(): number {
    return this.planned;
  }

  async act(obs: SpaceArray): Promise<SpaceArray> {
    const n = this.numEnvs;
    const e = this.encoding;
    const D = e.actionSize;
    const F = e.contextSize;
    if (n === 0) throw new InvalidArgumentError('agent', 'not reset', 'reset(numEnvs) before act()');
    if (obs.length !== n * e.obsSize) {
      throw new InvalidArgumentError('obs', obs, `${n * e.obsSize} values (${n} envs × ${e.obsSize})`);
    }
    const L = this.window.length;
    const context = new Float32Array(n * L * F);
    this.window.forEach((tok, t) => {
      for (let i = 0; i < n; i++) context.set(tok.subarray(i * F, (i + 1) * F), (i * L + t) * F);
    });
    const queryStates = Float32Array.from(obs);
    const policy = (await this.model.predict({ size: n, contextLength: L, context, queryStates })).action;
    const o = this.options;
    const planning = o.plan && o.samples > 1 && this.steps >= this.model.config.nTransit;
    const S = o.samples;
    const draw = drawGreedyCandidates(
      policy,
      n,
      D,
      S,
      (i) => planning && this.position[i]! > o.start,
      this.rng,
    );
    const { rows, candidates: cand } = draw;
    if (rows.length > 0) {
      // One forward over every planning env's S candidates, each after its env's window.
      const B = rows.length * S;
      const ctx = new Float32Array(B * L * F);
      const qs = new Float32Array(B * e.obsSize);
      const qa = new Float32Array(B * D);
      rows.forEach((i, r) => {
        for (let k = 0; k < S; k++) {
          const b = r * S + k;
          ctx.set(context.subarray(i * L * F, (i + 1) * L * F), b * L * F);
          qs.set(queryStates.subarray(i * e.obsSize, (i + 1) * e.obsSize), b * e.obsSize);
          qa.set(cand.subarray((i * S + k) * D, (i * S + k + 1) * D), b * D);
        }
      });
      const out = await this.model.predict({
        size: B,
        contextLength: L,
        context: ctx,
        queryStates: qs,
        queryActions: qa,
      });
      takeBest(draw, out.reward!, S, D);
      this.planned += rows.length;
    }
    return draw.actions;
  }

  observe(t: VecTransition): void {
    const tok = transitionTokens(this.encoding, this.numEnvs, t);
    for (let i = 0; i < this.numEnvs; i++) {
      this.position[i] = t.terminated[i] || t.truncated[i] ? 0 : this.position[i]! + 1;
    }
    this.window.push(tok);
    if (this.window.length > this.model.config.nTransit - 1) this.window.shift();
    this.steps += 1;
  }

  dispose(): void {}
}
