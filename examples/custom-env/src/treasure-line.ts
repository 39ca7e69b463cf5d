// "Treasure on a line": an original env family written against @icrl/core's interfaces. A corridor of `length`
// cells; a task is a start cell and a treasure cell (length^2 tasks). The agent sees only its own cell; every step
// that ends on the treasure pays 1. Actions: 0 left, 1 right, 2 stay (clipped at the walls). Episodes last
// `horizon` steps (truncated, never terminated).
import {
  type AutoResetMode,
  type EnvFamily,
  InvalidArgumentError,
  pythonSplit,
  ResetNeededError,
  requireInteger,
  requireOneOf,
  type TaskSpec,
  type VecEnv,
  type VecResetOptions,
  type VecStepResult,
} from '@icrl/core';

export type TreasureParams = { readonly start: number; readonly treasure: number };
const ID = 'treasure-line';
const MODES: readonly AutoResetMode[] = ['disabled', 'next-step', 'same-step'];

class TreasureLineEnv implements VecEnv {
  readonly actionSpace = { kind: 'discrete', n: 3 } as const;
  readonly observationSpace;
  readonly obsSize = 1;
  readonly numEnvs: number;
  private readonly pos: Int32Array;
  private readonly finalPos: Int32Array;
  private readonly t: Int32Array;
  private readonly ended: Uint8Array;
  private readonly rewards: Float32Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private started = false;

  constructor(
    readonly tasks: readonly TaskSpec<TreasureParams>[],
    private readonly length: number,
    readonly horizon: number,
    readonly autoReset: AutoResetMode,
  ) {
    this.observationSpace = { kind: 'box', shape: [1], low: 0, high: length - 1, dtype: 'int32' } as const;
    this.numEnvs = tasks.length;
    const n = this.numEnvs;
    [this.pos, this.finalPos, this.t] = [new Int32Array(n), new Int32Array(n), new Int32Array(n)];
    [this.ended, this.terminated, this.truncated] = [new Uint8Array(n), new Uint8Array(n), new Uint8Array(n)];
    this.rewards = new Float32Array(n);
  }

  private start(i: number): void {
    this.pos[i] = this.tasks[i]!.params.start;
    this.t[i] = 0;
    this.ended[i] = 0;
  }

  reset(options: VecResetOptions = {}): Int32Array {
    this.started = true; // nothing is random here, so `seed` changes nothing
    for (let i = 0; i < this.numEnvs; i++) if (!options.mask || options.mask[i]) this.start(i);
    return this.pos;
  }

  step(actions: ArrayLike<number>): VecStepResult {
    if (!this.started) throw new ResetNeededError(0, 'step() was called before reset()');
    if (actions?.length !== this.numEnvs) {
      throw new InvalidArgumentError('actions', actions, `an array of ${this.numEnvs} actions`);
    }
    for (let i = 0; i < this.numEnvs; i++) {
      const a = actions[i]!;
      if (!(a === 0 || a === 1 || a === 2))
        throw new InvalidArgumentError(`actions[${i}]`, a, 'an integer in [0, 2]');
      if (this.ended[i] && this.autoReset === 'disabled')
        throw new ResetNeededError(i, 'its episode has ended');
    }
    for (let i = 0; i < this.numEnvs; i++) {
      this.terminated[i] = 0;
      if (this.ended[i] && this.autoReset === 'next-step') {
        this.start(i); // Gymnasium 1.x: this step only resets
        this.rewards[i] = 0;
        this.truncated[i] = 0;
        continue;
      }
      const move = [-1, 1, 0][actions[i]!]!;
      this.pos[i] = Math.min(this.length - 1, Math.max(0, this.pos[i]! + move));
      this.rewards[i] = this.pos[i] === this.tasks[i]!.params.treasure ? 1 : 0;
      this.finalPos[i] = this.pos[i]!;
      this.truncated[i] = ++this.t[i]! >= this.horizon ? 1 : 0;
      this.ended[i] = this.truncated[i]!;
      if (this.ended[i] && this.autoReset === 'same-step') this.start(i);
    }
    const finalObs = this.autoReset === 'same-step' ? this.finalPos : null;
    return {
      obs: this.pos,
      rewards: this.rewards,
      terminated: this.terminated,
      truncated: this.truncated,
      finalObs,
    };
  }

  optimalActions(out = new Int32Array(this.numEnvs)): Int32Array {
    for (let i = 0; i < this.numEnvs; i++) {
      const d = this.tasks[i]!.params.treasure - this.pos[i]!;
      out[i] = d < 0 ? 0 : d > 0 ? 1 : 2;
    }
    return out;
  }

  close(): void {}
}

/**
 * The family: task `start * length + treasure`, split as DICP splits Darkroom (CPython's shuffle, seed 0, 90%).
 * With length 9 that is Darkroom's 81 tasks and 73 / 8 split, in one dimension.
 */
export function treasureLine(config: { length?: number; horizon?: number } = {}): EnvFamily<TreasureParams> {
  const length = requireInteger('treasureLine.length', config.length ?? 9, { min: 2, max: 256 });
  const horizon = requireInteger('treasureLine.horizon', config.horizon ?? 12, { min: 1 });
  const all = Array.from({ length: length * length }, (_, i) => ({
    familyId: ID,
    index: i,
    params: { start: Math.floor(i / length), treasure: i % length },
  }));
  const checkTask = (task: TaskSpec<TreasureParams>, field: string) => {
    if (task?.familyId !== ID) throw new InvalidArgumentError(field, task, `a task of ${ID}`);
    for (const key of ['start', 'treasure'] as const) {
      requireInteger(`${field}.params.${key}`, task.params?.[key], { min: 0, max: length - 1 });
    }
    return task;
  };
  return {
    id: ID,
    config: { length, horizon },
    observationSpace: { kind: 'box', shape: [1], low: 0, high: length - 1, dtype: 'int32' },
    actionSpace: { kind: 'discrete', n: 3 },
    horizon,
    numTasks: all.length,
    defaultTrainRatio: 0.9,
    defaultSplitSeed: 0,
    tasks: () => all,
    task: (i) => all[requireInteger('task index', i, { min: 0, max: all.length - 1 })]!,
    split(seed = 0, trainRatio = 0.9) {
      const { train, test } = pythonSplit(all.length, seed, trainRatio);
      return { train: train.map((i) => all[i]!), test: test.map((i) => all[i]!), seed, trainRatio };
    },
    make(tasks, options = {}) {
      const list = (Array.isArray(tasks) ? tasks : [tasks]).map((t, i) => checkTask(t, `tasks[${i}]`));
      const copies = requireInteger('envsPerTask', options.envsPerTask ?? 1, { min: 1 });
      const envTasks = list.flatMap((t) => Array.from({ length: copies }, () => t));
      const autoReset = requireOneOf('autoReset', options.autoReset ?? 'disabled', MODES);
      return new TreasureLineEnv(envTasks, length, horizon, autoReset);
    },
    // Arrive after d steps, then stay: steps d..horizon pay (all of them when the treasure is under the start).
    maxReturn: ({ params: p }) => Math.max(0, horizon - Math.max(0, Math.abs(p.treasure - p.start) - 1)),
    optimalAction: ({ params: p }, obs) => (p.treasure < obs[0]! ? 0 : p.treasure > obs[0]! ? 1 : 2),
  };
}
