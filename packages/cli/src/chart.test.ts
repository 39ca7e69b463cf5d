import { describe, expect, it } from 'vitest';
import { renderSvg, svgToPng } from './chart';
import type { MethodResult } from './results';

function method(name: string, mean: number[]): MethodResult {
  return {
    name,
    role: 'baseline',
    planner: null,
    backend: null,
    agent: name,
    envId: 'darkroom',
    envConfig: {},
    tasks: [1, 2],
    runsPerTask: 1,
    episodes: mean.length,
    seed: 0,
    returns: [mean, mean],
    mean,
    ci95: mean.map(() => 0.5),
    maxReturn: null,
    envSteps: 0,
    wallSeconds: 0,
  };
}

describe('chart', () => {
  it('draws one line and one band per method, with a legend naming each, and renders it to PNG', async () => {
    const svg = await renderSvg(
      [method('alpha-agent', [1, 2, 3]), method('beta-agent', [0, 0, 1])],
      'My title',
    );
    expect(svg).toMatch(/^<svg[^>]+width="\d+"/);
    for (const text of ['My title', 'alpha-agent', 'beta-agent', 'in-context episode'])
      expect(svg).toContain(`>${text}</text>`);
    expect(svg.match(/<path[^>]*stroke-width="2"/g)?.length).toBe(2);
    const png = await svgToPng(svg);
    expect(Buffer.from(png.subarray(1, 4)).toString('latin1')).toBe('PNG');
    expect(png.length).toBeGreaterThan(10_000);
  });
});
