import { IcrlError } from '@icrl/core';

/**
 * The command line is wrong: an unknown flag, a missing or invalid value, a missing input file. Carries one
 * message per bad field, so a config file with three typos reports all three at once. Exit code 2.
 */
export class UsageError extends IcrlError {
  override name = 'UsageError';
  /** One sentence per problem. */
  readonly problems: readonly string[];

  constructor(problems: string | readonly string[], options?: { cause?: unknown }) {
    const list = typeof problems === 'string' ? [problems] : [...problems];
    super(list.join('\n'), options);
    this.problems = list;
  }
}
