import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { icrl, icrlSignalledWhen, tempDir, writeText } from './helpers';

// Big enough to be killed mid-stage (24 goals in batches of 2, 60 / 120 updates), small enough for CI.
const KILL_RUN_YAML = `collect: { tasks: 24, streams: 4, stepsPerStream: 100, tasksPerBatch: 2 }
model: { nLayer: 1, nEmbd: 16, nHead: 2, nInner: 32, nTransit: 20 }
train: { steps: 60, dicpSteps: 120, batchSize: 8, checkpointEvery: 10 }
eval: { episodes: 2, planningEpisodes: 2, runsPerTask: 2 }
`;

function returns(dir: string): Record<string, number[][]> {
  const out: Record<string, number[][]> = {};
  for (const file of ['eval-ad.json', 'eval-dicp-ad.json']) {
    for (const m of JSON.parse(readFileSync(join(dir, file), 'utf8')).methods) out[m.name] = m.returns;
  }
  return out;
}

describe('icrl run, killed and rerun', () => {
  it('completes with the same results as an uninterrupted run after SIGKILLs during collection and training', async () => {
    const config = writeText(tempDir('kill-config'), 'kill.yaml', KILL_RUN_YAML);
    const reference = tempDir('run-ref');
    const ref = await icrl(['run', 'darkroom', '--config', config, '--out', reference]);
    expect(ref.code, ref.stderr).toBe(0);
    expect(ref.stdout.trim()).toBe(join(reference, 'curves.md'));

    const out = tempDir('run-killed');
    const args = ['run', 'darkroom', '--config', config, '--out', out];
    // 1. Killed while collecting: some goals done, no HDF5 file yet, the partial data kept.
    await icrlSignalledWhen(args, /collect [1-9]\d*\/24 tasks/);
    expect(existsSync(join(out, 'histories.h5'))).toBe(false);
    expect(existsSync(join(out, 'histories.h5.partial'))).toBe(true);
    // 2. Rerun, killed while training DICP-AD (AD trains beside it, in its own thread) after a checkpoint: the
    // collection resumed, training unfinished.
    await icrlSignalledWhen(args, /train dicp-ad ([3-9]\d)\/120 updates/);
    const collected = JSON.parse(readFileSync(join(out, 'histories.collect.json'), 'utf8'));
    expect(collected.tasksResumed).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(join(out, 'dicp-ad', 'train-run.json'), 'utf8')).status).toBe('running');
    expect(existsSync(join(out, 'dicp-ad', 'checkpoint', 'state.json'))).toBe(true);
    // 3. Rerun to the end: collection skipped, training resumed, same returns as the uninterrupted run.
    const last = await icrl(args);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).toContain('[collect] complete, skipped');
    expect(returns(out)).toEqual(returns(reference));
    expect(Object.keys(returns(out)).sort()).toEqual([
      'ad',
      'ad-epsilon',
      'dicp-ad+beam',
      'oracle',
      'random',
    ]);
    for (const f of ['curves.svg', 'curves.png', 'curves.md', 'run.json', 'log.jsonl'])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).status).toBe('done');

    // A finished run reruns as a no-op (every stage skipped, results untouched).
    const before = readFileSync(join(reference, 'eval-ad.json'), 'utf8');
    const again = await icrl(['run', 'darkroom', '--config', config, '--out', reference]);
    expect(again.code).toBe(0);
    for (const s of ['collect', 'train-ad', 'train-dicp-ad', 'eval-ad', 'eval-dicp-ad'])
      expect(again.stderr).toContain(`[${s}] complete, skipped`);
    expect(readFileSync(join(reference, 'eval-ad.json'), 'utf8')).toBe(before);
  });
});
