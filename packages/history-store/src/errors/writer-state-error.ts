import { IcrlError } from '@icrl/core';

/**
 * A `HistoryWriter` method was called out of order: `append` before `open`, `close` with a task still
 * being written, anything after `close`. The message says what to call instead.
 */
export class WriterStateError extends IcrlError {
  override name = 'WriterStateError';
}
