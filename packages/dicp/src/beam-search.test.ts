import { createDarkroom } from '@icrl/envs';
import { describe, expect, it } from 'vitest';
import { StubWorld, transition } from '../test/stub-world';
import { DicpAgent } from './dicp-agent';

// The beam search on a hand-built world model (test/stub-world.ts) whose answers are known.

const family = createDarkroom({ size: 5, horizon: 10 }, { id: 'darkroom-5' }); // default depth: size − 1 = 4
const N_TRANSIT = 8; // 7 context tokens

/** Feeds `count` transitions of every env staying at (0, 0); the last one ends an episode (next: position 0). */
async function fill(agent: DicpAgent, world: StubWorld, n: number, count: number) {
  for (let t = 0; t < count; t++) {
    agent.observe(transition(world, n, 0, 0, 4, (count - 1 - t) % family.horizon === 0));
  }
}

const obsOf = (cells: readonly (readonly [number, number])[]) => Int32Array.from(cells.flat());

/** The cells and rewards the stub's true dynamics give for `actions` from `cell`. */
function replay(world: StubWorld, cell: readonly [number, number], actions: readonly number[]) {
  let [x, y] = cell;
  const states: number[][] = [];
  const rewards: number[] = [];
  for (const a of actions) {
    [x, y] = world.move(x, y, a);
    states.push([x, y]);
    rewards.push(world.goal !== null && x === world.goal[0] && y === world.goal[1] ? 1 : 0);
  }
  return { states, rewards };
}

describe('beam search', () => {
  it('returns the known best first action, against the policy, with each level in one batched call', async () => {
    // Goal (4, 2); the policy strongly prefers x−1 (away from it).
    const world = new StubWorld(family, N_TRANSIT, [4, 2], () => [0, 6, 0, 0, 0]);
    const agent = new DicpAgent(world, { family, seed: 3 });
    const cells = [
      [2, 2], // two steps x+1 → action 0
      [4, 0], // two steps y+1 → action 2
      [3, 2], // one step x+1 → action 0
      [4, 3], // one step y−1 → action 3
    ] as const;
    agent.reset(cells.length);
    await fill(agent, world, cells.length, N_TRANSIT);
    world.calls.length = 0;
    expect(Array.from(await agent.act(obsOf(cells)))).toEqual([0, 2, 0, 3]);
    // Policy, then levels 1–4: 4 envs × 5 actions, × (5 kept × 5), × (10 kept × 5) twice.
    expect(world.calls.map((c) => c.size)).toEqual([4, 20, 100, 200, 200]);
    expect(world.badTokens).toBe(0); // every imagined transition followed the model's argmax predictions
    expect(agent.planStats).toEqual({ planned: 4, changed: 4 });
  });

  it('reports the best path it imagined, from what the search already computed (no model call)', async () => {
    const world = new StubWorld(family, N_TRANSIT, [4, 2], () => [0, 6, 0, 0, 0]);
    const agent = new DicpAgent(world, { family, seed: 3 });
    const cells = [
      [2, 2],
      [4, 0],
      [3, 2],
      [4, 3],
    ] as const;
    agent.reset(cells.length);
    await fill(agent, world, cells.length, N_TRANSIT);
    expect(agent.lastPlan(0)).toBeNull(); // nothing planned yet
    const actions = Array.from(await agent.act(obsOf(cells)));
    const calls = world.calls.length;
    const plans = cells.map((_, i) => agent.lastPlan(i)!);
    expect(world.calls.length).toBe(calls);
    // The known best paths: reach the goal, then stay on it (x+1 clipped at the wall ranks before "stay").
    expect(plans.map((p) => p.actions)).toEqual([
      [0, 0, 0, 0],
      [2, 2, 0, 0],
      [0, 0, 0, 0],
      [3, 0, 0, 0],
    ]);
    expect(plans.map((p) => p.rewards)).toEqual([
      [0, 1, 1, 1],
      [0, 1, 1, 1],
      [1, 1, 1, 1],
      [1, 1, 1, 1],
    ]);
    expect(plans[1]!.states).toEqual([
      [4, 1],
      [4, 2],
      [4, 2],
      [4, 2],
    ]);
    plans.forEach((p, i) => {
      expect(replay(world, cells[i]!, p.actions)).toEqual({ states: p.states, rewards: p.rewards });
      expect(p.score).toBe(p.rewards.reduce((a, b) => a + b, 0));
      expect(p.actions[0]).toBe(actions[i]);
      expect(p.policyAction).toBe(1); // the policy's overwhelming x−1: every plan overruled it
      expect(p).toMatchObject({ step: N_TRANSIT, position: 0 });
    });
    expect(() => agent.lastPlan(4)).toThrow(/env/);
    agent.reset(1);
    expect(agent.lastPlan(0)).toBeNull();
  });

  it('with no predicted reward anywhere returns exactly the policy’s first sampled action', async () => {
    // A policy that varies with the cell, so the sampled actions vary.
    const policy = (x: number, y: number) =>
      [0, 1, 2, 3, 4].map((a) => Math.sin(1.7 * x + 2.3 * y + a * a) * 2);
    const cells = Array.from({ length: 64 }, (_, i) => [i % 5, Math.floor(i / 5) % 5] as const);
    const act = async (plan: boolean) => {
      const world = new StubWorld(family, N_TRANSIT, null, policy);
      const agent = new DicpAgent(world, { family, seed: 11, plan });
      agent.reset(cells.length);
      await fill(agent, world, cells.length, N_TRANSIT);
      const actions = Array.from(await agent.act(obsOf(cells)));
      const plans = cells.map((_, i) => agent.lastPlan(i));
      return { actions, calls: world.calls.length, stats: agent.planStats, plans };
    };
    const planned = await act(true);
    const policyOnly = await act(false);
    expect(planned.calls).toBe(1 + 4); // it did plan: policy + 4 levels
    expect(policyOnly.calls).toBe(1);
    expect(planned.actions).toEqual(policyOnly.actions);
    expect(new Set(planned.actions).size).toBeGreaterThan(2);
    expect(planned.stats).toEqual({ planned: 64, changed: 0 });
    expect(policyOnly.plans.every((p) => p === null)).toBe(true);
    planned.plans.forEach((p, i) => {
      expect(p!.actions).toHaveLength(4);
      expect(p!.rewards).toEqual([0, 0, 0, 0]);
      expect(p!.score).toBe(0);
      expect(p!.actions[0]).toBe(policyOnly.actions[i]);
      expect(p!.policyAction).toBe(policyOnly.actions[i]);
      // Ties keep the order: level 1 the policy's first sample, deeper levels action 0 (x+1) first.
      expect(p!.actions.slice(1)).toEqual([0, 0, 0]);
      expect(replay(new StubWorld(family, N_TRANSIT, null, policy), cells[i]!, p!.actions).states).toEqual(
        p!.states,
      );
    });
  });

  it('plans only once nTransit real transitions were seen (the reference’s step ≥ n_transit)', async () => {
    const world = new StubWorld(family, N_TRANSIT, [4, 2], () => [0, 6, 0, 0, 0]);
    const agent = new DicpAgent(world, { family });
    agent.reset(1);
    await fill(agent, world, 1, N_TRANSIT - 1); // the window (7 tokens) is full, but step 7 < 8
    world.calls.length = 0;
    await agent.act(obsOf([[2, 2]]));
    expect(world.calls.length).toBe(1);
    expect(agent.planning).toBe(false);
    agent.observe(transition(world, 1, 0, 0, 4));
    expect(agent.planning).toBe(true);
    world.calls.length = 0;
    expect(Array.from(await agent.act(obsOf([[2, 2]])))).toEqual([0]);
    expect(world.calls.length).toBe(5);
  });

  it('cuts the depth at the episode end', async () => {
    const world = new StubWorld(family, N_TRANSIT, [4, 4], () => [0, 0, 0, 0, 6]);
    const agent = new DicpAgent(world, { family, depth: 4 });
    agent.reset(1);
    await fill(agent, world, 1, 10);
    for (let t = 0; t < 8; t++) agent.observe(transition(world, 1, 0, 0, 4)); // position 8 of 10: two steps left
    world.calls.length = 0;
    // Goal three steps away: unreachable within the 2 remaining steps, so the policy's "stay" stands.
    expect(Array.from(await agent.act(obsOf([[4, 1]])))).toEqual([4]);
    expect(world.calls.length).toBe(1 + 2);
    expect(agent.lastPlan(0)).toMatchObject({ actions: [4, 0], rewards: [0, 0], position: 8, step: 18 });
    // Two steps away: reachable, the search finds it.
    expect(Array.from(await agent.act(obsOf([[4, 2]])))).toEqual([2]);
    expect(agent.lastPlan(0)).toMatchObject({
      actions: [2, 2],
      states: [
        [4, 3],
        [4, 4],
      ],
      rewards: [0, 1],
    });
  });

  it('keeps room for imagined tokens (reserve) or slides the window (slide)', async () => {
    const lengths = async (window: 'reserve' | 'slide') => {
      const world = new StubWorld(family, N_TRANSIT, [4, 2], () => [0, 6, 0, 0, 0]);
      const agent = new DicpAgent(world, { family, window });
      agent.reset(2);
      await fill(agent, world, 2, N_TRANSIT + 1);
      world.calls.length = 0;
      const actions = Array.from(
        await agent.act(
          obsOf([
            [2, 2],
            [4, 0],
          ]),
        ),
      );
      expect(world.badTokens).toBe(0);
      return { actions, lengths: world.calls.map((c) => c.contextLength) };
    };
    // 7 context tokens, depth 4: reserve keeps 7 − 3 = 4 real tokens for levels ≥ 2.
    expect(await lengths('reserve')).toEqual({ actions: [0, 2], lengths: [7, 7, 5, 6, 7] });
    expect(await lengths('slide')).toEqual({ actions: [0, 2], lengths: [7, 7, 7, 7, 7] });
  });

  it('with fewer candidates than actions expands only the policy’s top actions', async () => {
    // Goal at (4, 2) from (2, 2): x+1 (action 0) is the only good first move; with 2 candidates and a policy
    // ranking x−1 then y+1 first, action 0 is never a candidate at the root.
    const world = new StubWorld(family, N_TRANSIT, [4, 2], () => [0, 9, 5, 0, 0]);
    const agent = new DicpAgent(world, { family, candidates: 2, seed: 1 });
    agent.reset(1);
    await fill(agent, world, 1, N_TRANSIT);
    world.calls.length = 0;
    const [a] = await agent.act(obsOf([[2, 2]]));
    expect([1, 2]).toContain(a);
    // Deeper levels evaluate all 5 children of each beam (the node's policy comes with them) and keep 2 each:
    // 2 beams → 10 rows, 4 eligible kept → 20 rows, 8 kept → 40 rows.
    expect(world.calls.map((c) => c.size)).toEqual([1, 2, 10, 20, 40]);
  });
});
