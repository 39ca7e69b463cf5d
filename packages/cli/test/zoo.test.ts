import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listZooModels } from '@icrl/zoo';
import { describe, expect, it } from 'vitest';
import { icrl } from './helpers';

describe('icrl zoo and --model zoo:', () => {
  it('zoo list shows every model with its held-out results', async () => {
    const r = await icrl(['zoo', 'list']);
    expect(r.code).toBe(0);
    for (const m of listZooModels()) expect(r.stdout).toContain(`zoo:${m.name}`);
    expect(r.stdout).toMatch(/checksums verified/);
  });

  it('evaluates a zoo model by name (tiny budget)', { timeout: 120_000 }, async () => {
    const m = listZooModels()[0]!;
    const out = join(mkdtempSync(join(tmpdir(), 'icrl-zoo-')), 'eval.json');
    const r = await icrl([
      'eval',
      '--model',
      `zoo:${m.name}`,
      '--episodes',
      '2',
      '--runs',
      '1',
      '--out',
      out,
    ]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it('an unknown zoo name, an unknown action and a zoo model on another env: exit 2, nothing written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'icrl-zoo-'));
    const out = join(dir, 'eval.json');
    const unknown = await icrl(['eval', '--model', 'zoo:darkroom/nope', '--out', out]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Invalid --model: .*expected one of zoo:/);
    const action = await icrl(['zoo', 'show']);
    expect(action.code).toBe(2);
    expect(action.stderr).toMatch(/expected list/);
    const m = listZooModels()[0]!;
    const other = m.env === 'darkroom' ? 'dark-key-to-door' : 'darkroom';
    const wrongEnv = await icrl(['eval', '--model', `zoo:${m.name}`, '--env', other, '--out', out]);
    expect(wrongEnv.code).toBe(2);
    expect(wrongEnv.stderr).toMatch(/trained on/);
    expect(existsSync(out)).toBe(false);
  });
});
