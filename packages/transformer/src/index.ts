export {
  ADModel,
  type ContextInput,
  type HeadOutputs,
  type InContextModel,
  type LossTerms,
} from './ad';
export { AdamW, type AdamWConfig, clipByGlobalNorm, cosineLearningRate } from './adamw';
export { TransformerAgent, type TransformerAgentOptions } from './agent';
export {
  BACKEND_PREFERENCES,
  type BackendName,
  type BackendPreference,
  currentBackend,
  initBackend,
} from './backend';
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type CheckpointContents,
  checkpointDir,
  createModel,
  loadModel,
  loadWeights,
  modelTensors,
  readCheckpointConfig,
  readSafetensors,
  saveCheckpoint,
  type TrainingState,
} from './checkpoint';
export {
  architectureDiff,
  configDiff,
  MODEL_DEFAULTS,
  MODEL_KINDS,
  type ModelConfig,
  type ModelConfigInput,
  type ModelKind,
  modelConfigForHistory,
  resolveModelConfig,
  stateCount,
} from './config';
export { Encoding, type WindowArrays } from './encoding';
export { IDTHistories, IDTModel, type IDTWindowArrays, type IdtValues } from './idt';
export { IDTAgent, type IDTAgentOptions } from './idt-agent';
export { type IdtDecisionInputs, IdtRollingState, type IdtSegment, type IdtSteps } from './idt-rolling-state';
export { type CacheQuery, type CacheShape, KvCache, type SlideMode, type StepOutputs } from './kv-cache';
export { KvBatch } from './kv-cache-batch';
export {
  Params,
  rmsNorm,
  ropeTables,
  rotateHalfMatrix,
  TRANSFORMER_DEFAULTS,
  Transformer,
  type TransformerConfig,
} from './model';
export {
  exportIdtOnnx,
  exportOnnx,
  IDT_ONNX_NAMES,
  type IdtOnnxFiles,
  type IdtOnnxInfo,
  ONNX_NAMES,
  ONNX_OPSET,
  type OnnxModelInfo,
  onnxModelInfo,
} from './onnx-export';
export { type Feed, OnnxSession, type OnnxSessionOptions, SessionClosedError } from './onnx-session';
export { OrtAgent, type OrtAgentOptions, OrtModel } from './ort-agent';
export { type IdtDecisionOutputs, type IdtOnnxSources, OrtIdtAgent, OrtIdtModel } from './ort-idt';
export { transitionTokens } from './rolling-context';
export { decodeSafetensors, encodeSafetensors, type NamedTensor } from './safetensors';
export { WindowDrawer, type WindowSelection } from './sampler';
export {
  autoMicroBatch,
  resolveTrainConfig,
  TRAIN_DEFAULTS,
  type TrainConfig,
  TrainingDivergedError,
  type TrainLogEntry,
  type TrainOptions,
  type TrainResult,
  tokensPerWindow,
  train,
} from './train';
