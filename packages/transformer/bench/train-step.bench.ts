// Training-step speed of the transformer on the backend this machine picks (tensorflow → wasm → cpu), for
//   - the DICP Darkroom model: DICP-AD, 4 layers, d 32, 4 heads, MLP 128, 80 transitions (+ the query-action
//     token = 81 tokens), batch 512 as accumulated micro-batches;
//   - a 4-layer d 64, 240-token, batch-32 AD model (the toolchain probe's shape).
// Each figure is the median ms per optimizer update (window sampling included) after one warm-up update, with
// 1 worker (this thread) and with the default worker count (data-parallel worker_threads, one per core).
// Run: pnpm --filter @icrl/transformer bench   (ICRL_BENCH_STEPS=5 for more timed updates; ICRL_BACKEND=cpu)

import { createDarkroom } from '@icrl/envs';
import { defaultWorkers } from '../src/data-parallel';
import { type BackendPreference, initBackend, type TrainLogEntry, train } from '../src/index';
import { noisyOracleHistories } from '../test/helpers';

const STEPS = Number(process.env.ICRL_BENCH_STEPS ?? 3);
const backend = await initBackend((process.env.ICRL_BACKEND as BackendPreference | undefined) ?? 'auto');

const family = createDarkroom({}, { id: 'darkroom' });
const source = noisyOracleHistories({
  family,
  tasks: family.split().train,
  streams: 4,
  episodes: 15,
  seed: 0,
});

const PYTORCH_D64_MS = 615; // PyTorch 1.13 CPU, 2 threads, this machine class (toolchain.md §3)
const N = defaultWorkers(1e9); // the default worker count of a large update: the machine's cores

async function measure(label: string, model: Record<string, unknown>, batchSize: number, workers: number) {
  const log: TrainLogEntry[] = [];
  const result = await train({
    source,
    backend,
    model,
    train: { steps: 1000, batchSize, checkpointEvery: 0 },
    stopAfter: STEPS + 1,
    workers,
    onLog: (e) => log.push(e),
  });
  result.model.dispose();
  const ms = log
    .slice(1)
    .map((e) => e.ms)
    .sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  const tokens = Math.round((log[1]!.tokensPerS * log[1]!.ms) / 1000);
  const tokensPerS = (tokens / median) * 1000;
  console.log(
    `${label}, ${workers} worker(s): ${median.toFixed(0)} ms/step (${ms.map((m) => m.toFixed(0)).join(', ')}), ${tokens} tokens/step, ${tokensPerS.toFixed(0)} tokens/s`,
  );
  return { median, tokensPerS };
}

console.log(`backend: ${backend}; ${STEPS} timed updates after 1 warm-up each; N = ${N} workers (cores)`);
const DICP = { dynamics: true, nLayer: 4, nEmbd: 32, nHead: 4, nInner: 128, nTransit: 80 };
const D64 = { nLayer: 4, nEmbd: 64, nHead: 4, nInner: 256, nTransit: 240 };
const dicpLabel = 'DICP Darkroom (DICP-AD, L4 d32 H4 MLP128, 80 transitions, batch 512)';
const d64Label = 'AD L4 d64 H4 MLP256, 240 tokens, batch 32';
const dicp1 = await measure(dicpLabel, DICP, 512, 1);
const dicpN = N > 1 ? await measure(dicpLabel, DICP, 512, N) : dicp1;
const big1 = await measure(d64Label, D64, 32, 1);
const bigN = N > 1 ? await measure(d64Label, D64, 32, N) : big1;

const ratio = (ms: number) => (PYTORCH_D64_MS / ms).toFixed(2);
console.log('');
console.log(
  `| model | tfjs (${backend}) 1 worker ms/step | ${N} workers ms/step | tokens/s (${N} workers) | PyTorch 1.13, 2 threads |`,
);
console.log('| --- | --- | --- | --- | --- |');
console.log(
  `| DICP Darkroom, batch 512 | ${dicp1.median.toFixed(0)} | ${dicpN.median.toFixed(0)} | ${dicpN.tokensPerS.toFixed(0)} | about 900–1,200 |`,
);
console.log(
  `| d64 / T240 / B32 | ${big1.median.toFixed(0)} | ${bigN.median.toFixed(0)} | ${bigN.tokensPerS.toFixed(0)} | ${PYTORCH_D64_MS} |`,
);
console.log('');
console.log(
  `throughput vs PyTorch (d64/T240/B32): ${ratio(big1.median)}x with 1 worker, ${ratio(bigN.median)}x with ${N} workers`,
);
console.log(`metric transformer.train_ms.dicp_darkroom ${dicpN.median.toFixed(1)} ms`);
console.log(`metric transformer.train_ms.d64_t240_b32 ${bigN.median.toFixed(1)} ms`);
console.log(`metric transformer.tokens_per_s.dicp_darkroom ${dicpN.tokensPerS.toFixed(0)} tokens/s`);
console.log(`metric transformer.train_ms.d64_t240_b32.workers1 ${big1.median.toFixed(1)} ms`);
console.log(`metric transformer.train_ms.dicp_darkroom.workers1 ${dicp1.median.toFixed(1)} ms`);
