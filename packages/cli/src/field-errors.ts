import { InvalidArgumentError } from '@icrl/core';
import { UsageError } from './usage-error';

/** Collects one message per bad field instead of stopping at the first, then throws them together. */
export class FieldErrors {
  private readonly problems: string[] = [];

  /** Runs a validator; an `InvalidArgumentError` (or `UsageError`) is recorded and `undefined` returned. */
  check<T>(validate: () => T): T | undefined {
    try {
      return validate();
    } catch (err) {
      if (err instanceof InvalidArgumentError) this.problems.push(err.message);
      else if (err instanceof UsageError) this.problems.push(...err.problems);
      else throw err;
      return undefined;
    }
  }

  add(problem: string): void {
    this.problems.push(problem);
  }

  get count(): number {
    return this.problems.length;
  }

  /** Throws one `UsageError` listing every problem, if there is any. */
  throwIfAny(): void {
    if (this.problems.length > 0) throw new UsageError(this.problems);
  }
}
