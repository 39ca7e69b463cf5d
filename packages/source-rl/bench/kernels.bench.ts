// The engine choice, reproducible: one PPO minibatch step of one task (forward through both 2-64-64 MLPs,
// loss, backward, gradient clip, Adam) on the WebAssembly SIMD kernels, next to the same step written as plain
// TypeScript loops over Float32Array. (tfjs-backend-wasm was measured at ~1.7 ms per task-step for B = 50 when
// the engine was chosen; it is not a dependency, so it is not re-run here.)
// Run: npx tsx --conditions=@icrl/source bench/kernels.bench.ts

import { Rng } from '@icrl/core';
import { ActorCriticNets } from '../src/actor-critic';
import { WasmArena } from '../src/kernels/wasm-arena';

const H = 64;
const ACTIONS = 5;

function wasmStep(rows: number): () => void {
  const arena = new WasmArena();
  const nets = new ActorCriticNets(
    arena,
    { obsSize: 2, policyHidden: [H, H], valueHidden: [H, H], head: { kind: 'categorical', n: ACTIONS } },
    1,
    64,
    { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-5 },
  );
  const mb = arena.alloc(4 * 64);
  const slots = arena.alloc(4 * 64);
  const actions = arena.alloc(4 * 64);
  const logp = arena.alloc(8 * 64);
  const adv = arena.alloc(8 * 64);
  const ret = arena.alloc(8 * 64);
  const stats = arena.alloc(64);
  arena.commit();
  nets.init(0, new Rng(0));
  const rng = new Rng(1);
  for (let r = 0; r < rows; r++) {
    arena.f32[(nets.x >> 2) + 2 * r] = rng.int(9);
    arena.f32[(nets.x >> 2) + 2 * r + 1] = rng.int(9);
    arena.i32[(mb >> 2) + r] = r;
    arena.i32[(slots >> 2) + r] = r;
    arena.i32[(actions >> 2) + r] = rng.int(ACTIONS);
    arena.f64[(logp >> 3) + r] = -Math.log(ACTIONS);
    arena.f64[(adv >> 3) + r] = rng.normal();
    arena.f64[(ret >> 3) + r] = rng.normal();
  }
  const k = arena.k;
  return () => {
    nets.forward(0, rows);
    k.categoricalLoss(
      nets.policyOut,
      nets.policyOutStride,
      ACTIONS,
      nets.valueOut,
      nets.valueOutStride,
      mb,
      slots,
      rows,
      actions,
      logp,
      adv,
      ret,
      nets.policyOutGrad,
      nets.valueOutGrad,
      (rows + 3) & ~3,
      0.2,
      0,
      0.5,
      1,
      1,
      stats,
    );
    nets.backward(0, rows);
    nets.step(0, 3e-4, 0.5);
  };
}

// The same step as straightforward TypeScript: row-major activations, W [in][out], Math.tanh, Adam.
function plainStep(rows: number): () => void {
  const layer = (nin: number, nout: number) => ({
    nin,
    nout,
    w: Float32Array.from({ length: nin * nout }, (_, i) => Math.sin(i) * 0.1),
    b: new Float32Array(nout),
    dw: new Float32Array(nin * nout),
    db: new Float32Array(nout),
  });
  type Layer = ReturnType<typeof layer>;
  const nets = [
    [layer(2, H), layer(H, H), layer(H, ACTIONS)],
    [layer(2, H), layer(H, H), layer(H, 1)],
  ];
  const x = Float32Array.from({ length: rows * 2 }, (_, i) => i % 9);
  const acts = [0, 1, 2, 3].map(() => new Float32Array(rows * H));
  const out = new Float32Array(rows * ACTIONS);
  const dOut = new Float32Array(rows * ACTIONS).fill(0.01);
  const dA = [new Float32Array(rows * H), new Float32Array(rows * H)];
  const forward = (input: Float32Array, l: Layer, z: Float32Array, tanh: boolean) => {
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < l.nout; o++) z[r * l.nout + o] = l.b[o]!;
      for (let i = 0; i < l.nin; i++) {
        const xv = input[r * l.nin + i]!;
        for (let o = 0; o < l.nout; o++) z[r * l.nout + o]! += xv * l.w[i * l.nout + o]!;
      }
      if (tanh) for (let o = 0; o < l.nout; o++) z[r * l.nout + o] = Math.tanh(z[r * l.nout + o]!);
    }
  };
  const backward = (input: Float32Array, l: Layer, dz: Float32Array, dx: Float32Array | null) => {
    l.dw.fill(0);
    l.db.fill(0);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < l.nout; o++) l.db[o]! += dz[r * l.nout + o]!;
      for (let i = 0; i < l.nin; i++) {
        const xv = input[r * l.nin + i]!;
        let s = 0;
        for (let o = 0; o < l.nout; o++) {
          l.dw[i * l.nout + o]! += xv * dz[r * l.nout + o]!;
          s += dz[r * l.nout + o]! * l.w[i * l.nout + o]!;
        }
        if (dx) dx[r * l.nin + i] = s * (1 - xv * xv);
      }
    }
  };
  const params = nets.flat();
  const m = params.map((l) => new Float32Array(l.w.length + l.b.length));
  const v = params.map((l) => new Float32Array(l.w.length + l.b.length));
  return () => {
    for (const net of nets) {
      forward(x, net[0]!, acts[0]!, true);
      forward(acts[0]!, net[1]!, acts[1]!, true);
      forward(acts[1]!, net[2]!, out, false);
      backward(acts[1]!, net[2]!, dOut, dA[1]!);
      backward(acts[0]!, net[1]!, dA[1]!, dA[0]!);
      backward(x, net[0]!, dA[0]!, null);
    }
    params.forEach((l, j) => {
      const mj = m[j]!;
      const vj = v[j]!;
      for (const [values, grads, off] of [
        [l.w, l.dw, 0],
        [l.b, l.db, l.w.length],
      ] as const) {
        for (let i = 0; i < values.length; i++) {
          const g = grads[i]!;
          const at = off + i;
          mj[at] = 0.9 * mj[at]! + 0.1 * g;
          vj[at] = 0.999 * vj[at]! + 0.001 * g * g;
          values[i]! -= (3e-4 * mj[at]!) / (Math.sqrt(vj[at]!) + 1e-5);
        }
      }
    });
  };
}

function microseconds(step: () => void, minMs = 1500): number {
  for (let i = 0; i < 50; i++) step();
  let n = 0;
  const t0 = performance.now();
  do {
    for (let i = 0; i < 20; i++) step();
    n += 20;
  } while (performance.now() - t0 < minMs);
  return ((performance.now() - t0) * 1000) / n;
}

// Multiply-adds of one step per row: forward + weight gradient + input gradient of both networks.
const macsPerRow = 3 * (2 * H + H * H + H * ACTIONS + 2 * H + H * H + H) - 2 * 2 * H;
console.log(
  `One PPO minibatch step of one task (2-${H}-${H}-${ACTIONS} policy + 2-${H}-${H}-1 value, Adam), Node ${process.version}`,
);
console.log('');
console.log('| engine                         | rows | us per step | GMAC/s |');
console.log('|--------------------------------|-----:|------------:|-------:|');
const results: Record<string, number> = {};
for (const rows of [12, 50]) {
  for (const [name, make] of [
    ['wasm_simd', wasmStep],
    ['plain_ts', plainStep],
  ] as const) {
    const us = microseconds(make(rows));
    results[`${name}_b${rows}`] = us;
    const gmacs = (rows * macsPerRow) / us / 1000;
    console.log(
      `| ${name.padEnd(30)} | ${String(rows).padStart(4)} | ${us.toFixed(1).padStart(11)} | ${gmacs.toFixed(2).padStart(6)} |`,
    );
  }
}
console.log('');
for (const [key, us] of Object.entries(results))
  console.log(`metric source.kernels.ppo_step_us.${key} ${us.toFixed(1)} us`);
console.log(
  `wasm-simd speed-up over plain TypeScript at 50 rows: ${(results.plain_ts_b50! / results.wasm_simd_b50!).toFixed(1)}x`,
);
