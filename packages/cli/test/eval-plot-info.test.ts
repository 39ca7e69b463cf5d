import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { icrl, icrlAll, TINY_COLLECT, TINY_TRAIN, tempDir, writeText } from './helpers';

describe('icrl eval, plot and info', () => {
  let dir: string;
  let data: string;
  let model: string;
  beforeAll(async () => {
    dir = tempDir('eval');
    data = join(dir, 'h.h5');
    model = join(dir, 'ad');
    const collect = await icrl(['collect', ...TINY_COLLECT, '--out', data]);
    expect(collect.code, collect.stderr).toBe(0);
    const train = await icrl(['train', '--data', data, '--out', model, ...TINY_TRAIN]);
    expect(train.code, train.stderr).toBe(0);
  });

  it('evaluates the model and the baselines on the held-out goals, then plots them (SVG, PNG, report)', async () => {
    const results = join(dir, 'eval.json');
    const run = await icrl([
      'eval',
      '--model',
      model,
      '--episodes',
      '2',
      '--runs',
      '2',
      '--baselines',
      '--source-baseline',
      '--out',
      results,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(readFileSync(results, 'utf8'));
    expect(r.format).toBe('icrl-results');
    // DICP's darkroom split, seed 0: the 8 held-out goals, never in the training data.
    expect(r.split).toMatchObject({ seed: 0, test: [38, 51, 62, 65, 33, 5, 53, 49] });
    expect(r.methods.map((m: { name: string }) => m.name)).toEqual(['ad', 'random', 'oracle', 'ad-epsilon']);
    for (const m of r.methods) {
      expect(m.returns).toHaveLength(16);
      expect(m.mean).toHaveLength(2);
      expect(m.envSteps).toBe(16 * 2 * 20);
    }
    const oracle = r.methods.find((m: { name: string }) => m.name === 'oracle');
    expect(oracle.mean[0]).toBeCloseTo(oracle.maxReturn, 6);
    expect(r.methods[0].backend).toBe('onnxruntime-node');
    expect(r.stages.train.request.model.nLayer).toBe(1);
    expect(r.stages.collect.request.streams).toBe(2);
    expect(r.provenance.versions['@icrl/transformer']).toMatch(/^\d/);
    expect(r.envSteps).toBe(4 * 640);

    // A second file with the same baselines: they are plotted once.
    const other = join(dir, 'other.json');
    const run2 = await icrl([
      'eval',
      '--model',
      join(model, 'model.onnx'),
      '--name',
      'ad-onnx',
      '--episodes',
      '3',
      '--runs',
      '1',
      '--tasks',
      '3',
      '--baselines',
      '--out',
      other,
    ]);
    expect(run2.code, run2.stderr).toBe(0);
    // --tasks 3: the first 3 held-out goals only, for every method; the split itself is recorded whole.
    const o = JSON.parse(readFileSync(other, 'utf8'));
    expect(o.request.tasks).toBe(3);
    expect(r.request).not.toHaveProperty('tasks');
    expect(o.split.test).toHaveLength(8);
    for (const m of o.methods) {
      expect(m.tasks).toEqual([38, 51, 62]);
      expect(m.returns).toHaveLength(3);
    }
    const svg = join(dir, 'curves.svg');
    const plot = await icrl(['plot', results, other, '--out', svg]);
    expect(plot.code, plot.stderr).toBe(0);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[^>]*>/);
    const report = readFileSync(join(dir, 'curves.md'), 'utf8');
    expect(report).toContain('| method | episode 1 | last episode |');
    for (const name of ['ad', 'ad-onnx', 'random (other)', 'oracle', 'ad-epsilon'])
      expect(report).toContain(`| ${name} |`);
    expect(report).toMatch(/\| collect \| ad-epsilon on 2 train tasks × 2 streams × 40 steps/);
    expect(report).toMatch(/\| train ad \| 1 layer, d 16/);
    const png = join(dir, 'curves.png');
    expect((await icrl(['plot', results, '--out', png])).code).toBe(0);
    expect([...readFileSync(png).subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');

    const info = await icrl(['info', results]);
    expect(info.code).toBe(0);
    expect(info.stdout).toContain('results of darkroom: 8 held-out tasks (split seed 0), ');
    const otherInfo = await icrl(['info', other]);
    expect(otherInfo.stdout).toContain(
      'results of darkroom: 8 held-out tasks (split seed 0; the first 3 played), ',
    );
  });

  it('rejects bad eval and plot input with the right code, writing nothing', async () => {
    const bad = tempDir('eval-bad');
    const json = writeText(bad, 'x.json', '{"format": "something-else"}');
    const onnx = writeText(bad, 'm.onnx', 'not a model');
    const cases: [string[], number, string][] = [
      [['eval', '--model', join(bad, 'nope'), '--out', join(bad, 'r.json')], 2, '--model'],
      [
        ['eval', '--model', data, '--out', join(bad, 'r.json')],
        3,
        'is not an ONNX model or a model directory',
      ],
      [['eval', '--model', onnx, '--out', join(bad, 'r.json')], 3, 'is not an ONNX model'],
      [
        ['eval', '--model', model, '--planner', 'beam', '--out', join(bad, 'r.json')],
        2,
        '--planner beam needs a model trained with --dynamics',
      ],
      [
        ['eval', '--model', model, '--planner', 'greedy', '--out', join(bad, 'r.json')],
        2,
        '--planner greedy does not fit',
      ],
      [
        ['eval', '--model', model, '--env', 'dark-key-to-door', '--out', join(bad, 'r.json')],
        2,
        'the model was trained on "darkroom"',
      ],
      [
        ['eval', '--model', model, '--episodes', '0', '--out', join(bad, 'r.json')],
        2,
        'Invalid --episodes: got 0',
      ],
      [
        ['eval', '--model', model, '--tasks', '9', '--out', join(bad, 'r.json')],
        2,
        'Invalid --tasks: got 9; split seed 0 of darkroom has 8 held-out tasks.',
      ],
      [['eval', '--model', model, '--out', json], 3, 'is not an icrl-results file'],
      [['eval', '--out', join(bad, 'r.json')], 2, 'Missing --model'],
      [['plot', json, '--out', join(bad, 'c.svg')], 3, 'is not an icrl-results file'],
      [['plot', join(bad, 'missing.json'), '--out', join(bad, 'c.svg')], 2, 'does not exist'],
      [['plot', json, '--out', join(bad, 'c.pdf')], 2, 'expected a file name ending in .svg or .png'],
      [['plot', '--out', join(bad, 'c.svg')], 2, 'Missing <results.json ...>'],
      [['info', join(bad, 'missing.h5')], 2, 'does not exist'],
      [['info', onnx], 3, 'is not a file icrl knows'],
      [['info', json], 3, 'is JSON but not an icrl file'],
      [['nonsense'], 2, 'Unknown command "nonsense"'],
    ];
    const runs = await icrlAll(cases.map(([args]) => args));
    for (const [i, [args, code, message]] of cases.entries()) {
      expect(runs[i]!.stderr, args.join(' ')).toContain(message);
      expect(runs[i]!.code, args.join(' ')).toBe(code);
    }
    expect(readdirSync(bad).sort()).toEqual(['m.onnx', 'x.json']);
    expect(readFileSync(json, 'utf8')).toBe('{"format": "something-else"}');
  });

  it('describes every kind of file', async () => {
    const cases: [string, string][] = [
      [data, 'learning histories of darkroom (HDF5)'],
      [model, 'AD training run (done)'],
      [join(model, 'checkpoint'), 'checkpoint of a AD model for darkroom'],
      [join(model, 'model.onnx'), 'inputs: context, query_state, past_key_0, past_value_0'],
      [join(dir, 'h.collect.json'), 'collection record of'],
    ];
    const runs = await icrlAll(cases.map(([path]) => ['info', path]));
    for (const [i, [path, text]] of cases.entries()) {
      expect(runs[i]!.stdout, path).toContain(text);
      expect(runs[i]!.code, path).toBe(0);
    }
    const json = await icrl(['info', data, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      kind: 'histories',
      transitions: 160,
      meta: { envId: 'darkroom' },
    });
    expect(existsSync(join(dir, 'h.h5'))).toBe(true);
  });
});
