import type { Io } from './io';

const BAR_WIDTH = 24;
const REDRAW_MS = 100;

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Progress of one stage: a redrawn bar with ETA on a terminal; in CI or a pipe, one plain line per tenth of
 * the work (and at the end), so logs stay short and greppable.
 */
export class Progress {
  private readonly started = performance.now();
  private lastDraw = 0;
  private lastDecile = -1;
  private finished = false;

  constructor(
    private readonly io: Io,
    private readonly label: string,
    private readonly total: number,
    private readonly unit: string,
  ) {}

  update(done: number, detail = ''): void {
    if (this.finished) return;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const elapsed = (performance.now() - this.started) / 1000;
    const text = `${this.label} ${done}/${this.total} ${this.unit}${detail ? ` ${detail}` : ''}`;
    if (this.io.tty) {
      const now = performance.now();
      if (now - this.lastDraw < REDRAW_MS && fraction < 1) return;
      this.lastDraw = now;
      const filled = Math.round(fraction * BAR_WIDTH);
      const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : Number.NaN;
      const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
      this.io.err.write(
        `\r\x1b[2K${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${text} eta ${formatSeconds(eta)}`,
      );
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile === this.lastDecile) return;
    this.lastDecile = decile;
    this.io.err.write(`${text} (${(fraction * 100).toFixed(0)}%, ${formatSeconds(elapsed)})\n`);
  }

  /** Ends the bar with a summary line. */
  finish(summary: string): void {
    if (this.finished) return;
    this.finished = true;
    const elapsed = (performance.now() - this.started) / 1000;
    this.io.err.write(
      `${this.io.tty ? '\r\x1b[2K' : ''}${this.label} ${summary} (${formatSeconds(elapsed)})\n`,
    );
  }
}
