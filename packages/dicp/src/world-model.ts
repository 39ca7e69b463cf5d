import type { ADModel, ModelConfig, OrtModel } from '@icrl/transformer';
import * as tf from '@tensorflow/tfjs-core';

// What the planners need from a model: one full forward over a batch of windows, AD's token layout
// `[ctx_1 … ctx_L, q_state, (q_action)]`. The tfjs ADModel and the onnxruntime OrtModel adapt to it, and so
// can a hand-built model in a test.

/** A batch of `size` windows of `contextLength` context tokens each. */
export interface WorldModelInput {
  readonly size: number;
  readonly contextLength: number;
  /** Context token features `[size, contextLength, contextSize]` (`Encoding.writeContext`). */
  readonly context: Float32Array;
  /** Query observations `[size, obsSize]` (raw coordinates). */
  readonly queryStates: Float32Array;
  /**
   * Query actions: indices `[size]` (discrete) or vectors `[size, actionSize]` (continuous); omitted, only
   * `action` is meaningful.
   */
  readonly queryActions?: Int32Array | Float32Array;
}

/** Head outputs, row-major `[size, …]`. */
export interface WorldModelOutput {
  /** Policy at q_state: logits `[size, numActions]`, or mean ‖ log-variance `[size, 2·actionSize]`. */
  readonly action: Float32Array;
  /** Reward logits at q_action, `[size, rewardClasses]`, or the clipped reward `[size, 1]` (continuous). */
  readonly reward?: Float32Array;
  /** Next-state logits at q_action, `[size, numStates]` (with query actions). */
  readonly nextState?: Float32Array;
}

/** A model the planners can query. `config` says which env and spaces it was trained on. */
export interface WorldModel {
  readonly config: ModelConfig;
  predict(input: WorldModelInput): WorldModelOutput | Promise<WorldModelOutput>;
}

/** A tfjs `ADModel` as a `WorldModel` (its full forward, in a tidy; no tensor outlives the call). */
export function tfjsWorldModel(model: ADModel): WorldModel {
  return {
    config: model.config,
    predict(input) {
      return tf.tidy(() => {
        const out = model.predict(input);
        const read = (t: tf.Tensor | undefined) =>
          t === undefined ? undefined : (t.dataSync() as Float32Array);
        const r: { action: Float32Array; reward?: Float32Array; nextState?: Float32Array } = {
          action: read(out.action)!,
        };
        if (out.reward !== undefined) r.reward = read(out.reward)!;
        if (out.nextState !== undefined) r.nextState = read(out.nextState)!;
        return r as unknown as tf.TensorContainer;
      }) as unknown as WorldModelOutput;
    },
  };
}

/** State indices `[size]` (int64) of raw observations, as the ONNX graph takes them. */
export function stateIndices(model: OrtModel, obs: ArrayLike<number>, size: number): BigInt64Array {
  const e = model.encoding;
  const out = new BigInt64Array(size);
  for (let i = 0; i < size; i++) out[i] = BigInt(e.stateIndex(obs, i * e.obsSize));
  return out;
}

/** An onnxruntime `OrtModel` as a `WorldModel` (its full graph, no cache). */
export function ortWorldModel(model: OrtModel): WorldModel {
  return {
    config: model.config,
    async predict(input) {
      const q: { queryActions?: BigInt64Array | Float32Array } = {};
      const qa = input.queryActions;
      if (qa !== undefined) q.queryActions = qa instanceof Float32Array ? qa : BigInt64Array.from(qa, BigInt);
      const indexed = model.encoding.numStates !== null && model.shape.cached;
      return model.predict({
        size: input.size,
        contextLength: input.contextLength,
        context: input.context,
        queryStates: indexed ? stateIndices(model, input.queryStates, input.size) : input.queryStates,
        ...q,
      });
    },
  };
}
