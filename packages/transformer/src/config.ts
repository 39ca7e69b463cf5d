import {
  canonicalJson,
  describeSpace,
  type HistoryMeta,
  InvalidArgumentError,
  type JsonObject,
  rejectUnknownKeys,
  requireBoolean,
  requireInteger,
  requireNumber,
  requireObject,
  requireOneOf,
  requireSeed,
  type Space,
  StateCodec,
} from '@icrl/core';
import { TRANSFORMER_DEFAULTS, type TransformerConfig, validateTransformerConfig } from './model';

/** Which in-context learner: Algorithm Distillation, Decision-Pretrained Transformer, In-context Decision Transformer. */
export type ModelKind = 'ad' | 'dpt' | 'idt';

export const MODEL_KINDS: readonly ModelKind[] = ['ad', 'dpt', 'idt'];

/**
 * Everything that defines a model: the backbone sizes (`TransformerConfig`), the token layout, and the env it
 * reads. Stored as `config.json` in every checkpoint. Defaults are the DICP gridworld settings (spec §1.2).
 */
export interface ModelConfig extends TransformerConfig {
  /** Token layout and targets (spec §1.3 AD, §1.4 DPT, §3 IDT). Default `ad`. */
  readonly kind: ModelKind;
  /**
   * **DICP's switch.** `false` is the model-free baseline (AD, DPT, IDT); `true` adds the query-action token
   * and the reward / next-state heads, trained with `λ · (L_reward + L_next_state)` — DICP-AD, DICP-DPT,
   * DICP-IDT. Default `false`, as the reference configs ship.
   */
  readonly dynamics: boolean;
  /** λ, the weight of the dynamics losses (`dynamics_strength`). Default 1. */
  readonly dynamicsWeight: number;
  /** Transitions per training window (`n_transit`): n−1 context + 1 query. Default 80 (Darkroom). */
  readonly nTransit: number;
  /** Env family the model reads (`darkroom`, ...): histories of another env are refused. */
  readonly envId: string;
  /** Observation space of that env. */
  readonly observationSpace: Space;
  /** Action space of that env. */
  readonly actionSpace: Space;
  /** Classes of the discrete reward head (rewards must be integers in [0, classes)). Default 2. */
  readonly rewardClasses: number;
  /** Continuous envs: the reward head's output is clipped to [0, rewardMax] (Meta-World: 10). Default 10. */
  readonly rewardMax: number;
  /** IDT: low-level steps per high-level decision (`low_per_high`, c). Default 10. */
  readonly lowPerHigh: number;
  /** IDT: size of the high-level decision z. Default 8. */
  readonly dimZ: number;
  /** Seed of the weight initialisation. Default 0. */
  readonly seed: number;
}

/** What the caller must say; everything else has a default. */
export type ModelConfigInput = Partial<ModelConfig> &
  Pick<ModelConfig, 'envId' | 'observationSpace' | 'actionSpace'>;

export const MODEL_DEFAULTS = Object.freeze({
  ...TRANSFORMER_DEFAULTS,
  kind: 'ad' as ModelKind,
  dynamics: false,
  dynamicsWeight: 1,
  nTransit: 80,
  rewardClasses: 2,
  rewardMax: 10,
  lowPerHigh: 10,
  dimZ: 8,
  seed: 0,
});

const KEYS = [
  ...Object.keys(MODEL_DEFAULTS),
  'envId',
  'observationSpace',
  'actionSpace',
] as const satisfies readonly string[];

/** Most discrete states a query-state Embedding table (and next-state head) is built for. */
export const MAX_DISCRETE_STATES = 65536;

/**
 * Merges `input` over the defaults and validates every field, naming the bad one (`model.nTransit`, ...).
 * @throws InvalidArgumentError
 */
export function resolveModelConfig(input: ModelConfigInput, field = 'model'): ModelConfig {
  const o = requireObject(field, input);
  rejectUnknownKeys(field, o, KEYS);
  const merged = { ...MODEL_DEFAULTS } as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) merged[k] = v;
  const c = merged as unknown as ModelConfig;
  validateTransformerConfig(c, field);
  requireOneOf(`${field}.kind`, c.kind, MODEL_KINDS);
  requireBoolean(`${field}.dynamics`, c.dynamics);
  requireNumber(`${field}.dynamicsWeight`, c.dynamicsWeight, { min: 0 });
  requireInteger(`${field}.nTransit`, c.nTransit, { min: 2, max: 1 << 16 });
  if (typeof c.envId !== 'string' || c.envId.length === 0) {
    throw new InvalidArgumentError(`${field}.envId`, c.envId, 'a non-empty env family id');
  }
  requireSpace(`${field}.observationSpace`, c.observationSpace);
  requireSpace(`${field}.actionSpace`, c.actionSpace);
  if (c.observationSpace.kind !== 'box') {
    throw new InvalidArgumentError(`${field}.observationSpace`, c.observationSpace, 'a box space');
  }
  requireInteger(`${field}.rewardClasses`, c.rewardClasses, { min: 2, max: 1 << 16 });
  requireNumber(`${field}.rewardMax`, c.rewardMax, { min: 0, exclusiveMin: true });
  requireInteger(`${field}.lowPerHigh`, c.lowPerHigh, { min: 1, max: 1 << 12 });
  requireInteger(`${field}.dimZ`, c.dimZ, { min: 1, max: 1 << 12 });
  requireSeed(`${field}.seed`, c.seed);
  if (c.kind === 'idt' && c.nTransit % c.lowPerHigh !== 0) {
    throw new InvalidArgumentError(
      `${field}.nTransit`,
      c.nTransit,
      `a multiple of lowPerHigh (${c.lowPerHigh}) for IDT`,
    );
  }
  // IDT comes in the reference's two variants: gridworld (integer states, discrete actions) and Meta-World
  // (continuous observations and actions). Mixed spaces have no reference to follow.
  const gridIdt = stateCount(c.observationSpace) !== null && c.actionSpace.kind === 'discrete';
  const continuousIdt = stateCount(c.observationSpace) === null && c.actionSpace.kind === 'box';
  if (c.kind === 'idt' && !gridIdt && !continuousIdt) {
    throw new InvalidArgumentError(
      `${field}.kind`,
      c.kind,
      `'ad' or 'dpt' for ${describeSpace(c.observationSpace)} observations and ${describeSpace(c.actionSpace)} actions (IDT takes a grid of integer states with discrete actions, or continuous observations and actions)`,
    );
  }
  return Object.freeze({ ...c });
}

function requireSpace(field: string, value: unknown): void {
  const s = requireObject(field, value);
  if (s.kind === 'discrete') {
    requireInteger(`${field}.n`, s.n, { min: 1 });
    return;
  }
  if (
    s.kind !== 'box' ||
    !Array.isArray(s.shape) ||
    !s.shape.every((d) => Number.isSafeInteger(d) && d > 0)
  ) {
    throw new InvalidArgumentError(field, value, 'a discrete or box space');
  }
}

/** A model config for the histories of `meta`: the env and spaces come from the data, the rest from `overrides`. */
export function modelConfigForHistory(
  meta: HistoryMeta,
  overrides: Partial<ModelConfig> = {},
  field = 'model',
): ModelConfig {
  return resolveModelConfig(
    {
      ...overrides,
      envId: meta.envId,
      observationSpace: meta.observationSpace,
      actionSpace: meta.actionSpace,
    },
    field,
  );
}

/**
 * Number of distinct states of a finite integer box (Darkroom's 9 × 9 = 81), or null for a continuous or
 * too-large one. Discrete states get DICP's Embedding query token and a next-state classification head.
 */
export function stateCount(space: Space): number | null {
  return StateCodec.of(space, MAX_DISCRETE_STATES)?.size ?? null;
}

/** The config as plain JSON (for `config.json`). */
export function configToJson(config: ModelConfig): JsonObject {
  return JSON.parse(JSON.stringify(config)) as JsonObject;
}

/**
 * Whether two config values are equal as a checkpoint's `config.json` stores them: key order does not count (a
 * space read back from a file may list its fields in another order) and non-finite bounds are JSON's null there.
 */
export function sameConfigValue(a: unknown, b: unknown): boolean {
  const key = (v: unknown) => (v === undefined ? 'undefined' : canonicalJson(JSON.parse(JSON.stringify(v))));
  return key(a) === key(b);
}

/** Fields of two configs that differ (shallow; spaces compared as JSON). */
export function configDiff(a: ModelConfig, b: ModelConfig): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out: string[] = [];
  for (const k of keys) {
    if (
      !sameConfigValue(
        (a as unknown as Record<string, unknown>)[k],
        (b as unknown as Record<string, unknown>)[k],
      )
    )
      out.push(k);
  }
  return out.sort();
}

/** Fields that make two configs different models: `configDiff` without `seed`, which only draws the initial weights. */
export function architectureDiff(a: ModelConfig, b: ModelConfig): string[] {
  return configDiff(a, b).filter((k) => k !== 'seed');
}
