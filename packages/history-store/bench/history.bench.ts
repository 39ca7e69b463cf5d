// Benchmark of @icrl/history-store on a Darkroom-shaped history of 1e8 transitions: 1000 tasks × 100
// streams × 1000 steps; int32 states/next_states (T, 100, 2), int32 actions and rewards, uint8 dones —
// 25 bytes per transition, 2.5 GB. Prints write MB/s (append + close), read MB/s (every task, whole),
// windows/s for batches of 512 windows × 80 steps, and peak RSS while sampling, each phase measured in its
// own plain-Node process (see bench-phases.ts). The file lives in the OS temp dir and is deleted at the end.
//
//   pnpm --filter @icrl/history-store bench                    # 1e8 transitions
//   ICRL_BENCH_TRANSITIONS=1e7 pnpm --filter @icrl/history-store bench   # scaled down (printed as such)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BATCH, BYTES_PER_TRANSITION, STEPS, STREAMS, WINDOW } from './bench-phases-constants';

/** Bundles bench-phases.ts (with h5wasm) into one ESM file that plain Node runs. */
async function bundlePhases(outDir: string): Promise<string> {
  const { build } = await import('tsup');
  await build({
    entry: { phases: fileURLToPath(new URL('./bench-phases.ts', import.meta.url)) },
    outDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    noExternal: [/.*/],
    splitting: false,
    silent: true,
    config: false,
    esbuildOptions(options) {
      options.conditions = ['@icrl/source'];
    },
  });
  // tsup names ESM output .js in a "type": "module" package, .mjs elsewhere.
  const name = readdirSync(outDir).find((f) => /^phases\.m?js$/.test(f));
  if (name === undefined) throw new Error(`tsup produced no bundle in ${outDir}`);
  return join(outDir, name);
}

function runPhase<T>(bundle: string, args: string[]): T {
  const run = spawnSync(process.execPath, [bundle, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (run.status !== 0) throw new Error(`bench phase ${args[0]} failed (exit ${run.status}):\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as T;
}

const mb = (bytes: number) => bytes / 1e6;
const fmt = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const requested = Number(process.env.ICRL_BENCH_TRANSITIONS ?? 1e8);
const dir = mkdtempSync(join(tmpdir(), 'icrl-history-bench-'));
try {
  const fs = statfsSync(dir);
  // At close() the staged raw data and the HDF5 file coexist: about twice the payload, plus headroom.
  const affordable = Math.floor((fs.bavail * fs.bsize * 0.8) / (2.2 * BYTES_PER_TRANSITION));
  const tasks = Math.max(1, Math.round(Math.min(requested, affordable) / (STREAMS * STEPS)));
  const total = tasks * STREAMS * STEPS;
  const scaled = total !== 1e8;
  const path = join(dir, 'histories.h5');
  console.log(
    `history-store bench: ${fmt(total)} transitions (${tasks} tasks × ${STREAMS} streams × ${STEPS} steps, ${fmt(mb(total * BYTES_PER_TRANSITION))} MB payload)${scaled ? ` — SCALED from 1e8 (requested ${requested}, disk allows ${fmt(affordable)})` : ''}`,
  );
  const bundle = await bundlePhases(join(dir, 'bundle'));
  const w = runPhase<{ seconds: number; appendSeconds: number; bytes: number }>(bundle, [
    'write',
    path,
    String(tasks),
  ]);
  const r = runPhase<{
    seconds: number;
    bytes: number;
    checksum: number;
    openSeconds: number;
    tasks: number;
  }>(bundle, ['read', path]);
  const s = runPhase<{
    windowsPerS: number;
    batches: number;
    seconds: number;
    peakRssMb: number;
    cached: boolean;
  }>(bundle, ['sample', path]);
  const writeMbPerS = mb(w.bytes) / w.seconds;
  const readMbPerS = mb(r.bytes) / r.seconds;

  console.log('');
  console.log('| measure | value | notes |');
  console.log('|---|---|---|');
  console.log(
    `| write | ${fmt(writeMbPerS)} MB/s | ${fmt(w.seconds, 1)} s = append ${fmt(w.appendSeconds, 1)} s (streamed to raw staging files, ${fmt(mb(w.bytes) / w.appendSeconds)} MB/s) + close ${fmt(w.seconds - w.appendSeconds, 1)} s (HDF5 file built, one stream per chunk) |`,
  );
  console.log(
    `| open | ${fmt(r.openSeconds, 2)} s | HistoryReader.open of ${fmt(r.tasks)} task groups (attributes and layouts of every task) |`,
  );
  console.log(
    `| read | ${fmt(readMbPerS)} MB/s | every task whole (readTask), cacheBytes 0, page cache warm |`,
  );
  console.log(
    `| sample | ${fmt(s.windowsPerS)} windows/s | ${s.batches} batches of ${BATCH} windows × ${WINDOW} steps in ${fmt(s.seconds, 1)} s, ${s.cached ? 'from memory (file fits cacheBytes)' : 'straight from the file: one HDF5 read per field per window'} |`,
  );
  console.log(`| sample RSS | ${fmt(s.peakRssMb)} MB | peak RSS (VmHWM) of the sampling process |`);
  console.log('');
  console.log(
    'reference: goal RSS while sampling < 1500 MB; h5wasm alone reads ≈1500 MB/s and writes ≈1000 MB/s here (toolchain.md §6).',
  );
  if (scaled) console.log(`note: scaled run (${fmt(total)} transitions), not 1e8.`);
  console.log(`metric history.write_mb_per_s ${writeMbPerS.toFixed(1)} MB/s`);
  console.log(`metric history.open_s ${r.openSeconds.toFixed(2)} s`);
  console.log(`metric history.read_mb_per_s ${readMbPerS.toFixed(1)} MB/s`);
  console.log(`metric history.windows_per_s ${s.windowsPerS.toFixed(0)} windows/s`);
  console.log(`metric history.sample_rss_mb ${s.peakRssMb.toFixed(0)} MB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
