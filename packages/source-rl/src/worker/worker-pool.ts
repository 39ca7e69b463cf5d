import { Worker } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './protocol';
import { deserializeError } from './protocol';

// The worker script sits next to this module: the built .js/.cjs, or, when running from the TypeScript
// sources (tests, tsx scripts in the workspace), the .ts file, which a small bootstrap loads through tsx's
// loader with the workspace's source condition.
function startWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) {
    return new Worker(new URL(here.endsWith('.cjs') ? './learner-worker.cjs' : './learner-worker.js', here));
  }
  // import.meta.resolve (Node >= 20.6) finds tsx's ESM entry from here; runners without it (vitest) fall back
  // to the bare specifier, resolved from the working directory.
  const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
  const tsxApi = typeof resolve === 'function' ? resolve('tsx/esm/api') : 'tsx/esm/api';
  const entry = new URL('./learner-worker.ts', here).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, execArgv: ['--conditions=@icrl/source'] });
}

/**
 * A few worker threads, each answering one request at a time (request/reply in order). Tasks are independent,
 * so spreading them over threads changes nothing in their results.
 */
export class WorkerPool {
  private readonly workers: Worker[];
  private readonly pending: ({ resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | null)[];

  constructor(count: number) {
    this.workers = [];
    this.pending = [];
    for (let i = 0; i < count; i++) {
      const worker = startWorker();
      worker.on('message', (reply: WorkerReply) => this.settle(i, reply, null));
      worker.on('error', (error: Error) => this.settle(i, null, error));
      worker.on('exit', (code) => {
        if (this.pending[i]) this.settle(i, null, new Error(`learner worker ${i} exited with code ${code}`));
      });
      this.workers.push(worker);
      this.pending.push(null);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  private settle(i: number, reply: WorkerReply | null, error: Error | null): void {
    const p = this.pending[i];
    if (!p) return;
    this.pending[i] = null;
    if (error) p.reject(error);
    else if (reply?.error) p.reject(deserializeError(reply.error));
    else p.resolve(reply!);
  }

  /** Sends one request to worker i and resolves with its reply (rejects with the error it reports). */
  request(i: number, msg: WorkerRequest): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.pending[i] = { resolve, reject };
      this.workers[i]!.postMessage(msg);
    });
  }

  /** Sends requests to all workers and waits for every reply (rejecting with the first error, after all settle). */
  async all(msgs: readonly WorkerRequest[]): Promise<WorkerReply[]> {
    const settled = await Promise.allSettled(msgs.map((m, i) => this.request(i, m)));
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return settled.map((s) => (s as PromiseFulfilledResult<WorkerReply>).value);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
