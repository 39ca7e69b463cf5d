import { IcrlError } from './icrl-error';

/** A file is corrupt, truncated, of a foreign format or of an unsupported schema version. */
export class InvalidFileError extends IcrlError {
  override name = 'InvalidFileError';
  /** Path of the offending file. */
  readonly path: string;
  /** What is wrong with it, in one sentence. */
  readonly reason: string;

  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`Cannot use ${path}: ${reason}`, options);
    this.path = path;
    this.reason = reason;
  }
}
