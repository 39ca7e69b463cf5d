import { parseArgs } from 'node:util';
import {
  InvalidArgumentError,
  requireBoolean,
  requireInteger,
  requireNumber,
  requireOneOf,
} from '@icrl/core';
import { readConfigFile } from './config-file';
import { FieldErrors } from './field-errors';
import { UsageError } from './usage-error';

/** Value kinds of a command-line option. */
export type OptionType = 'string' | 'integer' | 'number' | 'boolean';

/** One option: its flag, its config-file key, its type and bounds, and its help line. */
export interface OptionSpec {
  /** Kebab-case flag without dashes (`split-seed`). */
  readonly flag: string;
  /** Key in config files and in the parsed values (`splitSeed`). */
  readonly key: string;
  readonly type: OptionType;
  /** Help text, one line. */
  readonly doc: string;
  /** Placeholder in help (`<n>`). */
  readonly arg?: string;
  readonly choices?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly exclusiveMin?: boolean;
  /** Also accepts the word `auto` (integers). */
  readonly auto?: boolean;
  readonly required?: boolean;
  /** Shown in help; applied by the command, not here (it may depend on other options). */
  readonly defaultText?: string;
}

/** Everything `--help` shows and the parser checks. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** Positional arguments: a name for help, and how many are accepted. */
  readonly positionals?: {
    readonly name: string;
    readonly doc: string;
    readonly min: number;
    readonly max: number;
  };
  readonly options: readonly OptionSpec[];
  /** Config-file keys that have no flag (validated by the command), with their help line. */
  readonly configOnly?: readonly { readonly key: string; readonly doc: string }[];
  readonly examples: readonly string[];
}

/** A parsed command line: validated option values (flags over config file), positionals, config-only keys. */
export interface ParsedCommand {
  readonly values: Record<string, unknown>;
  readonly positionals: readonly string[];
  readonly configOnly: Record<string, unknown>;
  readonly configPath: string | null;
}

function convert(spec: OptionSpec, raw: unknown, field: string): unknown {
  let v = raw;
  if (typeof raw === 'string' && (spec.type === 'integer' || spec.type === 'number')) {
    if (spec.auto && raw === 'auto') return 'auto';
    const text = raw.trim();
    const ok =
      spec.type === 'integer' ? /^[+-]?\d+$/.test(text) : text !== '' && Number.isFinite(Number(text));
    v = ok ? Number(text) : raw;
  }
  if (spec.auto && v === 'auto') return 'auto';
  const bounds = {
    ...(spec.min !== undefined ? { min: spec.min } : {}),
    ...(spec.max !== undefined ? { max: spec.max } : {}),
    ...(spec.exclusiveMin ? { exclusiveMin: true } : {}),
  };
  switch (spec.type) {
    case 'integer':
      try {
        return requireInteger(field, v, bounds);
      } catch (err) {
        if (spec.auto && err instanceof InvalidArgumentError)
          throw new InvalidArgumentError(field, v, `${err.expected} or "auto"`);
        throw err;
      }
    case 'number':
      return requireNumber(field, v, bounds);
    case 'boolean':
      return requireBoolean(field, v);
    case 'string':
      if (spec.choices) return requireOneOf(field, v, spec.choices);
      if (typeof v !== 'string' || v.length === 0)
        throw new InvalidArgumentError(field, v, 'a non-empty string');
      return v;
  }
}

/**
 * Parses and validates a command line against its spec, with `--config <file>` values under the flags. Every
 * bad flag or config field is reported (one line each) in a single `UsageError`. Returns null for `--help`.
 */
export function parseCommand(spec: CommandSpec, argv: readonly string[]): ParsedCommand | null {
  if (argv.includes('--help') || argv.includes('-h')) return null;
  const parseOptions: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    config: { type: 'string' },
  };
  for (const o of spec.options) parseOptions[o.flag] = { type: o.type === 'boolean' ? 'boolean' : 'string' };
  // `--lr -1`: parseArgs would take -1 for a flag; a negative number after a valued flag is its value.
  const args = argv.map((a, i) =>
    /^-\d/.test(a) && parseOptions[argv[i - 1]?.slice(2) ?? '']?.type === 'string' ? `\u0000${a}` : a,
  );
  const merged: string[] = [];
  for (const a of args) {
    if (a.startsWith('\u0000')) merged[merged.length - 1] += `=${a.slice(1)}`;
    else merged.push(a);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: merged, options: parseOptions, allowPositionals: true, strict: true });
  } catch (err) {
    const message = (err as Error).message;
    const unknown = /Unknown option '([^']+)'/.exec(message);
    if (unknown) {
      throw new UsageError(
        `Unknown option ${unknown[1]} for icrl ${spec.name}; accepted: ${spec.options.map((o) => `--${o.flag}`).join(', ')}, --config, --help.`,
      );
    }
    throw new UsageError(`${message.split('.')[0]}.`);
  }
  const errors = new FieldErrors();
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  const configPath = typeof flags.config === 'string' ? flags.config : null;
  const config = configPath === null ? {} : readConfigFile(configPath);
  const known = new Set([...spec.options.map((o) => o.key), ...(spec.configOnly ?? []).map((c) => c.key)]);
  for (const key of Object.keys(config)) {
    if (!known.has(key)) {
      errors.add(
        `Invalid config.${key}: no such option for icrl ${spec.name}; accepted keys are ${[...known].join(', ')}.`,
      );
    }
  }
  const values: Record<string, unknown> = {};
  for (const o of spec.options) {
    const fromFlag = flags[o.flag];
    if (fromFlag !== undefined) values[o.key] = errors.check(() => convert(o, fromFlag, `--${o.flag}`));
    else if (config[o.key] !== undefined)
      values[o.key] = errors.check(() => convert(o, config[o.key], `config.${o.key}`));
    else if (o.required) errors.add(`Missing --${o.flag}${o.arg ? ` ${o.arg}` : ''}: ${o.doc}.`);
  }
  const configOnly: Record<string, unknown> = {};
  for (const c of spec.configOnly ?? []) if (config[c.key] !== undefined) configOnly[c.key] = config[c.key];
  const positionals = parsed.positionals;
  const p = spec.positionals ?? { name: '', doc: '', min: 0, max: 0 };
  if (positionals.length < p.min) errors.add(`Missing ${p.name}: ${p.doc}.`);
  if (positionals.length > p.max) {
    errors.add(
      p.max === 0
        ? `icrl ${spec.name} takes no positional arguments (got ${positionals.map((x) => JSON.stringify(x)).join(' ')}).`
        : `Too many arguments: icrl ${spec.name} takes at most ${p.max} ${p.name} (got ${positionals.length}).`,
    );
  }
  errors.throwIfAny();
  return { values, positionals, configOnly, configPath };
}

/** The `--help` text of a command. */
export function formatHelp(spec: CommandSpec): string {
  const rows: [string, string][] = spec.options.map((o) => {
    const arg = o.type === 'boolean' ? '' : ` ${o.arg ?? '<value>'}`;
    const extra = [
      o.choices ? `one of ${o.choices.join(', ')}` : '',
      o.required ? 'required' : o.defaultText ? `default ${o.defaultText}` : '',
    ].filter(Boolean);
    return [`--${o.flag}${arg}`, `${o.doc}${extra.length ? ` (${extra.join('; ')})` : ''}`];
  });
  rows.push(['--config <file>', 'JSON or YAML file of these options (camelCase keys); flags override it']);
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([f]) => f.length)) + 2;
  const lines = [`Usage: ${spec.usage}`, '', spec.summary, ''];
  if (spec.positionals)
    lines.push('Arguments:', `  ${spec.positionals.name.padEnd(width)}${spec.positionals.doc}`, '');
  lines.push('Options:', ...rows.map(([f, d]) => `  ${f.padEnd(width)}${d}`));
  if (spec.configOnly?.length) {
    lines.push(
      '',
      'Config-file only keys:',
      ...spec.configOnly.map((c) => `  ${c.key.padEnd(width)}${c.doc}`),
    );
  }
  lines.push('', 'Examples:', ...spec.examples.map((e) => `  ${e}`), '');
  return lines.join('\n');
}
