import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import type { ADModel } from '../src/index';
import { heldOutCurve, trainSmall } from './learning-setting';

// The CI learning test for AD (setting and reasons in learning-setting.ts).
it('AD trained in CI on Darkroom histories improves in context on held-out goals', {
  timeout: 600_000,
}, async () => {
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  const run = await trainSmall(false);
  const trainSeconds = (performance.now() - t0) / 1000;
  const curve = await heldOutCurve(run.model as ADModel);
  console.log(
    `AD: ${run.backend}, ${trainSeconds.toFixed(0)} s for ${run.step} updates (final loss ${run.log.at(-1)!.loss.toFixed(3)}); ` +
      `held-out return per episode ${curve.model.mean.map((m) => m.toFixed(2)).join(' ')} ` +
      `(±${Math.max(...curve.model.ci95).toFixed(2)} 95% CI), random ${curve.random.mean.map((m) => m.toFixed(2)).join(' ')}, ` +
      `optimum ${curve.model.maxReturn?.toFixed(2)}`,
  );
  expect(run.backend).toBe('wasm');
  // In-context improvement: the last episodes clearly beat the first ones and a random agent.
  expect(curve.last).toBeGreaterThan(curve.first + 1);
  expect(curve.last).toBeGreaterThan(curve.randomMean + 1.5);
  run.model.dispose();
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});
