import { describe, expect, it } from 'vitest';
import { runAdDarkroom } from './pipeline';

describe('AD on Darkroom, tiny budget', () => {
  it('collects, trains (the loss falls) and evaluates on the 8 held-out goals', async () => {
    const r = await runAdDarkroom({ goals: 2, steps: 30, episodes: 3, runs: 1 });
    expect(r.transitions).toBe(2 * 10 * 400);
    expect(r.log.map((e) => e.step)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(r.log.every((e) => Number.isFinite(e.loss) && e.backend === 'wasm')).toBe(true);
    // Training works: the loss of the last 5 updates is well below the first update's (uniform policy: ln 5 = 1.61).
    const last5 = r.log.slice(-5).reduce((s, e) => s + e.loss, 0) / 5;
    expect(last5).toBeLessThan(r.log[0]!.loss - 0.3);
    for (const result of [r.ad, r.random, r.oracle]) {
      expect(result.tasks).toEqual([38, 51, 62, 65, 33, 5, 53, 49]); // DICP's held-out goals, split seed 0
      expect(result.returns).toHaveLength(8);
      expect(result.mean).toHaveLength(3);
    }
    const optimum = r.oracle.maxReturn!;
    expect(r.oracle.mean.every((m) => Math.abs(m - optimum) < 1e-9)).toBe(true);
    for (const m of [...r.ad.mean, ...r.random.mean]) {
      expect(m).toBeGreaterThanOrEqual(0);
      expect(m).toBeLessThanOrEqual(optimum);
    }
  });
});
