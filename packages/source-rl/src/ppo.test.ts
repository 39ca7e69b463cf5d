import { InvalidArgumentError, rollout } from '@icrl/core';
import { makeEnvFamily } from '@icrl/envs';
import { describe, expect, it } from 'vitest';
import { targetFamily } from '../test/toy-families';
import { WasmArena } from './kernels/wasm-arena';
import { DEFAULT_PPO_CONFIG, PPO_PRESET_ENVS, ppo, ppoPresetFor, resolvePpoConfig } from './ppo';
import { SourceAgent } from './source-agent';

// The PPO loss kernel on hand-computed numbers. Two logits rows: [0, 0] (p = 1/2, 1/2) and [ln 3, 0]
// (p = 3/4, 1/4); values 0.5 and -1. Four samples, advantages not normalised, clip 0.2:
//   s0: row 0, a = 0, ratio 1.1, A = 2   -> unclipped: term -2.2, d/dlogp = -A r / B = -0.55
//   s1: row 0, a = 1, ratio 1.5, A = 1   -> clipped at 1.2: term -1.2, gradient 0
//   s2: row 1, a = 0, ratio 0.5, A = -1  -> clipped at 0.8: term +0.8, gradient 0
//   s3: row 1, a = 1, ratio 0.9, A = -2  -> unclipped: term +1.8, d/dlogp = 0.45
// policy loss = (-2.2 - 1.2 + 0.8 + 1.8) / 4 = -0.2; returns [1.5, 0.5, -1, 0] -> value loss (1 + 0 + 0 + 1) / 4.
function handLoss(normalize: boolean, advantages = [2, 1, -1, -2]) {
  const arena = new WasmArena();
  const logits = arena.alloc(4 * 4 * 4);
  const values = arena.alloc(4 * 4 * 4);
  const dLogits = arena.alloc(4 * 4 * 4);
  const dValues = arena.alloc(4 * 4 * 4);
  const mb = arena.alloc(16);
  const slots = arena.alloc(16);
  const actions = arena.alloc(16);
  const oldLogp = arena.alloc(32);
  const adv = arena.alloc(32);
  const ret = arena.alloc(32);
  const stats = arena.alloc(64);
  arena.commit();
  const { f32, i32, f64 } = arena;
  f32.set([0, 0, 0, 0, Math.log(3), 0, 0, 0], logits >> 2);
  f32[values >> 2] = 0.5;
  f32[(values >> 2) + 4] = -1;
  i32.set([0, 1, 2, 3], mb >> 2);
  i32.set([0, 0, 1, 1], slots >> 2);
  i32.set([0, 1, 0, 1], actions >> 2);
  // log pi as the kernel computes it from the float32 logits (row 1 holds fround(ln 3)); old = log pi - ln ratio.
  const l3 = Math.fround(Math.log(3));
  const lse1 = l3 + Math.log(1 + Math.exp(-l3));
  const logp = [Math.log(0.5), Math.log(0.5), l3 - lse1, -lse1];
  f64.set(
    [logp[0]! - Math.log(1.1), logp[1]! - Math.log(1.5), logp[2]! - Math.log(0.5), logp[3]! - Math.log(0.9)],
    oldLogp >> 3,
  );
  f64.set(advantages, adv >> 3);
  f64.set([1.5, 0.5, -1, 0], ret >> 3);
  arena.k.categoricalLoss(
    logits,
    4,
    2,
    values,
    4,
    mb,
    slots,
    4,
    actions,
    oldLogp,
    adv,
    ret,
    dLogits,
    dValues,
    4,
    0.2,
    0,
    0.5,
    normalize ? 1 : 0,
    1,
    stats,
  );
  const s = stats >> 3;
  return {
    policy: f64[s]!,
    value: f64[s + 1]!,
    entropy: f64[s + 2]!,
    kl: f64[s + 3]!,
    clipfrac: f64[s + 4]!,
    loss: f64[s + 5]!,
    dLogits: Array.from(f32.subarray(dLogits >> 2, (dLogits >> 2) + 8)),
    dValues: [f32[dValues >> 2]!, f32[(dValues >> 2) + 4]!],
  };
}

describe('the PPO loss on hand-computed values', () => {
  it('clipped surrogate, value loss, entropy, KL and clip fraction', () => {
    const r = handLoss(false);
    expect(r.policy).toBeCloseTo(-0.2, 6);
    expect(r.value).toBeCloseTo(0.5, 6);
    expect(r.loss).toBeCloseTo(-0.2 + 0.5 * 0.5, 6);
    expect(r.entropy).toBeCloseTo(
      (2 * Math.log(2) - (0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)) * 2) / 4,
      6,
    );
    expect(r.clipfrac).toBe(0.5);
    const kl = [1.1, 1.5, 0.5, 0.9].reduce((a, x) => a + (x - 1 - Math.log(x)), 0) / 4;
    expect(r.kl).toBeCloseTo(kl, 6);
  });

  it('gradients: -A r (1[a] - p) / B where the unclipped branch is the min, 0 where clipping is active', () => {
    const r = handLoss(false);
    // row 0: s0 only: -0.55 * ([1, 0] - [0.5, 0.5]); row 1: s3 only: 0.45 * ([0, 1] - [0.75, 0.25])
    const want = [-0.275, 0.275, 0, 0, -0.3375, 0.3375, 0, 0];
    for (const [j, d] of r.dLogits.entries()) expect(d).toBeCloseTo(want[j]!, 6);
    // value: vfCoef * 2 (v - R) / B summed per row: row 0: 0.25 * (-1 + 0); row 1: 0.25 * (0 - 1)
    expect(r.dValues[0]).toBeCloseTo(-0.25, 6);
    expect(r.dValues[1]).toBeCloseTo(-0.25, 6);
  });

  it('normalises advantages per minibatch with the unbiased std, as SB3', () => {
    // A = [1, 2, 3, 4]: mean 2.5, std sqrt(5/3); the policy loss becomes the mean of -min(...) of the z-scores.
    const r = handLoss(true, [1, 2, 3, 4]);
    const std = Math.sqrt(5 / 3) + 1e-8;
    const z = [1, 2, 3, 4].map((a) => (a - 2.5) / std);
    const ratios = [1.1, 1.5, 0.5, 0.9];
    const terms = z.map((a, k) => -Math.min(a * ratios[k]!, a * Math.min(Math.max(ratios[k]!, 0.8), 1.2)));
    expect(r.policy).toBeCloseTo(terms.reduce((x, y) => x + y, 0) / 4, 6);
  });
});

describe('PPO config', () => {
  it('defaults are SB3 2.3.2 PPO defaults', () => {
    expect(resolvePpoConfig()).toEqual(DEFAULT_PPO_CONFIG);
    expect(DEFAULT_PPO_CONFIG).toMatchObject({
      learningRate: 3e-4,
      nSteps: 2048,
      batchSize: 64,
      nEpochs: 10,
      gamma: 0.99,
      gaeLambda: 0.95,
      clipRange: 0.2,
      entCoef: 0,
      vfCoef: 0.5,
      maxGradNorm: 0.5,
      adamEps: 1e-5,
      policyHidden: [64, 64],
      valueHidden: [64, 64],
    });
  });

  it('presets are the DICP reference table', () => {
    expect(PPO_PRESET_ENVS).toEqual(['darkroom', 'dark-key-to-door', 'darkroom-permuted', 'metaworld']);
    expect(ppoPresetFor('darkroom')).toMatchObject({
      nSteps: 20,
      batchSize: 50,
      nEpochs: 20,
      learningRate: 3e-4,
      bootstrapTruncated: false,
    });
    expect(ppoPresetFor('dark-key-to-door')).toMatchObject({ nSteps: 50, batchSize: 100, nEpochs: 10 });
    expect(ppoPresetFor('darkroom-permuted')).toMatchObject({ nSteps: 50, batchSize: 50, nEpochs: 20 });
    expect(ppoPresetFor('metaworld')).toMatchObject({
      nSteps: 100,
      batchSize: 200,
      nEpochs: 20,
      bootstrapTruncated: true,
    });
    expect(() => ppoPresetFor('cartpole')).toThrow(
      'Invalid envId: got "cartpole"; expected one of "darkroom"',
    );
  });

  it.each([
    [{ learningRate: 0 }, 'ppo.learningRate'],
    [{ nSteps: 1.5 }, 'ppo.nSteps'],
    [{ batchSize: 1 }, 'ppo.batchSize'],
    [{ clipRange: -0.1 }, 'ppo.clipRange'],
    [{ gamma: 1.5 }, 'ppo.gamma'],
    [{ policyHidden: [64, 0] }, 'ppo.policyHidden'],
    [{ maxGradNorm: Number.NaN }, 'ppo.maxGradNorm'],
  ])('rejects %j naming %s', (config, field) => {
    let error: unknown;
    try {
      ppo(config as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe(field);
  });
});

describe('PPO as an in-context agent (the learner scored like AD)', () => {
  it('improves within a rollout on Darkroom (updating inside observe)', async () => {
    const family = makeEnvFamily('darkroom');
    const goal = family.task(4 * 9 + 6); // 2 steps from the start
    const env = family.make([goal], { envsPerTask: 16, autoReset: 'same-step' });
    const agent = new SourceAgent(ppo({ ...ppoPresetFor('darkroom'), batchSize: 64 }), env, { streams: 16 });
    const { returns } = await rollout(env, agent, { episodes: 50, seed: 3 });
    const mean = (e: number) => {
      let s = 0;
      for (let i = 0; i < 16; i++) s += returns[i * 50 + e]!;
      return s / 16;
    };
    expect(mean(0)).toBeLessThan(8);
    expect((mean(47) + mean(48) + mean(49)) / 3).toBeGreaterThan(0.8 * family.maxReturn!(goal));
    expect(agent.metrics()['losses/value_loss']).toBeGreaterThanOrEqual(0);
  });

  it('continuous actions: a Gaussian policy finds the target of each task', async () => {
    const family = targetFamily();
    const env = family.make(family.tasks(), { envsPerTask: 8, autoReset: 'same-step' });
    const agent = new SourceAgent(
      ppo({ nSteps: 25, batchSize: 50, nEpochs: 10, learningRate: 3e-3, bootstrapTruncated: false }),
      env,
      { streams: 8 },
    );
    const { returns } = await rollout(env, agent, { episodes: 120, seed: 0 });
    for (let k = 0; k < 4; k++) {
      let first = 0;
      let last = 0;
      for (let s = 0; s < 8; s++) {
        first += returns[(k * 8 + s) * 120]!;
        last += returns[(k * 8 + s) * 120 + 119]!;
      }
      // of 5 (reward 1 - (a - target)^2 per step: the policy's mean found the target and its std shrank)
      expect(last / 8).toBeGreaterThan(4.25);
      expect((last - first) / 8).toBeGreaterThan(2);
    }
  });
});
