// Work and latency per planned action of DICP-AD's beam search on Darkroom (spec §2.2): the cached planner
// (onnxruntime; real context encoded once per step, every child through KV caches) against the reference-style
// planner (every level re-encodes every child's whole window, the reference's sliding window), and the cached
// planner on a file without the shared-prefix inputs (each child's cache rows then copy the real context), on the DICP
// Darkroom model size: 4 layers, d 32, 4 heads, MLP 128, nTransit 80 (79 context tokens); K 10, L 5, depth 8.
// Random init: the tree's shape (5, 25, 50 × 6 children) does not depend on the weights, nor does the work.
// Each timed action plans the full 8 levels (the episode has just begun) after a full window.
//   - `dicp.plan_ms.*`: median ms per action (one env), policy query included.
//   - `dicp.flops_per_action.*`: floating-point operations of the model calls one action makes, counted from
//     the shapes actually fed to onnxruntime (every session.run is recorded): 2 per multiply-add in the
//     Linears, causal attention (4·d per query–key pair), embeddings and the heads read.
// Run: pnpm --filter @icrl/dicp bench (ICRL_BENCH_ACTIONS=N timed actions per planner, default 20).

import { Rng } from '@icrl/core';
import { darkroom } from '@icrl/envs';
import {
  ADModel,
  exportOnnx,
  initBackend,
  type ModelConfig,
  OrtModel,
  resolveModelConfig,
} from '@icrl/transformer';
import { DicpAgent } from '../src/index';

const ACTIONS = Number(process.env.ICRL_BENCH_ACTIONS ?? 20);
await initBackend('wasm');
const family = darkroom();
const config = resolveModelConfig({
  envId: family.id,
  observationSpace: family.observationSpace,
  actionSpace: family.actionSpace,
  dynamics: true,
  nLayer: 4,
  nEmbd: 32,
  nHead: 4,
  nInner: 128,
  nTransit: 80,
});
const model = new ADModel(config);
const ort = await OrtModel.fromModel(model);
// The same weights without the shared-prefix inputs (what a PyTorch export has): the planner copies the
// real context into every child's cache rows instead — what this planner did before those inputs existed.
const plain = await OrtModel.load(exportOnnx(model, { sharedPrefix: false }), config);

/** FLOPs of one graph call: `batch` rows, `past` cached tokens, `added` new context tokens + 2 query tokens. */
function callFlops(c: ModelConfig, batch: number, past: number, added: number): number {
  const d = c.nEmbd;
  const F = 2 * 2 + 5 + 1;
  const tokens = added + 2;
  const perToken = c.nLayer * (2 * d * 3 * d + 2 * d * d + 6 * d * c.nInner);
  let attention = 0;
  for (let i = 0; i < tokens; i++) attention += c.nLayer * 4 * d * (past + i + 1);
  const embed = added * 2 * F * d;
  const heads = 2 * d * (5 + c.rewardClasses + 81);
  return batch * (tokens * perToken + attention + embed + heads);
}

// Record every onnxruntime call's shapes.
let flops = 0;
for (const m of [ort, plain]) {
  const run = m.session.run.bind(m.session);
  m.session.run = (...args: Parameters<typeof run>) => {
    const feeds = args[0];
    const [B, added] = feeds.context!.dims as number[];
    // Keys a row attends to before its new tokens: its own cached ones and its group's shared prefix.
    const cachedKeys = (name: string) => (feeds[name] === undefined ? 0 : (feeds[name].dims[2] as number));
    const past = cachedKeys('past_key_0') + cachedKeys('prefix_key_0');
    flops += callFlops(config, B!, past, added!);
    return run(...args);
  };
}

const rng = new Rng(3);
const cell = () => Math.floor(rng.float() * 9);

async function measure(agent: DicpAgent) {
  agent.reset(1);
  for (let t = 0; t < config.nTransit; t++) {
    const obs = Int32Array.of(cell(), cell());
    agent.observe({
      obs,
      actions: Int32Array.of(Math.floor(rng.float() * 5)),
      rewards: Float32Array.of(rng.float() < 0.2 ? 1 : 0),
      nextObs: Int32Array.of(cell(), cell()),
      terminated: new Uint8Array(1),
      truncated: Uint8Array.of(t === config.nTransit - 1 ? 1 : 0), // the next act starts an episode: depth 8
    });
  }
  const ms: number[] = [];
  let work = 0;
  for (let i = 0; i < ACTIONS + 2; i++) {
    flops = 0;
    const t0 = performance.now();
    await agent.act(Int32Array.of(cell(), cell()));
    if (i >= 2) ms.push(performance.now() - t0); // 2 warm-up actions
    work = flops;
  }
  if (agent.planStats.planned !== ACTIONS + 2)
    throw new Error('internal: the agent did not plan every action');
  ms.sort((a, b) => a - b);
  return { ms: ms[Math.floor(ms.length / 2)]!, flops: work };
}

const cached = await measure(new DicpAgent(ort, { family }));
const copied = await measure(new DicpAgent(plain, { family }));
const reencode = await measure(new DicpAgent(ort, { family, planner: 'reencode', window: 'slide' }));
const fmt = (x: number) => x.toFixed(2);
console.log(
  `cached planner (onnxruntime + KV caches): ${fmt(cached.ms)} ms, ${(cached.flops / 1e6).toFixed(1)} MFLOP per action`,
);
console.log(
  `cached planner, prefix copied into every child (a file without the prefix inputs): ${fmt(copied.ms)} ms, ${(copied.flops / 1e6).toFixed(1)} MFLOP per action`,
);
console.log(
  `re-encoding planner (onnxruntime full graph, sliding window): ${fmt(reencode.ms)} ms, ${(reencode.flops / 1e6).toFixed(1)} MFLOP per action`,
);
console.log(`metric dicp.plan_ms.darkroom ${fmt(cached.ms)} ms`);
console.log(`metric dicp.plan_ms.darkroom_copied_prefix ${fmt(copied.ms)} ms`);
console.log(`metric dicp.plan_ms.darkroom_reencode ${fmt(reencode.ms)} ms`);
console.log(`metric dicp.flops_per_action.darkroom ${cached.flops.toFixed(0)} flops`);
console.log(`metric dicp.flops_per_action.darkroom_reencode ${reencode.flops.toFixed(0)} flops`);
console.log(`metric dicp.flops_ratio.darkroom ${(reencode.flops / cached.flops).toFixed(1)} x`);
console.log(`metric dicp.plan_speedup.darkroom ${(reencode.ms / cached.ms).toFixed(1)} x`);
console.log(`metric dicp.shared_prefix_speedup.darkroom ${(copied.ms / cached.ms).toFixed(1)} x`);
await ort.dispose();
await plain.dispose();
model.dispose();
