// Actor-critic learners on WebAssembly SIMD kernels: PPO and A2C (Stable-Baselines3 semantics).
export { type A2cConfig, A2cLearner, a2c, DEFAULT_A2C_CONFIG, resolveA2cConfig } from './a2c';
// Synthetic and tabular sources.
export { type AdEpsilonConfig, AdEpsilonLearner, adEpsilon, DEFAULT_AD_EPSILON_CONFIG } from './ad-epsilon';
// The algorithm seam: what collect() and SourceAgent drive.
export type { BatchedLearner, LearnerSpec, SourceAlgorithm } from './algorithm';
export {
  DEFAULT_THOMPSON_CONFIG,
  DEFAULT_UCB1_CONFIG,
  sampleBeta,
  sampleGamma,
  type ThompsonConfig,
  ThompsonLearner,
  thompsonSampling,
  type Ucb1Config,
  Ucb1Learner,
  ucb1,
} from './bandit-algorithms';
// Collection.
export { type CollectOptions, type CollectProgress, type CollectResult, collect } from './collect';
export { computeGae, type GaeInput, type GaeResult } from './compute-gae';
export { TrainingDivergedError } from './errors/training-diverged-error';
export { MemoryHistoryStore, type StoredTaskHistory } from './memory-history-store';
export { isConstantSpace, ObservationIndex } from './observation-index';
export { orthogonalMatrix } from './orthogonal';
export {
  DEFAULT_PPO_CONFIG,
  PPO_PRESET_ENVS,
  type PpoConfig,
  PpoLearner,
  ppo,
  ppoPresetFor,
  resolvePpoConfig,
} from './ppo';
export { makeAlgorithm, SOURCE_ALGORITHMS } from './registry';
export { DEFAULT_SAC_CONFIG, resolveSacConfig, type SacConfig, SacLearner, sac } from './sac';
export { SourceAgent, type SourceAgentOptions } from './source-agent';
export {
  DEFAULT_TABULAR_Q_CONFIG,
  resolveTabularQConfig,
  type TabularQConfig,
  TabularQLearner,
  tabularQ,
} from './tabular-q';
