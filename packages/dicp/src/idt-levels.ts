import type { Encoding, IDTModel, ModelConfig } from '@icrl/transformer';
import * as tf from '@tensorflow/tfjs-core';
import type { LevelOutputs, LevelRows, TreeLevels } from './tree-engine';

// Tree levels on IDT's Decisions-to-Go (spec §2.3): a row is a segment of steps [z, s, a, r]; a child appends
// one step to its parent's segment — the parent's last reward becomes its predicted r̂, then z of the
// planning depth, the predicted next state and the child's action. Every level is one full forward (tfjs).

/** One low-level step: which z slot of the segment's decision, state index, action, reward class. */
export interface IdtStep {
  readonly z: number;
  readonly s: number;
  readonly a: number;
  readonly r: number;
}

export class IdtLevels implements TreeLevels {
  readonly config: ModelConfig;
  readonly encoding: Encoding;
  /** Each planned env's segment so far, its last step the current one (action to be chosen). */
  segments: IdtStep[][] = [];
  private rows: IdtStep[][] = [];
  private level = 0;

  constructor(
    private readonly model: IDTModel,
    /** The current segment's z per env, `[n, c, dimZ]`. */
    private readonly z: Float32Array,
  ) {
    this.config = model.config;
    this.encoding = model.encoding;
  }

  begin(): void {
    this.rows = [];
    this.level = 0;
  }

  /** Policy logits at each segment's last state, `[n, A]`. */
  policy(segments: IdtStep[][]): Float32Array {
    return this.forward(
      segments,
      Int32Array.from(segments, (_, i) => i),
    ).action;
  }

  async expand(rows: LevelRows): Promise<LevelOutputs> {
    this.level += 1;
    const e = this.encoding;
    const F = e.contextSize;
    const rewardAt = e.obsSize + e.numActions!; // the reward feature of a context token
    const segs = Array.from({ length: rows.size }, (_, i) => {
      const a = rows.actions[i]!;
      if (this.level === 1) {
        const base = this.segments[rows.slot[i]!]!;
        return [...base.slice(0, -1), { ...base.at(-1)!, a }];
      }
      const parent = this.rows[rows.parent[i]!]!;
      const r = rows.tokens[i * F + rewardAt]!;
      const s = e.stateIndex(rows.queryStates, i * e.obsSize);
      // z indexed by the planning depth (the reference's z_embed[depth]), not by the segment position.
      return [...parent.slice(0, -1), { ...parent.at(-1)!, r }, { z: this.level - 1, s, a, r: 0 }];
    });
    this.rows = segs;
    return this.forward(segs, rows.slot);
  }

  /** Heads at each row's last step: policy at s, reward and next state at a. */
  private forward(segs: IdtStep[][], slot: ArrayLike<number>): LevelOutputs {
    const c = this.config;
    const dz = c.dimZ;
    const N = segs.length;
    const steps = segs[0]!.length;
    const zs = new Float32Array(N * steps * dz);
    const s = new Int32Array(N * steps);
    const a = new Int32Array(N * steps);
    const r = new Int32Array(N * steps);
    segs.forEach((seg, i) => {
      if (seg.length !== steps) throw new Error('internal: rows of one level have different lengths');
      seg.forEach((st, t) => {
        const k = i * steps + t;
        zs.set(
          this.z.subarray((slot[i]! * c.lowPerHigh + st.z) * dz, (slot[i]! * c.lowPerHigh + st.z + 1) * dz),
          k * dz,
        );
        s[k] = st.s;
        a[k] = st.a;
        r[k] = st.r;
      });
    });
    return tf.tidy(() => {
      const h = this.model.decisionsStream(tf.tensor3d(zs, [N, steps, dz]), steps, s, a, r, null);
      const heads = this.model.decisionHeads(h);
      const last = (x: tf.Tensor2D) => {
        const w = x.shape[1];
        return tf
          .reshape(tf.slice(tf.reshape(x, [N, steps, w]), [0, steps - 1, 0], [N, 1, w]), [N, w])
          .dataSync() as Float32Array;
      };
      return {
        action: last(heads.action),
        reward: heads.reward === undefined ? new Float32Array(0) : last(heads.reward),
        nextState: heads.nextState === undefined ? new Float32Array(0) : last(heads.nextState),
      } as unknown as tf.TensorContainer;
    }) as unknown as LevelOutputs;
  }
}
