// A data-parallel training worker (see data-parallel.ts): a model replica on its own tfjs backend that turns
// micro-batches into summed gradients in a SharedArrayBuffer.
import { parentPort, workerData } from 'node:worker_threads';
import { Rng } from '@icrl/core';
import * as tf from '@tensorflow/tfjs-core';
import type { LossTerms } from './ad';
import { type BackendName, initBackend } from './backend';
import { createModel } from './checkpoint';
import type { ModelConfig } from './config';
import type { MicroBatch, ShardLoss } from './data-parallel';

const data = workerData as {
  config: ModelConfig;
  backend: BackendName;
  weightsSab: SharedArrayBuffer;
  gradsSab: SharedArrayBuffer;
  index: number;
  total: number;
};
const port = parentPort!;

async function main(): Promise<void> {
  await initBackend(data.backend);
  const model = createModel(data.config);
  const vars = [...model.params.vars.values()];
  const weights = new Float32Array(data.weightsSab);
  const out = new Float32Array(data.gradsSab, data.index * data.total * 4, data.total);
  port.on('message', (work: MicroBatch[]) => {
    try {
      let o = 0;
      for (const v of vars) {
        tf.tidy(() => v.assign(tf.tensor(weights.slice(o, o + v.size), v.shape)));
        o += v.size;
      }
      out.fill(0);
      const loss: ShardLoss = { total: 0, action: 0, reward: null, nextState: null };
      for (const { batch, seed } of work) {
        let values: LossTerms | null = null;
        const { grads, value } = tf.variableGrads(() => {
          values = model.loss(batch, new Rng(seed));
          for (const t of [values.action, values.reward, values.nextState]) if (t !== undefined) tf.keep(t);
          return values.total;
        }, vars);
        const v = values as unknown as LossTerms;
        loss.total += value.dataSync()[0]!;
        loss.action += v.action.dataSync()[0]!;
        if (v.reward) loss.reward = (loss.reward ?? 0) + v.reward.dataSync()[0]!;
        if (v.nextState) loss.nextState = (loss.nextState ?? 0) + v.nextState.dataSync()[0]!;
        tf.dispose([value, v.action, v.reward, v.nextState].filter((t) => t !== undefined) as tf.Tensor[]);
        let p = 0;
        for (const variable of vars) {
          const g = grads[variable.name]!;
          const d = g.dataSync() as Float32Array;
          for (let j = 0; j < d.length; j++) out[p + j]! += d[j]!;
          p += variable.size;
          g.dispose();
        }
      }
      port.postMessage(loss);
    } catch (err) {
      port.postMessage({ error: (err as Error).stack ?? String(err) });
    }
  });
  port.postMessage({ ready: true });
}

// No top-level await: the CJS build of this entry cannot have it.
main().catch((err: unknown) => {
  port.postMessage({ error: (err as Error).stack ?? String(err) });
});
