export type { InContextAgent, VecTransition } from './agent';
export { type CheckEnvOptions, checkEnv, EnvContractError } from './check-env';
export type { EnvFamily, MakeOptions } from './env-family';
export { IcrlError } from './errors/icrl-error';
export { describeValue, InvalidArgumentError } from './errors/invalid-argument-error';
export { InvalidFileError } from './errors/invalid-file-error';
export { ResetNeededError } from './errors/reset-needed-error';
export { type AgentFactory, type EvaluateOptions, type EvaluationResult, evaluate } from './evaluate';
export { EventLoopYield } from './event-loop-yield';
export {
  HISTORY_SCHEMA_VERSION,
  type HistoryMeta,
  type HistorySink,
  type HistorySource,
  type HistoryWindow,
  type TaskHistoryInfo,
  type TaskHistoryMeta,
  type TaskHistorySummary,
  type TransitionBatch,
} from './history';
export { canonicalJson, type JsonObject, type JsonValue } from './json';
export { type IndexSplit, PythonRandom, pythonRound, pythonSplit } from './python-random';
export { RandomAgent } from './random-agent';
export { Rng, type RngState } from './rng';
export { type RolloutOptions, type RolloutResult, rollout } from './rollout';
export {
  allocateBatch,
  type BoxSpace,
  boxBounds,
  contains,
  type DiscreteSpace,
  describeSpace,
  flatSize,
  type Space,
  type SpaceArray,
  type SpaceDtype,
  sampleBatch,
  spaceDtype,
} from './spaces';
export { StateCodec } from './state-codec';
export { learningCurve, meanCi95, studentT975 } from './stats';
export type { TaskSpec, TaskSplit } from './task';
export * from './validate';
export type { AutoResetMode, VecEnv, VecResetOptions, VecStepResult } from './vec-env';
