/** Where a command writes: results and summaries to `out`, progress and errors to `err`. */
export interface Io {
  readonly out: { write(text: string): unknown };
  readonly err: { write(text: string): unknown };
  /** Draw progress bars (an interactive terminal, not CI); otherwise plain progress lines. */
  readonly tty: boolean;
}

/** The process's streams; bars only on a TTY and never under CI=true. */
export function processIo(): Io {
  const ci = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
  return { out: process.stdout, err: process.stderr, tty: Boolean(process.stderr.isTTY) && !ci };
}
