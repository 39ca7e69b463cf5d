import { darkroom } from '@icrl/envs';
import { ADModel, initBackend, OrtModel, resolveModelConfig } from '@icrl/transformer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARROWS, formatStep, type PlanningResult, runPlanning } from './planning';

// The example's core on a small random-init DICP-AD model (no zoo): the trace must describe what happened.

const family = darkroom(); // 9 × 9, horizon 20: depth 8
const N_TRANSIT = 16;
const EPISODES = 3;
const RUNS = 2;
const DX = [1, -1, 0, 0, 0];
const DY = [0, 0, 1, -1, 0];

let model: ADModel;
let ort: OrtModel;
let result: PlanningResult;
beforeAll(async () => {
  await initBackend('wasm');
  const spaces = { observationSpace: family.observationSpace, actionSpace: family.actionSpace };
  model = new ADModel(
    resolveModelConfig({
      envId: family.id,
      ...spaces,
      dynamics: true,
      nLayer: 2,
      nEmbd: 16,
      nHead: 2,
      nInner: 32,
      nTransit: N_TRANSIT,
      seed: 5,
    }),
  );
  ort = await OrtModel.fromModel(model);
  result = await runPlanning(ort, { goal: 1, episodes: EPISODES, runs: RUNS });
}, 60_000);
afterAll(async () => {
  await ort.dispose();
  model.dispose();
});

describe('dicp-planning', () => {
  it('traces every planned step of every run, from step nTransit on', () => {
    const steps = EPISODES * family.horizon;
    expect(result.task).toEqual(family.split().test[1]);
    expect(result.trace.map((s) => [s.plan.step, s.run])).toEqual(
      Array.from({ length: RUNS * (steps - N_TRANSIT) }, (_, i) => [
        N_TRANSIT + Math.floor(i / RUNS),
        i % RUNS,
      ]),
    );
    expect(result.stats.planned).toBe(RUNS * (steps - N_TRANSIT));
    expect(result.stats.changed).toBeGreaterThan(0);
    expect(result.trace.filter((s) => s.overruled).length).toBeGreaterThan(0);
    for (const s of result.trace) {
      expect(s.plan.position).toBe(s.plan.step % family.horizon);
      expect(s.episode).toBe(Math.floor(s.plan.step / family.horizon));
    }
  });

  it('reports consistent paths: depth cut at the episode end, valid cells, first action = the action taken', () => {
    for (const s of result.trace) {
      const { actions, states, rewards, score } = s.plan;
      const depth = Math.min(8, family.horizon - s.plan.position);
      expect(actions).toHaveLength(depth);
      expect(states).toHaveLength(depth);
      expect(rewards).toHaveLength(depth);
      for (const cell of states) {
        expect(cell).toHaveLength(2);
        for (const v of cell) expect(Number.isInteger(v) && v >= 0 && v < 9).toBe(true);
      }
      for (const a of actions) expect([0, 1, 2, 3, 4]).toContain(a);
      for (const r of rewards) expect([0, 1]).toContain(r);
      expect(score).toBe(rewards.reduce((a, b) => a + b, 0));
      expect(actions[0]).toBe(s.action);
      expect(s.overruled).toBe(s.action !== s.plan.policyAction);
    }
  });

  it('records the action each run really took: its next traced cell is where it leads', () => {
    let checked = 0;
    for (let i = 0; i + RUNS < result.trace.length; i++) {
      const [s, t] = [result.trace[i]!, result.trace[i + RUNS]!];
      expect(t.run).toBe(s.run);
      if (t.episode !== s.episode) continue;
      const clip = (v: number) => Math.min(8, Math.max(0, v));
      expect(t.cell).toEqual([clip(s.cell[0]! + DX[s.action]!), clip(s.cell[1]! + DY[s.action]!)]);
      checked++;
    }
    expect(checked).toBeGreaterThan(RUNS * 30);
  });

  it('prints the path as arrows and cells, and returns per episode with and without planning', () => {
    const s = result.trace.find((x) => x.overruled)!;
    const line = formatStep(s);
    const path = s.plan.actions.map((a, d) => `${ARROWS[a]}(${s.plan.states[d]!.join(',')})`).join(' ');
    expect(line).toContain(path);
    expect(line).toContain(`at (${s.cell.join(',')})`);
    expect(line).toContain(`took ${ARROWS[s.action]} overruled the policy's ${ARROWS[s.plan.policyAction]}`);
    expect(result.runReturns).toHaveLength(RUNS);
    result.withPlanning.forEach((m, k) => {
      expect(m).toBeCloseTo((result.runReturns[0]![k]! + result.runReturns[1]![k]!) / 2, 10);
    });
    for (const r of [result.withPlanning, result.withoutPlanning, ...result.runReturns]) {
      expect(r).toHaveLength(EPISODES);
      for (const x of r) expect(x >= 0 && x <= family.horizon).toBe(true);
    }
  });
});
