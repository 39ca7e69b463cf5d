import { describe, expect, it } from 'vitest';
import { Progress } from './progress';

function capture(tty: boolean) {
  let text = '';
  const io = { out: { write: () => true }, err: { write: (s: string) => (text += s) }, tty };
  return { io, text: () => text };
}

describe('Progress', () => {
  it('prints one plain line per tenth of the work without a TTY', () => {
    const c = capture(false);
    const p = new Progress(c.io, 'train', 100, 'updates');
    for (let i = 1; i <= 100; i++) p.update(i);
    p.finish('done');
    const lines = c.text().trim().split('\n');
    expect(lines).toHaveLength(12); // the first step, each tenth, the summary
    expect(lines[0]).toMatch(/^train 1\/100 updates \(1%, 0s\)$/);
    expect(lines[9]).toMatch(/^train 90\/100 updates/);
    expect(lines[10]).toMatch(/^train 100\/100 updates \(100%/);
    expect(lines[11]).toMatch(/^train done \(\d+s\)$/);
    expect(c.text()).not.toContain('\r');
  });

  it('redraws one bar with an ETA on a TTY', () => {
    const c = capture(true);
    const p = new Progress(c.io, 'collect', 4, 'tasks');
    p.update(4);
    expect(c.text()).toBe(`\r\u001b[2K[${'#'.repeat(24)}] 100% collect 4/4 tasks eta 0s`);
  });
});
