import { Rng } from '@icrl/core';
import { describe, expect, it } from 'vitest';
import {
  parameterHandles,
  type ReferenceBatch,
  type ReferenceLossOptions,
  referenceLoss,
} from '../test/reference-actor-critic';
import { ActorCriticNets, type ExportedActorCritic, type PolicyHead } from './actor-critic';
import { WasmArena } from './kernels/wasm-arena';

// Odd sizes on purpose: 5 and 6 hidden units and 3 actions exercise every padding path of the kernels.
const OBS = 3;
const HIDDEN = [5, 6];

function randomBatch(rng: Rng, head: PolicyHead): ReferenceBatch & { slots: number[]; unique: number[][] } {
  // 9 samples over 4 distinct observations, so the kernels' shared-row (dedup) path is exercised.
  const unique = Array.from({ length: 4 }, () => Array.from({ length: OBS }, () => rng.uniform(-2, 2)));
  const slots = [0, 1, 2, 3, 1, 0, 2, 2, 3];
  const obs = slots.map((s) => unique[s]!);
  const actions = slots.map(() =>
    head.kind === 'categorical'
      ? rng.int(head.n)
      : Array.from({ length: head.dim }, () => rng.uniform(-1.5, 1.5)),
  );
  return {
    obs,
    actions,
    // log-prob offsets away from the clip kinks (|log r| in [0.05, 0.15] or [0.35, 0.6]).
    oldLogp: slots.map(
      (_, b) => (b % 2 ? 1 : -1) * (b % 3 ? rng.uniform(0.05, 0.15) : rng.uniform(0.35, 0.6)),
    ),
    advantages: slots.map(() => rng.normal()),
    returns: slots.map(() => rng.normal(0, 2)),
    slots,
    unique,
  };
}

// The batch's oldLogp are offsets: make them absolute with the reference's current log-probs.
function withOldLogp(p: ExportedActorCritic, batch: ReferenceBatch, o: ReferenceLossOptions): ReferenceBatch {
  const current = batch.obs.map((_, b) => {
    const one = {
      ...batch,
      obs: [batch.obs[b]!],
      actions: [batch.actions[b]!],
      oldLogp: [0],
      advantages: [1],
      returns: [0],
    };
    // With A = 1, no normalisation and vanilla PG, the policy loss of one sample is -log pi.
    return -referenceLoss(p, one, { ...o, clipped: false, normalizeAdvantage: false, entCoef: 0 }).policyLoss;
  });
  return { ...batch, oldLogp: batch.oldLogp.map((off, b) => current[b]! + off) };
}

function setup(head: PolicyHead, seed: number) {
  const arena = new WasmArena();
  const nets = new ActorCriticNets(
    arena,
    { obsSize: OBS, policyHidden: HIDDEN, valueHidden: HIDDEN, head },
    1,
    16,
    {
      kind: 'adam',
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-5,
    },
  );
  const buf = {
    mb: arena.alloc(64),
    slots: arena.alloc(64),
    actions: arena.alloc(16 * 8 * 4),
    logp: arena.alloc(16 * 8),
    adv: arena.alloc(16 * 8),
    ret: arena.alloc(16 * 8),
    stats: arena.alloc(64),
  };
  arena.commit();
  nets.init(0, new Rng(seed));
  // Perturb the (orthogonal, zero-bias) init so every parameter matters, log std included.
  const rng = new Rng(seed + 100);
  const base = nets.paramsOf(0) >> 2;
  const params = nets.exportParams(0);
  for (const layer of [...params.policy, ...params.value])
    for (let i = 0; i < layer.b.length; i++) layer.b[i] = rng.normal(0, 0.3);
  if (params.logStd) for (let d = 0; d < params.logStd.length; d++) params.logStd[d] = rng.normal(0, 0.3);
  // Write the perturbed biases/log std back through the same layout the kernels use.
  arena.f32.set(writeBack(nets, params), base);
  return { arena, nets, buf, params: nets.exportParams(0) };
}

// Builds a parameter block (kernel layout) from torch-layout params by probing the export mapping.
function writeBack(nets: ActorCriticNets, p: ExportedActorCritic): Float32Array {
  const base = nets.paramsOf(0) >> 2;
  const block = nets.arena.f32.slice(base, base + nets.blockSize);
  const layers = [...nets.policy, ...nets.value];
  const src = [...p.policy, ...p.value];
  layers.forEach((layer, l) => {
    const nin = src[l]!.w.length / layer.nout;
    for (let o = 0; o < layer.nout; o++) {
      for (let i = 0; i < nin; i++) block[layer.w + i * layer.noutPad + o] = src[l]!.w[o * nin + i]!;
      block[layer.b + o] = src[l]!.b[o]!;
    }
  });
  if (p.logStd) block.set(p.logStd, nets.logStdAt);
  return block;
}

function runKernels(
  s: ReturnType<typeof setup>,
  head: PolicyHead,
  batch: ReturnType<typeof randomBatch>,
  o: ReferenceLossOptions,
) {
  const { arena, nets, buf } = s;
  const f32 = arena.f32;
  const i32 = arena.i32;
  const f64 = arena.f64;
  const B = batch.obs.length;
  f32.fill(0, nets.x >> 2, (nets.x >> 2) + 8 * OBS);
  batch.unique.forEach((row, u) => {
    f32.set(row, (nets.x >> 2) + u * OBS);
  });
  for (let b = 0; b < B; b++) {
    i32[(buf.mb >> 2) + b] = b;
    i32[(buf.slots >> 2) + b] = batch.slots[b]!;
    if (head.kind === 'categorical') i32[(buf.actions >> 2) + b] = batch.actions[b] as number;
    else f32.set(batch.actions[b] as number[], (buf.actions >> 2) + b * head.dim);
    f64[(buf.logp >> 3) + b] = batch.oldLogp[b]!;
    f64[(buf.adv >> 3) + b] = batch.advantages[b]!;
    f64[(buf.ret >> 3) + b] = batch.returns[b]!;
  }
  const U = batch.unique.length;
  nets.forward(0, U);
  const common = [buf.mb, buf.slots, B, buf.actions, buf.logp, buf.adv, buf.ret];
  const tail = [
    8,
    o.clipRange,
    o.entCoef,
    o.vfCoef,
    o.normalizeAdvantage ? 1 : 0,
    o.clipped ? 1 : 0,
    buf.stats,
  ];
  if (head.kind === 'categorical') {
    arena.k.categoricalLoss(
      nets.policyOut,
      nets.policyOutStride,
      head.n,
      nets.valueOut,
      nets.valueOutStride,
      ...common,
      nets.policyOutGrad,
      nets.valueOutGrad,
      ...tail,
    );
  } else {
    arena.k.gaussianLoss(
      nets.policyOut,
      nets.policyOutStride,
      head.dim,
      nets.logStdOf(0),
      nets.valueOut,
      nets.valueOutStride,
      ...common,
      nets.policyOutGrad,
      nets.logStdGradOf(0),
      nets.valueOutGrad,
      ...tail,
    );
  }
  nets.backward(0, U);
  const st = buf.stats >> 3;
  return {
    loss: f64[st + 5]!,
    policyLoss: f64[st]!,
    valueLoss: f64[st + 1]!,
    entropy: f64[st + 2]!,
    grads: nets.exportParams(0, 'grads'),
  };
}

const HEADS: [string, PolicyHead][] = [
  ['categorical', { kind: 'categorical', n: 3 }],
  ['gaussian', { kind: 'gaussian', dim: 2, logStdInit: 0 }],
];
const LOSSES: [string, ReferenceLossOptions][] = [
  ['PPO (clipped)', { clipRange: 0.2, entCoef: 0.01, vfCoef: 0.5, normalizeAdvantage: true, clipped: true }],
  [
    'A2C (vanilla PG)',
    { clipRange: 0.2, entCoef: 0.05, vfCoef: 0.25, normalizeAdvantage: false, clipped: false },
  ],
];

describe('the float64 reference actor-critic', () => {
  it.each(HEADS)('%s: its backward pass matches central finite differences', (_, head) => {
    for (const [, o] of LOSSES) {
      const s = setup(head, 3);
      const batch = randomBatch(new Rng(4), head);
      const b = withOldLogp(s.params, batch, o);
      const { grads } = referenceLoss(s.params, b, o);
      const handles = parameterHandles(s.params);
      const gradHandles = parameterHandles(grads);
      let worst = 0;
      handles.forEach(({ arr, i }, k) => {
        const x = arr[i]!;
        const h = 1e-6;
        arr[i] = x + h;
        const up = referenceLoss(s.params, b, o).loss;
        arr[i] = x - h;
        const down = referenceLoss(s.params, b, o).loss;
        arr[i] = x;
        const numeric = (up - down) / (2 * h);
        const analytic = gradHandles[k]!.arr[gradHandles[k]!.i]!;
        worst = Math.max(worst, Math.abs(numeric - analytic) / Math.max(1e-3, Math.abs(numeric)));
      });
      expect(worst).toBeLessThan(1e-5);
    }
  });
});

describe('WebAssembly kernels against the reference', () => {
  it.each(HEADS)('%s: losses and every parameter gradient agree (float32 vs float64)', (_, head) => {
    for (const [, o] of LOSSES) {
      const s = setup(head, 7);
      const batch = randomBatch(new Rng(8), head);
      const b = { ...batch, ...withOldLogp(s.params, batch, o) };
      const want = referenceLoss(s.params, b, o);
      const got = runKernels(s, head, b, o);
      expect(got.loss).toBeCloseTo(want.loss, 5);
      expect(got.policyLoss).toBeCloseTo(want.policyLoss, 5);
      expect(got.valueLoss).toBeCloseTo(want.valueLoss, 5);
      expect(got.entropy).toBeCloseTo(want.entropy, 5);
      const g = parameterHandles(got.grads).map(({ arr, i }) => arr[i]!);
      const w = parameterHandles(want.grads).map(({ arr, i }) => arr[i]!);
      const scale = Math.max(...w.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-3);
      for (let k = 0; k < w.length; k++) expect(Math.abs(g[k]! - w[k]!)).toBeLessThan(2e-5 * scale + 1e-7);
    }
  });

  it('tanh is within 4e-7 of Math.tanh on [-10, 10]', () => {
    const arena = new WasmArena();
    const n = 1 << 14;
    const at = arena.alloc(n * 4);
    arena.commit();
    const xs = Float32Array.from({ length: n }, (_, i) => -10 + (20 * i) / n);
    arena.f32.set(xs, at >> 2);
    arena.k.tanhInPlace(at, n);
    let worst = 0;
    for (let i = 0; i < n; i++)
      worst = Math.max(worst, Math.abs(arena.f32[(at >> 2) + i]! - Math.tanh(xs[i]!)));
    expect(worst).toBeLessThan(4e-7);
  });

  it('one Adam step matches torch.optim.Adam arithmetic (with gradient clipping)', () => {
    const s = setup({ kind: 'categorical', n: 3 }, 11);
    const { nets, arena } = s;
    const g0 = nets.grads >> 2;
    const grads = Float32Array.from({ length: nets.blockSize }, (_, i) => Math.sin(i) * 0.3);
    arena.f32.set(grads, g0);
    const before = arena.f32.slice(nets.paramsOf(0) >> 2, (nets.paramsOf(0) >> 2) + nets.blockSize);
    const norm = nets.step(0, 1e-3, 0.5);
    const expectedNorm = Math.sqrt(grads.reduce((a, x) => a + x * x, 0));
    expect(norm).toBeCloseTo(expectedNorm, 4);
    const scale = Math.min(1, 0.5 / (expectedNorm + 1e-6));
    const after = arena.f32.subarray(nets.paramsOf(0) >> 2, (nets.paramsOf(0) >> 2) + nets.blockSize);
    for (let i = 0; i < nets.blockSize; i += 97) {
      const g = grads[i]! * scale;
      const m = 0.1 * g;
      const v = 0.001 * g * g;
      const want = before[i]! - ((1e-3 / 0.1) * m) / (Math.sqrt(v) / Math.sqrt(0.001) + 1e-5);
      expect(after[i]).toBeCloseTo(want, 6);
    }
  });
});
