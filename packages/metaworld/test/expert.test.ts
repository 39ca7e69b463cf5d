import { describe, expect, it } from 'vitest';
import { METAWORLD_TASK_NAMES, type MetaworldTaskName, metaworldMl1 } from '../src/index';
import { ASSETS_DIR } from './fixtures';

// Meta-World's scripted experts on the 50 ML1 seed-0 train variations (= MT1 seed 0), 500-step cap, as the
// spec's §3.5 table ran them. Native MuJoCo 3.14 with the v3 weld reaches 50/50/50/50/40; with the v2 weld
// (MuJoCo 2 settings on MuJoCo 3) push, pick-place and peg fail entirely. All 50 variations run here, each
// batch stopping once every variation has succeeded (peg-insert-side always runs the full 500 steps).

const REQUIRED: Record<MetaworldTaskName, number> = {
  reach: 50,
  push: 50,
  'pick-place': 50,
  sweep: 45,
  'peg-insert-side': 35,
};

async function expertSuccesses(task: MetaworldTaskName, weld: 'v3' | 'v2', maxSteps = 500) {
  const family = await metaworldMl1(task, { assetsDir: ASSETS_DIR, horizon: 500, weld });
  const env = family.make(family.split().train);
  env.reset();
  const firstSuccess = new Int32Array(env.numEnvs).fill(-1);
  const actions = new Float32Array(4 * env.numEnvs);
  for (let t = 1; t <= maxSteps && firstSuccess.includes(-1); t++) {
    env.step(env.optimalActions(actions));
    const s = env.successes();
    for (let i = 0; i < env.numEnvs; i++) if (s[i] && firstSuccess[i]! < 0) firstSuccess[i] = t;
  }
  env.close();
  family.dispose();
  const steps = Array.from(firstSuccess)
    .filter((t) => t > 0)
    .sort((a, b) => a - b);
  return {
    count: steps.length,
    median: steps[steps.length >> 1] ?? -1,
    within100: steps.filter((t) => t <= 100).length,
  };
}

describe('scripted experts (50 variations, 500 steps)', () => {
  it.each(METAWORLD_TASK_NAMES)('%s succeeds as often as on native MuJoCo 3', async (task) => {
    const { count, median, within100 } = await expertSuccesses(task, 'v3');
    console.log(`${task}: ${count}/50 succeed (median step ${median}; ${within100}/50 within 100 steps)`);
    expect(count).toBeGreaterThanOrEqual(REQUIRED[task]);
  });

  it('fails at push with the v2 weld (why the v3 setting is the default)', async () => {
    const { count } = await expertSuccesses('push', 'v2', 150);
    expect(count).toBeLessThan(5);
  });
});
