import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { icrl, icrlAll, icrlSignalledWhen, TINY_COLLECT, tempDir, writeText } from './helpers';

describe('icrl collect', () => {
  it('writes the HDF5 file, its record and a JSONL log; a rerun finds it complete', async () => {
    const dir = tempDir('collect');
    const out = join(dir, 'h.h5');
    const first = await icrl(['collect', ...TINY_COLLECT, '--out', out]);
    expect(first.stderr).toContain('collect wrote');
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toBe(out);
    const record = JSON.parse(readFileSync(join(dir, 'h.collect.json'), 'utf8'));
    expect(record).toMatchObject({
      format: 'icrl-collect-record',
      request: {
        env: 'darkroom',
        algorithm: 'ad-epsilon',
        tasks: 2,
        streams: 2,
        stepsPerStream: 40,
        seed: 0,
        splitSeed: 0,
      },
      transitions: 160,
    });
    expect(record.provenance.versions['@icrl/source-rl']).toMatch(/^\d+\.\d+\.\d+/);
    const events = readFileSync(join(dir, 'h.collect.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).event);
    expect(events[0]).toBe('start');
    expect(events.at(-1)).toBe('done');
    const again = await icrl(['collect', ...TINY_COLLECT, '--out', out]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already complete');
    // Same output path, other settings: refused, naming what differs.
    const other = await icrl(['collect', ...TINY_COLLECT, '--streams', '3', '--out', out]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('holds a different collection (differing: streams)');
  });

  it('takes a YAML config, with flags overriding it', async () => {
    const dir = tempDir('collect-config');
    const config = writeText(
      dir,
      'c.yaml',
      'env: darkroom\nalgo: ad-epsilon\ntasks: 1\nstreams: 5\nsteps: 20\nsettings: { maxPerf: 0.5 }\n',
    );
    const run = await icrl(['collect', '--config', config, '--streams', '2', '--out', join(dir, 'h.h5')]);
    expect(run.code).toBe(0);
    const record = JSON.parse(readFileSync(join(dir, 'h.collect.json'), 'utf8'));
    expect(record.request).toMatchObject({
      tasks: 1,
      streams: 2,
      stepsPerStream: 20,
      settings: { maxPerf: 0.5 },
    });
  });

  it('rejects bad input with one message per field, exit 2, and writes nothing', async () => {
    const dir = tempDir('collect-bad');
    const cases: [string[], string][] = [
      [
        ['--env', 'darkroon', '--out', join(dir, 'a.h5')],
        'Invalid --env: got "darkroon"; expected one of "darkroom"',
      ],
      [
        ['--env', 'darkroom', '--steps', 'ten', '--out', join(dir, 'a.h5')],
        'Invalid --steps: got "ten"; expected an integer >= 1.',
      ],
      [
        ['--env', 'darkroom', '--streams', '0', '--out', join(dir, 'a.h5')],
        'Invalid --streams: got 0; expected an integer >= 1.',
      ],
      [['--env', 'darkroom', '--out', join(dir, 'a.txt')], 'expected a file name ending in .h5 or .hdf5'],
      [['--env', 'darkroom', '--algo', 'dqn', '--out', join(dir, 'a.h5')], 'Invalid --algo: got "dqn"'],
      [['--env', 'darkroom', '--tasks', '500', '--out', join(dir, 'a.h5')], 'expected at most 73'],
      [['--env', 'darkroom', '--frobnicate', '--out', join(dir, 'a.h5')], 'Unknown option --frobnicate'],
      [['--out', join(dir, 'a.h5')], 'Missing --env <preset>'],
      [
        ['--env', 'darkroom', '--config', join(dir, 'missing.yaml'), '--out', join(dir, 'a.h5')],
        'does not exist',
      ],
    ];
    const runs = await icrlAll(cases.map(([args]) => ['collect', ...args]));
    for (const [i, [args, message]] of cases.entries()) {
      expect(runs[i]!.stderr, args.join(' ')).toContain(message);
      expect(runs[i]!.code, args.join(' ')).toBe(2);
    }
    // A config file with several bad fields reports every one of them.
    const bad = writeText(
      dir,
      'bad.json',
      JSON.stringify({ env: 'darkroom', streams: -1, steps: 1.5, colour: 'red' }),
    );
    const run = await icrl(['collect', '--config', bad, '--out', join(dir, 'a.h5')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Invalid config.colour: no such option');
    expect(run.stderr).toContain('Invalid config.streams: got -1; expected an integer >= 1.');
    expect(run.stderr).toContain('Invalid config.steps: got 1.5; expected an integer >= 1.');
    expect(readdirSync(dir).sort()).toEqual(['bad.json']);
  });

  it('refuses to replace a file that is not HDF5 (exit 3) and leaves it as it was', async () => {
    const dir = tempDir('collect-foreign');
    const out = writeText(dir, 'notes.h5', 'my notes, not HDF5');
    const run = await icrl(['collect', ...TINY_COLLECT, '--out', out]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('exists and is not an HDF5 file');
    expect(readFileSync(out, 'utf8')).toBe('my notes, not HDF5');
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('exits 130 on Ctrl-C mid-collection; the same command then resumes the finished goals', async () => {
    const dir = tempDir('collect-int');
    const args = [
      'collect',
      '--env',
      'darkroom',
      '--tasks',
      '24',
      '--streams',
      '4',
      '--steps',
      '100',
      '--tasks-per-batch',
      '2',
      '--out',
      join(dir, 'h.h5'),
    ];
    const stopped = await icrlSignalledWhen(args, /collect [1-9]\d*\/24 tasks/, 'SIGINT');
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toContain('icrl: interrupted (SIGINT); rerun the same command to resume.');
    expect(existsSync(join(dir, 'h.h5'))).toBe(false);
    const resumed = await icrl(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'h.collect.json'), 'utf8')).tasksResumed).toBeGreaterThan(0);
  });

  it('prints help', async () => {
    const run = await icrl(['collect', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: icrl collect --env <preset>');
    expect(run.stdout).toContain('--split-seed <n>');
  });
});
