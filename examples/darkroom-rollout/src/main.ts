// The Darkroom rollout demo: three agents on the goals the DICP reference holds out (split seed 0), each playing
// consecutive episodes with its memory kept across them. Writes learning curves, a trajectory and the numbers.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AgentFactory,
  type EvaluationResult,
  evaluate,
  type InContextAgent,
  RandomAgent,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import { darkroom, OracleAgent, renderTrajectorySvg } from '@icrl/envs';
import { type Curve, curvesSvg } from './curves-svg';
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
console.log(`Darkroom ${family.size}x${family.size}, horizon ${family.horizon}`);
console.log(`held-out goals: ${test.map((t) => `(${t.params.goal.join(',')})`).join(' ')}`);

const agents: [string, string, AgentFactory][] = [
  ['oracle (knows the goal)', '#2a9d8f', (env) => new OracleAgent(env)],
  ['sweep (hand-written in-context learner)', '#e76f51', () => new SweepAgent(family.size)],
  ['random', '#8d99ae', (env) => new RandomAgent(env.actionSpace)],
];
const curves: Curve[] = [];
const results: Record<string, EvaluationResult[]> = {};
let sweepPaths: [number, number][][] = [];
for (const [label, color, makeAgent] of agents) {
  results[label] = [];
  for (const seed of SEEDS) {
    let recorder: PathRecorder | undefined;
    const result = await evaluate(
      (env) => {
        recorder = new PathRecorder(makeAgent(env));
        return recorder;
      },
      family,
      test,
      { episodes: EPISODES, seed },
    );
    results[label].push(result);
    if (label.startsWith('sweep') && seed === 0) sweepPaths = recorder!.episodes.slice(0, 3);
  }
  const returns = results[label].flatMap((r) => r.returns);
  curves.push({ label: label.split(' (')[0]!, color, dashed: label.startsWith('oracle'), returns });
}
console.log(`mean optimal return on them: ${results[agents[0]![0]]![0]!.maxReturn?.toFixed(2)}\n`);

console.log(`return per episode (mean over ${test.length} goals x ${SEEDS.length} seeds, ±95% CI)`);
console.log(
  `${'episode'.padEnd(44)}${Array.from({ length: EPISODES }, (_, k) => String(k + 1).padStart(6)).join('')}`,
);
for (const curve of curves) {
  const label = agents.find(([l]) => l.startsWith(curve.label))![0];
  const mean = curve.returns[0]!.map(
    (_, k) => curve.returns.reduce((s, r) => s + r[k]!, 0) / curve.returns.length,
  );
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
writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
console.log(`\nwrote ${join(outDir, 'curves.svg')}, sweep-episode-{1,2,3}.svg and results.json`);
