import { describe, expect, it } from 'vitest';
import { darkKeyToDoor } from './dark-key-to-door';
import { renderTrajectorySvg } from './render-svg';

/** Tag names of a (simple) XML document in order, checking that every opened element is closed. */
function checkBalanced(xml: string): string[] {
  const stack: string[] = [];
  const seen: string[] = [];
  for (const [, close, name, , selfClose] of xml.matchAll(
    /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g,
  )) {
    if (close) {
      expect(stack.pop()).toBe(name);
    } else {
      seen.push(name!);
      if (!selfClose) stack.push(name!);
    }
  }
  expect(stack).toEqual([]);
  return seen;
}

describe('renderTrajectorySvg', () => {
  const svg = renderTrajectorySvg({
    size: 9,
    path: [
      [4, 4],
      [5, 4],
      [5, 5],
    ],
    goal: [5, 5],
    key: [5, 4],
    title: 'Key & door <test>',
  });

  it('is a standalone, balanced SVG document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const tags = checkBalanced(svg);
    expect(tags.filter((t) => t === 'svg').length).toBe(1);
    // every character outside tags is text, with markup characters escaped
    expect(svg.replace(/<[^>]*>/g, '')).not.toMatch(/[<>]|&(?!#\d+;)/);
  });

  it('draws the grid, goal and key cells, the path with start and end markers, and the title', () => {
    expect(svg).toContain('<title>Key &#38; door &#60;test&#62;</title>');
    // cell (x, y) has its centre at (8 + 32x + 16, 28 + 32(8 - y) + 16)
    expect(svg).toContain('<polyline points="152,172 184,172 184,140"');
    expect(svg).toContain('<circle cx="152" cy="172"');
    expect(svg).toContain('<circle cx="184" cy="140" r="8" fill="#3060c0"/>');
    expect(svg).toMatch(/<rect x="168" y="124" width="32" height="32" fill="#8fd18f"\/>/); // goal (5, 5)
    expect(svg).toMatch(/<rect x="168" y="156" width="32" height="32" fill="#f2cf5b"\/>/); // key (5, 4)
  });

  it('renders an episode recorded from an env', () => {
    const family = darkKeyToDoor();
    const task = family.task(((2 * 9 + 6) * 9 + 7) * 9 + 1);
    const env = family.make(task);
    const path: [number, number][] = [[...env.reset()] as [number, number]];
    for (let t = 0; t < family.horizon; t++) {
      const { obs } = env.step(env.optimalActions());
      path.push([obs[0]!, obs[1]!]);
    }
    const out = renderTrajectorySvg({ size: 9, path, goal: env.goalPosition(0), key: env.keyPosition(0)! });
    checkBalanced(out);
    expect(out).toContain('<title>Trajectory of 50 steps on a 9x9 grid</title>');
  });

  it('validates its input', () => {
    expect(() => renderTrajectorySvg({ size: 3, path: [] })).toThrow(
      'Invalid path: got []; expected a non-empty array',
    );
    expect(() => renderTrajectorySvg({ size: 3, path: [[0, 3]] })).toThrow('Invalid path[0]: got [0,3]');
    expect(() => renderTrajectorySvg({ size: 3, path: [[0, 0]], cellSize: 2 })).toThrow(
      'Invalid cellSize: got 2',
    );
  });
});
