import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BackendName } from './backend';
import type { ModelConfig } from './config';
import type { WindowArrays } from './encoding';

// Data-parallel gradients over worker_threads. The main thread keeps the whole training loop (sampling, clip,
// AdamW, checkpoints); each worker owns a tfjs backend and a model replica, and per update it
//   1. copies the current weights from one shared Float32Array (written by the main thread),
//   2. runs forward/backward on its micro-batches (each with the dropout seed the main thread drew for it),
//   3. writes the *sum* of its micro-batch gradients into its own slice of a shared Float32Array.
// The main thread adds the slices in worker order and divides by the micro-batch count: the same update as one
// process looping over all micro-batches (the sums differ only in float association, ~1e-7 relative).
// Nothing but loss values and the windows cross postMessage; weights and gradients stay in SharedArrayBuffers.

/** Loss sums a worker returns (over its micro-batches, not yet averaged). */
export interface ShardLoss {
  total: number;
  action: number;
  reward: number | null;
  nextState: number | null;
}

/** One micro-batch of work: the windows and the seed of its dropout stream. */
export interface MicroBatch {
  readonly batch: WindowArrays;
  readonly seed: number;
}

/** Default worker count: the machine's cores when an update carries enough work to pay for the messages. */
export function defaultWorkers(tokensPerUpdate: number): number {
  return tokensPerUpdate >= 4096 ? Math.max(1, availableParallelism()) : 1;
}

/**
 * The worker entry: the built `train-worker.js` next to the bundle, or, when running from the .ts sources
 * (tsx, vitest), a bootstrap that registers tsx's loader inside the worker and imports `train-worker.ts`.
 */
function workerEntry(): { script: string | URL; eval: boolean; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.ts'))
    return { script: new URL('./train-worker.js', import.meta.url), eval: false, execArgv: [] };
  // The ESM build of tsx's API (require.resolve finds the CJS one, which cannot be imported).
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./train-worker.ts', import.meta.url).href;
  return {
    script: `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`,
    eval: true,
    execArgv: ['--conditions=@icrl/source'],
  };
}

export class GradientWorkers {
  private readonly weights: Float32Array;
  private readonly grads: Float32Array;
  private constructor(
    private readonly workers: Worker[],
    private readonly total: number,
    weightsSab: SharedArrayBuffer,
    gradsSab: SharedArrayBuffer,
  ) {
    this.weights = new Float32Array(weightsSab);
    this.grads = new Float32Array(gradsSab);
  }

  get count(): number {
    return this.workers.length;
  }

  /** Starts `n` workers, each building the model of `config` on `backend`; `total` = parameter count. */
  static async start(n: number, config: ModelConfig, backend: BackendName, total: number) {
    const weightsSab = new SharedArrayBuffer(total * 4);
    const gradsSab = new SharedArrayBuffer(n * total * 4);
    const entry = workerEntry();
    const workers: Worker[] = [];
    try {
      for (let i = 0; i < n; i++) {
        workers.push(
          new Worker(entry.script, {
            eval: entry.eval,
            execArgv: entry.execArgv,
            workerData: { config, backend, weightsSab, gradsSab, index: i, total },
          }),
        );
      }
      await Promise.all(workers.map((w) => once(w)));
    } catch (err) {
      for (const w of workers) void w.terminate();
      throw err;
    }
    return new GradientWorkers(workers, total, weightsSab, gradsSab);
  }

  /**
   * Gradients summed over all micro-batches (worker shards in order), with the summed losses. `weights` are
   * the current parameters flattened in `model.params.vars` order; `shards[i]` is worker i's work.
   */
  async run(
    weights: Float32Array,
    shards: MicroBatch[][],
  ): Promise<{ grads: Float32Array; losses: ShardLoss[] }> {
    this.weights.set(weights);
    const replies = shards.map((work, i) => {
      const w = this.workers[i]!;
      const reply = once(w) as Promise<ShardLoss>;
      w.postMessage(work);
      return reply;
    });
    const losses = await Promise.all(replies);
    const sum = this.grads.slice(0, this.total);
    for (let i = 1; i < shards.length; i++) {
      const part = this.grads.subarray(i * this.total, (i + 1) * this.total);
      for (let j = 0; j < this.total; j++) sum[j]! += part[j]!;
    }
    return { grads: sum, losses };
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The next message of a worker; rejects on its error or exit. */
function once(w: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
    };
    const onMessage = (m: { error?: string }) => {
      cleanup();
      if (m !== null && typeof m === 'object' && typeof m.error === 'string')
        reject(new Error(`training worker: ${m.error}`));
      else resolve(m);
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`training worker exited with code ${code}`));
    };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
  });
}
