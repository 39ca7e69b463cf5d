import { InvalidArgumentError, requireInteger } from '@icrl/core';
import type { GridCell } from './grid-config';
import { requireGridCell } from './render-ascii';

/** One trajectory to draw with `renderTrajectorySvg`. */
export interface TrajectorySvgOptions {
  /** Side length of the grid. */
  readonly size: number;
  /** Agent cells in order, the start first (e.g. the observations of one episode). At least one. */
  readonly path: readonly GridCell[];
  /** Goal (door) cell to shade. */
  readonly goal?: GridCell;
  /** Key cell to shade (Key-to-Door). */
  readonly key?: GridCell;
  /** Heading drawn above the grid and stored as the SVG `<title>`. */
  readonly title?: string;
  /** Pixels per cell. Default 32. */
  readonly cellSize?: number;
}

const MARGIN = 8;
const HEADER = 28;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Draws one gridworld trajectory as a standalone SVG document: the grid, the goal (green) and key (gold) cells,
 * the path as a polyline through cell centres, a hollow circle at the start and a filled one at the end, and a
 * title. Orientation as in `renderGridAscii`: y grows upwards.
 *
 * @example
 * import { writeFileSync } from 'node:fs';
 * writeFileSync('episode.svg', renderTrajectorySvg({ size: 9, path: [[4, 4], [5, 4], [5, 5]], goal: [5, 5] }));
 */
export function renderTrajectorySvg(options: TrajectorySvgOptions): string {
  const size = requireInteger('size', options.size, { min: 1, max: 4096 });
  const cell = requireInteger('cellSize', options.cellSize ?? 32, { min: 4, max: 256 });
  if (!Array.isArray(options.path) || options.path.length === 0) {
    throw new InvalidArgumentError('path', options.path, 'a non-empty array of [x, y] cells');
  }
  const path = options.path.map((c, k) => requireGridCell(`path[${k}]`, c, size));
  const title = options.title ?? `Trajectory of ${path.length - 1} steps on a ${size}x${size} grid`;
  if (typeof title !== 'string') throw new InvalidArgumentError('title', title, 'a string');

  const side = size * cell;
  const width = side + 2 * MARGIN;
  const height = side + MARGIN + HEADER;
  // Cell (x, y) has its top-left corner at (left(x), top(y)); y = 0 is the bottom row.
  const left = (x: number) => MARGIN + x * cell;
  const top = (y: number) => HEADER + (size - 1 - y) * cell;
  const centre = ([x, y]: GridCell) => `${left(x) + cell / 2},${top(y) + cell / 2}`;
  const shade = (c: GridCell, fill: string, label: string) => {
    const [x, y] = c;
    return [
      `  <rect x="${left(x)}" y="${top(y)}" width="${cell}" height="${cell}" fill="${fill}"/>`,
      `  <text x="${left(x) + cell / 2}" y="${top(y) + cell / 2}" font-size="${cell / 2}" text-anchor="middle" dominant-baseline="central" fill="#333">${label}</text>`,
    ];
  };

  let lines = '';
  for (let k = 0; k <= size; k++) {
    lines += `M${left(k)},${HEADER}V${HEADER + side}M${MARGIN},${HEADER + k * cell}H${MARGIN + side}`;
  }
  const [sx, sy] = centre(path[0]!).split(',');
  const [ex, ey] = centre(path[path.length - 1]!).split(',');
  const r = cell / 4;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `  <title>${escapeXml(title)}</title>`,
    `  <rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `  <text x="${MARGIN}" y="${HEADER / 2 + 4}" font-family="sans-serif" font-size="14" fill="#222">${escapeXml(title)}</text>`,
    ...(options.key !== undefined ? shade(requireGridCell('key', options.key, size), '#f2cf5b', 'K') : []),
    ...(options.goal !== undefined ? shade(requireGridCell('goal', options.goal, size), '#8fd18f', 'G') : []),
    `  <path d="${lines}" stroke="#bbbbbb" stroke-width="1" fill="none"/>`,
    `  <polyline points="${path.map(centre).join(' ')}" fill="none" stroke="#3060c0" stroke-width="${Math.max(1, cell / 10)}" stroke-linejoin="round" stroke-linecap="round"/>`,
    `  <circle cx="${sx}" cy="${sy}" r="${r}" fill="#ffffff" stroke="#3060c0" stroke-width="2"/>`,
    `  <circle cx="${ex}" cy="${ey}" r="${r}" fill="#3060c0"/>`,
    '</svg>',
  ];
  return `${out.join('\n')}\n`;
}
