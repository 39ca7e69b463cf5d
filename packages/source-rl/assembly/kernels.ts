// WebAssembly SIMD kernels for the actor-critic learners (PPO, A2C) of @icrl/source-rl, in AssemblyScript.
//
// Why hand-written kernels: the networks are tiny (obs -> 64 -> 64 -> actions), so a tensor library spends its
// time in per-op overhead, not arithmetic (tfjs-backend-wasm: ~1.7 ms per minibatch step of one task; these
// kernels: ~0.13 ms, see the README). Each function below is one fused pass over a small matrix, blocked so
// the accumulators stay in SIMD registers.
//
// Conventions (the TypeScript host, src/kernels/mlp-kernels.ts, owns memory and layout):
// - every pointer is a byte offset into this module's memory; f32 data unless a name says otherwise;
// - activations are row-major [rows][width]; `rows` is a multiple of 4 (the host pads with zero rows);
// - a layer's weights are stored input-major, W[in][outPadded], so a row of W is contiguous over outputs;
// - output widths are multiples of 4 (the host pads them with weights that stay exactly zero);
// - arithmetic order is fixed by the code (no relaxed SIMD, no FMA), so results are bit-reproducible.
// Rebuild with `pnpm --filter @icrl/source-rl build:wasm` after editing; a test checks the embedded binary.

// tanh on 4 lanes: Eigen's rational approximation for float (odd 13/even 6 polynomials, inputs clamped to
// +-7.9, where tanh is 1 to float precision). Max abs error 3.3e-7 against Math.tanh over [-10, 10]: wasm has
// no tanh instruction, and a scalar libm call per unit would cost more than the matrix products.
function tanh4(x: v128): v128 {
  const c = f32x4.splat(7.905311107635498);
  x = f32x4.min(f32x4.max(x, f32x4.neg(c)), c);
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-2.76076847742355e-16);
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(2.00018790482477e-13));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(-8.60467152213735e-11));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(5.12229709037114e-8));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(1.48572235717979e-5));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(6.37261928875436e-4));
  p = f32x4.add(f32x4.mul(p, x2), f32x4.splat(4.89352455891786e-3));
  p = f32x4.mul(p, x);
  let q = f32x4.splat(1.19825839466702e-6);
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(1.18534705686654e-4));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(2.268434632439e-3));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(4.89352518554385e-3));
  return f32x4.div(p, q);
}

/** tanh of `n` floats in place (n a multiple of 4); exported for the accuracy test. */
export function tanhInPlace(x: usize, n: i32): void {
  for (let k: usize = 0; k < (<usize>n) << 2; k += 16) v128.store(x + k, tanh4(v128.load(x + k)));
}

function hsum(a: v128): f32 {
  const s = f32x4.add(a, v128.shuffle<f32>(a, a, 2, 3, 0, 1));
  const t = f32x4.add(s, v128.shuffle<f32>(s, s, 1, 0, 3, 2));
  return f32x4.extract_lane(t, 0);
}

/**
 * Z = X W + b, then tanh if `act`: X [rows][nin], W [nin][nout], b [nout], Z [rows][nout].
 * Blocked 4 rows x 8 outputs (8 accumulators); a 4-wide tail handles nout = 8k + 4.
 */
export function linearForward(
  x: usize,
  nin: i32,
  w: usize,
  b: usize,
  z: usize,
  rows: i32,
  nout: i32,
  act: i32,
): void {
  const ldx = (<usize>nin) << 2;
  const ldz = (<usize>nout) << 2;
  for (let r = 0; r < rows; r += 4) {
    const xr = x + <usize>r * ldx;
    const zr = z + <usize>r * ldz;
    let o = 0;
    for (; o + 8 <= nout; o += 8) {
      const ob = (<usize>o) << 2;
      const b0 = v128.load(b + ob);
      const b1 = v128.load(b + ob, 16);
      let a00 = b0;
      let a01 = b1;
      let a10 = b0;
      let a11 = b1;
      let a20 = b0;
      let a21 = b1;
      let a30 = b0;
      let a31 = b1;
      let wp = w + ob;
      let xp = xr;
      for (let i = 0; i < nin; i++) {
        const w0 = v128.load(wp);
        const w1 = v128.load(wp, 16);
        const x0 = v128.load32_splat(xp);
        const x1 = v128.load32_splat(xp + ldx);
        const x2 = v128.load32_splat(xp + 2 * ldx);
        const x3 = v128.load32_splat(xp + 3 * ldx);
        a00 = f32x4.add(a00, f32x4.mul(x0, w0));
        a01 = f32x4.add(a01, f32x4.mul(x0, w1));
        a10 = f32x4.add(a10, f32x4.mul(x1, w0));
        a11 = f32x4.add(a11, f32x4.mul(x1, w1));
        a20 = f32x4.add(a20, f32x4.mul(x2, w0));
        a21 = f32x4.add(a21, f32x4.mul(x2, w1));
        a30 = f32x4.add(a30, f32x4.mul(x3, w0));
        a31 = f32x4.add(a31, f32x4.mul(x3, w1));
        wp += ldz;
        xp += 4;
      }
      if (act) {
        a00 = tanh4(a00);
        a01 = tanh4(a01);
        a10 = tanh4(a10);
        a11 = tanh4(a11);
        a20 = tanh4(a20);
        a21 = tanh4(a21);
        a30 = tanh4(a30);
        a31 = tanh4(a31);
      }
      const zp = zr + ob;
      v128.store(zp, a00);
      v128.store(zp, a01, 16);
      v128.store(zp + ldz, a10);
      v128.store(zp + ldz, a11, 16);
      v128.store(zp + 2 * ldz, a20);
      v128.store(zp + 2 * ldz, a21, 16);
      v128.store(zp + 3 * ldz, a30);
      v128.store(zp + 3 * ldz, a31, 16);
    }
    for (; o < nout; o += 4) {
      const ob = (<usize>o) << 2;
      const b0 = v128.load(b + ob);
      let a0 = b0;
      let a1 = b0;
      let a2 = b0;
      let a3 = b0;
      let wp = w + ob;
      let xp = xr;
      for (let i = 0; i < nin; i++) {
        const w0 = v128.load(wp);
        a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), w0));
        a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(xp + ldx), w0));
        a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(xp + 2 * ldx), w0));
        a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(xp + 3 * ldx), w0));
        wp += ldz;
        xp += 4;
      }
      if (act) {
        a0 = tanh4(a0);
        a1 = tanh4(a1);
        a2 = tanh4(a2);
        a3 = tanh4(a3);
      }
      const zp = zr + ob;
      v128.store(zp, a0);
      v128.store(zp + ldz, a1);
      v128.store(zp + 2 * ldz, a2);
      v128.store(zp + 3 * ldz, a3);
    }
  }
}

/**
 * dX = (dZ W^T) * (1 - H^2): the gradient reaching the pre-activation of the previous (tanh) layer, whose
 * output H [rows][nin] is this layer's input. dZ [rows][nout], W [nin][nout]; nin a multiple of 4.
 * Blocked 2 rows x 4 inputs: each entry is a dot product over the contiguous output axis, and the 4 partial
 * vectors of a row are reduced together by a transpose-add into one vector of 4 results.
 */
export function linearBackwardInput(
  dz: usize,
  w: usize,
  h: usize,
  dx: usize,
  rows: i32,
  nin: i32,
  nout: i32,
): void {
  const ldz = (<usize>nout) << 2;
  const ldx = (<usize>nin) << 2;
  for (let r = 0; r < rows; r += 2) {
    const dzr = dz + <usize>r * ldz;
    for (let i = 0; i < nin; i += 4) {
      let a00 = f32x4.splat(0);
      let a01 = a00;
      let a02 = a00;
      let a03 = a00;
      let a10 = a00;
      let a11 = a00;
      let a12 = a00;
      let a13 = a00;
      const w0p = w + <usize>i * ldz;
      for (let o: usize = 0; o < ldz; o += 16) {
        const w0 = v128.load(w0p + o);
        const w1 = v128.load(w0p + ldz + o);
        const w2 = v128.load(w0p + 2 * ldz + o);
        const w3 = v128.load(w0p + 3 * ldz + o);
        const d0 = v128.load(dzr + o);
        const d1 = v128.load(dzr + ldz + o);
        a00 = f32x4.add(a00, f32x4.mul(d0, w0));
        a01 = f32x4.add(a01, f32x4.mul(d0, w1));
        a02 = f32x4.add(a02, f32x4.mul(d0, w2));
        a03 = f32x4.add(a03, f32x4.mul(d0, w3));
        a10 = f32x4.add(a10, f32x4.mul(d1, w0));
        a11 = f32x4.add(a11, f32x4.mul(d1, w1));
        a12 = f32x4.add(a12, f32x4.mul(d1, w2));
        a13 = f32x4.add(a13, f32x4.mul(d1, w3));
      }
      const off = <usize>r * ldx + ((<usize>i) << 2);
      storeTanhGrad(h + off, dx + off, reduce4(a00, a01, a02, a03));
      storeTanhGrad(h + off + ldx, dx + off + ldx, reduce4(a10, a11, a12, a13));
    }
  }
}

// [sum(a), sum(b), sum(c), sum(d)] by a transpose-add (6 shuffles, 3 adds).
function reduce4(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const cd = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(ab, cd, 0, 1, 4, 5), v128.shuffle<f32>(ab, cd, 2, 3, 6, 7));
}

function storeTanhGrad(h: usize, dx: usize, sums: v128): void {
  const hv = v128.load(h);
  v128.store(dx, f32x4.mul(sums, f32x4.sub(f32x4.splat(1), f32x4.mul(hv, hv))));
}

/**
 * dW = X^T dZ and db = column sums of dZ (stored, not accumulated): X [rows][nin], dZ [rows][nout].
 * Blocked 4 inputs x 8 outputs over all rows; single inputs handle nin not a multiple of 4 (the obs layer).
 */
export function linearBackwardWeight(
  x: usize,
  dz: usize,
  dw: usize,
  db: usize,
  rows: i32,
  nin: i32,
  nout: i32,
): void {
  const ldz = (<usize>nout) << 2;
  const ldx = (<usize>nin) << 2;
  for (let o = 0; o < nout; o += 4) {
    const ob = (<usize>o) << 2;
    const wide = o + 8 <= nout;
    let i = 0;
    if (wide) {
      for (; i + 4 <= nin; i += 4) {
        let a00 = f32x4.splat(0);
        let a01 = a00;
        let a10 = a00;
        let a11 = a00;
        let a20 = a00;
        let a21 = a00;
        let a30 = a00;
        let a31 = a00;
        let xp = x + ((<usize>i) << 2);
        let dp = dz + ob;
        for (let r = 0; r < rows; r++) {
          const d0 = v128.load(dp);
          const d1 = v128.load(dp, 16);
          const x0 = v128.load32_splat(xp);
          const x1 = v128.load32_splat(xp, 4);
          const x2 = v128.load32_splat(xp, 8);
          const x3 = v128.load32_splat(xp, 12);
          a00 = f32x4.add(a00, f32x4.mul(x0, d0));
          a01 = f32x4.add(a01, f32x4.mul(x0, d1));
          a10 = f32x4.add(a10, f32x4.mul(x1, d0));
          a11 = f32x4.add(a11, f32x4.mul(x1, d1));
          a20 = f32x4.add(a20, f32x4.mul(x2, d0));
          a21 = f32x4.add(a21, f32x4.mul(x2, d1));
          a30 = f32x4.add(a30, f32x4.mul(x3, d0));
          a31 = f32x4.add(a31, f32x4.mul(x3, d1));
          xp += ldx;
          dp += ldz;
        }
        const wp = dw + <usize>i * ldz + ob;
        v128.store(wp, a00);
        v128.store(wp, a01, 16);
        v128.store(wp + ldz, a10);
        v128.store(wp + ldz, a11, 16);
        v128.store(wp + 2 * ldz, a20);
        v128.store(wp + 2 * ldz, a21, 16);
        v128.store(wp + 3 * ldz, a30);
        v128.store(wp + 3 * ldz, a31, 16);
      }
    }
    for (; i < nin; i++) {
      let a0 = f32x4.splat(0);
      let a1 = a0;
      let xp = x + ((<usize>i) << 2);
      let dp = dz + ob;
      if (wide) {
        for (let r = 0; r < rows; r++) {
          const xv = v128.load32_splat(xp);
          a0 = f32x4.add(a0, f32x4.mul(xv, v128.load(dp)));
          a1 = f32x4.add(a1, f32x4.mul(xv, v128.load(dp, 16)));
          xp += ldx;
          dp += ldz;
        }
        const wp = dw + <usize>i * ldz + ob;
        v128.store(wp, a0);
        v128.store(wp, a1, 16);
      } else {
        for (let r = 0; r < rows; r++) {
          a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), v128.load(dp)));
          xp += ldx;
          dp += ldz;
        }
        v128.store(dw + <usize>i * ldz + ob, a0);
      }
    }
    let s0 = f32x4.splat(0);
    let s1 = s0;
    let dp = dz + ob;
    for (let r = 0; r < rows; r++) {
      s0 = f32x4.add(s0, v128.load(dp));
      if (wide) s1 = f32x4.add(s1, v128.load(dp, 16));
      dp += ldz;
    }
    v128.store(db + ob, s0);
    if (wide) {
      v128.store(db + ob, s1, 16);
      o += 4;
    }
  }
}

/**
 * dst[k] = src[idx[k]] for k < count (rows of `width` floats; idx is i32), then zero rows up to `rowsPadded`,
 * so padding rows feed finite values through the network.
 */
export function gatherRows(
  src: usize,
  idx: usize,
  count: i32,
  rowsPadded: i32,
  dst: usize,
  width: i32,
): void {
  const bytes = (<usize>width) << 2;
  for (let k = 0; k < count; k++) {
    const from = src + <usize>load<i32>(idx + ((<usize>k) << 2)) * bytes;
    memory.copy(dst + <usize>k * bytes, from, bytes);
  }
  memory.fill(dst + <usize>count * bytes, 0, <usize>(rowsPadded - count) * bytes);
}

// log softmax of the logits row at `row` (nA entries), evaluated at action `a`, in f64.
function logSoftmaxAt(row: usize, nA: i32, a: i32): f64 {
  let m: f64 = load<f32>(row);
  for (let k = 1; k < nA; k++) m = Math.max(m, <f64>load<f32>(row + ((<usize>k) << 2)));
  let s: f64 = 0;
  for (let k = 0; k < nA; k++) s += Math.exp(<f64>load<f32>(row + ((<usize>k) << 2)) - m);
  return <f64>load<f32>(row + ((<usize>a) << 2)) - m - Math.log(s);
}

/**
 * out[s] = log pi(actions[s] | row slots[s]) for s < n (categorical; logits rows of stride ldl floats).
 * The loss kernel computes the same function, so a fresh ratio is exactly 1.
 */
export function categoricalLogProb(
  logits: usize,
  ldl: i32,
  nA: i32,
  slots: usize,
  actions: usize,
  n: i32,
  out: usize,
): void {
  const ld = (<usize>ldl) << 2;
  for (let s = 0; s < n; s++) {
    const k = (<usize>s) << 2;
    const row = logits + <usize>load<i32>(slots + k) * ld;
    store<f64>(out + ((<usize>s) << 3), logSoftmaxAt(row, nA, load<i32>(actions + k)));
  }
}

const HALF_LOG_2PI: f64 = 0.9189385332046727;

/** Largest categorical action count the loss kernel takes (its probability scratch is static). */
const MAX_ACTIONS = 1024;

// log N(a | mean row, exp(logStd)) summed over `dim`, in f64.
function gaussianLogProbAt(row: usize, logStd: usize, act: usize, dim: i32): f64 {
  let lp: f64 = 0;
  for (let d = 0; d < dim; d++) {
    const o = (<usize>d) << 2;
    const ls: f64 = load<f32>(logStd + o);
    const z = (<f64>load<f32>(act + o) - <f64>load<f32>(row + o)) / Math.exp(ls);
    lp += -0.5 * z * z - ls - HALF_LOG_2PI;
  }
  return lp;
}

/** out[s] = log N(actions[s] | means row slots[s], exp(logStd)) for s < n (actions [n][dim] f32). */
export function gaussianLogProb(
  means: usize,
  ldm: i32,
  logStd: usize,
  dim: i32,
  slots: usize,
  actions: usize,
  n: i32,
  out: usize,
): void {
  const ld = (<usize>ldm) << 2;
  for (let s = 0; s < n; s++) {
    const row = means + <usize>load<i32>(slots + ((<usize>s) << 2)) * ld;
    store<f64>(
      out + ((<usize>s) << 3),
      gaussianLogProbAt(row, logStd, actions + <usize>s * ((<usize>dim) << 2), dim),
    );
  }
}

// Statistics written by the loss kernels, f64 each, in this order.
const STAT_POLICY = 0;
const STAT_VALUE = 1;
const STAT_ENTROPY = 2;
const STAT_KL = 3;
const STAT_CLIPFRAC = 4;
const STAT_LOSS = 5;

// Minibatch advantage normalisation as SB3: (A - mean) / (std + 1e-8), std with Bessel's correction (torch's
// default), skipped for a batch of one. Returns [mean, 1 / (std + 1e-8)] packed as the host needs them.
let advMean: f64 = 0;
let advInvStd: f64 = 1;
function advantageMoments(adv: usize, mb: usize, b: i32, normalize: i32): void {
  advMean = 0;
  advInvStd = 1;
  if (!normalize || b < 2) return;
  let s: f64 = 0;
  for (let k = 0; k < b; k++) s += load<f64>(adv + ((<usize>load<i32>(mb + ((<usize>k) << 2))) << 3));
  const mean = s / b;
  let v: f64 = 0;
  for (let k = 0; k < b; k++) {
    const d = load<f64>(adv + ((<usize>load<i32>(mb + ((<usize>k) << 2))) << 3)) - mean;
    v += d * d;
  }
  advMean = mean;
  advInvStd = 1 / (Math.sqrt(v / (b - 1)) + 1e-8);
}

// dL/dlog pi for one sample, and the sample's policy loss into `pgLoss`. `clipped` 1: PPO's clipped
// surrogate -min(A r, A clip(r)) (gradient -A r where the unclipped branch is the min, else 0, as torch
// splits ties); 0: the vanilla policy gradient -A log pi (A2C).
let pgLoss: f64 = 0;
function policyGradient(logp: f64, oldLogp: f64, a: f64, clipRange: f64, clipped: i32): f64 {
  if (!clipped) {
    pgLoss = -a * logp;
    return -a;
  }
  const ratio = Math.exp(logp - oldLogp);
  const s1 = a * ratio;
  const s2 = a * Math.min(Math.max(ratio, 1 - clipRange), 1 + clipRange);
  pgLoss = -Math.min(s1, s2);
  return s1 <= s2 ? -s1 : 0;
}

/**
 * Losses and output gradients of a categorical actor-critic minibatch (PPO when `clipped`, else A2C).
 * Sample k is rollout entry mb[k], evaluated on network row slots[k] (identical observations share a row:
 * their output gradients add up). Writes dLogits [rowsPadded][ldl] and dValues [rowsPadded][ldv] (zeroed
 * first) and the statistics; rollout arrays: actions i32, oldLogp / adv / ret f64.
 */
export function categoricalLoss(
  logits: usize,
  ldl: i32,
  nA: i32,
  values: usize,
  ldv: i32,
  mb: usize,
  slots: usize,
  b: i32,
  actions: usize,
  oldLogp: usize,
  adv: usize,
  ret: usize,
  dLogits: usize,
  dValues: usize,
  rowsPadded: i32,
  clipRange: f64,
  entCoef: f64,
  vfCoef: f64,
  normalize: i32,
  clipped: i32,
  stats: usize,
): void {
  const ll = (<usize>ldl) << 2;
  const lv = (<usize>ldv) << 2;
  memory.fill(dLogits, 0, <usize>rowsPadded * ll);
  memory.fill(dValues, 0, <usize>rowsPadded * lv);
  advantageMoments(adv, mb, b, normalize);
  const inv = 1.0 / <f64>b;
  const probs = memory.data(8 * MAX_ACTIONS);
  let sPolicy: f64 = 0;
  let sValue: f64 = 0;
  let sEntropy: f64 = 0;
  let sKl: f64 = 0;
  let sClip: f64 = 0;
  for (let k = 0; k < b; k++) {
    const i = <usize>load<i32>(mb + ((<usize>k) << 2));
    const u = <usize>load<i32>(slots + ((<usize>k) << 2));
    const row = logits + u * ll;
    const act = load<i32>(actions + (i << 2));
    // log-softmax in f64, each exp once (the probabilities go to a static scratch row)
    let m: f64 = load<f32>(row);
    for (let j = 1; j < nA; j++) m = Math.max(m, <f64>load<f32>(row + ((<usize>j) << 2)));
    let z: f64 = 0;
    for (let j = 0; j < nA; j++) {
      const e = Math.exp(<f64>load<f32>(row + ((<usize>j) << 2)) - m);
      store<f64>(probs + ((<usize>j) << 3), e);
      z += e;
    }
    const logZ = Math.log(z);
    let entropy: f64 = 0;
    for (let j = 0; j < nA; j++) {
      const at = probs + ((<usize>j) << 3);
      const p = load<f64>(at) / z;
      store<f64>(at, p);
      entropy -= p * (<f64>load<f32>(row + ((<usize>j) << 2)) - m - logZ);
    }
    const logp = <f64>load<f32>(row + ((<usize>act) << 2)) - m - logZ;
    const old = load<f64>(oldLogp + (i << 3));
    const a = (load<f64>(adv + (i << 3)) - advMean) * advInvStd;
    const g = policyGradient(logp, old, a, clipRange, clipped) * inv;
    sPolicy += pgLoss;
    sEntropy += entropy;
    const logRatio = logp - old;
    const ratio = Math.exp(logRatio);
    sKl += ratio - 1 - logRatio;
    if (Math.abs(ratio - 1) > clipRange) sClip += 1;
    // d/dl_j: g (1[j = a] - p_j) from the policy term; entCoef/B p_j (log p_j + H) from -entCoef mean(H).
    const drow = dLogits + u * ll;
    for (let j = 0; j < nA; j++) {
      const pj = load<f64>(probs + ((<usize>j) << 3));
      let d = g * ((j === act ? 1.0 : 0.0) - pj);
      if (entCoef !== 0)
        d += entCoef * inv * pj * (<f64>load<f32>(row + ((<usize>j) << 2)) - m - logZ + entropy);
      const at = drow + ((<usize>j) << 2);
      store<f32>(at, <f32>(<f64>load<f32>(at) + d));
    }
    const v: f64 = load<f32>(values + u * lv);
    const r = load<f64>(ret + (i << 3));
    sValue += (r - v) * (r - v);
    const dv = dValues + u * lv;
    store<f32>(dv, <f32>(<f64>load<f32>(dv) + vfCoef * 2 * (v - r) * inv));
  }
  store<f64>(stats + (STAT_POLICY << 3), sPolicy * inv);
  store<f64>(stats + (STAT_VALUE << 3), sValue * inv);
  store<f64>(stats + (STAT_ENTROPY << 3), sEntropy * inv);
  store<f64>(stats + (STAT_KL << 3), sKl * inv);
  store<f64>(stats + (STAT_CLIPFRAC << 3), sClip * inv);
  store<f64>(stats + (STAT_LOSS << 3), sPolicy * inv - entCoef * sEntropy * inv + vfCoef * sValue * inv);
}

/**
 * As `categoricalLoss` for a diagonal Gaussian policy with state-independent log std (`logStd`, [dim]):
 * writes dMeans [rowsPadded][ldm] and dValues (zeroed first) and stores dLogStd [dim] (not accumulated).
 * Actions are the unclipped samples, f32 [N][dim].
 */
export function gaussianLoss(
  means: usize,
  ldm: i32,
  dim: i32,
  logStd: usize,
  values: usize,
  ldv: i32,
  mb: usize,
  slots: usize,
  b: i32,
  actions: usize,
  oldLogp: usize,
  adv: usize,
  ret: usize,
  dMeans: usize,
  dLogStd: usize,
  dValues: usize,
  rowsPadded: i32,
  clipRange: f64,
  entCoef: f64,
  vfCoef: f64,
  normalize: i32,
  clipped: i32,
  stats: usize,
): void {
  const lm = (<usize>ldm) << 2;
  const lv = (<usize>ldv) << 2;
  const la = (<usize>dim) << 2;
  memory.fill(dMeans, 0, <usize>rowsPadded * lm);
  memory.fill(dValues, 0, <usize>rowsPadded * lv);
  advantageMoments(adv, mb, b, normalize);
  const inv = 1.0 / <f64>b;
  let entropy: f64 = 0;
  for (let d = 0; d < dim; d++) entropy += 0.5 + HALF_LOG_2PI + <f64>load<f32>(logStd + ((<usize>d) << 2));
  // dLogStd accumulates in f64 over the batch, in sample order; -entCoef dH/dlogStd = -entCoef per dim.
  const dls = memory.data(8 * 64);
  for (let d = 0; d < dim; d++) store<f64>(dls + ((<usize>d) << 3), -entCoef);
  let sPolicy: f64 = 0;
  let sValue: f64 = 0;
  let sKl: f64 = 0;
  let sClip: f64 = 0;
  for (let k = 0; k < b; k++) {
    const i = <usize>load<i32>(mb + ((<usize>k) << 2));
    const u = <usize>load<i32>(slots + ((<usize>k) << 2));
    const row = means + u * lm;
    const act = actions + i * la;
    const logp = gaussianLogProbAt(row, logStd, act, dim);
    const old = load<f64>(oldLogp + (i << 3));
    const a = (load<f64>(adv + (i << 3)) - advMean) * advInvStd;
    const g = policyGradient(logp, old, a, clipRange, clipped) * inv;
    sPolicy += pgLoss;
    const logRatio = logp - old;
    const ratio = Math.exp(logRatio);
    sKl += ratio - 1 - logRatio;
    if (Math.abs(ratio - 1) > clipRange) sClip += 1;
    const drow = dMeans + u * lm;
    for (let d = 0; d < dim; d++) {
      const o = (<usize>d) << 2;
      const ls: f64 = load<f32>(logStd + o);
      const sd = Math.exp(ls);
      const diff = <f64>load<f32>(act + o) - <f64>load<f32>(row + o);
      // dlogp/dmean = (a - mean) / sd^2; dlogp/dlogStd = (a - mean)^2 / sd^2 - 1
      store<f32>(drow + o, <f32>(<f64>load<f32>(drow + o) + (g * diff) / (sd * sd)));
      const at = dls + ((<usize>d) << 3);
      store<f64>(at, load<f64>(at) + g * ((diff * diff) / (sd * sd) - 1));
    }
    const v: f64 = load<f32>(values + u * lv);
    const r = load<f64>(ret + (i << 3));
    sValue += (r - v) * (r - v);
    const dv = dValues + u * lv;
    store<f32>(dv, <f32>(<f64>load<f32>(dv) + vfCoef * 2 * (v - r) * inv));
  }
  for (let d = 0; d < dim; d++)
    store<f32>(dLogStd + ((<usize>d) << 2), <f32>load<f64>(dls + ((<usize>d) << 3)));
  store<f64>(stats + (STAT_POLICY << 3), sPolicy * inv);
  store<f64>(stats + (STAT_VALUE << 3), sValue * inv);
  store<f64>(stats + (STAT_ENTROPY << 3), entropy);
  store<f64>(stats + (STAT_KL << 3), sKl * inv);
  store<f64>(stats + (STAT_CLIPFRAC << 3), sClip * inv);
  store<f64>(stats + (STAT_LOSS << 3), sPolicy * inv - entCoef * entropy + vfCoef * sValue * inv);
}

/** Sum of squares of n floats (n a multiple of 4), for global gradient-norm clipping. */
export function sumSquares(g: usize, n: i32): f64 {
  let a = f32x4.splat(0);
  for (let k: usize = 0; k < (<usize>n) << 2; k += 16) {
    const x = v128.load(g + k);
    a = f32x4.add(a, f32x4.mul(x, x));
  }
  return <f64>hsum(a);
}

/**
 * One torch.optim.Adam step (no weight decay, no amsgrad) on n floats (a multiple of 4), with the gradient
 * first multiplied by `gradScale` (the clip_grad_norm_ coefficient): m = b1 m + (1 - b1) g;
 * v = b2 v + (1 - b2) g^2; p -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps). The host passes
 * 1 / sqrt(bc2): a multiplication instead of torch's division (same value to rounding, one fewer divide).
 */
export function adamStep(
  p: usize,
  g: usize,
  m: usize,
  v: usize,
  n: i32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  bc1: f32,
  invBc2Sqrt: f32,
  gradScale: f32,
): void {
  const vb1 = f32x4.splat(beta1);
  const vb1c = f32x4.splat(1 - beta1);
  const vb2 = f32x4.splat(beta2);
  const vb2c = f32x4.splat(1 - beta2);
  const vstep = f32x4.splat(lr / bc1);
  const vbc2 = f32x4.splat(invBc2Sqrt);
  const veps = f32x4.splat(eps);
  const vs = f32x4.splat(gradScale);
  for (let k: usize = 0; k < (<usize>n) << 2; k += 16) {
    const gv = f32x4.mul(v128.load(g + k), vs);
    const mv = f32x4.add(f32x4.mul(v128.load(m + k), vb1), f32x4.mul(gv, vb1c));
    const vv = f32x4.add(f32x4.mul(v128.load(v + k), vb2), f32x4.mul(f32x4.mul(gv, gv), vb2c));
    v128.store(m + k, mv);
    v128.store(v + k, vv);
    const denom = f32x4.add(f32x4.mul(f32x4.sqrt(vv), vbc2), veps);
    v128.store(p + k, f32x4.sub(v128.load(p + k), f32x4.div(f32x4.mul(vstep, mv), denom)));
  }
}

/**
 * One torch.optim.RMSprop step (not centered, no momentum) on n floats (a multiple of 4), gradient scaled
 * by `gradScale`: v = alpha v + (1 - alpha) g^2; p -= lr g / (sqrt(v) + eps).
 */
export function rmspropStep(
  p: usize,
  g: usize,
  v: usize,
  n: i32,
  lr: f32,
  alpha: f32,
  eps: f32,
  gradScale: f32,
): void {
  const va = f32x4.splat(alpha);
  const vac = f32x4.splat(1 - alpha);
  const vlr = f32x4.splat(lr);
  const veps = f32x4.splat(eps);
  const vs = f32x4.splat(gradScale);
  for (let k: usize = 0; k < (<usize>n) << 2; k += 16) {
    const gv = f32x4.mul(v128.load(g + k), vs);
    const vv = f32x4.add(f32x4.mul(v128.load(v + k), va), f32x4.mul(f32x4.mul(gv, gv), vac));
    v128.store(v + k, vv);
    const denom = f32x4.add(f32x4.sqrt(vv), veps);
    v128.store(p + k, f32x4.sub(v128.load(p + k), f32x4.div(f32x4.mul(vlr, gv), denom)));
  }
}
