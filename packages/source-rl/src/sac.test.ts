import { InvalidArgumentError, Rng, rollout } from '@icrl/core';
import { makeEnvFamily } from '@icrl/envs';
import { describe, expect, it } from 'vitest';
import { storeDigest } from '../test/helpers';
import { pointFamily, targetFamily } from '../test/toy-families';
import { collect } from './collect';
import { DenseNet } from './dense-net';
import { MemoryHistoryStore } from './memory-history-store';
import { makeAlgorithm } from './registry';
import { DEFAULT_SAC_CONFIG, resolveSacConfig, sac } from './sac';
import { SourceAgent } from './source-agent';

/** Mean return per episode of each task (streams averaged): `curve[k][e]`. */
function curves(returns: Float64Array | number[], tasks: number, streams: number, episodes: number) {
  return Array.from({ length: tasks }, (_, k) =>
    Array.from({ length: episodes }, (_, e) => {
      let s = 0;
      for (let i = 0; i < streams; i++) s += returns[(k * streams + i) * episodes + e]!;
      return s / streams;
    }),
  );
}
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('DenseNet', () => {
  it('backward gives the finite-difference gradients of parameters and inputs', () => {
    const rng = new Rng(1);
    const net = new DenseNet([3, 5, 4, 2], rng);
    const B = 4;
    const x = Float32Array.from({ length: B * 3 }, () => rng.uniform(-1, 1));
    const c = Float32Array.from({ length: B * 2 }, () => rng.uniform(-1, 1));
    // L = Σ c ⊙ net(x): dL/dy = c.
    const loss = () => net.forward(x, B).reduce((s, y, i) => s + y * c[i]!, 0);
    loss();
    net.zeroGrad();
    const dx = net.backward(c);
    const grads = (net as unknown as { gw: Float32Array[] }).gw;
    const h = 1e-3; // small enough not to cross a ReLU kink (1e-2 does, at this seed)
    let worst = 0;
    for (const [l, layer] of net.layers.entries()) {
      for (const i of [0, 3, layer.w.length - 1]) {
        const w0 = layer.w[i]!;
        layer.w[i] = w0 + h;
        const up = loss();
        layer.w[i] = w0 - h;
        const down = loss();
        layer.w[i] = w0;
        worst = Math.max(worst, Math.abs((up - down) / (2 * h) - grads[l]![i]!));
      }
    }
    for (const i of [0, 5, 11]) {
      const x0 = x[i]!;
      x[i] = x0 + h;
      const up = loss();
      x[i] = x0 - h;
      const down = loss();
      x[i] = x0;
      worst = Math.max(worst, Math.abs((up - down) / (2 * h) - dx[i]!));
    }
    expect(worst).toBeLessThan(1e-3);
  });
});

describe('SAC', () => {
  const small = { hidden: [32, 32], batchSize: 64, gradientSteps: 1, learningRate: 3e-3, learningStarts: 50 };

  it("learns where to point: each task's return rises from the random warm-up to near the optimum", async () => {
    const family = targetFamily(5);
    const env = family.make(family.tasks(), { envsPerTask: 4, autoReset: 'same-step' });
    const agent = new SourceAgent(sac(small), env, { streams: 4 });
    const E = 200;
    const { returns } = await rollout(env, agent, { episodes: E, seed: 0 });
    const byTask = curves(returns, 4, 4, E);
    const line = byTask.map((c) => `${mean(c.slice(0, 10)).toFixed(2)} → ${mean(c.slice(-10)).toFixed(2)}`);
    console.log(`SAC on target, first 10 → last 10 episodes per task (of 5): ${line.join(', ')}`);
    for (const c of byTask) {
      // of 5; uniform actions score 5·(2/3 − target²) ≈ 1.5–3.1
      expect(mean(c.slice(0, 10))).toBeLessThan(3.5);
      expect(mean(c.slice(-10))).toBeGreaterThan(4.5);
    }
    const m = agent.metrics();
    expect(Object.keys(m).sort()).toEqual([
      'charts/entropy',
      'losses/actor_loss',
      'losses/alpha',
      'losses/qf_loss',
    ]);
    expect(m['losses/alpha']).toBeLessThan(DEFAULT_SAC_CONFIG.entCoefInit); // tuned down from 1
  }, 120_000);

  it('learns to walk to the target and stay (credit over 20 steps), far above a random walk', async () => {
    const family = pointFamily(20);
    const env = family.make(family.tasks(), { envsPerTask: 2, autoReset: 'same-step' });
    const agent = new SourceAgent(sac({ ...small, gamma: 0.9 }), env, { streams: 2 });
    const E = 60;
    const { returns } = await rollout(env, agent, { episodes: E, seed: 1 });
    const byTask = curves(returns, 4, 2, E);
    const first = mean(byTask.map((c) => c[0]!));
    const last = mean(byTask.map((c) => mean(c.slice(-10))));
    console.log(
      `SAC on point: return per episode ${first.toFixed(2)} (random warm-up) → ${last.toFixed(2)} (of 20)`,
    );
    expect(last).toBeGreaterThan(17);
    expect(last - first).toBeGreaterThan(5);
  }, 180_000);

  it('is deterministic for a seed, and its settings round-trip through the registry', async () => {
    const run = async () => {
      const family = targetFamily(5);
      const env = family.make(family.tasks(), { envsPerTask: 2, autoReset: 'same-step' });
      const alg = makeAlgorithm('sac', { ...small, learningStarts: 10 });
      const { returns } = await rollout(env, new SourceAgent(alg, env, { streams: 2 }), {
        episodes: 8,
        seed: 4,
      });
      return Array.from(returns);
    };
    expect(await run()).toEqual(await run());
    expect(makeAlgorithm('sac', {}).settings).toEqual(resolveSacConfig() as never);
  });

  it('collects the same histories on worker threads as in the calling thread', async () => {
    const family = targetFamily(5);
    const digest = async (workers: number) => {
      const store = new MemoryHistoryStore();
      await collect({
        algorithm: sac({ ...small, learningStarts: 10 }),
        family,
        tasks: family.tasks(),
        streams: 2,
        stepsPerStream: 30,
        seed: 5,
        sink: store,
        workers,
      });
      return storeDigest(store);
    };
    expect(await digest(2)).toBe(await digest(0));
  }, 60_000);

  it('rejects discrete actions, unknown keys and bad values naming the field', () => {
    const grid = makeEnvFamily('darkroom');
    expect(() => sac().check(grid.observationSpace, grid.actionSpace, 4)).toThrow(
      /sac: actionSpace.*continuous/s,
    );
    expect(() => sac({ gamma: 2 } as never)).toThrow(InvalidArgumentError);
    expect(() => sac({ gamma: 2 } as never)).toThrow(/sac\.gamma/);
    expect(() => sac({ hiden: [3] } as never)).toThrow(/hiden/);
    expect(() => sac({ batchSize: 0 })).toThrow(/sac\.batchSize/);
    const box = { kind: 'box', shape: [1], low: -Infinity, high: Infinity, dtype: 'float32' } as const;
    expect(() => sac().check(box, box, 1)).toThrow(/finite bounds/);
  });
});
