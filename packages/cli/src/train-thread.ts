import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { EXIT_CODES, exitCodeFor } from './exit-codes';
import type { Io } from './io';

// `icrl run` trains AD and DICP-AD at the same time, one worker thread each (TensorFlow.js runs one update at a
// time per thread, and the quick budget's updates are too small for data parallelism to pay: 1.2–1.4× on 2
// threads, against ~2× for two jobs side by side). Threads, not child processes: a killed `icrl run` takes its
// trainers with it, so a rerun never races an orphan for the same checkpoint directory.

/** What a training thread is asked to do: `resolveTrainJob`'s input. */
export type TrainThreadInput = Parameters<typeof import('./commands/train').resolveTrainJob>[0];

/** A failure inside a training thread, with the exit code it means there. */
export class TrainThreadError extends Error {
  override name = 'TrainThreadError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

function entry(): { script: string | URL; eval: boolean; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.ts'))
    return { script: new URL('./train-thread.js', import.meta.url), eval: false, execArgv: [] };
  // From the TypeScript sources (tests, tsx): register tsx's loader inside the thread first.
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  return {
    script: `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(pathToFileURL(self).href)}); });`,
    eval: true,
    execArgv: ['--conditions=@icrl/source'],
  };
}

type Message =
  | { stream: 'out' | 'err'; text: string }
  | { ok: true }
  | { ok: false; message: string; exitCode: number };

/** Trains one model in a worker thread; resolves when its run is complete, rejects with its error. */
export function trainInThread(input: TrainThreadInput, io: Io): Promise<void> {
  const e = entry();
  const worker = new Worker(e.script, { eval: e.eval, execArgv: e.execArgv, workerData: { input } });
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: Message) => {
      if ('text' in m) {
        (m.stream === 'out' ? io.out : io.err).write(m.text);
        return;
      }
      settled = true;
      if (m.ok) resolve();
      else reject(new TrainThreadError(m.message, m.exitCode));
    });
    worker.on('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.on('exit', (code) => {
      if (!settled)
        reject(new TrainThreadError(`the training thread exited with code ${code}`, EXIT_CODES.failure));
    });
  });
}

async function threadMain(input: TrainThreadInput): Promise<void> {
  const { resolveTrainJob, runTrainJob, trainState } = await import('./commands/train');
  // Output goes to the main thread as messages, at once (a thread's own process.stderr is flushed only when its
  // event loop runs, which a training loop rarely lets it do); plain lines: two threads cannot share one bar.
  const post = (stream: 'out' | 'err') => ({
    write: (text: string) => parentPort!.postMessage({ stream, text } satisfies Message),
  });
  const io: Io = { out: post('out'), err: post('err'), tty: false };
  try {
    const { job, reader } = await resolveTrainJob(input);
    if (trainState(job) === 'done') await reader.close();
    else await runTrainJob(job, reader, io);
    parentPort!.postMessage({ ok: true } satisfies Message);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    parentPort!.postMessage({ ok: false, message, exitCode: exitCodeFor(err) } satisfies Message);
  }
}

if (parentPort !== null && (workerData as { input?: TrainThreadInput } | null)?.input !== undefined) {
  void threadMain((workerData as { input: TrainThreadInput }).input);
}
