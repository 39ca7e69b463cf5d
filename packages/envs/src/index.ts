// Bandits: Bernoulli multi-armed bandit, AD's adversarial bandit.
export {
  ADVERSARIAL_BANDIT_DEFAULTS,
  type AdversarialBanditConfig,
  type AdversarialBanditParams,
  type ArmParity,
  adversarialBandit,
  FAVOURED_PARITY_PROBABILITY,
} from './adversarial-bandit';
export { BANDIT_REWARD_MODES, type BanditParams, type BanditRewardMode } from './bandit-task';
export { BANDIT_OBSERVATION_SPACE, BanditVecEnv, type BanditVecEnvOptions } from './bandit-vec-env';
export {
  BERNOULLI_BANDIT_DEFAULTS,
  type BernoulliBanditConfig,
  type BernoulliBanditParams,
  bernoulliBandit,
} from './bernoulli-bandit';
// Gridworlds: Darkroom family, Dark Key-to-Door, Darkroom-Permuted.
export {
  DARK_KEY_TO_DOOR_CONFIG,
  type DarkKeyToDoorConfig,
  type DarkKeyToDoorTaskParams,
  darkKeyToDoor,
} from './dark-key-to-door';
export {
  createDarkroom,
  DARKROOM_CONFIG,
  DARKROOM_DPT_CONFIG,
  DARKROOM_HARD_CONFIG,
  type DarkroomConfig,
  type DarkroomFamilyOptions,
  type DarkroomTaskParams,
  darkroom,
  darkroomDpt,
  darkroomHard,
} from './darkroom';
export {
  DARKROOM_PERMUTED_CONFIG,
  type DarkroomPermutedConfig,
  type DarkroomPermutedTaskParams,
  darkroomPermuted,
} from './darkroom-permuted';
export type { GridCell, GridRewardMode, GridStart } from './grid-config';
export type { GridFamily } from './grid-family';
export { expectedGridMaxReturn, gridMaxReturn } from './grid-max-return';
export { baseOracleMove, GRID_MOVES, NUM_GRID_ACTIONS } from './grid-moves';
export { type GridRewardRule, GridVecEnv } from './grid-vec-env';
// Baselines and the preset registry.
export { OracleAgent } from './oracle-agent';
export { lexicographicPermutations } from './permutations';
export { ENV_PRESET_NAMES, ENV_PRESETS, type EnvPresetName, makeEnvFamily } from './presets';
export { type GridRenderState, renderGridAscii } from './render-ascii';
export { renderTrajectorySvg, type TrajectorySvgOptions } from './render-svg';
// Gymnasium-shaped wrapper of any one-env VecEnv.
export {
  makeSingleEnv,
  SingleEnv,
  type SingleEnvInfo,
  type SingleEnvOptions,
  type SingleResetResult,
  type SingleStepResult,
} from './single-env';
