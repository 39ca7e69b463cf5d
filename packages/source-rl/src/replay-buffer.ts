import type { Rng } from '@icrl/core';

// A ring buffer of transitions for one task (all its streams), as SB3's `ReplayBuffer`: once full, the oldest
// transition is overwritten; samples are uniform with replacement over what it holds.

/** A sampled batch, row-major. */
export interface ReplayBatch {
  readonly obs: Float32Array;
  readonly actions: Float32Array;
  readonly rewards: Float32Array;
  readonly nextObs: Float32Array;
  readonly dones: Uint8Array;
}

export class ReplayBuffer {
  private readonly obs: Float32Array;
  private readonly actions: Float32Array;
  private readonly rewards: Float32Array;
  private readonly nextObs: Float32Array;
  private readonly dones: Uint8Array;
  private next = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    readonly obsSize: number,
    readonly actionSize: number,
  ) {
    this.obs = new Float32Array(capacity * obsSize);
    this.actions = new Float32Array(capacity * actionSize);
    this.rewards = new Float32Array(capacity);
    this.nextObs = new Float32Array(capacity * obsSize);
    this.dones = new Uint8Array(capacity);
  }

  /** Transitions held (at most `capacity`). */
  get size(): number {
    return this.count;
  }

  /** Stores one transition; `done` means terminated (a time-limit truncation bootstraps, so it is not done). */
  add(
    obs: ArrayLike<number>,
    action: ArrayLike<number>,
    reward: number,
    nextObs: ArrayLike<number>,
    done: boolean,
  ): void {
    const i = this.next;
    this.obs.set(obs, i * this.obsSize);
    this.actions.set(action, i * this.actionSize);
    this.rewards[i] = reward;
    this.nextObs.set(nextObs, i * this.obsSize);
    this.dones[i] = done ? 1 : 0;
    this.next = (i + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** `n` transitions drawn uniformly (with replacement) from `rng`. */
  sample(n: number, rng: Rng): ReplayBatch {
    if (this.count === 0) throw new RangeError('ReplayBuffer.sample: the buffer is empty');
    const O = this.obsSize;
    const A = this.actionSize;
    const batch = {
      obs: new Float32Array(n * O),
      actions: new Float32Array(n * A),
      rewards: new Float32Array(n),
      nextObs: new Float32Array(n * O),
      dones: new Uint8Array(n),
    };
    for (let k = 0; k < n; k++) {
      const i = rng.int(this.count);
      batch.obs.set(this.obs.subarray(i * O, (i + 1) * O), k * O);
      batch.actions.set(this.actions.subarray(i * A, (i + 1) * A), k * A);
      batch.rewards[k] = this.rewards[i]!;
      batch.nextObs.set(this.nextObs.subarray(i * O, (i + 1) * O), k * O);
      batch.dones[k] = this.dones[i]!;
    }
    return batch;
  }
}
