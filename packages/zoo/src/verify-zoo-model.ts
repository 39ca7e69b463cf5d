import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidFileError } from '@icrl/core';
import { type ZooEntry, zooEntry } from './zoo-index';
import { zooRoot } from './zoo-paths';

/** sha256 of a file, hex. */
export function sha256File(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new InvalidFileError(path, `cannot be read (${(err as Error).message})`);
  }
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Checks every file of a zoo model against the checksums in `zoo.json`; throws `InvalidFileError` naming the
 * first file that is missing or differs. Returns the model's folder.
 */
export function verifyZooModel(name: string | ZooEntry, root = zooRoot()): string {
  const entry = typeof name === 'string' ? zooEntry(name, root) : name;
  const dir = join(root, entry.name);
  for (const [file, expected] of Object.entries(entry.files)) {
    const path = join(dir, file);
    const actual = sha256File(path);
    if (actual !== expected) {
      throw new InvalidFileError(
        path,
        `its sha256 is ${actual}, but the zoo lists ${expected} for zoo:${entry.name} (the file is damaged or was replaced)`,
      );
    }
  }
  return dir;
}
