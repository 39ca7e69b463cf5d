import { InvalidArgumentError, requireInteger } from '@icrl/core';
import type { GridCell } from './grid-config';

/** What to draw of one gridworld state: plain data, so states from stored histories render too. */
export interface GridRenderState {
  /** Side length of the grid. */
  readonly size: number;
  /** The agent's cell `[x, y]`. */
  readonly agent: GridCell;
  /** The goal (door) cell, if it should be shown. */
  readonly goal?: GridCell;
  /** The key cell (Key-to-Door), if it should be shown. */
  readonly key?: GridCell;
  /** Whether the key is held; a held key is no longer drawn on its cell. */
  readonly hasKey?: boolean;
  /** Cells visited so far, drawn as `*`. */
  readonly visited?: readonly GridCell[];
}

/** Checks that `cell` is `[x, y]` inside the grid; shared by the renderers. */
export function requireGridCell(field: string, cell: unknown, size: number): GridCell {
  const ok =
    Array.isArray(cell) &&
    cell.length === 2 &&
    cell.every((v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < size);
  if (!ok) throw new InvalidArgumentError(field, cell, `[x, y] with x and y integers in [0, ${size - 1}]`);
  return cell as unknown as GridCell;
}

/**
 * Renders a gridworld state as text for a terminal: one row per y, the top row is y = size - 1 (so action
 * `y+1` moves up) and x grows to the right. `A` agent, `G` goal, `K` key not yet held, `*` visited, `.` empty;
 * the agent hides whatever lies under it.
 *
 * @example
 * renderGridAscii({ size: 3, agent: [1, 1], goal: [2, 2] });
 * // ". . G\n. A .\n. . ."
 */
export function renderGridAscii(state: GridRenderState): string {
  const size = requireInteger('size', state.size, { min: 1, max: 4096 });
  const grid = Array.from({ length: size }, () => new Array<string>(size).fill('.'));
  const put = (field: string, cell: unknown, ch: string) => {
    const [x, y] = requireGridCell(field, cell, size);
    grid[size - 1 - y]![x] = ch;
  };
  state.visited?.forEach((cell, k) => {
    put(`visited[${k}]`, cell, '*');
  });
  if (state.key !== undefined && !state.hasKey) put('key', state.key, 'K');
  if (state.goal !== undefined) put('goal', state.goal, 'G');
  put('agent', state.agent, 'A');
  return grid.map((row) => row.join(' ')).join('\n');
}
