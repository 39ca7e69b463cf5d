import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** An append-only JSONL event log (one object per line, each stamped with the time), for machines and post-mortems. */
export class JsonlLog {
  constructor(readonly path: string) {}

  write(event: string, fields: Record<string, unknown> = {}): void {
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
  }
}
