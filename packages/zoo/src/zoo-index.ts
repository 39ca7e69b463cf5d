import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, InvalidFileError } from '@icrl/core';
import { zooRoot } from './zoo-paths';

// The zoo's table of contents: models/zoo.json lists every model with the sha256 of each of its files and a
// summary of its held-out results. The checksums live here, outside the model folders they check, so a
// swapped or damaged weight file cannot vouch for itself.

export const ZOO_FORMAT = 'icrl-zoo';
export const ZOO_VERSION = 1;

/** Held-out results of a zoo model, as its card reports them (mean return per in-context episode). */
export interface ZooResults {
  /** In-context episodes per run. */
  readonly episodes: number;
  /** Held-out tasks × runs per task that were averaged. */
  readonly runs: number;
  /** Mean return per episode of the model acting from its policy. */
  readonly policy: readonly number[];
  /** Half-width of the 95% CI per episode (Student t over runs). */
  readonly policyCi95: readonly number[];
  /** With the DICP planner (dynamics models only). */
  readonly planner?: readonly number[];
  readonly plannerCi95?: readonly number[];
  /** A uniform random agent on the same tasks and seeds. */
  readonly random: readonly number[];
  /** The best return per episode on these tasks. */
  readonly optimum: number;
}

/** One model of the zoo. */
export interface ZooEntry {
  /** `<env>/<model>`, e.g. `darkroom/dicp-ad`. */
  readonly name: string;
  /** Env preset of `@icrl/envs` it was trained on (and must be evaluated on). */
  readonly env: string;
  /** Model family: `ad` (AD or DICP-AD), `dpt` or `idt`. */
  readonly kind: string;
  /** Whether it has DICP's reward and next-state heads (so a planner can use it). */
  readonly dynamics: boolean;
  /** File name → sha256 (hex) of every file in the model's folder that loading reads. */
  readonly files: Readonly<Record<string, string>>;
  /** Held-out results (the card has the details and the command that reproduces them). */
  readonly results: ZooResults;
}

interface ZooIndex {
  readonly format: string;
  readonly version: number;
  readonly models: readonly ZooEntry[];
}

/** Reads and checks `zoo.json` of a zoo folder (the package's own `models/` by default). */
export function readZooIndex(root = zooRoot()): ZooIndex {
  const path = join(root, 'zoo.json');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InvalidFileError(path, `is not a readable JSON file (${(err as Error).message})`);
  }
  const index = json as ZooIndex;
  if (index?.format !== ZOO_FORMAT) throw new InvalidFileError(path, `format is not ${ZOO_FORMAT}`);
  if (index.version !== ZOO_VERSION)
    throw new InvalidFileError(path, `version ${index.version} is not supported (this reads ${ZOO_VERSION})`);
  if (!Array.isArray(index.models)) throw new InvalidFileError(path, 'has no "models" array');
  return index;
}

/** Writes `zoo.json` of a zoo folder with `models` (sorted by name), atomically (a temporary file, then a rename). */
export function writeZooIndex(root: string, models: readonly ZooEntry[]): void {
  const sorted = [...models].sort((x, y) => x.name.localeCompare(y.name));
  const tmp = join(root, 'zoo.json.tmp');
  writeFileSync(
    tmp,
    `${JSON.stringify({ format: ZOO_FORMAT, version: ZOO_VERSION, models: sorted }, null, 2)}\n`,
  );
  renameSync(tmp, join(root, 'zoo.json'));
}

/** Every model of the zoo. */
export function listZooModels(root = zooRoot()): readonly ZooEntry[] {
  return readZooIndex(root).models;
}

/** The entry of `name` (`<env>/<model>`, with or without a `zoo:` prefix); unknown names list the known ones. */
export function zooEntry(name: string, root = zooRoot()): ZooEntry {
  const bare = typeof name === 'string' && name.startsWith('zoo:') ? name.slice(4) : name;
  const models = listZooModels(root);
  const entry = models.find((m) => m.name === bare);
  if (entry === undefined) {
    throw new InvalidArgumentError(
      'zoo model',
      name,
      `one of ${models.map((m) => `zoo:${m.name}`).join(', ') || '(the zoo is empty)'}`,
    );
  }
  return entry;
}
