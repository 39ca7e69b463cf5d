/** A JSON-serialisable value: what task parameters, configs and history metadata are made of. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };

/**
 * JSON with object keys sorted (so equal values give equal text) and ±Infinity/NaN kept as the strings
 * `"Infinity"`, `"-Infinity"`, `"NaN"` (box bounds may be unbounded; plain JSON would turn them into null).
 *
 * @example canonicalJson({ b: 1, a: [Infinity] }) // '{"a":["Infinity"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}
