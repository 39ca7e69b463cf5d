import { describe, expect, it } from 'vitest';
import { ENV_PRESET_NAMES, makeEnvFamily } from './presets';

describe('makeEnvFamily', () => {
  it('builds every preset under its own id', () => {
    for (const name of ENV_PRESET_NAMES) expect(makeEnvFamily(name).id).toBe(name);
  });

  it('applies validated overrides', () => {
    expect(makeEnvFamily('darkroom', { size: 5 }).numTasks).toBe(25);
    expect(() => makeEnvFamily('darkroom', { size: 1 })).toThrow(/Invalid darkroom\.size: got 1/);
    expect(() => makeEnvFamily('darkroom', { sise: 5 } as Record<string, unknown>)).toThrow(
      /Invalid darkroom\.sise: got 5; expected no such field/,
    );
  });

  it('rejects an unknown preset, listing the accepted ones', () => {
    expect(() => makeEnvFamily('darkrom')).toThrow(
      'Invalid preset: got "darkrom"; expected one of darkroom, darkroom-hard, darkroom-dpt, dark-key-to-door, darkroom-permuted, bernoulli-bandit, adversarial-bandit.',
    );
  });
});
