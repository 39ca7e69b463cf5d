import { type AutoResetMode, Rng, type TaskSpec } from '@icrl/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { darkKeyToDoor } from './dark-key-to-door';
import { darkroom } from './darkroom';
import { darkroomPermuted } from './darkroom-permuted';
import type { GridStart } from './grid-config';
import type { GridFamily } from './grid-family';
import { gridMaxReturn } from './grid-max-return';
import { MOVE_DX, MOVE_DY } from './grid-moves';

// Property tests over random configs, tasks, action sequences and resets. The env is checked against plain
// invariants and against a naive model written straight from the DICP reference (one env at a time, no typed
// arrays, no deadline clock), so every shortcut the batched env takes must agree with the obvious reading.

const MODES: AutoResetMode[] = ['disabled', 'next-step', 'same-step'];

const startArb = (size: number): fc.Arbitrary<GridStart> =>
  fc.oneof(
    fc.constantFrom<GridStart>('center', 'origin', 'random'),
    fc.tuple(fc.nat(size - 1), fc.nat(size - 1)),
  );
const orderArb = fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5, maxLength: 5 });
const rewardModeArb = fc.constantFrom('every-step' as const, 'first-visit' as const);

const familyArb: fc.Arbitrary<GridFamily> = fc.oneof(
  fc
    .integer({ min: 2, max: 7 })
    .chain((size) =>
      fc.record({
        size: fc.constant(size),
        horizon: fc.integer({ min: 1, max: 12 }),
        start: startArb(size),
        rewardMode: rewardModeArb,
        actionOrder: orderArb,
      }),
    )
    .map((c) => darkroom(c) as GridFamily),
  fc
    .integer({ min: 2, max: 4 })
    .chain((size) =>
      fc.record({
        size: fc.constant(size),
        horizon: fc.integer({ min: 1, max: 12 }),
        start: startArb(size),
        actionOrder: orderArb,
      }),
    )
    .map((c) => darkKeyToDoor(c) as GridFamily),
  fc
    .integer({ min: 2, max: 6 })
    .chain((size) =>
      fc.record({
        size: fc.constant(size),
        horizon: fc.integer({ min: 1, max: 12 }),
        start: startArb(size),
        goal: fc.tuple(fc.nat(size - 1), fc.nat(size - 1)),
        rewardMode: rewardModeArb,
      }),
    )
    .map((c) => darkroomPermuted(c) as GridFamily),
);

interface Scenario {
  family: GridFamily;
  tasks: TaskSpec[];
  envsPerTask: number;
  autoReset: AutoResetMode;
  seed: number;
  /** Per step: the actions, and envs to reset (with a reseed or not) before it. */
  steps: { actions: number[]; resetMask: boolean[]; reseed: number | null }[];
}

const scenarioArb: fc.Arbitrary<Scenario> = familyArb.chain((family) =>
  fc
    .record({
      taskIndices: fc.uniqueArray(fc.nat(family.numTasks - 1), { minLength: 1, maxLength: 4 }),
      envsPerTask: fc.integer({ min: 1, max: 3 }),
      autoReset: fc.constantFrom(...MODES),
      seed: fc.nat(1000),
    })
    .chain(({ taskIndices, envsPerTask, autoReset, seed }) => {
      const n = taskIndices.length * envsPerTask;
      const step = fc.record({
        actions: fc.array(fc.nat(4), { minLength: n, maxLength: n }),
        // mostly no extra resets, so episodes run to their end
        resetMask: fc.oneof(
          { weight: 4, arbitrary: fc.constant(new Array<boolean>(n).fill(false)) },
          { weight: 1, arbitrary: fc.array(fc.boolean(), { minLength: n, maxLength: n }) },
        ),
        reseed: fc.option(fc.nat(1000), { freq: 4 }),
      });
      return fc.record({
        family: fc.constant(family),
        tasks: fc.constant(taskIndices.map((i) => family.task(i))),
        envsPerTask: fc.constant(envsPerTask),
        autoReset: fc.constant(autoReset),
        seed: fc.constant(seed),
        steps: fc.array(step, { minLength: 1, maxLength: 3 * family.horizon + 2 }),
      });
    }),
);

/** What a task puts on the grid, read back from the public task params. */
function layoutOf(family: GridFamily, task: TaskSpec) {
  const p = task.params as { goal?: number[]; key?: number[]; permutation?: number[] };
  const config = family.config as { goal?: number[]; actionOrder?: number[] };
  return {
    goal: (p.goal ?? config.goal)! as [number, number],
    key: (p.key ?? null) as [number, number] | null,
    map: p.permutation ?? config.actionOrder!,
  };
}

/** One env, as the reference writes it. */
class ModelEnv {
  x = 0;
  y = 0;
  t = 0;
  hasKey = false;
  reachedGoal = false;
  status: 'new' | 'running' | 'ended' = 'new';
  rng: Rng | null = null;

  constructor(
    readonly family: GridFamily,
    readonly task: TaskSpec,
    readonly stream: number,
  ) {}

  reset(seed: number | undefined): void {
    if (seed !== undefined || this.rng === null)
      this.rng = new Rng(seed ?? 0).fork(this.task.index, this.stream);
    const size = this.family.size;
    const start = this.family.start;
    if (start === 'random') {
      this.x = this.rng.int(size);
      this.y = this.rng.int(size);
    } else if (start === 'center') [this.x, this.y] = [size >> 1, size >> 1];
    else if (start === 'origin') [this.x, this.y] = [0, 0];
    else [this.x, this.y] = start;
    this.t = 0;
    this.hasKey = false;
    this.reachedGoal = false;
    this.status = 'running';
  }

  step(action: number): { reward: number; truncated: boolean } {
    const { goal, key, map } = layoutOf(this.family, this.task);
    const m = map[action]!;
    const max = this.family.size - 1;
    this.x = Math.min(Math.max(this.x + MOVE_DX[m]!, 0), max);
    this.y = Math.min(Math.max(this.y + MOVE_DY[m]!, 0), max);
    const at = (c: readonly number[]) => this.x === c[0] && this.y === c[1];
    let reward = 0;
    if (this.family.rewardRule === 'key-then-goal') {
      if (!this.hasKey && at(key!)) {
        this.hasKey = true;
        reward = 1;
      } else if (this.hasKey && !this.reachedGoal && at(goal)) {
        this.reachedGoal = true;
        reward = 1;
      }
    } else if (this.family.rewardRule === 'first-visit') {
      if (!this.reachedGoal && at(goal)) {
        this.reachedGoal = true;
        reward = 1;
      }
    } else if (at(goal)) {
      reward = 1;
    }
    this.t++;
    const truncated = this.t === this.family.horizon;
    if (truncated) this.status = 'ended';
    return { reward, truncated };
  }
}

function run(s: Scenario, check: (t: number, i: number, got: string, want: string) => void) {
  const env = s.family.make(s.tasks, { envsPerTask: s.envsPerTask, autoReset: s.autoReset });
  const model = s.tasks.flatMap((task) =>
    Array.from({ length: s.envsPerTask }, (_, k) => new ModelEnv(s.family, task, k)),
  );
  const n = model.length;
  const obsOf = (m: ModelEnv) => `${m.x},${m.y}`;
  env.reset({ seed: s.seed });
  for (const m of model) m.reset(s.seed);
  const episodeReturn = new Array<number>(n).fill(0);
  const episodeStart = model.map((m) => [m.x, m.y] as [number, number]);
  const returnBound = (i: number) => {
    const m = model[i]!;
    if (s.family.start !== 'random') return s.family.maxReturn(m.task);
    const { goal, key } = layoutOf(s.family, m.task);
    return gridMaxReturn(s.family.rewardRule, s.family.horizon, episodeStart[i]!, goal, key);
  };

  s.steps.forEach((step, t) => {
    // disabled: ended envs must be reset; the random mask adds mid-episode resets in every mode
    const mask = step.resetMask.map(
      (b, i) => b || (s.autoReset === 'disabled' && model[i]!.status === 'ended'),
    );
    if (mask.some(Boolean)) {
      const reseed = step.reseed ?? undefined;
      const obs = env.reset({ mask, ...(reseed === undefined ? {} : { seed: reseed }) });
      model.forEach((m, i) => {
        if (!mask[i]) return;
        m.reset(reseed);
        episodeReturn[i] = 0;
        episodeStart[i] = [m.x, m.y];
      });
      model.forEach((m, i) => {
        check(t, i, `${obs[2 * i]},${obs[2 * i + 1]}`, obsOf(m));
      });
    }
    const r = env.step(step.actions);
    model.forEach((m, i) => {
      let want: string;
      if (s.autoReset === 'next-step' && m.status === 'ended') {
        m.reset(undefined);
        episodeReturn[i] = 0;
        episodeStart[i] = [m.x, m.y];
        want = `obs ${obsOf(m)} r 0 term 0 trunc 0`;
      } else {
        const { reward, truncated } = m.step(step.actions[i]!);
        const last = obsOf(m);
        episodeReturn[i]! += reward;
        // invariants: on the grid, rewards 0/1, returns within the bound
        expect(m.x >= 0 && m.y >= 0 && m.x < s.family.size && m.y < s.family.size).toBe(true);
        expect(episodeReturn[i]).toBeLessThanOrEqual(returnBound(i));
        if (truncated && s.autoReset === 'same-step') {
          m.reset(undefined);
          episodeReturn[i] = 0;
          episodeStart[i] = [m.x, m.y];
          want = `obs ${obsOf(m)} r ${reward} term 0 trunc 1 final ${last}`;
        } else {
          want = `obs ${last} r ${reward} term 0 trunc ${truncated ? 1 : 0}`;
          if (s.autoReset === 'same-step') want += ` final ${last}`;
        }
      }
      let got = `obs ${r.obs[2 * i]},${r.obs[2 * i + 1]} r ${r.rewards[i]} term ${r.terminated[i]} trunc ${r.truncated[i]}`;
      if (r.finalObs) got += ` final ${r.finalObs[2 * i]},${r.finalObs[2 * i + 1]}`;
      check(t, i, got, want);
      expect([0, 1]).toContain(r.rewards[i]);
      // the hidden state the env exposes is the model's
      if (s.family.rewardRule === 'key-then-goal' && m.status !== 'ended')
        expect(env.hasKey(i)).toBe(m.hasKey);
    });
  });
}

describe('gridworld properties (fast-check)', () => {
  it('the batched env agrees step by step with a naive model of the reference', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        run(s, (t, i, got, want) => {
          if (got !== want) {
            throw new Error(
              `${s.family.id} ${JSON.stringify(s.family.config)} ${s.autoReset}: step ${t} env ${i}: got ${got}, want ${want}`,
            );
          }
        });
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it('a failed step changes nothing: the env then replays as if it never happened', () => {
    fc.assert(
      fc.property(scenarioArb, fc.nat(), fc.integer({ min: 5, max: 1000 }), (s, at, badValue) => {
        const good = s.family.make(s.tasks, { envsPerTask: s.envsPerTask, autoReset: 'same-step' });
        const flaky = s.family.make(s.tasks, { envsPerTask: s.envsPerTask, autoReset: 'same-step' });
        good.reset({ seed: s.seed });
        flaky.reset({ seed: s.seed });
        for (const { actions } of s.steps) {
          const bad = Int32Array.from(actions);
          bad[at % bad.length] = badValue;
          expect(() => flaky.step(bad)).toThrow(`Invalid actions[${at % bad.length}]: got ${badValue}`);
          const a = flaky.step(actions);
          const snapshot = [
            Array.from(a.obs),
            Array.from(a.rewards),
            Array.from(a.truncated),
            Array.from(a.finalObs!),
          ];
          const b = good.step(actions);
          expect(snapshot).toEqual([
            Array.from(b.obs),
            Array.from(b.rewards),
            Array.from(b.truncated),
            Array.from(b.finalObs!),
          ]);
        }
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});
