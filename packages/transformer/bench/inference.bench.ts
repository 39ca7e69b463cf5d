// Per-step latency of an in-context rollout (act + observe through the InContextAgent interface), batch 1 and
// batch 8 (the 8 Darkroom test tasks), for: tfjs full re-encode (TransformerAgent), ORT full re-encode
// (OrtAgent kvCache: false) and ORT with the KV cache (OrtAgent). Model: AD, 4 layers, d 64, 4 heads, MLP 256,
// nTransit 240 (239 context tokens + the query = 240 tokens, the toolchain probe's shape), random init —
// latency does not depend on the weights. Observations are random valid Darkroom states (latency does not
// depend on the env either).
//   - `inference.step_ms.*`: median ms per step with a full window (steady state: 239 context tokens), the
//     regime of long evaluations. The KV cache re-encodes once the window slides (exact semantics, see
//     src/kv-cache.ts), so there it matches ORT re-encode.
//   - `inference.fill_step_ms.*`: mean ms per step over the first 239 steps (window growing): the cache
//     appends one token per step.
//   - `inference.step_ms.ort_ring_*`: the opt-in ring-buffer cache (slide: 'ring'), O(1) model work per step
//     but approximate for nLayer > 1 (not TransformerAgent's behaviour; see src/kv-cache.ts).
//   - `inference.query_ms.ort_kv_*`: one extra query over a cached full window without appending (what a
//     planner pays per branch off a shared prefix).
//   - every b1 step metric is printed with its ratio to PyTorch 1.13 re-encoding the same 240 tokens (5.9 ms,
//     toolchain.md §4, 2 threads on the same 2-core machine class); the goal is ort_kv_b1 ≥ 3× faster.
// Run: pnpm --filter @icrl/transformer exec tsx --conditions=@icrl/source bench/inference.bench.ts
// (ICRL_BENCH_STEPS=N timed steady-state steps per ORT case, default 30; ICRL_BENCH_THREADS=N intra-op
// threads, default 1 — 2 also disables spinning, see OnnxSessionOptions. With 1, the b1 steps are measured
// again with 2 spinning threads, the threads PyTorch's figure had: `*_b1_2threads`.)

import { Rng, type SpaceArray } from '@icrl/core';
import { createDarkroom } from '@icrl/envs';
import { ADModel, initBackend, OrtAgent, OrtModel, resolveModelConfig, TransformerAgent } from '../src/index';

const STEPS = Number(process.env.ICRL_BENCH_STEPS ?? 30);
const THREADS = Number(process.env.ICRL_BENCH_THREADS ?? 1);
const PYTORCH_B1_MS = 5.9;
const backend = await initBackend('wasm');
const family = createDarkroom({}, { id: 'darkroom' });
const config = resolveModelConfig({
  envId: family.id,
  observationSpace: family.observationSpace,
  actionSpace: family.actionSpace,
  nLayer: 4,
  nEmbd: 64,
  nHead: 4,
  nInner: 256,
  nTransit: 240,
});
const W = config.nTransit - 1;
const model = new ADModel(config);
const ort = await OrtModel.fromModel(model, { intraOpNumThreads: THREADS });
const rng = new Rng(1);

type Agent = {
  reset(n: number): void;
  act(obs: SpaceArray): SpaceArray | Promise<SpaceArray>;
  observe(t: never): void;
};

function randomObs(n: number): Int32Array {
  return new Int32Array(2 * n).map(() => Math.floor(rng.float() * 9));
}

async function step(agent: Agent, n: number): Promise<number> {
  const obs = randomObs(n);
  const t0 = performance.now();
  const actions = await agent.act(obs);
  agent.observe({
    obs,
    actions,
    rewards: new Float32Array(n),
    nextObs: randomObs(n),
    terminated: new Uint8Array(n),
    truncated: new Uint8Array(n),
  } as never);
  return performance.now() - t0;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// The fastest tenth: on a shared machine, the closest to an unloaded step (printed beside the median).
const p10 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 10)]!;
const stats = (xs: number[]) => `median of ${xs.length}, p10 ${p10(xs).toFixed(3)}`;

/** Median ms per step with a full window (after pre-filling it and 3 warm-up steps). */
async function steady(agent: Agent, n: number, steps: number): Promise<number[]> {
  agent.reset(n);
  const obs = randomObs(n);
  for (let i = 0; i < W; i++) {
    agent.observe({
      obs,
      actions: new Int32Array(n),
      rewards: new Float32Array(n),
      nextObs: obs,
      terminated: new Uint8Array(n),
      truncated: new Uint8Array(n),
    } as never);
  }
  for (let i = 0; i < 3; i++) await step(agent, n);
  const ms: number[] = [];
  for (let i = 0; i < steps; i++) ms.push(await step(agent, n));
  return ms;
}

async function fill(agent: Agent, n: number): Promise<number> {
  agent.reset(n);
  let total = 0;
  for (let i = 0; i < W; i++) total += await step(agent, n);
  return total / W;
}

const lines: string[] = [];
const metric = (name: string, v: number, note = '') => {
  const vsTorch =
    name.startsWith('inference.step_ms.') && (name.endsWith('_b1') || name.endsWith('_b1_2threads'))
      ? `; speed-up vs PyTorch re-encoding (${PYTORCH_B1_MS} ms): ${(PYTORCH_B1_MS / v).toFixed(2)}x`
      : '';
  const line = `metric ${name} ${v.toFixed(3)}  # ${note}${vsTorch}`;
  lines.push(line);
  console.log(line);
};

console.log(
  `tfjs backend: ${backend}; model AD L4 d64 H4 MLP256, window ${W} + query; steady steps ${STEPS}; ORT intra-op threads ${THREADS}`,
);
for (const n of [1, 8]) {
  const tfAgent = new TransformerAgent(model);
  const reencode = new OrtAgent(ort, { kvCache: false });
  const kv = new OrtAgent(ort);
  const tfSteps = n === 1 ? 8 : 3;
  const tfMs = await steady(tfAgent as unknown as Agent, n, tfSteps);
  metric(`inference.step_ms.tfjs_b${n}`, median(tfMs), stats(tfMs));
  const o = await steady(reencode as unknown as Agent, n, STEPS);
  metric(`inference.step_ms.ort_b${n}`, median(o), stats(o));
  const k = await steady(kv as unknown as Agent, n, STEPS);
  metric(`inference.step_ms.ort_kv_b${n}`, median(k), `${stats(k)}; full window re-encodes (exact)`);
  const ring = new OrtAgent(ort, { slide: 'ring' });
  const r = await steady(ring as unknown as Agent, n, STEPS);
  metric(`inference.step_ms.ort_ring_b${n}`, median(r), `${stats(r)}; approximate for nLayer > 1`);
  metric(
    `inference.fill_step_ms.ort_b${n}`,
    await fill(reencode as unknown as Agent, n),
    `mean over ${W} steps`,
  );
  metric(
    `inference.fill_step_ms.ort_kv_b${n}`,
    await fill(kv as unknown as Agent, n),
    `mean over ${W} steps`,
  );
  // A query over a full cached window without appending (planner branch).
  const cache = ort.cache(n);
  await cache.step(new Float32Array(n * W * ort.shape.contextSize), W, { queryStates: new BigInt64Array(n) });
  const q: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    await cache.fork().step(new Float32Array(0), 0, { queryStates: new BigInt64Array(n) });
    q.push(performance.now() - t0);
  }
  metric(`inference.query_ms.ort_kv_b${n}`, median(q), `${stats(q)}; 1 query token over ${W} cached`);
}
// PyTorch's figure is with 2 threads (OpenMP, spinning): the same two cores for onnxruntime, spinning allowed
// (OnnxSessionOptions.allowSpinning; the library's default stays 1 thread, which shares the machine better).
if (THREADS === 1) {
  const ort2 = await OrtModel.fromModel(model, { intraOpNumThreads: 2, allowSpinning: true });
  const o2 = await steady(new OrtAgent(ort2, { kvCache: false }) as unknown as Agent, 1, STEPS);
  metric('inference.step_ms.ort_b1_2threads', median(o2), `${stats(o2)}; 2 intra-op threads, spinning`);
  const k2 = await steady(new OrtAgent(ort2) as unknown as Agent, 1, STEPS);
  metric(
    'inference.step_ms.ort_kv_b1_2threads',
    median(k2),
    `${stats(k2)}; 2 intra-op threads, spinning; full window re-encodes (exact)`,
  );
  await ort2.dispose();
}
console.log(
  `metric inference.step_ms.pytorch_b1 ${PYTORCH_B1_MS}  # toolchain.md: PyTorch 1.13 CPU (2 threads), 4-layer d64 240-token forward`,
);
await ort.dispose();
model.dispose();
