import { existsSync, readFileSync } from 'node:fs';
import { InvalidFileError } from '@icrl/core';

/** Record files the CLI writes next to its outputs, each tagged with a format name and version. */
export const RECORD_FORMATS = {
  collect: 'icrl-collect-record',
  train: 'icrl-train-record',
  results: 'icrl-results',
  run: 'icrl-run-record',
} as const;
export type RecordKind = keyof typeof RECORD_FORMATS;
export const RECORD_VERSION = 1;

/** Reads a JSON record of `kind`: null when absent, `InvalidFileError` when corrupt or of another kind. */
export function readRecord<T>(path: string, kind: RecordKind): T | null {
  if (!existsSync(path)) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InvalidFileError(path, `is not valid JSON (${(err as Error).message})`);
  }
  const format = (value as { format?: unknown } | null)?.format;
  if (format !== RECORD_FORMATS[kind]) {
    throw new InvalidFileError(
      path,
      `is not an ${RECORD_FORMATS[kind]} file (its format is ${JSON.stringify(format ?? null)})`,
    );
  }
  const version = (value as { version?: unknown }).version;
  if (version !== RECORD_VERSION) {
    throw new InvalidFileError(
      path,
      `has version ${JSON.stringify(version)}; this icrl reads version ${RECORD_VERSION}`,
    );
  }
  return value as T;
}

/** JSON with object keys sorted, so equal values compare equal whatever order they were built in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** Keys whose values differ between two plain objects (to name what makes two runs different). */
export function differingKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    (k) => canonicalJson(a[k]) !== canonicalJson(b[k]),
  );
}
