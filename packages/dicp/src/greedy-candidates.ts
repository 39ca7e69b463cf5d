import type { Rng } from '@icrl/core';

// The two halves of DICP's continuous greedy search (spec §2.4) that DICP-AD's `GreedyAgent` and DICP-IDT's
// `GreedyIdtAgent` share; only how the candidates are scored differs between them.

/** Each env's action (non-planning envs) or its S candidates (planning envs), from a Gaussian policy. */
export interface GreedyDraw {
  /** `[n · D]`: the sampled action of every env that does not plan (planning envs are filled by `takeBest`). */
  readonly actions: Float32Array;
  /** Envs that plan, in order. */
  readonly rows: readonly number[];
  /** `[n · S · D]`: candidate k of env i at `(i·S + k)·D`; candidate 0 is the policy mean. */
  readonly candidates: Float32Array;
}

/**
 * Draws from the policy `[n · 2D]` (mean ‖ log-variance): for env i with `plans(i)`, the mean and S − 1 samples
 * of N(μ, σ²); for the others one sample, as `sampleGaussian` draws it (so with nobody planning the draws equal
 * a plain agent's).
 */
export function drawGreedyCandidates(
  policy: ArrayLike<number>,
  n: number,
  D: number,
  S: number,
  plans: (env: number) => boolean,
  rng: Rng,
): GreedyDraw {
  const actions = new Float32Array(n * D);
  const rows: number[] = [];
  const candidates = new Float32Array(n * S * D);
  for (let i = 0; i < n; i++) {
    const planning = plans(i);
    for (let k = 0; k < (planning ? S : 1); k++) {
      for (let j = 0; j < D; j++) {
        const mean = policy[i * 2 * D + j]!;
        const std = Math.exp(policy[i * 2 * D + D + j]! / 2);
        const v = planning && k === 0 ? mean : rng.normal(mean, std);
        if (planning) candidates[(i * S + k) * D + j] = v;
        else actions[i * D + j] = v;
      }
    }
    if (planning) rows.push(i);
  }
  return { actions, rows, candidates };
}

/** Writes each planning env's best-scored candidate (`scores [rows · S]`; the first on ties) into `actions`. */
export function takeBest(draw: GreedyDraw, scores: ArrayLike<number>, S: number, D: number): void {
  draw.rows.forEach((i, r) => {
    let best = 0;
    for (let k = 1; k < S; k++) if (scores[r * S + k]! > scores[r * S + best]!) best = k;
    draw.actions.set(draw.candidates.subarray((i * S + best) * D, (i * S + best + 1) * D), i * D);
  });
}
