import {
  type GridStart,
  mergeOverrides,
  parseActionOrder,
  parseHorizon,
  parseSize,
  parseStart,
  startToJson,
} from './grid-config';
import { createGridFamily, type GridFamily } from './grid-family';
import { IDENTITY_ACTION_ORDER } from './grid-moves';

// Dark Key-to-Door (AD; DICP `gw/env/dark_key_to_door.py`): Darkroom with two hidden cells. The key pays 1 the
// first time the agent steps on it; after that the door (goal) pays 1 the first time. Whether the key is held
// is not observed, so the task is a POMDP and in-context memory has to carry it.

/** Parameters of a Key-to-Door task: the hidden key and door cells (they may coincide). */
export type DarkKeyToDoorTaskParams = {
  readonly key: readonly [number, number];
  readonly goal: readonly [number, number];
};

/** Everything that defines a Dark Key-to-Door MDP. */
export interface DarkKeyToDoorConfig {
  /** Side length of the grid, in [2, 32] (tasks: `size ** 4`, at most 2^20). */
  readonly size: number;
  /** Steps per episode; the last one is truncated. */
  readonly horizon: number;
  /** Start cell or mode (see `GridStart`). */
  readonly start: GridStart;
  /** Base move of each agent action (see `DarkroomConfig.actionOrder`). */
  readonly actionOrder: readonly number[];
}

/** The AD/DICP Dark Key-to-Door: 9x9, 50 steps, centre start, 6561 key/door pairs. */
export const DARK_KEY_TO_DOOR_CONFIG: DarkKeyToDoorConfig = Object.freeze({
  size: 9,
  horizon: 50,
  start: 'center',
  actionOrder: IDENTITY_ACTION_ORDER,
});

const ID = 'dark-key-to-door';

/**
 * Dark Key-to-Door, id `dark-key-to-door` (`DARK_KEY_TO_DOOR_CONFIG`, any field overridable). Tasks are all
 * (key, door) pairs in the DICP order, index `((kx * size + ky) * size + gx) * size + gy`; split 6233/328
 * (ratio 0.95) with DICP's seed 4. Reward, exactly as the reference: stepping on the key while not holding it
 * pays 1 and picks it up; *else* stepping on the door while holding the key pays 1, once. So a door under the
 * key needs a second step on that cell. Max return 2. `optimalAction` needs `hidden.hasKey`.
 *
 * @example
 * const family = darkKeyToDoor();
 * const env = family.make(family.tasks(), { autoReset: 'same-step' }); // all 6561 tasks at once
 * env.reset({ seed: 0 });
 * let total = 0;
 * for (let t = 0; t < family.horizon; t++) total += env.step(env.optimalActions()).rewards.reduce((a, b) => a + b);
 * total; // 13122: the oracle earns 2 in every task
 */
export function darkKeyToDoor(
  overrides: Partial<DarkKeyToDoorConfig> = {},
): GridFamily<DarkKeyToDoorTaskParams> {
  const c = mergeOverrides(ID, { ...DARK_KEY_TO_DOOR_CONFIG }, overrides);
  const size = parseSize(ID, c.size, 32);
  const horizon = parseHorizon(ID, c.horizon);
  const start = parseStart(ID, c.start, size);
  const actionOrder = parseActionOrder(ID, c.actionOrder);
  return createGridFamily<DarkKeyToDoorTaskParams>({
    id: ID,
    config: { size, horizon, start: startToJson(start), actionOrder },
    size,
    horizon,
    start,
    rewardRule: 'key-then-goal',
    numTasks: size ** 4,
    defaultTrainRatio: 0.95,
    defaultSplitSeed: 4,
    params: (i) => {
      const gy = i % size;
      const gx = Math.floor(i / size) % size;
      const ky = Math.floor(i / size ** 2) % size;
      const kx = Math.floor(i / size ** 3);
      return { key: [kx, ky], goal: [gx, gy] };
    },
    layout: (params) => ({ goal: params.goal, key: params.key, actionMap: actionOrder }),
  });
}
