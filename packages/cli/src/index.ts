export { applyBudgetOverrides, BUDGET_SECTIONS } from './budget-overrides';
export {
  BUDGET_NAMES,
  BUDGETS,
  type Budget,
  type BudgetName,
  type CollectBudget,
  type EvalBudget,
  type ModelBudget,
  type TrainBudget,
} from './budgets';
export { curveSpec, renderSvg, svgToPng } from './chart';
export { type CollectRecord, type CollectRequest, collectRecordPath } from './commands/collect';
export { type Description, describe } from './commands/info';
export { mergeMethods, plotResults } from './commands/plot';
export { type RunRecord, runPaths } from './commands/run';
export { type TrainRecord, trainRecordPath } from './commands/train';
export { EXIT_CODES, exitCodeFor } from './exit-codes';
export type { Io } from './io';
export { COMMANDS, runCli } from './main';
export { defaultPlanner, PLANNER_NAMES, type PlannerName } from './planners';
export { renderReport } from './report';
export { type MethodResult, type ResultsFile, readResults } from './results';
export { UsageError } from './usage-error';
