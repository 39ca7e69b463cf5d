import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/helpers';
import { type CommandSpec, formatHelp, parseCommand } from './options';
import { UsageError } from './usage-error';

const spec: CommandSpec = {
  name: 'demo',
  summary: 'A demo command.',
  usage: 'icrl demo --out <file>',
  positionals: { name: '<file>', doc: 'an input', min: 0, max: 1 },
  options: [
    { flag: 'out', key: 'out', type: 'string', arg: '<file>', required: true, doc: 'output' },
    { flag: 'steps', key: 'steps', type: 'integer', min: 1, doc: 'steps' },
    { flag: 'lr', key: 'lr', type: 'number', min: 0, exclusiveMin: true, doc: 'rate' },
    { flag: 'shift', key: 'shift', type: 'number', doc: 'any number' },
    { flag: 'workers', key: 'workers', type: 'integer', min: 0, auto: true, doc: 'threads' },
    { flag: 'kind', key: 'kind', type: 'string', choices: ['a', 'b'], doc: 'kind' },
    { flag: 'fast', key: 'fast', type: 'boolean', doc: 'go fast' },
  ],
  configOnly: [{ key: 'extra', doc: 'anything' }],
  examples: ['icrl demo --out x'],
};

function problems(argv: string[]): readonly string[] {
  try {
    parseCommand(spec, argv);
  } catch (err) {
    if (err instanceof UsageError) return err.problems;
    throw err;
  }
  throw new Error('expected a UsageError');
}

describe('parseCommand', () => {
  it('converts flags, takes negative numbers as values, and returns null for --help', () => {
    const p = parseCommand(spec, [
      'in.h5',
      '--out',
      'o',
      '--steps',
      '3',
      '--lr',
      '1e-3',
      '--shift',
      '-2',
      '--workers',
      'auto',
      '--fast',
    ]);
    expect(p).toEqual({
      values: { out: 'o', steps: 3, lr: 0.001, shift: -2, workers: 'auto', fast: true },
      positionals: ['in.h5'],
      configOnly: {},
      configPath: null,
    });
    expect(parseCommand(spec, ['--steps', 'x', '--help'])).toBeNull();
  });

  it('reads JSON and YAML configs under the flags and lists every bad field', () => {
    const dir = tempDir('options');
    const yaml = join(dir, 'c.yaml');
    writeFileSync(yaml, 'out: from-config\nsteps: 5\nkind: b\nextra: { a: 1 }\n');
    expect(parseCommand(spec, ['--config', yaml, '--steps', '7'])?.values).toEqual({
      out: 'from-config',
      steps: 7,
      kind: 'b',
    });
    expect(parseCommand(spec, ['--config', yaml])?.configOnly).toEqual({ extra: { a: 1 } });
    const json = join(dir, 'c.json');
    writeFileSync(json, JSON.stringify({ steps: 0, lr: 'fast', kind: 'c', colour: 1 }));
    expect(problems(['--config', json])).toEqual([
      'Invalid config.colour: no such option for icrl demo; accepted keys are out, steps, lr, shift, workers, kind, fast, extra.',
      'Missing --out <file>: output.',
      'Invalid config.steps: got 0; expected an integer >= 1.',
      'Invalid config.lr: got "fast"; expected a finite number > 0.',
      'Invalid config.kind: got "c"; expected one of "a", "b".',
    ]);
    writeFileSync(json, '[1, 2]');
    expect(() => parseCommand(spec, ['--config', json, '--out', 'o'])).toThrow('must hold a mapping');
  });

  it('rejects unknown flags, bad values and extra positionals', () => {
    expect(problems(['--out', 'o', '--nope'])[0]).toMatch(
      /^Unknown option --nope for icrl demo; accepted: --out, --steps/,
    );
    expect(problems(['--out', 'o', '--steps', '2.5', '--workers', 'many'])).toEqual([
      'Invalid --steps: got "2.5"; expected an integer >= 1.',
      'Invalid --workers: got "many"; expected an integer >= 0 or "auto".',
    ]);
    expect(problems(['a', 'b', '--out', 'o'])).toEqual([
      'Too many arguments: icrl demo takes at most 1 <file> (got 2).',
    ]);
  });

  it('formats help with every option, its default and the examples', () => {
    const help = formatHelp(spec);
    expect(help).toContain('Usage: icrl demo --out <file>');
    expect(help).toContain('--kind <value>');
    expect(help).toContain('one of a, b');
    expect(help).toContain('--config <file>');
    expect(help).toContain('Config-file only keys:');
  });
});
