import { flatSize, InvalidArgumentError, type SpaceArray, StateCodec } from '@icrl/core';
import { MAX_DISCRETE_STATES, type ModelConfig } from './config';

/**
 * How an env's transitions become model inputs, derived from its spaces (spec §1.3, §1.5, §9):
 * - the context token's features are `[state, action, reward, next state]`: raw coordinates as floats (not
 *   normalised), a one-hot action (discrete) or the action vector (continuous), the raw reward;
 * - a finite integer observation box (Darkroom's 9 × 9) also has a state index `x·9 + y` (mixed radix, last
 *   dimension fastest — DICP's `map_dark_states`) for the query-state Embedding and the next-state head.
 */
export class Encoding {
  /** Scalars per observation. */
  readonly obsSize: number;
  /** Distinct states of a finite integer observation box, else null (continuous observations). */
  readonly numStates: number | null;
  /** Discrete action count, or null for continuous actions. */
  readonly numActions: number | null;
  /** Scalars per continuous action (1 for discrete). */
  readonly actionSize: number;
  /** Features one action contributes to a context token (one-hot width, or the action size). */
  readonly actionFeatures: number;
  /** Features of a context token: `2·obsSize + actionFeatures + 1`. */
  readonly contextSize: number;
  /** Numbers the cells of a finite integer observation box, else null. */
  private readonly states: StateCodec | null;

  constructor(config: Pick<ModelConfig, 'observationSpace' | 'actionSpace'>) {
    const obs = config.observationSpace;
    this.obsSize = flatSize(obs);
    this.states = StateCodec.of(obs, MAX_DISCRETE_STATES);
    this.numStates = this.states?.size ?? null;
    const act = config.actionSpace;
    this.numActions = act.kind === 'discrete' ? act.n : null;
    this.actionSize = flatSize(act);
    this.actionFeatures = this.numActions ?? this.actionSize;
    this.contextSize = 2 * this.obsSize + this.actionFeatures + 1;
  }

  /** The state index of the observation at `obs[offset .. offset + obsSize)`. Throws outside the grid. */
  stateIndex(obs: ArrayLike<number>, offset: number): number {
    if (this.states === null)
      throw new InvalidArgumentError(
        'observation',
        obs[offset],
        'a cell of a finite integer observation space',
      );
    return this.states.index(obs, offset);
  }

  /** Writes the observation of state `index` at `out[offset ..]`: the inverse of `stateIndex`. */
  decodeState(index: number, out: Float32Array, offset: number): void {
    if (this.states === null)
      throw new InvalidArgumentError('index', index, 'a state of a finite integer observation space');
    this.states.decode(index, out, offset);
  }

  /** Writes one context token's features at `out[o ..]`. Actions are indices (discrete) or vectors at `a[aOff ..]`. */
  writeContext(
    out: Float32Array,
    o: number,
    s: ArrayLike<number>,
    sOff: number,
    a: ArrayLike<number>,
    aOff: number,
    r: number,
    s2: ArrayLike<number>,
    s2Off: number,
  ): void {
    const n = this.obsSize;
    for (let i = 0; i < n; i++) out[o + i] = s[sOff + i]!;
    let p = o + n;
    if (this.numActions !== null) {
      for (let i = 0; i < this.numActions; i++) out[p + i] = 0;
      const act = a[aOff]!;
      if (!(Number.isInteger(act) && act >= 0 && act < this.numActions)) {
        throw new InvalidArgumentError('action', act, `an integer in [0, ${this.numActions - 1}]`);
      }
      out[p + act] = 1;
    } else {
      for (let i = 0; i < this.actionSize; i++) out[p + i] = a[aOff + i]!;
    }
    p += this.actionFeatures;
    out[p] = r;
    p += 1;
    for (let i = 0; i < n; i++) out[p + i] = s2[s2Off + i]!;
  }
}

/** A batch of training windows as flat arrays `[size, length, ...]` (what a window sampler yields). */
export interface WindowArrays {
  readonly size: number;
  readonly length: number;
  readonly states: SpaceArray;
  readonly actions: SpaceArray;
  readonly rewards: Float32Array;
  readonly nextStates: SpaceArray;
  readonly dones: Uint8Array;
  readonly optimalActions?: Int32Array;
}
