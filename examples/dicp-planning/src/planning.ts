// DICP-AD planning on one held-out Darkroom goal, keeping what the planner imagined at every planned step
// (`DicpAgent.lastPlan`), and the same model acting from its policy alone for comparison.
import { type InContextAgent, rollout, type SpaceArray, type TaskSpec, type VecTransition } from '@icrl/core';
import { DicpAgent, type DicpPlan, type PlanStats } from '@icrl/dicp';
import { makeEnvFamily } from '@icrl/envs';
import type { OrtModel } from '@icrl/transformer';

/** Darkroom's moves as arrows (the top row is y = size − 1): x+1 →, x−1 ←, y+1 ↑, y−1 ↓, stay ·. */
export const ARROWS = ['→', '←', '↑', '↓', '·'] as const;

/** One planned step of one run: where it really was, what the search imagined, what it did. */
export interface TracedStep {
  /** 0-based run (env), episode and the real cell. */
  readonly run: number;
  readonly episode: number;
  readonly cell: readonly number[];
  readonly plan: DicpPlan;
  /** The action the agent took (= `plan.actions[0]`); `overruled`: it differs from the policy's sample. */
  readonly action: number;
  readonly overruled: boolean;
}

export interface PlanningOptions {
  /** Index into the family's held-out goals. Default 0. */
  readonly goal?: number;
  /** Consecutive episodes, context kept across them. Default 8. */
  readonly episodes?: number;
  /** Copies of the goal run side by side (returns are averaged over them). Default 4. */
  readonly runs?: number;
  readonly seed?: number;
}

export interface PlanningResult {
  readonly task: TaskSpec;
  /** Every planned step of every run, in step order (runs in order within a step). */
  readonly trace: readonly TracedStep[];
  /** Mean return per episode over the runs: with beam planning, and from the policy alone (`plan: false`). */
  readonly withPlanning: readonly number[];
  readonly withoutPlanning: readonly number[];
  /** Return per episode of each run with planning: `runReturns[run][episode]`. */
  readonly runReturns: readonly (readonly number[])[];
  readonly stats: PlanStats;
}

/** Wraps the agent and records, after each `act`, every env's plan of that very step. */
class Tracer implements InContextAgent {
  readonly name = 'dicp-tracer';
  readonly trace: TracedStep[] = [];
  private step = 0;
  private episode = new Int32Array(0);
  constructor(readonly agent: DicpAgent) {}
  reset(n: number, o?: { seed?: number }) {
    [this.step, this.episode] = [0, new Int32Array(n)];
    return this.agent.reset(n, o);
  }
  async act(obs: SpaceArray) {
    const actions = await this.agent.act(obs);
    for (let run = 0; run < this.episode.length; run++) {
      const plan = this.agent.lastPlan(run);
      if (plan === null || plan.step !== this.step) break; // this step did not plan
      const [action, episode] = [actions[run]!, this.episode[run]!];
      const cell = [obs[2 * run]!, obs[2 * run + 1]!];
      this.trace.push({ run, episode, cell, plan, action, overruled: action !== plan.policyAction });
    }
    return actions;
  }
  observe(t: VecTransition) {
    this.step += 1;
    for (let i = 0; i < this.episode.length; i++)
      if (t.terminated[i] || t.truncated[i]) this.episode[i]! += 1;
    return this.agent.observe(t);
  }
}

/** Runs the cached DICP-AD planner (and the policy alone) on one held-out goal of the model's env. */
export async function runPlanning(ort: OrtModel, options: PlanningOptions = {}): Promise<PlanningResult> {
  const family = makeEnvFamily(ort.config.envId);
  const task = family.split().test[options.goal ?? 0];
  if (task === undefined) throw new RangeError(`--goal must be in [0, ${family.split().test.length - 1}]`);
  const [episodes, runs, seed] = [options.episodes ?? 8, options.runs ?? 4, options.seed ?? 0];
  const play = async (plan: boolean) => {
    const tracer = new Tracer(new DicpAgent(ort, { family, plan, seed: 1 }));
    const env = family.make([task], { envsPerTask: runs, autoReset: 'same-step' });
    const { returns } = await rollout(env, tracer, { episodes, seed });
    const perRun = Array.from({ length: runs }, (_, i) =>
      Array.from(returns.subarray(i * episodes, (i + 1) * episodes)),
    );
    const mean = perRun[0]!.map((_, k) => perRun.reduce((sum, r) => sum + r[k]!, 0) / runs);
    return { mean, perRun, trace: tracer.trace, stats: tracer.agent.planStats };
  };
  const planned = await play(true);
  const policy = await play(false);
  return {
    task,
    trace: planned.trace,
    withPlanning: planned.mean,
    withoutPlanning: policy.mean,
    runReturns: planned.perRun,
    stats: planned.stats,
  };
}

/** One line per traced step: real cell, imagined path (arrows and cells), predicted rewards, the action taken. */
export function formatStep(s: TracedStep): string {
  const cell = (c: readonly number[]) => `(${c.join(',')})`;
  const path = s.plan.actions.map((a, d) => `${ARROWS[a]}${cell(s.plan.states[d]!)}`).join(' ');
  const origin = s.overruled ? `overruled the policy's ${ARROWS[s.plan.policyAction]}` : 'as the policy';
  return (
    `run ${s.run} ep ${s.episode + 1} t ${String(s.plan.position).padStart(2)} at ${cell(s.cell)}  ${path}  ` +
    `r̂ ${s.plan.rewards.join('')} (Σ ${s.plan.score})  took ${ARROWS[s.action]} ${origin}`
  );
}
