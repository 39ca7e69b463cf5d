// The Darkroom rollout demo: three agents on the goals the DICP reference holds out (split seed 0), each playing
// consecutive episodes with its memory kept across them. Writes learning curves, a trajectory and the numbers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type InContextAgent, RandomAgent, rollout, type SpaceArray, type VecTransition } from '@icrl/core';
import { darkroom, OracleAgent, renderTrajectorySvg } from '@icrl/envs';
import { type Curve, curvesSvg, meanAndCi } from './curves-svg';
import { SweepAgent } from './sweep-agent';

const EPISODES = 10;
const SEEDS = [0, 1, 2, 3, 4];
const outDir = process.argv[2] ?? join(import.meta.dirname, '..', 'out');

/** Wraps an agent and records env 0's path, episode by episode, for drawing. */
class PathRecorder implements InContextAgent {
  readonly name: string;
  readonly episodes: [number, number][][] = [[]];
  constructor(private readonly inner: InContextAgent) {
    this.name = inner.name;
  }
  reset(numEnvs: number, options?: { seed?: number }) {
    return this.inner.reset(numEnvs, options);
  }
  act(obs: SpaceArray) {
    const path = this.episodes.at(-1)!;
    if (path.length === 0) path.push([obs[0]!, obs[1]!]);
    return this.inner.act(obs);
  }
  observe(t: VecTransition) {
    this.episodes.at(-1)!.push([t.nextObs[0]!, t.nextObs[1]!]);
    if (t.terminated[0] || t.truncated[0]) this.episodes.push([]);
    return this.inner.observe(t);
  }
}

const family = darkroom();
const { test } = family.split(); // the DICP reference's held-out goals for split seed 0
const optimum = test.reduce((sum, task) => sum + family.maxReturn(task), 0) / test.length;
console.log(`Darkroom ${family.size}x${family.size}, horizon ${family.horizon}`);
console.log(`held-out goals: ${test.map((t) => `(${t.params.goal.join(',')})`).join(' ')}`);
console.log(`mean optimal return on them: ${optimum.toFixed(2)}\n`);

const curves: Curve[] = [];
const runs: Record<string, number[][]> = {};
let sweepPaths: [number, number][][] = [];
for (const [label, color, makeAgent] of [
  ['oracle (knows the goal)', '#2a9d8f', (env: ReturnType<typeof family.make>) => new OracleAgent(env)],
  ['sweep (hand-written in-context learner)', '#e76f51', () => new SweepAgent(family.size)],
  ['random', '#8d99ae', (env: ReturnType<typeof family.make>) => new RandomAgent(env.actionSpace)],
] as const) {
  const returns: number[][] = [];
  for (const seed of SEEDS) {
    const env = family.make(test, { autoReset: 'same-step' });
    const agent = new PathRecorder(makeAgent(env));
    const result = await rollout(env, agent, { episodes: EPISODES, seed });
    for (let i = 0; i < env.numEnvs; i++) {
      returns.push(Array.from(result.returns.subarray(i * EPISODES, (i + 1) * EPISODES)));
    }
    if (label.startsWith('sweep') && seed === 0) sweepPaths = agent.episodes.slice(0, 3);
  }
  runs[label] = returns;
  curves.push({ label: label.split(' (')[0]!, color, dashed: label.startsWith('oracle'), returns });
}

console.log(`return per episode (mean over ${test.length} goals x ${SEEDS.length} seeds, ±95% CI)`);
console.log(
  `${'episode'.padEnd(44)}${Array.from({ length: EPISODES }, (_, k) => String(k + 1).padStart(6)).join('')}`,
);
for (const [label, returns] of Object.entries(runs)) {
  const { mean } = meanAndCi(returns);
  console.log(`${label.padEnd(44)}${mean.map((m) => m.toFixed(1).padStart(6)).join('')}`);
}

mkdirSync(outDir, { recursive: true });
writeFileSync(
  join(outDir, 'curves.svg'),
  curvesSvg('Darkroom, held-out goals: return per episode', curves, family.horizon),
);
const goal = test[0]!.params.goal;
sweepPaths.forEach((path, k) => {
  const svg = renderTrajectorySvg({
    size: family.size,
    path,
    goal: [goal[0], goal[1]],
    title: `sweep agent, goal (${goal.join(',')}), episode ${k + 1}`,
  });
  writeFileSync(join(outDir, `sweep-episode-${k + 1}.svg`), svg);
});
writeFileSync(
  join(outDir, 'results.json'),
  `${JSON.stringify({ env: family.id, config: family.config, splitSeed: 0, goals: test.map((t) => t.params.goal), seeds: SEEDS, episodes: EPISODES, returns: runs }, null, 1)}\n`,
);
console.log(`\nwrote ${join(outDir, 'curves.svg')}, sweep-episode-{1,2,3}.svg and results.json`);
