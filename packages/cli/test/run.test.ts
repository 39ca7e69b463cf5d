import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { icrl, icrlAll, TINY_RUN_YAML, tempDir, writeText } from './helpers';

describe('icrl run', () => {
  it('runs every stage on a tiny budget and reports the budget and wall time of each', async () => {
    const dir = tempDir('run');
    const config = writeText(dir, 'tiny.yaml', TINY_RUN_YAML);
    const out = join(dir, 'out');
    const run = await icrl([
      'run',
      'darkroom',
      '--config',
      config,
      '--zoo',
      'darkroom/ad,zoo:darkroom/dicp-ad',
      '--out',
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const report = readFileSync(join(out, 'curves.md'), 'utf8');
    expect(report).toContain('# darkroom, quick budget: return on held-out tasks');
    for (const stage of [
      '| collect |',
      '| train ad |',
      '| train dicp-ad |',
      '| eval ad |',
      '| eval dicp-ad+beam |',
      '| eval oracle |',
      '| eval zoo:darkroom/ad |',
      '| eval zoo:darkroom/dicp-ad |',
      '| eval zoo:darkroom/dicp-ad+beam |',
    ]) {
      expect(report).toContain(stage);
    }
    const record = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(record).toMatchObject({
      format: 'icrl-run-record',
      status: 'done',
      preset: 'darkroom',
      planner: 'beam',
    });
    expect(record.budget.train).toEqual({
      steps: 20,
      dicpSteps: 20,
      batchSize: 8,
      lr: 0.01,
      checkpointEvery: 5,
    });
    expect(record.stages['train-ad'].wallSeconds).toBeGreaterThan(0);
    const info = await icrl(['info', out]);
    expect(info.stdout).toContain('icrl run of darkroom, quick budget (done)');
  });

  it('rejects a bad preset, budget or config (every bad field listed) before creating anything', async () => {
    const dir = tempDir('run-bad');
    const bad = writeText(
      dir,
      'bad.yaml',
      'collect: { streams: 0, colour: red }\ntrain: { lr: fast }\nmodel: 3\n',
    );
    const out = join(dir, 'out');
    const [preset, budget, config, planner, zoo] = await icrlAll([
      ['run', 'darkroomz', '--out', out],
      ['run', 'darkroom', '--budget', 'huge', '--out', out],
      ['run', 'darkroom', '--config', bad, '--out', out],
      ['run', 'darkroom', '--planner', 'greedy', '--out', out],
      ['run', 'darkroom-permuted', '--zoo', 'darkroom/ad,darkroom/nope', '--out', out],
    ]);
    expect(preset!.stderr).toContain('Invalid <preset>: got "darkroomz"; expected one of "darkroom"');
    expect(budget!.stderr).toContain('Invalid --budget: got "huge"; expected one of "quick", "paper".');
    expect(config!.stderr).toContain('Invalid config.collect.streams: got 0; expected an integer >= 1.');
    expect(config!.stderr).toContain('Invalid config.collect.colour: no such field');
    expect(config!.stderr).toContain('Invalid config.train.lr: got "fast"; expected a finite number > 0.');
    expect(config!.stderr).toContain('Invalid config.model: got 3; expected an object.');
    expect(planner!.stderr).toContain("--planner greedy does not fit this env's discrete actions");
    expect(zoo!.stderr).toContain(
      'Invalid --zoo: zoo:darkroom/ad was trained on darkroom; this run is darkroom-permuted.',
    );
    expect(zoo!.stderr).toContain('Invalid --zoo: got "darkroom/nope"; expected one of ');
    expect(zoo!.stderr).toMatch(/expected one of [^\n]*darkroom\/ad-12k, [^\n]*\(comma-separated\)/);
    for (const r of [preset, budget, config, planner, zoo]) expect(r!.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    const help = await icrl(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: icrl run <preset> --out <dir>');
    const main = await icrl(['--help']);
    expect(main.stdout).toContain(
      'Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input, 3 corrupt or foreign file, 130 interrupted.',
    );
  });
});
