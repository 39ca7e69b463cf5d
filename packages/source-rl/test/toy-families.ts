// Small env families for tests: a continuous-action task with a known optimum, and a wrapper that corrupts
// one task's rewards (to inject a NaN into a learner's loss).
import type {
  AutoResetMode,
  BoxSpace,
  EnvFamily,
  MakeOptions,
  SpaceArray,
  TaskSpec,
  TaskSplit,
  VecEnv,
  VecStepResult,
} from '@icrl/core';

type TargetParams = { readonly target: number };

/** A one-dimensional continuous toy: scalar observation x (reset to 0), scalar action a in [-1, 1]. */
interface ScalarToy {
  readonly id: string;
  readonly horizon: number;
  readonly targets: readonly number[];
  /** Next observation and reward of action `a` (already clipped to [-1, 1]) from `x` on a task with `target`. */
  readonly step: (x: number, a: number, target: number) => { readonly x: number; readonly reward: number };
  readonly maxReturn: number;
  /** Expose the target as the scripted expert's action (`optimalActions`). */
  readonly expert?: boolean;
}

function scalarToyFamily(toy: ScalarToy): EnvFamily<TargetParams> {
  const { horizon } = toy;
  const observationSpace: BoxSpace = { kind: 'box', shape: [1], low: -1, high: 1, dtype: 'float32' };
  const actionSpace: BoxSpace = { kind: 'box', shape: [1], low: -1, high: 1, dtype: 'float32' };
  const tasks: TaskSpec<TargetParams>[] = toy.targets.map((target, i) => ({
    familyId: toy.id,
    index: i,
    params: { target },
  }));
  return {
    id: toy.id,
    config: { horizon },
    observationSpace,
    actionSpace,
    horizon,
    numTasks: tasks.length,
    defaultTrainRatio: 1,
    defaultSplitSeed: 0,
    tasks: () => tasks,
    task: (i) => tasks[i]!,
    split: (): TaskSplit<TargetParams> => ({ train: tasks, test: [], seed: 0, trainRatio: 1 }),
    maxReturn: () => toy.maxReturn,
    make(
      which: TaskSpec<TargetParams> | readonly TaskSpec<TargetParams>[],
      options: MakeOptions = {},
    ): VecEnv {
      const list = Array.isArray(which) ? which : [which as TaskSpec<TargetParams>];
      const per = options.envsPerTask ?? 1;
      const n = list.length * per;
      const autoReset: AutoResetMode = options.autoReset ?? 'disabled';
      const targets = Float64Array.from({ length: n }, (_, i) => list[Math.floor(i / per)]!.params.target);
      const steps = new Int32Array(n);
      const obs = new Float32Array(n);
      const result = {
        obs,
        rewards: new Float32Array(n),
        terminated: new Uint8Array(n),
        truncated: new Uint8Array(n),
        finalObs: autoReset === 'same-step' ? new Float32Array(n) : null,
      };
      return {
        numEnvs: n,
        tasks: Array.from({ length: n }, (_, i) => list[Math.floor(i / per)]!),
        observationSpace,
        actionSpace,
        obsSize: 1,
        horizon,
        autoReset,
        reset: () => {
          steps.fill(0);
          obs.fill(0);
          return obs;
        },
        step(actions: ArrayLike<number>): VecStepResult {
          for (let i = 0; i < n; i++) {
            const a = Math.min(1, Math.max(-1, actions[i]!));
            const next = toy.step(obs[i]!, a, targets[i]!);
            result.rewards[i] = next.reward;
            obs[i] = next.x;
            steps[i]! += 1;
            result.truncated[i] = steps[i]! >= horizon ? 1 : 0;
            if (result.truncated[i]) {
              steps[i] = 0;
              if (result.finalObs) result.finalObs[i] = obs[i]!;
              obs[i] = 0;
            }
          }
          return result;
        },
        close() {},
        // A scripted continuous expert, like Meta-World's: the target itself.
        ...(toy.expert
          ? {
              optimalActions(out: Float32Array) {
                if (!(out instanceof Float32Array) || out.length !== n)
                  throw new Error(`optimalActions: expected a Float32Array of length ${n}`);
                out.set(targets);
                return out;
              },
            }
          : {}),
      };
    },
  };
}

/**
 * "Point at the target": observation a constant 0 (float32), action a in [-1, 1], reward 1 - (a - target)^2,
 * episodes of `horizon` steps ending truncated. Task i's target is -0.6 + 0.4 i (4 tasks). Optimum: a = target,
 * return = horizon.
 */
export function targetFamily(horizon = 5, family: { expert?: boolean } = {}): EnvFamily<TargetParams> {
  return scalarToyFamily({
    id: 'target',
    horizon,
    targets: [0, 1, 2, 3].map((i) => -0.6 + 0.4 * i),
    step: (_, a, target) => ({ x: 0, reward: 1 - (a - target) ** 2 }),
    maxReturn: horizon,
    expert: family.expert ?? false,
  });
}

/**
 * "Walk to the target": a point on [-1, 1] starting at 0 moves by 0.25 a per step; reward 1 - |x' - target|.
 * Targets ±0.25, ±0.75 (4 tasks), horizon 20: the optimum walks there in 1–3 steps and stays (return 19.25–20),
 * which needs credit over several steps, unlike `targetFamily`.
 */
export function pointFamily(horizon = 20): EnvFamily<TargetParams> {
  return scalarToyFamily({
    id: 'point',
    horizon,
    targets: [-0.75, -0.25, 0.25, 0.75],
    step: (x, a, target) => {
      const next = Math.min(1, Math.max(-1, x + 0.25 * a));
      return { x: next, reward: 1 - Math.abs(next - target) };
    },
    maxReturn: horizon,
  });
}

/**
 * Wraps a family so that envs of task `taskIndex` report a NaN reward on and after their `fromStep`-th step:
 * a broken env, which a learner must not silently train on.
 */
export function withNanRewards<P extends TaskSpec['params']>(
  family: EnvFamily<P>,
  taskIndex: number,
  fromStep: number,
): EnvFamily<P> {
  return {
    ...family,
    tasks: () => family.tasks(),
    task: (i) => family.task(i),
    split: (seed, ratio) => family.split(seed, ratio),
    make(tasks, options) {
      const env = family.make(tasks, options);
      let count = 0;
      const wrapped: VecEnv = {
        numEnvs: env.numEnvs,
        tasks: env.tasks,
        observationSpace: env.observationSpace,
        actionSpace: env.actionSpace,
        obsSize: env.obsSize,
        horizon: env.horizon,
        autoReset: env.autoReset,
        reset: (o) => env.reset(o),
        close: () => env.close(),
        step(actions: ArrayLike<number>): VecStepResult {
          const out = env.step(actions);
          if (++count >= fromStep) {
            env.tasks.forEach((t, i) => {
              if (t.index === taskIndex) out.rewards[i] = Number.NaN;
            });
          }
          return out;
        },
      };
      if (env.optimalActions) wrapped.optimalActions = (out) => env.optimalActions!(out);
      return wrapped;
    },
  };
}

/** A typed-array copy helper for comparing histories. */
export function copyOf(a: SpaceArray | Uint8Array): number[] {
  return Array.from(a);
}
