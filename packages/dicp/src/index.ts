export {
  beamSearch,
  type SearchPath,
  type SearchResult,
  type SearchRoot,
  type SearchSettings,
} from './beam-search';
export { CachedEngine } from './cached-engine';
export { DicpAgent, type DicpAgentOptions, type DicpPlan, type PlanStats } from './dicp-agent';
export { DicpIdtAgent, type DicpIdtAgentOptions } from './dicp-idt-agent';
export {
  GreedyAgent,
  type GreedyAgentOptions,
  type ResolvedGreedyOptions,
  resolveGreedyOptions,
} from './greedy-agent';
export { GreedyIdtAgent, type GreedyIdtAgentOptions } from './greedy-idt-agent';
export { IdtLevels, type IdtStep } from './idt-levels';
export {
  defaultDepth,
  type PlannerOptions,
  type ResolvedPlannerOptions,
  resolvePlannerOptions,
  type WindowMode,
} from './planner-options';
export { sampleOne, samplingOrder, topActions } from './policy-order';
export { ReencodeEngine } from './reencode-engine';
export type { LevelOutputs, LevelRows, TreeEngine, TreeLevels } from './tree-engine';
export {
  ortWorldModel,
  stateIndices,
  tfjsWorldModel,
  type WorldModel,
  type WorldModelInput,
  type WorldModelOutput,
} from './world-model';
