import {
  type JsonObject,
  requireBoolean,
  requireInteger,
  requireNumber,
  requireObject,
  requireOneOf,
} from '@icrl/core';
import { SOURCE_ALGORITHMS } from '@icrl/source-rl';
import type { Budget } from './budgets';
import { FieldErrors } from './field-errors';

type Check = (field: string, value: unknown) => unknown;
const int =
  (min: number): Check =>
  (f, v) =>
    requireInteger(f, v, { min });

/** Validators of every budget field a config file may override. */
const FIELDS: Record<keyof Budget, Record<string, Check>> = {
  collect: {
    algorithm: (f, v) => requireOneOf(f, v, Object.keys(SOURCE_ALGORITHMS)),
    settings: (f, v) => requireObject(f, v),
    tasks: int(0),
    streams: int(1),
    stepsPerStream: int(1),
    tasksPerBatch: int(1),
  },
  model: { nLayer: int(1), nEmbd: int(1), nHead: int(1), nInner: int(1), nTransit: int(2) },
  train: {
    steps: int(1),
    dicpSteps: int(1),
    batchSize: int(1),
    lr: (f, v) => requireNumber(f, v, { min: 0, exclusiveMin: true }),
    checkpointEvery: int(0),
  },
  eval: {
    episodes: int(1),
    planningEpisodes: int(1),
    runsPerTask: int(1),
    beam: int(1),
    depth: int(1),
    samples: int(1),
    sourceBaseline: (f, v) => requireBoolean(f, v),
  },
};

/** The sections `icrl run`'s config file may hold. */
export const BUDGET_SECTIONS = Object.keys(FIELDS) as (keyof Budget)[];

/**
 * A budget with a config file's overrides applied (`{ collect: { streams: 4 }, train: { steps: 100 } }`);
 * every unknown or invalid field is reported, one line each. A changed algorithm drops the budget's settings.
 */
export function applyBudgetOverrides(
  base: Budget,
  overrides: Record<string, unknown>,
  field = 'config',
): Budget {
  const errors = new FieldErrors();
  const out: Record<string, Record<string, unknown>> = {};
  for (const section of BUDGET_SECTIONS) out[section] = { ...base[section] };
  for (const [section, value] of Object.entries(overrides)) {
    if (!(section in FIELDS)) continue; // the caller rejects unknown top-level keys
    const obj = errors.check(() => requireObject(`${field}.${section}`, value));
    if (obj === undefined) continue;
    const checks = FIELDS[section as keyof Budget];
    for (const [k, v] of Object.entries(obj)) {
      const check = checks[k];
      if (check === undefined) {
        errors.add(
          `Invalid ${field}.${section}.${k}: no such field; accepted fields are ${Object.keys(checks).join(', ')}.`,
        );
      } else if (errors.check(() => check(`${field}.${section}.${k}`, v)) !== undefined) {
        out[section]![k] = v;
      }
    }
  }
  const collect = out.collect!;
  const given = overrides.collect as Record<string, unknown> | undefined;
  if (
    given?.algorithm !== undefined &&
    given.algorithm !== base.collect.algorithm &&
    given.settings === undefined
  ) {
    collect.settings = {} as JsonObject;
  }
  errors.throwIfAny();
  return out as unknown as Budget;
}
