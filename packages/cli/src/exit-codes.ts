import { InvalidArgumentError, InvalidFileError } from '@icrl/core';
import { UsageError } from './usage-error';

/** What `icrl` exits with (documented in the README). */
export const EXIT_CODES = {
  /** The command did what it was asked (or found it already done). */
  ok: 0,
  /** It failed while running: training diverged, out of memory, a bug. */
  failure: 1,
  /** Bad usage or input: unknown command or flag, invalid value, missing file, a run that does not match. */
  usage: 2,
  /** A file is corrupt, truncated or of another kind than expected (not HDF5, not an icrl results file, ...). */
  invalidFile: 3,
  /** Stopped by Ctrl-C (SIGINT); rerun the same command to resume. SIGTERM gives 143. */
  interrupted: 130,
} as const;

/** The exit code an error means. */
export function exitCodeFor(err: unknown): number {
  // An error that crossed from a training thread carries the code it meant there.
  if (err instanceof Error && err.name === 'TrainThreadError')
    return (err as Error & { exitCode: number }).exitCode;
  if (err instanceof InvalidFileError) return EXIT_CODES.invalidFile;
  if (err instanceof UsageError || err instanceof InvalidArgumentError) return EXIT_CODES.usage;
  return EXIT_CODES.failure;
}
