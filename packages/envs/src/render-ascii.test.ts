import { describe, expect, it } from 'vitest';
import { renderGridAscii } from './render-ascii';

describe('renderGridAscii', () => {
  it('draws y upwards and x to the right', () => {
    expect(renderGridAscii({ size: 3, agent: [1, 1], goal: [2, 2] })).toBe('. . G\n. A .\n. . .');
    expect(renderGridAscii({ size: 3, agent: [0, 0], goal: [2, 0] })).toBe('. . .\n. . .\nA . G');
  });

  it('shows the key until it is held, visited cells, and the agent above everything', () => {
    const state = {
      size: 4,
      agent: [1, 0],
      goal: [3, 3],
      key: [0, 2],
      visited: [
        [0, 0],
        [1, 0],
        [2, 0],
      ],
    } as const;
    expect(renderGridAscii(state)).toBe('. . . G\nK . . .\n. . . .\n* A * .');
    expect(renderGridAscii({ ...state, hasKey: true })).toBe('. . . G\n. . . .\n. . . .\n* A * .');
    expect(renderGridAscii({ size: 2, agent: [1, 1], goal: [1, 1] })).toBe('. A\n. .');
  });

  it('rejects cells off the grid, naming the field', () => {
    expect(() => renderGridAscii({ size: 3, agent: [3, 0] })).toThrow(
      'Invalid agent: got [3,0]; expected [x, y] with x and y integers in [0, 2].',
    );
    expect(() =>
      renderGridAscii({
        size: 3,
        agent: [0, 0],
        visited: [
          [0, 0],
          [1, -1],
        ],
      }),
    ).toThrow('Invalid visited[1]: got [1,-1]');
    expect(() => renderGridAscii({ size: 0, agent: [0, 0] })).toThrow('Invalid size: got 0');
  });
});
