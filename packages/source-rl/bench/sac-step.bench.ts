// What SAC costs here: one gradient step of one task (entropy coefficient, both critics, the actor through
// the critics, Polyak) at the DICP Meta-World ablation's settings (batch 128, 256-256 ReLU nets, 4-d actions)
// for the reduced (11) and full (39) ML1 observation, and what a DICP-sized SAC collection would take from it.
// Plain TypeScript nets (dense-net.ts), one core.
// Run: npx tsx --conditions=@icrl/source bench/sac-step.bench.ts   (ICRL_BENCH_STEPS=N timed steps, default 20)

import type { VecTransition } from '@icrl/core';
import { resolveSacConfig, SacLearner } from '../src/sac';

const STEPS = Number(process.env.ICRL_BENCH_STEPS ?? 20);

for (const obsSize of [11, 39]) {
  const config = resolveSacConfig({ learningStarts: 0, gradientSteps: 1 });
  const box = (n: number) => ({ kind: 'box', shape: [n], low: -1, high: 1, dtype: 'float32' }) as const;
  const learner = new SacLearner(config, {
    observationSpace: box(obsSize),
    actionSpace: box(4),
    streams: 1,
    taskIndices: [0],
    taskSeeds: [1],
    horizon: 100,
  });
  const obs = Float32Array.from({ length: obsSize }, (_, i) => Math.sin(i));
  const transition = (actions: Float32Array): VecTransition => ({
    obs,
    actions,
    rewards: Float32Array.of(0.5),
    nextObs: obs,
    terminated: new Uint8Array(1),
    truncated: new Uint8Array(1),
  });
  const ms: number[] = [];
  for (let i = 0; i < STEPS + 3; i++) {
    const a = learner.act(obs) as Float32Array;
    const t0 = performance.now();
    learner.observe(transition(a)); // one env step = one gradient step here
    if (i >= 3) ms.push(performance.now() - t0);
  }
  ms.sort((x, y) => x - y);
  const step = ms[Math.floor(ms.length / 2)]!;
  // DICP's SAC data for one ML1 task: 100 streams x 10,000 steps, 10 gradient steps after every env step.
  const hours = (step * 10 * 10_000 * 100) / 3.6e6;
  console.log(
    `metric source.sac.grad_step_ms.obs${obsSize} ${step.toFixed(2)} ms  # median of ${STEPS}; batch 128, 256-256; DICP's SAC histories of one ML1 task (100 streams x 10K steps x 10 gradient steps) would take ${hours.toFixed(0)} h on one core`,
  );
}
