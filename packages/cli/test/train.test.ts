import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { icrl, icrlAll, TINY_COLLECT, TINY_TRAIN, tempDir, writeText } from './helpers';

describe('icrl train', () => {
  let dir: string;
  let data: string;
  beforeAll(async () => {
    dir = tempDir('train');
    data = join(dir, 'h.h5');
    const run = await icrl(['collect', ...TINY_COLLECT, '--out', data]);
    expect(run.code, run.stderr).toBe(0);
  });

  it('trains DICP-AD into --out (checkpoint, train.jsonl, model.onnx, record); a rerun finds it complete', async () => {
    const out = join(dir, 'dicp');
    const run = await icrl([
      'train',
      '--data',
      data,
      '--model',
      'ad',
      '--dynamics',
      '--out',
      out,
      ...TINY_TRAIN,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(join(out, 'model.onnx'));
    expect(readdirSync(out).sort()).toEqual([
      'checkpoint',
      'model.json',
      'model.onnx',
      'train-run.json',
      'train.jsonl',
    ]);
    const record = JSON.parse(readFileSync(join(out, 'train-run.json'), 'utf8'));
    expect(record).toMatchObject({
      format: 'icrl-train-record',
      status: 'done',
      request: {
        model: { kind: 'ad', dynamics: true, nLayer: 1, nEmbd: 16, nTransit: 20 },
        train: { steps: 20, batchSize: 8 },
      },
      result: { steps: 20, onnx: join(out, 'model.onnx') },
    });
    expect(record.result.backend).toMatch(/wasm|cpu|tensorflow/);
    expect(readFileSync(join(out, 'train.jsonl'), 'utf8').trim().split('\n')).toHaveLength(20);
    const again = await icrl([
      'train',
      '--data',
      data,
      '--model',
      'ad',
      '--dynamics',
      '--out',
      out,
      ...TINY_TRAIN,
    ]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('already complete');
    // Same directory, another run: refused, naming the differing fields.
    const other = await icrl([
      'train',
      '--data',
      data,
      '--model',
      'ad',
      '--out',
      out,
      ...TINY_TRAIN,
      '--lr',
      '0.001',
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('holds a different training run (differing: model.dynamics, train.lr)');
  });

  it('--init starts from a trained model with a fresh schedule; the run records it', async () => {
    const from = join(dir, 'dicp');
    const out = join(dir, 'dicp-more');
    const args = ['train', '--data', data, '--model', 'ad', '--dynamics', ...TINY_TRAIN, '--steps', '5'];
    const run = await icrl([...args, '--init', from, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const record = JSON.parse(readFileSync(join(out, 'train-run.json'), 'utf8'));
    expect(record.request.init).toEqual({ model: from, checkpoint: join(from, 'checkpoint') });
    const losses = (d: string) =>
      readFileSync(join(d, 'train.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { loss: number; lr: number });
    const more = losses(out);
    expect(more).toHaveLength(5);
    expect(more[0]!.lr).toBe(losses(from)[0]!.lr); // the schedule starts again at its peak
    // Started where the first run ended, not from random weights: its first loss is far below a fresh run's.
    expect(more[0]!.loss).toBeLessThan(losses(from)[0]!.loss * 0.6);
    const info = await icrl(['info', out]);
    expect(info.stdout).toContain(`weights started from ${from} (--init)`);
    // The same --out without --init is another run.
    const other = await icrl([...args, '--out', out]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('(differing: init)');
  });

  it('rejects bad input before writing anything', async () => {
    const bad = tempDir('train-bad');
    const notHdf5 = writeText(bad, 'h.h5', '{"not": "hdf5"}');
    const cases: [string[], number, string][] = [
      [['--data', join(bad, 'missing.h5')], 2, '--data'],
      [['--data', notHdf5], 3, 'is not an HDF5 file'],
      [['--data', data, '--lr', '-1'], 2, 'Invalid --lr: got -1; expected a finite number > 0.'],
      [
        ['--data', data, '--model', 'gpt'],
        2,
        'Invalid --model: got "gpt"; expected one of "ad", "dpt", "idt".',
      ],
      [['--data', data, '--context', '41'], 2, 'Invalid --context: got 41; expected at most 40'],
      [['--data', data, '--heads', '3'], 2, 'nHead'],
      [['--data', data, '--init', join(bad, 'nowhere')], 2, `--init ${join(bad, 'nowhere')} does not exist.`],
      [
        ['--data', data, '--init', join(dir, 'dicp')],
        2,
        `Invalid --init: ${join(dir, 'dicp')} is a different model (--dynamics false here, true there)`,
      ],
    ];
    const runs = await icrlAll(
      cases.map(([args]) => ['train', ...TINY_TRAIN, ...args, '--out', join(bad, 'out')]),
    );
    for (const [i, [args, code, message]] of cases.entries()) {
      expect(runs[i]!.stderr, args.join(' ')).toContain(message);
      expect(runs[i]!.code, args.join(' ')).toBe(code);
    }
    expect(existsSync(join(bad, 'out'))).toBe(false);
  });
});
