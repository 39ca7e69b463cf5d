import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The CLI is tested through the real binary: a spawned `node --import tsx src/cli.ts` (TypeScript sources,
// workspace packages through the @icrl/source condition), with CI=true so progress comes as plain lines.

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Spawns `icrl <args>`; the caller waits for it or kills it. */
export function spawnIcrl(args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--conditions=@icrl/source', '--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, CI: 'true', ICRL_DEBUG: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export interface IcrlRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `icrl <args>` to the end. */
export function icrl(args: readonly string[]): Promise<IcrlRun> {
  return new Promise((resolve, reject) => {
    const child = spawnIcrl(args);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Runs `icrl <args>` and sends it `signal` as soon as its stderr matches `when`; resolves once it has exited.
 * Rejects if it exits by itself first (the signal would have tested nothing).
 */
export function icrlSignalledWhen(
  args: readonly string[],
  when: RegExp,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<IcrlRun> {
  return new Promise((resolve, reject) => {
    const child = spawnIcrl(args);
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stderr!.on('data', (d) => {
      stderr += d;
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stdout!.on('data', (d) => {
      stdout += d;
    });
    child.on('error', reject);
    child.on('close', (code, exitSignal) => {
      if (sent) resolve({ code, signal: exitSignal, stdout, stderr });
      else reject(new Error(`icrl ${args.join(' ')} exited (${code}) before ${when} appeared:\n${stderr}`));
    });
  });
}

/** Runs several command lines, at most `limit` at once (each process loads TensorFlow.js and HDF5). */
export async function icrlAll(argsList: readonly (readonly string[])[], limit = 4): Promise<IcrlRun[]> {
  const results: IcrlRun[] = new Array(argsList.length);
  let next = 0;
  const worker = async () => {
    while (next < argsList.length) {
      const i = next++;
      results[i] = await icrl(argsList[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, argsList.length) }, worker));
  return results;
}

/** A fresh temp directory. */
export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `icrl-cli-${name}-`));
}

/** Writes a file and returns its path. */
export function writeText(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A run config small enough for CI: 2 goals × 2 streams × 40 steps, a 1-layer d-16 model, 20 updates. */
export const TINY_RUN_YAML = `collect:
  tasks: 2
  streams: 2
  stepsPerStream: 40
model: { nLayer: 1, nEmbd: 16, nHead: 2, nInner: 32, nTransit: 20 }
train: { steps: 20, dicpSteps: 20, batchSize: 8, checkpointEvery: 5 }
eval: { episodes: 2, planningEpisodes: 2, runsPerTask: 2 }
`;

/** Flags of the same tiny setting for the single commands. */
export const TINY_COLLECT = [
  '--env',
  'darkroom',
  '--algo',
  'ad-epsilon',
  '--tasks',
  '2',
  '--streams',
  '2',
  '--steps',
  '40',
];
export const TINY_TRAIN = [
  '--steps',
  '20',
  '--batch',
  '8',
  '--layers',
  '1',
  '--embd',
  '16',
  '--heads',
  '2',
  '--inner',
  '32',
  '--context',
  '20',
  '--checkpoint-every',
  '5',
];
