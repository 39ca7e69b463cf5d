import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Meta-World's assets and the golden fixtures recorded from its Python code live outside the repository
// (../shared/metaworld beside the checkout); METAWORLD_ASSETS points the tests at another copy.

const here = dirname(fileURLToPath(import.meta.url));

/** Meta-World's physics-only assets folder. */
export const ASSETS_DIR = resolve(
  process.env.METAWORLD_ASSETS ?? join(here, '../../../../shared/metaworld/assets'),
);

/** The golden fixtures recorded from Meta-World's Python code (beside the assets). */
export const FIXTURES_DIR = join(dirname(ASSETS_DIR), 'fixtures');

/** Reads a fixture, failing with a message that says where it was expected. */
export function readFixture<T>(name: string): T {
  const path = join(FIXTURES_DIR, name);
  if (!existsSync(path)) {
    throw new Error(
      `Meta-World fixture ${path} is missing; set METAWORLD_ASSETS to the assets folder beside it`,
    );
  }
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** One recorded step of fixtures/state-replay.json. */
export interface ReplayRecord {
  a: number[];
  prev: number[];
  obs: number[];
  r: number;
  s: number;
  qpos: number[];
  qvel: number[];
  mp: number[];
  mq: number[];
  bodypos_box: number[] | null;
}

/** One task of fixtures/state-replay.json. */
export interface ReplayTask {
  rand_vec: number[];
  internals: {
    obj_init_pos: number[];
    _target_pos: number[];
    init_tcp: number[];
    init_left_pad: number[];
    init_right_pad: number[];
    peg_head_pos_init: number[] | null;
    hand_init_pos: number[];
  };
  recs: ReplayRecord[];
}

/** fixtures/trajectories-v3weld.json. */
export interface TrajectoryFixture {
  actions: number[][];
  mujoco: string;
  tasks: Record<string, { obs: number[][]; rew: number[]; succ: number[] }>;
}
