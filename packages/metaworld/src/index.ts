// ML1 families and their batched envs.
export { WELD_SETTINGS, type WeldSetting } from './compiled-task';
export { expertAction } from './expert';
export { type MetaworldFamily, type MetaworldMl1Options, metaworldMl1 } from './metaworld-family';
export {
  METAWORLD_ACTION_SPACE,
  type MetaworldObservationMode,
  MetaworldVecEnv,
  type Ml1TaskParams,
  metaworldObservationSpace,
} from './metaworld-vec-env';
// Task definitions and ML1's variations.
export { METAWORLD_TASK_NAMES, type MetaworldTaskName, type MetaworldTaskSpec } from './task-spec';
export { generateTaskVectors, ML1_VARIATIONS, ml1TaskVectors } from './task-vectors';
export { TASK_SPECS } from './tasks/index';
