import {
  describeSpace,
  type EnvFamily,
  InvalidArgumentError,
  rejectUnknownKeys,
  requireInteger,
  requireOneOf,
  requireSeed,
} from '@icrl/core';
import type { ModelConfig, ModelKind } from '@icrl/transformer';

/**
 * How imagined transitions share the window with the real context once it is full (README, "Window semantics"):
 * `'reserve'` keeps room for them (the tree's context is the newest `maxContext − (depth − 1)` real tokens, so
 * nothing slides and a KV cache stays exact); `'slide'` is the reference: every imagined token pushes the
 * oldest real one out.
 */
export type WindowMode = 'reserve' | 'slide';

/** Options of the DICP planning agents. */
export interface PlannerOptions {
  /** The env family the agent plays: its horizon cuts the search at the episode end; the model must match it. */
  readonly family: EnvFamily;
  /** Beam size K (paths kept per level). Default 10. */
  readonly beam?: number;
  /** Candidate actions L per node, at most the action count. Default: all actions. */
  readonly candidates?: number;
  /**
   * Planning depth (levels, the first included). Default from the family, as the reference: Darkroom
   * size − 1 (8), Key-to-Door and Darkroom-Permuted 2·(size − 1) (16); other families must give it.
   */
  readonly depth?: number;
  /** Name in results. Default `dicp-ad` (`dicp-dpt` for a DPT model, `dicp-idt` for IDT). */
  readonly name?: string;
  /** Seed of action sampling when `reset` gets none. Default 0. */
  readonly seed?: number;
}

export interface ResolvedPlannerOptions {
  readonly beam: number;
  readonly candidates: number;
  readonly depth: number;
  readonly horizon: number;
  readonly seed: number;
  readonly numActions: number;
}

export const PLANNER_OPTION_KEYS = ['family', 'beam', 'candidates', 'depth', 'name', 'seed'] as const;

/** The reference's depth for a gridworld family (`max_beam_steps`), or null when it has none. */
export function defaultDepth(family: EnvFamily): number | null {
  const size = family.config.size;
  if (typeof size !== 'number') return null;
  if (/key-to-door|permuted/.test(family.id)) return 2 * (size - 1);
  if (/darkroom/.test(family.id)) return size - 1;
  return null;
}

const json = (x: unknown) => JSON.stringify(x);

/** JSON with object keys sorted: spaces read back from files (HDF5 meta, checkpoints) may order keys differently. */
function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (x !== null && typeof x === 'object') {
    const o = x as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(x);
}

/** The DICP method each model kind plans as, for error messages. */
const DICP_NAMES: Readonly<Record<ModelKind, string>> = { ad: 'DICP-AD', dpt: 'DICP-DPT', idt: 'DICP-IDT' };

/**
 * What every planner needs of its model and family: a family, a DICP model (dynamics heads) of one of the
 * planner's `kinds`, trained on that family's env with its spaces. Returns the family; every problem names its
 * field.
 */
export function checkModelFitsFamily(
  config: ModelConfig,
  family: EnvFamily | undefined,
  kinds: readonly ModelKind[],
): EnvFamily {
  if (family === undefined || typeof family.horizon !== 'number') {
    throw new InvalidArgumentError('options.family', family, 'the EnvFamily the agent plays');
  }
  if (!config.dynamics) {
    throw new InvalidArgumentError('model.dynamics', false, 'a DICP model (dynamics: true) to plan with');
  }
  if (!kinds.includes(config.kind)) {
    throw new InvalidArgumentError(
      'model.kind',
      config.kind,
      kinds.map((k) => `'${k}' (${DICP_NAMES[k]})`).join(' or '),
    );
  }
  if (config.envId !== family.id) {
    throw new InvalidArgumentError('model.envId', config.envId, `${json(family.id)} (the family's id)`);
  }
  if (canonical(config.observationSpace) !== canonical(family.observationSpace)) {
    throw new InvalidArgumentError(
      'model.observationSpace',
      describeSpace(config.observationSpace),
      `the family's ${describeSpace(family.observationSpace)}`,
    );
  }
  if (canonical(config.actionSpace) !== canonical(family.actionSpace)) {
    throw new InvalidArgumentError(
      'model.actionSpace',
      describeSpace(config.actionSpace),
      `the family's ${describeSpace(family.actionSpace)}`,
    );
  }
  return family;
}

/** Checks the model and options against the family; every problem names its field. */
export function resolvePlannerOptions(
  config: ModelConfig,
  options: PlannerOptions,
  extraKeys: readonly string[] = [],
  /**
   * The planner: `'ad'` is the beam search over AD's and DPT's windows (spec §2.2, DPT's query state first);
   * `'idt'` plans c levels inside a segment, whatever the episode position (spec §2.3).
   */
  kind: 'ad' | 'idt' = 'ad',
): ResolvedPlannerOptions {
  rejectUnknownKeys('options', options as unknown as Record<string, unknown>, [
    ...PLANNER_OPTION_KEYS,
    ...extraKeys,
  ]);
  const family = checkModelFitsFamily(config, options.family, kind === 'ad' ? ['ad', 'dpt'] : ['idt']);
  if (family.actionSpace.kind !== 'discrete' || family.observationSpace.kind !== 'box') {
    throw new InvalidArgumentError(
      'options.family',
      family.id,
      'discrete actions and a finite grid of states (beam search); continuous envs use GreedyAgent',
    );
  }
  const numActions = family.actionSpace.n;
  const horizon = family.horizon;
  const beam = requireInteger('options.beam', options.beam ?? 10, { min: 1 });
  const candidates = requireInteger('options.candidates', options.candidates ?? numActions, {
    min: 1,
    max: numActions,
  });
  const fallback = kind === 'idt' ? config.lowPerHigh : defaultDepth(family);
  if (options.depth === undefined && fallback === null) {
    throw new InvalidArgumentError(
      'options.depth',
      undefined,
      `a planning depth (no default for ${family.id})`,
    );
  }
  const depth = requireInteger('options.depth', options.depth ?? fallback, {
    min: 1,
    max: kind === 'idt' ? config.lowPerHigh : horizon, // IDT: one z slot per level
  });
  const seed = requireSeed('options.seed', options.seed ?? 0);
  return { beam, candidates, depth, horizon, seed, numActions };
}

export function requireWindowMode(value: unknown): WindowMode {
  return requireOneOf('options.window', value, ['reserve', 'slide'] as const);
}
