// Training-step speed of the transformer on the backend this machine picks (tensorflow → wasm → cpu), for
//   - the DICP Darkroom model: DICP-AD, 4 layers, d 32, 4 heads, MLP 128, 80 transitions (+ the query-action
//     token = 81 tokens), batch 512 as accumulated micro-batches;
//   - a 4-layer d 64, 240-token, batch-32 AD model (the toolchain probe's shape).
// Each figure is the median ms per optimizer update (window sampling included) after one warm-up update.
// Run: pnpm --filter @icrl/transformer bench   (ICRL_BENCH_STEPS=5 for more timed updates; ICRL_BACKEND=cpu)

import { createDarkroom } from '@icrl/envs';
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

async function measure(label: string, model: Record<string, unknown>, batchSize: number) {
  const log: TrainLogEntry[] = [];
  const result = await train({
    source,
    backend,
    model,
    train: { steps: 1000, batchSize, checkpointEvery: 0 },
    stopAfter: STEPS + 1,
    onLog: (e) => log.push(e),
  });
  result.model.dispose();
  const ms = log
    .slice(1)
    .map((e) => e.ms)
    .sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  const tokens = (log[1]!.tokensPerS * log[1]!.ms) / 1000;
  console.log(
    `${label}: ${median.toFixed(0)} ms/step (${ms.map((m) => m.toFixed(0)).join(', ')}), ${tokens} tokens/step`,
  );
  return { median, tokensPerS: (tokens / median) * 1000 };
}

console.log(`backend: ${backend}; ${STEPS} timed updates after 1 warm-up each`);
const dicp = await measure(
  'DICP Darkroom (DICP-AD, L4 d32 H4 MLP128, 80 transitions, batch 512)',
  { dynamics: true, nLayer: 4, nEmbd: 32, nHead: 4, nInner: 128, nTransit: 80 },
  512,
);
const big = await measure(
  'AD L4 d64 H4 MLP256, 240 tokens, batch 32',
  { nLayer: 4, nEmbd: 64, nHead: 4, nInner: 256, nTransit: 240 },
  32,
);

console.log('');
console.log(`| model | tfjs (${backend}) ms/step | PyTorch 1.13, 2 threads, same machine class |`);
console.log('| --- | --- | --- |');
console.log(`| DICP Darkroom, batch 512 | ${dicp.median.toFixed(0)} | about 900–1,200 |`);
console.log(`| d64 / T240 / B32 | ${big.median.toFixed(0)} | 615 |`);
console.log('');
console.log(`metric transformer.train_ms.dicp_darkroom ${dicp.median.toFixed(1)} ms`);
console.log(`metric transformer.train_ms.d64_t240_b32 ${big.median.toFixed(1)} ms`);
console.log(`metric transformer.tokens_per_s.dicp_darkroom ${dicp.tokensPerS.toFixed(0)} tokens/s`);
