import {
  canonicalJson,
  HISTORY_SCHEMA_VERSION,
  type HistoryMeta,
  InvalidArgumentError,
  type JsonObject,
  rejectUnknownKeys,
  requireInteger,
  requireNumber,
  requireObject,
  requireOneOf,
  requireSeed,
  type Space,
  type TaskHistoryMeta,
  type TaskHistorySummary,
  type TaskSpec,
} from '@icrl/core';

// Validation of everything a writer is handed (meta, task meta, summaries), and the canonical JSON that
// stores meta in the file and decides whether a partial file belongs to the same job.

/** Checks that `value` is plain JSON data (objects, arrays, strings, finite numbers, booleans, null). */
export function requireJson(field: string, value: unknown): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidArgumentError(field, value, 'a finite number (JSON)');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      requireJson(`${field}[${i}]`, v);
    });
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) requireJson(`${field}.${k}`, v);
    return;
  }
  throw new InvalidArgumentError(
    field,
    value,
    'JSON data (objects, arrays, strings, finite numbers, booleans, null)',
  );
}

function requireString(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new InvalidArgumentError(field, value, 'a non-empty string');
  return value;
}

/** Validates a Space (discrete or box) and returns it. */
export function requireSpace(field: string, value: unknown): Space {
  const space = requireObject(field, value);
  const kind = requireOneOf(`${field}.kind`, space.kind, ['discrete', 'box'] as const);
  if (kind === 'discrete') {
    rejectUnknownKeys(field, space, ['kind', 'n']);
    requireInteger(`${field}.n`, space.n, { min: 1 });
    return space as unknown as Space;
  }
  rejectUnknownKeys(field, space, ['kind', 'shape', 'low', 'high', 'dtype']);
  if (!Array.isArray(space.shape) || space.shape.length === 0) {
    throw new InvalidArgumentError(`${field}.shape`, space.shape, 'a non-empty array of positive integers');
  }
  space.shape.forEach((d, i) => {
    requireInteger(`${field}.shape[${i}]`, d, { min: 1 });
  });
  requireOneOf(`${field}.dtype`, space.dtype, ['int32', 'float32'] as const);
  const size = (space.shape as number[]).reduce((a, b) => a * b, 1);
  for (const bound of ['low', 'high'] as const) {
    const b = space[bound];
    if (typeof b === 'number' && !Number.isNaN(b)) continue;
    if (Array.isArray(b) && b.length === size && b.every((x) => typeof x === 'number' && !Number.isNaN(x)))
      continue;
    throw new InvalidArgumentError(`${field}.${bound}`, b, `a number or an array of ${size} numbers`);
  }
  return space as unknown as Space;
}

/**
 * Validates HistoryMeta for writing (schemaVersion must be the current one).
 *
 * @example validateHistoryMeta(meta) // throws InvalidArgumentError('meta.streams', 0, ...) on a bad field
 */
export function validateHistoryMeta(value: unknown, field = 'meta'): HistoryMeta {
  const meta = requireObject(field, value);
  rejectUnknownKeys(field, meta, [
    'schemaVersion',
    'envId',
    'envConfig',
    'observationSpace',
    'actionSpace',
    'source',
    'streams',
    'subsample',
    'seed',
    'split',
  ]);
  requireOneOf(`${field}.schemaVersion`, meta.schemaVersion, [HISTORY_SCHEMA_VERSION]);
  requireString(`${field}.envId`, meta.envId);
  requireObject(`${field}.envConfig`, meta.envConfig);
  requireJson(`${field}.envConfig`, meta.envConfig);
  requireSpace(`${field}.observationSpace`, meta.observationSpace);
  requireSpace(`${field}.actionSpace`, meta.actionSpace);
  const source = requireObject(`${field}.source`, meta.source);
  rejectUnknownKeys(`${field}.source`, source, ['algorithm', 'settings']);
  requireString(`${field}.source.algorithm`, source.algorithm);
  requireObject(`${field}.source.settings`, source.settings);
  requireJson(`${field}.source.settings`, source.settings);
  requireInteger(`${field}.streams`, meta.streams, { min: 1, max: 1_000_000 });
  requireInteger(`${field}.subsample`, meta.subsample, { min: 1 });
  requireSeed(`${field}.seed`, meta.seed);
  if (meta.split !== undefined) {
    const split = requireObject(`${field}.split`, meta.split);
    rejectUnknownKeys(`${field}.split`, split, ['seed', 'trainRatio']);
    requireSeed(`${field}.split.seed`, split.seed);
    requireNumber(`${field}.split.trainRatio`, split.trainRatio, { min: 0, max: 1, exclusiveMin: true });
  }
  return meta as unknown as HistoryMeta;
}

/** Validates a TaskSpec. */
export function validateTaskSpec(value: unknown, field = 'task'): TaskSpec {
  const task = requireObject(field, value);
  rejectUnknownKeys(field, task, ['familyId', 'index', 'params']);
  requireString(`${field}.familyId`, task.familyId);
  requireInteger(`${field}.index`, task.index, { min: 0, max: 2 ** 31 - 1 });
  requireObject(`${field}.params`, task.params);
  requireJson(`${field}.params`, task.params);
  return task as unknown as TaskSpec;
}

/** Validates TaskHistoryMeta. */
export function validateTaskHistoryMeta(value: unknown, field = 'taskMeta'): TaskHistoryMeta {
  const meta = requireObject(field, value);
  rejectUnknownKeys(field, meta, ['task', 'split', 'seed']);
  validateTaskSpec(meta.task, `${field}.task`);
  if (meta.split !== undefined) requireOneOf(`${field}.split`, meta.split, ['train', 'test'] as const);
  if (meta.seed !== undefined) requireSeed(`${field}.seed`, meta.seed);
  return meta as unknown as TaskHistoryMeta;
}

/** Validates a TaskHistorySummary. */
export function validateSummary(value: unknown, field = 'summary'): TaskHistorySummary {
  const summary = requireObject(field, value);
  rejectUnknownKeys(field, summary, ['episodeReturns']);
  const returns = summary.episodeReturns;
  if (!Array.isArray(returns))
    throw new InvalidArgumentError(`${field}.episodeReturns`, returns, 'an array of finite numbers');
  returns.forEach((r, i) => {
    requireNumber(`${field}.episodeReturns[${i}]`, r);
  });
  return summary as unknown as TaskHistorySummary;
}

/** Trailing dataset dims of one step of a space: `[]` for discrete, the box's shape otherwise. */
export function stepShape(space: Space): number[] {
  return space.kind === 'discrete' ? [] : [...space.shape];
}

/** Parses `canonicalJson` output, restoring non-finite numbers in box bounds (`low`, `high`). */
export function parseCanonicalJson(text: string): unknown {
  return JSON.parse(text, function revive(this: unknown, key, value: unknown) {
    if (key === 'low' || key === 'high' || /^\d+$/.test(key)) {
      if (value === 'Infinity') return Infinity;
      if (value === '-Infinity') return -Infinity;
      if (value === 'NaN') return Number.NaN;
    }
    return value;
  });
}

/**
 * The first field (dotted path) where two JSON-like values differ, or null when they are equal.
 *
 * @example firstDifference({ a: { b: 1 } }, { a: { b: 2 } }) // 'a.b'
 */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  if (
    a !== null &&
    b !== null &&
    typeof a === 'object' &&
    typeof b === 'object' &&
    !Array.isArray(a) &&
    !Array.isArray(b)
  ) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      const d = firstDifference(
        (a as JsonObject)[key],
        (b as JsonObject)[key],
        path ? `${path}.${key}` : key,
      );
      if (d !== null) return d;
    }
  }
  return path || '(root)';
}
