// The measured phases of history.bench.ts. The bench bundles this file and runs each phase in a fresh
// plain-Node process, as compiled code runs in production: no tsx loader (which holds a transformed copy of
// h5wasm's 4 MB module, ~600 MB of RSS), and each phase's memory is its own.
//
//   node phases.js write PATH TASKS   → {"seconds", "appendSeconds", "bytes"}
//   node phases.js read PATH          → {"seconds", "bytes", "openSeconds", "tasks"}
//   node phases.js sample PATH        → {"windowsPerS", "batches", "seconds", "peakRssMb", "cached"}
import { readFileSync } from 'node:fs';
import { HISTORY_SCHEMA_VERSION, type HistoryMeta, type TransitionBatch } from '@icrl/core';
import { HistoryReader, HistoryWriter, WindowSampler } from '../src/index';
import { BATCH, BYTES_PER_TRANSITION, STEPS, STREAMS, WINDOW } from './bench-phases-constants';

const APPEND_STEPS = 100;

const meta: HistoryMeta = {
  schemaVersion: HISTORY_SCHEMA_VERSION,
  envId: 'darkroom',
  envConfig: { size: 9, horizon: 20 },
  observationSpace: { kind: 'box', shape: [2], low: 0, high: 8, dtype: 'int32' },
  actionSpace: { kind: 'discrete', n: 5 },
  source: { algorithm: 'ppo', settings: { nSteps: 20 } },
  streams: STREAMS,
  subsample: 1,
  seed: 0,
};

/** A Darkroom-like batch of 100 steps × 100 streams (episodes of 20 steps). */
function batch(seed: number): TransitionBatch {
  const n = APPEND_STEPS * STREAMS;
  const states = new Int32Array(2 * n).map((_, i) => (i * 7 + seed) % 9);
  return {
    length: APPEND_STEPS,
    states,
    nextStates: states.map((v) => (v + 1) % 9),
    actions: new Int32Array(n).map((_, i) => (i + seed) % 5),
    rewards: new Float32Array(n).map((_, i) => ((i + seed) % 17 === 0 ? 1 : 0)),
    dones: new Uint8Array(n).map((_, i) => (Math.floor(i / STREAMS) % 20 === 19 ? 1 : 0)),
  };
}

/** Peak RSS of this process: VmHWM (reset at exec, unlike getrusage's maxrss) or the largest polled RSS. */
function peakRss(polled: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Math.max(polled, Number(match[1]) * 1024);
  } catch {
    // not Linux
  }
  return polled;
}

async function write(path: string, tasks: number): Promise<object> {
  const templates = [batch(0), batch(1), batch(2)];
  const writer = new HistoryWriter(path);
  const t0 = performance.now();
  await writer.open(meta);
  for (let k = 0; k < tasks; k++) {
    writer.beginTask({
      task: { familyId: 'darkroom', index: k, params: { goal: [k % 9, Math.floor(k / 9) % 9] } },
      split: 'train',
      seed: k,
    });
    for (let t = 0; t < STEPS; t += APPEND_STEPS) writer.append(k, templates[(k + t) % 3]!);
    writer.endTask(k, { episodeReturns: [0, 0.5, 1] });
  }
  const t1 = performance.now();
  await writer.close();
  const t2 = performance.now();
  return {
    seconds: (t2 - t0) / 1000,
    appendSeconds: (t1 - t0) / 1000,
    bytes: tasks * STREAMS * STEPS * BYTES_PER_TRANSITION,
  };
}

async function read(path: string): Promise<object> {
  // Every task whole, straight from the file (cacheBytes 0: nothing kept in memory).
  const opened = performance.now();
  const reader = await HistoryReader.open(path, { cacheBytes: 0 });
  const openSeconds = (performance.now() - opened) / 1000;
  const t0 = performance.now();
  let checksum = 0;
  for (const k of reader.taskIndices) checksum += reader.readTask(k).states[k % 100]!;
  const seconds = (performance.now() - t0) / 1000;
  const bytes = reader.payloadBytes;
  const tasks = reader.taskIndices.length;
  reader.close();
  return { seconds, bytes, checksum, openSeconds, tasks };
}

async function sample(path: string): Promise<object> {
  const reader = await HistoryReader.open(path);
  const sampler = new WindowSampler(reader, { length: WINDOW, batchSize: BATCH, seed: 0 });
  sampler.next(); // warm-up: HDF5 metadata caches, wasm heap
  let polled = process.memoryUsage().rss;
  const started = performance.now();
  let batches = 0;
  while (batches < 10 || (performance.now() - started < 15_000 && batches < 300)) {
    sampler.next();
    batches++;
    polled = Math.max(polled, process.memoryUsage().rss);
  }
  const seconds = (performance.now() - started) / 1000;
  const result = {
    windowsPerS: (batches * BATCH) / seconds,
    batches,
    seconds,
    peakRssMb: peakRss(polled) / 1e6,
    cached: reader.payloadBytes <= 512 << 20,
    payloadMb: reader.payloadBytes / 1e6,
  };
  reader.close();
  return result;
}

const [mode, path, tasks] = process.argv.slice(2);
const result =
  mode === 'write'
    ? await write(path!, Number(tasks))
    : mode === 'read'
      ? await read(path!)
      : mode === 'sample'
        ? await sample(path!)
        : null;
if (result === null) throw new Error(`unknown mode ${mode}; expected write, read or sample`);
process.stdout.write(`${JSON.stringify(result)}\n`);
