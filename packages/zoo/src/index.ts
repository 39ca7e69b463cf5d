export { type LoadZooOptions, loadZooModel, loadZooOrtModel } from './load-zoo-model';
export { sha256File, verifyZooModel } from './verify-zoo-model';
export {
  listZooModels,
  readZooIndex,
  ZOO_FORMAT,
  ZOO_VERSION,
  type ZooEntry,
  type ZooResults,
  zooEntry,
} from './zoo-index';
export { zooRoot } from './zoo-paths';
