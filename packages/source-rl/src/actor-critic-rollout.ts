import {
  type BoxSpace,
  boxBounds,
  flatSize,
  InvalidArgumentError,
  Rng,
  type Space,
  type SpaceArray,
  type VecTransition,
} from '@icrl/core';
import { ActorCriticNets, type ActorCriticShape, type OptimizerSpec, type PolicyHead } from './actor-critic';
import type { LearnerSpec } from './algorithm';
import { computeGae } from './compute-gae';
import { WasmArena } from './kernels/wasm-arena';
import { RowDeduper } from './row-dedup';

/** Rollout settings shared by PPO and A2C. */
export interface RolloutSettings {
  readonly nSteps: number;
  readonly gamma: number;
  readonly gaeLambda: number;
  readonly bootstrapTruncated: boolean;
  readonly dedupeObservations: boolean;
  readonly policyHidden: readonly number[];
  readonly valueHidden: readonly number[];
  readonly logStdInit: number;
}

/** Largest Gaussian action dimension the loss kernel supports (its scratch is static). */
export const MAX_GAUSSIAN_DIM = 64;
/** Largest categorical action count the loss kernel supports (its scratch is static). */
export const MAX_CATEGORICAL_ACTIONS = 1024;

/** Checks the spaces an actor-critic learner can use; throws naming the field. */
export function checkActorCriticSpaces(algorithm: string, observationSpace: Space, actionSpace: Space): void {
  if (observationSpace.kind !== 'box') {
    throw new InvalidArgumentError(
      `${algorithm}: observationSpace`,
      observationSpace,
      'a Box observation space (a Discrete one would need one-hot encoding; wrap the env)',
    );
  }
  if (flatSize(observationSpace) > 4096) {
    throw new InvalidArgumentError(
      `${algorithm}: observationSpace`,
      observationSpace,
      'at most 4096 observation values',
    );
  }
  if (actionSpace.kind === 'discrete') {
    if (actionSpace.n < 2 || actionSpace.n > MAX_CATEGORICAL_ACTIONS) {
      throw new InvalidArgumentError(
        `${algorithm}: actionSpace`,
        actionSpace,
        `2 to ${MAX_CATEGORICAL_ACTIONS} discrete actions`,
      );
    }
    return;
  }
  if (actionSpace.dtype !== 'float32' || flatSize(actionSpace) > MAX_GAUSSIAN_DIM) {
    throw new InvalidArgumentError(
      `${algorithm}: actionSpace`,
      actionSpace,
      `a Discrete space or a float32 Box of at most ${MAX_GAUSSIAN_DIM} values (Gaussian policy)`,
    );
  }
}

/** The policy head for an action space (Discrete: categorical; float Box: diagonal Gaussian). */
export function headFor(actionSpace: Space, logStdInit: number): PolicyHead {
  return actionSpace.kind === 'discrete'
    ? { kind: 'categorical', n: actionSpace.n }
    : { kind: 'gaussian', dim: flatSize(actionSpace), logStdInit };
}

/** Per-update hook of an algorithm: called when the rollout is full and advantages are computed. */
export type UpdateFn = (rollout: ActorCriticRollout) => void;

/**
 * On-policy rollout collection for `numTasks` actor-critic learners in lockstep, as SB3's
 * `collect_rollouts`: act with the current policy (sampling, storing value and log-prob), record rewards,
 * bootstrap truncated episodes from V(final obs), and after `nSteps` steps compute GAE and call `update`.
 *
 * Buffers live in the learners' wasm arena, per task, time-major: rollout row `t * streams + s`.
 */
export class ActorCriticRollout {
  readonly arena: WasmArena;
  readonly nets: ActorCriticNets;
  readonly numTasks: number;
  readonly streams: number;
  /** Rows per task and rollout: nSteps x streams. */
  readonly rows: number;
  readonly obsSize: number;
  readonly head: PolicyHead;
  /** Byte offsets: obs f32 [K][rows][obsSize], actions i32 [K][rows] or f32 [K][rows][dim], f64 [K][rows]. */
  readonly obs: number;
  readonly actions: number;
  readonly logp: number;
  readonly advantages: number;
  readonly returns: number;
  /** Scratch (byte offsets): minibatch rollout rows, unique-row slot of each sample, first row of each slot. */
  readonly mb: number;
  readonly slots: number;
  readonly firsts: number;
  readonly stats: number;
  /** Values V(s_t) as acted, per task and rollout row. */
  readonly values: Float64Array;
  /** Index of each rollout row among the rollout's distinct observations (filled by `dedupeRollout`). */
  readonly rolloutIds: Int32Array;
  readonly taskRngs: { readonly act: Rng; readonly shuffle: Rng }[];
  private readonly rewards: Float64Array;
  private readonly terminated: Uint8Array;
  private readonly truncated: Uint8Array;
  private readonly finalValues: Float64Array;
  private readonly lastValues: Float64Array;
  private readonly deduper: RowDeduper;
  private readonly rolloutDeduper: RowDeduper;
  private readonly outActions: SpaceArray;
  private readonly low: Float64Array | null = null;
  private readonly high: Float64Array | null = null;
  private readonly probs: Float64Array;
  private readonly picked: Int32Array;
  private t = 0;

  constructor(
    readonly spec: LearnerSpec,
    readonly settings: RolloutSettings,
    optimizer: OptimizerSpec,
    /** Largest minibatch the update runs (PPO: batchSize; A2C: the whole rollout). */
    maxBatch: number,
    private readonly update: UpdateFn,
  ) {
    const K = spec.taskSeeds.length;
    const S = spec.streams;
    this.numTasks = K;
    this.streams = S;
    this.rows = settings.nSteps * S;
    this.obsSize = flatSize(spec.observationSpace);
    this.head = headFor(spec.actionSpace, settings.logStdInit);
    const shape: ActorCriticShape = {
      obsSize: this.obsSize,
      policyHidden: settings.policyHidden,
      valueHidden: settings.valueHidden,
      head: this.head,
    };
    const arena = new WasmArena();
    this.arena = arena;
    this.nets = new ActorCriticNets(arena, shape, K, Math.max(S, maxBatch), optimizer);
    const actWidth = this.head.kind === 'categorical' ? 1 : this.head.dim;
    this.obs = arena.alloc(K * this.rows * this.obsSize * 4);
    this.actions = arena.alloc(K * this.rows * actWidth * 4);
    this.logp = arena.alloc(K * this.rows * 8);
    this.advantages = arena.alloc(K * this.rows * 8);
    this.returns = arena.alloc(K * this.rows * 8);
    const scratch = Math.max(S, maxBatch);
    this.mb = arena.alloc(scratch * 4);
    this.slots = arena.alloc(scratch * 4);
    this.firsts = arena.alloc(scratch * 4);
    this.stats = arena.alloc(8 * 8);
    arena.commit();

    this.values = new Float64Array(K * this.rows);
    this.rewards = new Float64Array(K * this.rows);
    this.terminated = new Uint8Array(K * this.rows);
    this.truncated = new Uint8Array(K * this.rows);
    this.finalValues = new Float64Array(K * this.rows);
    this.lastValues = new Float64Array(K * S);
    this.rolloutIds = new Int32Array(this.rows);
    this.picked = new Int32Array(S);
    this.deduper = new RowDeduper(S, this.obsSize);
    this.rolloutDeduper = new RowDeduper(this.rows, this.obsSize);
    if (this.head.kind === 'categorical') {
      this.outActions = new Int32Array(K * S);
      this.probs = new Float64Array(this.head.n);
    } else {
      this.outActions = new Float32Array(K * S * this.head.dim);
      this.probs = new Float64Array(0);
      ({ low: this.low, high: this.high } = boxBounds(spec.actionSpace as BoxSpace));
    }
    // TRY NOT TO MODIFY: seeding. Task k draws its init, actions and minibatch order from named sub-streams
    // of its own seed, so its results do not depend on which tasks share the group.
    this.taskRngs = spec.taskSeeds.map((seed, k) => {
      const root = new Rng(seed);
      this.nets.init(k, root.fork(0));
      return { act: root.fork(1), shuffle: root.fork(2) };
    });
  }

  /** Step index within the current rollout. */
  get step(): number {
    return this.t;
  }

  /** Byte offset of task k's first rollout row of a per-row buffer with `bytesPerRow` bytes per row. */
  taskBase(buffer: number, k: number, bytesPerRow: number): number {
    return buffer + k * this.rows * bytesPerRow;
  }

  /** Actions for the observations of every env (sampled from each task's policy), as SB3's `policy(obs)`. */
  act(obs: SpaceArray): SpaceArray {
    const { arena, nets, streams: S, obsSize, head } = this;
    const k32 = arena.k;
    for (let k = 0; k < this.numTasks; k++) {
      // ALGO LOGIC: store the observations, run both networks once per distinct observation.
      const row0 = k * this.rows + this.t * S;
      const obsAt = (this.obs >> 2) + row0 * obsSize;
      const f32 = arena.f32;
      for (let j = 0; j < S * obsSize; j++) f32[obsAt + j] = obs[k * S * obsSize + j]!;
      const unique = this.uniqueRows(arena.i32, obsAt, S, row0);
      k32.gatherRows(this.obs, this.firsts, unique, (unique + 3) & ~3, nets.x, obsSize);
      nets.forward(k, unique);
      // ALGO LOGIC: action logic (sample), value and log-probability of the sampled action.
      const rng = this.taskRngs[k]!.act;
      const i32 = arena.i32;
      const slots = this.slots >> 2;
      const valueAt = nets.valueOut >> 2;
      const vStride = nets.valueOutStride;
      for (let s = 0; s < S; s++) this.values[row0 + s] = f32[valueAt + i32[slots + s]! * vStride]!;
      if (head.kind === 'categorical') {
        const actionsAt = (this.actions >> 2) + row0;
        const out = this.outActions as Int32Array;
        for (let s = 0; s < S; s++) {
          const a = this.sampleCategorical(i32[slots + s]!, rng);
          i32[actionsAt + s] = a;
          out[k * S + s] = a;
        }
        k32.categoricalLogProb(
          nets.policyOut,
          nets.policyOutStride,
          head.n,
          this.slots,
          this.actions + row0 * 4,
          S,
          this.logp + row0 * 8,
        );
      } else {
        this.sampleGaussian(k, row0, rng);
        k32.gaussianLogProb(
          nets.policyOut,
          nets.policyOutStride,
          nets.logStdOf(k),
          head.dim,
          this.slots,
          this.actions + row0 * head.dim * 4,
          S,
          this.logp + row0 * 8,
        );
      }
    }
    return this.outActions;
  }

  // Slots of S observation rows at float index `at` (deduped or identity) and the rollout rows feeding them.
  private uniqueRows(i32: Int32Array, at: number, n: number, row0: number): number {
    const slots = this.slots >> 2;
    const firsts = this.firsts >> 2;
    if (!this.settings.dedupeObservations) {
      for (let s = 0; s < n; s++) {
        i32[slots + s] = s;
        i32[firsts + s] = row0 + s;
      }
      return n;
    }
    const unique = this.deduper.dedupe(i32, at, n);
    for (let s = 0; s < n; s++) i32[slots + s] = this.deduper.ids[s]!;
    for (let u = 0; u < unique; u++) i32[firsts + u] = row0 + this.deduper.firsts[u]!;
    return unique;
  }

  private sampleCategorical(slot: number, rng: Rng): number {
    const n = (this.head as { n: number }).n;
    const f32 = this.arena.f32;
    const at = (this.nets.policyOut >> 2) + slot * this.nets.policyOutStride;
    let max = f32[at]!;
    for (let a = 1; a < n; a++) max = Math.max(max, f32[at + a]!);
    let sum = 0;
    for (let a = 0; a < n; a++) {
      const e = Math.exp(f32[at + a]! - max);
      this.probs[a] = e;
      sum += e;
    }
    // Inverse CDF on one uniform draw; the last action takes any rounding remainder.
    let u = rng.float() * sum;
    for (let a = 0; a < n - 1; a++) {
      u -= this.probs[a]!;
      if (u < 0) return a;
    }
    return n - 1;
  }

  private sampleGaussian(k: number, row0: number, rng: Rng): void {
    const dim = (this.head as { dim: number }).dim;
    const { arena, nets } = this;
    const f32 = arena.f32;
    const i32 = arena.i32;
    const logStd = nets.logStdOf(k) >> 2;
    const out = this.outActions as Float32Array;
    for (let s = 0; s < this.streams; s++) {
      const mean = (nets.policyOut >> 2) + i32[(this.slots >> 2) + s]! * nets.policyOutStride;
      const at = (this.actions >> 2) + (row0 + s) * dim;
      for (let d = 0; d < dim; d++) {
        const a = Math.fround(f32[mean + d]! + Math.exp(f32[logStd + d]!) * rng.normal());
        f32[at + d] = a; // the learner keeps the unclipped sample (its log-prob is what PPO ratios use)
        // The env gets it clipped to the box, as SB3 does.
        out[(k * this.streams + s) * dim + d] = Math.min(Math.max(a, this.low![d]!), this.high![d]!);
      }
    }
  }

  /**
   * Records the transition that followed `act`; after `nSteps` steps computes advantages and runs the update
   * (unless `last`: then the run ends here and an update could not change any logged step).
   */
  observe(tr: VecTransition, last = false): void {
    const S = this.streams;
    let anyBootstrap = false;
    for (let k = 0; k < this.numTasks; k++) {
      for (let s = 0; s < S; s++) {
        const i = k * S + s;
        const j = k * this.rows + this.t * S + s;
        this.rewards[j] = tr.rewards[i]!;
        this.terminated[j] = tr.terminated[i]!;
        this.truncated[j] = tr.truncated[i]!;
        if (tr.truncated[i] && !tr.terminated[i]) anyBootstrap = true;
      }
    }
    const rolloutEnd = this.t === this.settings.nSteps - 1;
    if (!last) {
      // ALGO LOGIC: V(final obs) for truncated episodes (SB3's timeout bootstrapping) and, at the end of the
      // rollout, V(next obs) of every env; both use the current parameters, so one pass serves both.
      if (rolloutEnd) this.evaluateValues(tr.nextObs, () => true);
      else if (anyBootstrap && this.settings.bootstrapTruncated) {
        this.evaluateValues(tr.nextObs, (i) => tr.truncated[i] === 1 && tr.terminated[i] === 0);
      }
    }
    this.t++;
    if (this.t < this.settings.nSteps) return;
    this.t = 0;
    if (last) return;
    // ALGO LOGIC: advantages (GAE) per task, then the algorithm's update.
    const n = this.rows;
    const f64 = this.arena.f64;
    for (let k = 0; k < this.numTasks; k++) {
      const from = k * n;
      const { advantages, returns } = computeGae({
        rewards: this.rewards.subarray(from, from + n),
        values: this.values.subarray(from, from + n),
        terminated: this.terminated.subarray(from, from + n),
        truncated: this.truncated.subarray(from, from + n),
        finalValues: this.finalValues.subarray(from, from + n),
        lastValues: this.lastValues.subarray(k * S, (k + 1) * S),
        numEnvs: S,
        gamma: this.settings.gamma,
        gaeLambda: this.settings.gaeLambda,
        bootstrapTruncated: this.settings.bootstrapTruncated,
      });
      f64.set(advantages, (this.advantages >> 3) + from);
      f64.set(returns, (this.returns >> 3) + from);
    }
    this.update(this);
  }

  // V(nextObs) of the envs `want(i)` selects, with the current parameters: into lastValues at the end of a
  // rollout and into finalValues of truncated steps.
  private evaluateValues(nextObs: SpaceArray, want: (i: number) => boolean): void {
    const { arena, nets, streams: S, obsSize, picked } = this;
    for (let k = 0; k < this.numTasks; k++) {
      let count = 0;
      const f32 = arena.f32;
      const x = nets.x >> 2;
      for (let s = 0; s < S; s++) {
        const i = k * S + s;
        if (!want(i)) continue;
        for (let j = 0; j < obsSize; j++) f32[x + count * obsSize + j] = nextObs[i * obsSize + j]!;
        picked[count++] = s;
      }
      if (count === 0) continue;
      f32.fill(0, x + count * obsSize, x + ((count + 3) & ~3) * obsSize);
      nets.forward(k, count, false);
      const v = nets.valueOut >> 2;
      const stride = nets.valueOutStride;
      const rolloutEnd = this.t === this.settings.nSteps - 1;
      for (let c = 0; c < count; c++) {
        const s = picked[c]!;
        const value = arena.f32[v + c * stride]!;
        this.finalValues[k * this.rows + this.t * S + s] = value;
        if (rolloutEnd) this.lastValues[k * S + s] = value;
      }
    }
  }

  /**
   * Assigns every rollout row of task k its distinct-observation id (`rolloutIds`); returns the count.
   * With deduplication off, every row is its own id.
   */
  dedupeRollout(k: number): number {
    if (!this.settings.dedupeObservations) {
      for (let i = 0; i < this.rows; i++) this.rolloutIds[i] = i;
      return this.rows;
    }
    const count = this.rolloutDeduper.dedupe(
      this.arena.i32,
      (this.obs >> 2) + k * this.rows * this.obsSize,
      this.rows,
    );
    this.rolloutIds.set(this.rolloutDeduper.ids.subarray(0, this.rows));
    return count;
  }

  /** 1 - Var(returns - values) / Var(returns) over task k's rollout (SB3's explained variance; NaN if Var = 0). */
  explainedVariance(k: number): number {
    const f64 = this.arena.f64;
    const n = this.rows;
    const r0 = (this.returns >> 3) + k * n;
    let mr = 0;
    let md = 0;
    for (let i = 0; i < n; i++) {
      mr += f64[r0 + i]!;
      md += f64[r0 + i]! - this.values[k * n + i]!;
    }
    mr /= n;
    md /= n;
    let vr = 0;
    let vd = 0;
    for (let i = 0; i < n; i++) {
      const r = f64[r0 + i]! - mr;
      const d = f64[r0 + i]! - this.values[k * n + i]! - md;
      vr += r * r;
      vd += d * d;
    }
    return vr === 0 ? Number.NaN : 1 - vd / vr;
  }
}
