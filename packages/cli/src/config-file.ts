import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { InvalidFileError } from '@icrl/core';
import { parse as parseYaml } from 'yaml';
import { UsageError } from './usage-error';

/**
 * Reads a `--config` file: JSON (`.json`) or YAML (`.yaml`, `.yml`), whose top level must be a mapping.
 * Keys are the command's options in camelCase; the caller validates them.
 */
export function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UsageError(`Config file ${path} does not exist.`);
  if (!statSync(path).isFile()) throw new UsageError(`Config file ${path} is not a file.`);
  const ext = extname(path).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(ext)) {
    throw new UsageError(
      `Config file ${path} must end in .json, .yaml or .yml (got "${ext || 'no extension'}").`,
    );
  }
  const text = readFileSync(path, 'utf8');
  let value: unknown;
  try {
    value = ext === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new InvalidFileError(
      path,
      `is not valid ${ext === '.json' ? 'JSON' : 'YAML'} (${(err as Error).message.split('\n')[0]})`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidFileError(path, 'must hold a mapping of option names to values at its top level');
  }
  return value as Record<string, unknown>;
}
