import type { Rng, VecTransition } from '@icrl/core';
import type { Encoding } from './encoding';

// The in-context loop both agents (tfjs and onnxruntime) share: one context token per real transition, a window
// of the last nTransit − 1 tokens, and actions sampled from the policy head with the agent's seeded Rng — so the
// two engines take the same actions for the same seed.

/** Context tokens of one batched transition, `[numEnvs * contextSize]`. */
export function transitionTokens(e: Encoding, numEnvs: number, t: VecTransition): Float32Array {
  const F = e.contextSize;
  const tok = new Float32Array(numEnvs * F);
  for (let i = 0; i < numEnvs; i++) {
    e.writeContext(
      tok,
      i * F,
      t.obs,
      i * e.obsSize,
      t.actions,
      i * e.actionSize,
      t.rewards[i]!,
      t.nextObs,
      i * e.obsSize,
    );
  }
  return tok;
}

/** Appends a token batch, dropping the oldest once the window holds `maxLength`. */
export function pushToken(window: Float32Array[], tok: Float32Array, maxLength: number): void {
  window.push(tok);
  if (window.length > maxLength) window.shift();
}

/** The window as model input, env-major: `[numEnvs, window.length, contextSize]`. */
export function packWindow(
  window: readonly Float32Array[],
  numEnvs: number,
  contextSize: number,
): Float32Array {
  const L = window.length;
  const F = contextSize;
  const context = new Float32Array(numEnvs * L * F);
  if (numEnvs === 1) {
    for (let t = 0; t < L; t++) context.set(window[t]!, t * F); // one env: no per-token views
    return context;
  }
  for (let t = 0; t < L; t++) {
    const tok = window[t]!;
    for (let i = 0; i < numEnvs; i++) context.set(tok.subarray(i * F, (i + 1) * F), (i * L + t) * F);
  }
  return context;
}

/** One action per env from logits `[numEnvs, k]`: argmax when greedy, else a softmax sample (one Rng draw each). */
export function sampleDiscrete(
  logits: Float32Array,
  numEnvs: number,
  k: number,
  greedy: boolean,
  rng: Rng,
): Int32Array {
  const actions = new Int32Array(numEnvs);
  for (let i = 0; i < numEnvs; i++) {
    let best = 0;
    let max = Number.NEGATIVE_INFINITY;
    for (let a = 0; a < k; a++) {
      if (logits[i * k + a]! > max) {
        max = logits[i * k + a]!;
        best = a;
      }
    }
    if (greedy) {
      actions[i] = best;
      continue;
    }
    let z = 0;
    for (let a = 0; a < k; a++) z += Math.exp(logits[i * k + a]! - max);
    let u = rng.float() * z;
    let chosen = k - 1;
    for (let a = 0; a < k; a++) {
      u -= Math.exp(logits[i * k + a]! - max);
      if (u < 0) {
        chosen = a;
        break;
      }
    }
    actions[i] = chosen;
  }
  return actions;
}

/** Actions from a Gaussian head `[numEnvs, 2 * size]` (means, then log-variances): the mean when greedy. */
export function sampleGaussian(
  out: Float32Array,
  numEnvs: number,
  size: number,
  greedy: boolean,
  rng: Rng,
): Float32Array {
  const actions = new Float32Array(numEnvs * size);
  for (let i = 0; i < numEnvs; i++) {
    for (let j = 0; j < size; j++) {
      const mean = out[i * 2 * size + j]!;
      const std = Math.exp(out[i * 2 * size + size + j]! / 2);
      actions[i * size + j] = greedy ? mean : rng.normal(mean, std);
    }
  }
  return actions;
}
