// A plain float64 actor-critic (torch layout, Math.tanh) with SB3's PPO/A2C loss, written for clarity only:
// the yardstick the WebAssembly kernels are checked against, itself checked by finite differences.

import type { ExportedActorCritic } from '../src/actor-critic';

export interface ReferenceBatch {
  /** Observation of each sample, [B][obsSize]. */
  readonly obs: readonly (readonly number[])[];
  /** Categorical: action index; Gaussian: action vector. */
  readonly actions: readonly (number | readonly number[])[];
  readonly oldLogp: readonly number[];
  readonly advantages: readonly number[];
  readonly returns: readonly number[];
}

export interface ReferenceLossOptions {
  readonly clipRange: number;
  readonly entCoef: number;
  readonly vfCoef: number;
  readonly normalizeAdvantage: boolean;
  /** true: PPO's clipped surrogate; false: A2C's -A log pi. */
  readonly clipped: boolean;
}

type Net = ExportedActorCritic['policy'];

function mlp(net: Net, x: readonly number[]): { acts: number[][]; out: number[] } {
  const acts: number[][] = [[...x]];
  let h = [...x];
  net.forEach((layer, l) => {
    const nout = layer.b.length;
    const nin = h.length;
    const z = Array.from({ length: nout }, (_, o) => {
      let s = layer.b[o]!;
      for (let i = 0; i < nin; i++) s += layer.w[o * nin + i]! * h[i]!;
      return s;
    });
    h = l < net.length - 1 ? z.map(Math.tanh) : z;
    acts.push(h);
  });
  return { acts, out: h };
}

// Backprop of dOut through the MLP; accumulates into grads (same shapes as net).
function mlpBackward(net: Net, acts: number[][], dOut: number[], grads: Net): void {
  let d = dOut;
  for (let l = net.length - 1; l >= 0; l--) {
    const layer = net[l]!;
    const input = acts[l]!;
    const nin = input.length;
    const nout = layer.b.length;
    const g = grads[l]!;
    for (let o = 0; o < nout; o++) {
      g.b[o]! += d[o]!;
      for (let i = 0; i < nin; i++) g.w[o * nin + i]! += d[o]! * input[i]!;
    }
    if (l === 0) break;
    d = Array.from({ length: nin }, (_, i) => {
      let s = 0;
      for (let o = 0; o < nout; o++) s += d[o]! * layer.w[o * nin + i]!;
      return s * (1 - input[i]! * input[i]!);
    });
  }
}

const zerosLike = (p: ExportedActorCritic): ExportedActorCritic => ({
  policy: p.policy.map((l) => ({ w: new Float64Array(l.w.length), b: new Float64Array(l.b.length) })),
  value: p.value.map((l) => ({ w: new Float64Array(l.w.length), b: new Float64Array(l.b.length) })),
  logStd: p.logStd ? new Float64Array(p.logStd.length) : null,
});

export interface ReferenceResult {
  readonly loss: number;
  readonly policyLoss: number;
  readonly valueLoss: number;
  readonly entropy: number;
  readonly grads: ExportedActorCritic;
}

/** SB3's PPO (clipped) or A2C loss of a batch and its gradient, in float64. */
export function referenceLoss(
  p: ExportedActorCritic,
  batch: ReferenceBatch,
  o: ReferenceLossOptions,
): ReferenceResult {
  const B = batch.obs.length;
  const grads = zerosLike(p);
  let mean = 0;
  let inv = 1;
  if (o.normalizeAdvantage && B > 1) {
    mean = batch.advantages.reduce((a, b) => a + b, 0) / B;
    const variance = batch.advantages.reduce((a, b) => a + (b - mean) ** 2, 0) / (B - 1);
    inv = 1 / (Math.sqrt(variance) + 1e-8);
  }
  let policyLoss = 0;
  let valueLoss = 0;
  let entropySum = 0;
  for (let b = 0; b < B; b++) {
    const pol = mlp(p.policy, batch.obs[b]!);
    const val = mlp(p.value, batch.obs[b]!);
    const adv = (batch.advantages[b]! - mean) * inv;
    let logp: number;
    let entropy: number;
    let dOut: number[];
    let gLogp: number;
    const policyTerm = (lp: number): number => {
      if (!o.clipped) {
        policyLoss += -adv * lp;
        return -adv;
      }
      const ratio = Math.exp(lp - batch.oldLogp[b]!);
      const s1 = adv * ratio;
      const s2 = adv * Math.min(Math.max(ratio, 1 - o.clipRange), 1 + o.clipRange);
      policyLoss += -Math.min(s1, s2);
      return s1 <= s2 ? -s1 : 0;
    };
    if (p.logStd === null) {
      const logits = pol.out;
      const m = Math.max(...logits);
      const logZ = Math.log(logits.reduce((s, l) => s + Math.exp(l - m), 0)) + m;
      const lps = logits.map((l) => l - logZ);
      const a = batch.actions[b] as number;
      logp = lps[a]!;
      entropy = -lps.reduce((s, lp) => s + Math.exp(lp) * lp, 0);
      gLogp = policyTerm(logp) / B;
      dOut = lps.map((lp, j) => {
        const pj = Math.exp(lp);
        return gLogp * ((j === a ? 1 : 0) - pj) + (o.entCoef / B) * pj * (lp + entropy);
      });
    } else {
      const act = batch.actions[b] as readonly number[];
      const means = pol.out;
      logp = 0;
      entropy = 0;
      for (let d = 0; d < means.length; d++) {
        const sd = Math.exp(p.logStd[d]!);
        logp += -0.5 * ((act[d]! - means[d]!) / sd) ** 2 - p.logStd[d]! - 0.5 * Math.log(2 * Math.PI);
        entropy += 0.5 + 0.5 * Math.log(2 * Math.PI) + p.logStd[d]!;
      }
      gLogp = policyTerm(logp) / B;
      dOut = means.map((mu, d) => (gLogp * (act[d]! - mu)) / Math.exp(2 * p.logStd![d]!));
      for (let d = 0; d < means.length; d++) {
        const sd2 = Math.exp(2 * p.logStd[d]!);
        grads.logStd![d]! += gLogp * ((act[d]! - means[d]!) ** 2 / sd2 - 1) - o.entCoef / B;
      }
    }
    entropySum += entropy;
    mlpBackward(p.policy, pol.acts, dOut, grads.policy);
    const v = val.out[0]!;
    valueLoss += (batch.returns[b]! - v) ** 2;
    mlpBackward(p.value, val.acts, [(o.vfCoef * 2 * (v - batch.returns[b]!)) / B], grads.value);
  }
  policyLoss /= B;
  valueLoss /= B;
  const entropy = entropySum / B;
  return {
    loss: policyLoss - o.entCoef * entropy + o.vfCoef * valueLoss,
    policyLoss,
    valueLoss,
    entropy,
    grads,
  };
}

/** Every parameter of an exported network as a flat list of (array, index) handles, in a fixed order. */
export function parameterHandles(p: ExportedActorCritic): { arr: Float64Array; i: number }[] {
  const out: { arr: Float64Array; i: number }[] = [];
  for (const layer of [...p.policy, ...p.value]) {
    for (let i = 0; i < layer.w.length; i++) out.push({ arr: layer.w, i });
    for (let i = 0; i < layer.b.length; i++) out.push({ arr: layer.b, i });
  }
  if (p.logStd) for (let i = 0; i < p.logStd.length; i++) out.push({ arr: p.logStd, i });
  return out;
}
