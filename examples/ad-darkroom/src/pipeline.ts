// Algorithm Distillation on Darkroom through the library API: AD-epsilon learning histories on the train goals
// -> a small AD transformer trained to continue them -> in-context evaluation on the held-out goals.
import { type EvaluationResult, evaluate, RandomAgent } from '@icrl/core';
import { makeEnvFamily, OracleAgent } from '@icrl/envs';
import { adEpsilon, collect, MemoryHistoryStore } from '@icrl/source-rl';
import { type ADModel, type TrainLogEntry, TransformerAgent, train } from '@icrl/transformer';

export interface Budget {
  /** Training goals used (of the 73 in the DICP split); default all. */
  goals?: number;
  /** Optimizer updates. Default 2000. */
  steps?: number;
  /** Episodes per evaluation run, and runs per held-out goal. Default 20 and 4. */
  episodes?: number;
  runs?: number;
  /** Called with every training log entry. */
  onLog?: (entry: TrainLogEntry) => void;
}

export interface PipelineResult {
  transitions: number;
  collectS: number;
  trainS: number;
  log: readonly TrainLogEntry[];
  ad: EvaluationResult;
  random: EvaluationResult;
  oracle: EvaluationResult;
}

export async function runAdDarkroom(budget: Budget = {}): Promise<PipelineResult> {
  const family = makeEnvFamily('darkroom'); // 9x9, horizon 20, goals split 73 / 8 as in DICP (seed 0)
  const split = family.split();
  const store = new MemoryHistoryStore();
  const collected = await collect({
    algorithm: adEpsilon({ maxPerf: 1 }), // oracle actions, epsilon-greedy noise decaying from 1 to 0
    family,
    tasks: split.train.slice(0, budget.goals ?? split.train.length),
    split,
    streams: 10,
    stepsPerStream: 400, // 20 episodes per stream
    seed: 0,
    sink: store,
  });

  const t0 = performance.now();
  const run = await train({
    source: store,
    backend: 'wasm',
    model: { nLayer: 2, nEmbd: 32, nHead: 4, nInner: 128, nTransit: 40 }, // context: 39 transitions ~ 2 episodes
    train: { steps: budget.steps ?? 2000, batchSize: 64, lr: 1e-2, seed: 0, logEvery: 1 },
    ...(budget.onLog ? { onLog: budget.onLog } : {}),
  });
  const trainS = (performance.now() - t0) / 1000;
  const model = run.model as ADModel;

  const options = { episodes: budget.episodes ?? 20, runsPerTask: budget.runs ?? 4, seed: 7 };
  const agent = new TransformerAgent(model, { seed: 1 });
  try {
    return {
      transitions: collected.transitions,
      collectS: collected.elapsedS,
      trainS,
      log: run.log,
      ad: await evaluate(agent, family, split.test, options),
      random: await evaluate(new RandomAgent(family.actionSpace, 1), family, split.test, options),
      oracle: await evaluate((env) => new OracleAgent(env), family, split.test, options),
    };
  } finally {
    model.dispose();
  }
}
