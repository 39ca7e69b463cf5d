import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import type { ADModel } from '../src/index';
import { dynamicsAccuracy, heldOutCurve, trainSmall } from './learning-setting';

// The CI learning test for DICP-AD: AD's setting with `dynamics: true` (reasons in learning-setting.ts).
it('DICP-AD improves in context on held-out goals and predicts their rewards and next states', {
  timeout: 600_000,
}, async () => {
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  const run = await trainSmall(true, 3500); // the dynamics losses slow the policy down: AD's 1,500 are not enough
  const trainSeconds = (performance.now() - t0) / 1000;
  const model = run.model as ADModel;
  const curve = await heldOutCurve(model);
  const acc = dynamicsAccuracy(model);
  const last = run.log.at(-1)!;
  console.log(
    `DICP-AD: ${run.backend}, ${trainSeconds.toFixed(0)} s for ${run.step} updates (final loss ${last.loss.toFixed(3)}: ` +
      `action ${last.actionLoss.toFixed(3)}, reward ${last.rewardLoss?.toFixed(3)}, next state ${last.nextStateLoss?.toFixed(3)}); ` +
      `held-out return per episode ${curve.model.mean.map((m) => m.toFixed(2)).join(' ')}, random ${curve.random.mean.map((m) => m.toFixed(2)).join(' ')}; ` +
      `held-out reward accuracy ${acc.rewardAccuracy.toFixed(3)} (chance ${acc.rewardChance.toFixed(3)}, recall of rewarded steps ${acc.rewardRecall.toFixed(3)}), ` +
      `next-state accuracy ${acc.nextStateAccuracy.toFixed(3)} (chance ${acc.nextStateChance.toFixed(3)})`,
  );
  expect(curve.last).toBeGreaterThan(curve.first + 1);
  expect(curve.last).toBeGreaterThan(curve.randomMean + 1.5);
  expect(acc.nextStateAccuracy).toBeGreaterThan(acc.nextStateChance + 0.5);
  expect(acc.rewardAccuracy).toBeGreaterThan(acc.rewardChance + 0.03);
  expect(acc.rewardRecall).toBeGreaterThan(0.5);
  run.model.dispose();
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});
