import { describe, expect, it } from 'vitest';
import { ToyEnv } from '../test/toy-env';
import { checkEnv, EnvContractError } from './check-env';

describe('checkEnv', () => {
  for (const mode of ['disabled', 'next-step', 'same-step'] as const) {
    it(`passes a correct env in '${mode}' mode`, () => {
      expect(() => checkEnv(() => new ToyEnv(3, 4, mode))).not.toThrow();
    });
  }

  it('catches an env that accepts out-of-range actions', () => {
    expect(() => checkEnv(() => new ToyEnv(3, 4, 'disabled', { skipActionChecks: true }))).toThrow(
      EnvContractError,
    );
    expect(() => checkEnv(() => new ToyEnv(3, 4, 'disabled', { skipActionChecks: true }))).toThrow(
      /action -1 was not rejected/,
    );
  });

  it('catches an env that ignores its seed', () => {
    expect(() => checkEnv(() => new ToyEnv(16, 4, 'same-step', { nondeterministic: true }))).toThrow(
      /diverged|differ/,
    );
  });
});
