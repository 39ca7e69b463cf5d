import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HistoryReader } from '../src/history-reader';
import { HistoryWriter } from '../src/history-writer';
import { gridBatch, gridMeta, taskMeta } from './synthetic-history';
import { tempDir } from './temp-dir';

const dir = tempDir();
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const child = fileURLToPath(new URL('./fixtures/killed-writer.ts', import.meta.url));

/** Runs the child writer until it is mid-task, then kills it with SIGKILL. */
function killMidTask(path: string, streams: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [tsxCli, '--conditions=@icrl/source', child, path, String(streams)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    proc.stderr.on('data', (d) => {
      stderr += d;
    });
    proc.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('mid-task')) setTimeout(() => proc.kill('SIGKILL'), 30);
    });
    proc.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code}: ${stderr}`)),
    );
  });
}

describe('a writer killed mid-task', () => {
  it('leaves no file at its path, and the next run resumes: complete tasks kept, the half-written one rewritten', async () => {
    const S = 3;
    const path = join(dir, 'killed.h5');
    await killMidTask(path, S);
    expect(existsSync(path)).toBe(false); // nothing that looks complete
    expect(readdirSync(`${path}.partial`).sort()).toEqual(['job.json', 'task-0', 'task-1', 'task-2.tmp']);

    const writer = new HistoryWriter(path, { chunkLength: 16 });
    expect(await writer.open(gridMeta(S))).toEqual({ completeTasks: [0, 1] });
    expect(readdirSync(`${path}.partial`).sort()).toEqual(['job.json', 'task-0', 'task-1']); // task 2 discarded
    for (const k of [2, 3]) {
      writer.beginTask(taskMeta(k));
      writer.append(k, gridBatch(k, 0, 40, S));
      writer.endTask(k, { episodeReturns: [k] });
    }
    await writer.close();

    const reader = await HistoryReader.open(path);
    expect(reader.taskIndices).toEqual([0, 1, 2, 3]);
    for (const k of [0, 1, 2, 3]) {
      const data = reader.readTask(k);
      expect(data.length).toBe(40);
      expect([...data.states]).toEqual([...gridBatch(k, 0, 40, S).states]);
      expect([...data.dones]).toEqual([...gridBatch(k, 0, 40, S).dones]);
    }
    reader.close();
  }, 30_000);
});
