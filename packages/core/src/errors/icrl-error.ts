/** Base class of every error icrl throws on purpose; `name` is stable, so callers can branch on it. */
export class IcrlError extends Error {
  override name = 'IcrlError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
