import type { EnvFamily, MakeOptions } from '../src/env-family';
import { InvalidArgumentError } from '../src/errors/invalid-argument-error';
import { ResetNeededError } from '../src/errors/reset-needed-error';
import { Rng } from '../src/rng';
import type { DiscreteSpace, Space } from '../src/spaces';
import type { TaskSpec, TaskSplit } from '../src/task';
import type { AutoResetMode, VecEnv, VecResetOptions, VecStepResult } from '../src/vec-env';

/**
 * A tiny env with a known optimum, for testing core utilities: the observation is the step count, action 1 pays
 * `payout` (0.5 or 1, drawn at reset from the seed), action 0 pays 0; episodes are truncated after `horizon` steps.
 */
export class ToyEnv implements VecEnv {
  readonly tasks: TaskSpec[];
  readonly observationSpace: Space;
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 2 };
  readonly obsSize = 1;
  private readonly t: Int32Array;
  private readonly payout: Float32Array;
  private readonly ended: Uint8Array;
  private readonly obs: Int32Array;
  private readonly finalObs: Int32Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private rngs: Rng[] = [];
  private started = false;

  constructor(
    readonly numEnvs: number,
    readonly horizon: number,
    readonly autoReset: AutoResetMode,
    private readonly flaws: { skipActionChecks?: boolean; nondeterministic?: boolean } = {},
    tasks?: TaskSpec[],
  ) {
    this.tasks =
      tasks ?? Array.from({ length: numEnvs }, (_, i) => ({ familyId: 'toy', index: i, params: {} }));
    this.observationSpace = { kind: 'box', shape: [1], low: 0, high: horizon, dtype: 'int32' };
    this.t = new Int32Array(numEnvs);
    this.payout = new Float32Array(numEnvs);
    this.ended = new Uint8Array(numEnvs);
    this.obs = new Int32Array(numEnvs);
    this.finalObs = new Int32Array(numEnvs);
    this.rewards = new Float32Array(numEnvs);
    this.terminated = new Uint8Array(numEnvs);
    this.truncated = new Uint8Array(numEnvs);
  }

  private resetOne(i: number): void {
    this.t[i] = 0;
    this.obs[i] = 0;
    this.ended[i] = 0;
    const u = this.flaws.nondeterministic ? Math.random() : this.rngs[i]!.float();
    this.payout[i] = u < 0.5 ? 0.5 : 1;
  }

  reset(options: VecResetOptions = {}): Int32Array {
    if (options.seed !== undefined || !this.started) {
      this.rngs = this.tasks.map((task) => new Rng(options.seed ?? 0).fork(task.index, 0));
    }
    this.started = true;
    for (let i = 0; i < this.numEnvs; i++) if (!options.mask || options.mask[i]) this.resetOne(i);
    return this.obs;
  }

  step(actions: ArrayLike<number>): VecStepResult {
    if (!this.started) throw new ResetNeededError(0, 'step() was called before reset()');
    if (actions.length !== this.numEnvs) {
      throw new InvalidArgumentError('actions', actions, `an array of ${this.numEnvs} actions`);
    }
    for (let i = 0; i < this.numEnvs; i++) {
      const a = actions[i]!;
      if (!this.flaws.skipActionChecks && !(a === 0 || a === 1)) {
        throw new InvalidArgumentError(`actions[${i}]`, a, 'an integer in [0, 1]');
      }
      if (this.ended[i] && this.autoReset === 'disabled')
        throw new ResetNeededError(i, 'its episode has ended');
    }
    for (let i = 0; i < this.numEnvs; i++) {
      this.terminated[i] = 0;
      if (this.ended[i] && this.autoReset === 'next-step') {
        this.resetOne(i);
        this.rewards[i] = 0;
        this.truncated[i] = 0;
        continue;
      }
      this.rewards[i] = actions[i] === 1 ? this.payout[i]! : 0;
      this.t[i]!++;
      this.obs[i] = this.t[i]!;
      this.finalObs[i] = this.t[i]!;
      this.truncated[i] = this.t[i]! >= this.horizon ? 1 : 0;
      this.ended[i] = this.truncated[i]!;
      if (this.ended[i] && this.autoReset === 'same-step') this.resetOne(i);
    }
    return {
      obs: this.obs,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      finalObs: this.autoReset === 'same-step' ? this.finalObs : null,
    };
  }

  optimalActions(out = new Int32Array(this.numEnvs)): Int32Array {
    return out.fill(1);
  }

  /** Expected payout of env i in its current episode (for tests). */
  payoutOf(i: number): number {
    return this.payout[i]!;
  }

  close(): void {}
}

/** A family of `numTasks` toy tasks (all alike) whose envs are `ToyEnv`s: optimum = horizon x payout. */
export function toyFamily(numTasks = 4, horizon = 5): EnvFamily {
  const tasks: TaskSpec[] = Array.from({ length: numTasks }, (_, i) => ({
    familyId: 'toy',
    index: i,
    params: {},
  }));
  return {
    id: 'toy',
    config: { horizon },
    observationSpace: { kind: 'box', shape: [1], low: 0, high: horizon, dtype: 'int32' },
    actionSpace: { kind: 'discrete', n: 2 },
    horizon,
    numTasks,
    defaultTrainRatio: 0.5,
    defaultSplitSeed: 0,
    tasks: () => tasks,
    task: (i) => tasks[i]!,
    split: (seed = 0): TaskSplit => ({
      train: tasks.slice(0, 2),
      test: tasks.slice(2),
      seed,
      trainRatio: 0.5,
    }),
    make: (given, options: MakeOptions = {}) => {
      const list = Array.isArray(given) ? given : [given as TaskSpec];
      const copies = options.envsPerTask ?? 1;
      const envTasks = list.flatMap((t) => Array.from({ length: copies }, () => t));
      return new ToyEnv(envTasks.length, horizon, options.autoReset ?? 'disabled', {}, envTasks);
    },
    maxReturn: () => horizon,
  };
}
