// Meta-World ML1 through the library API, as DICP runs it at a budget this machine affords: PPO learns each of the
// 50 train variations from scratch and every step is written (HDF5, resumable) -> continuous AD, IDT and their
// DICP variants (Gaussian action head; DICP adds the reward head) are trained to continue those histories
// (resumable checkpoints) -> with frozen weights they play the 50 test variations for consecutive episodes, scored
// by DICP's cumulative success, next to a random agent and Meta-World's scripted expert.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type EvaluateOptions,
  type EvaluationResult,
  evaluate,
  RandomAgent,
  type TaskSpec,
} from '@icrl/core';
import { GreedyAgent, GreedyIdtAgent } from '@icrl/dicp';
import { OracleAgent } from '@icrl/envs';
import { HistoryReader, HistoryWriter } from '@icrl/history-store';
import { type MetaworldTaskName, metaworldMl1 } from '@icrl/metaworld';
import { adEpsilon, collect, ppo, ppoPresetFor } from '@icrl/source-rl';
import {
  type ADModel,
  IDTAgent,
  type IDTModel,
  OrtAgent,
  OrtModel,
  type TrainLogEntry,
  train,
} from '@icrl/transformer';

/** The in-context learners the pipeline can train: DICP's four Meta-World methods. */
export const ML1_METHODS = ['ad', 'dicp-ad', 'idt', 'dicp-idt'] as const;
export type Ml1Method = (typeof ML1_METHODS)[number];

/** Where the learning histories come from. */
export const ML1_SOURCES = ['ppo', 'ad-epsilon'] as const;
export type Ml1Source = (typeof ML1_SOURCES)[number];

/** Everything the pipeline spends; every field has a default (the budget of the README's table). */
export interface Ml1Budget {
  /** Meta-World task. Default reach. */
  task?: MetaworldTaskName;
  /** Meta-World's assets folder (`metaworld/envs/assets_v2`). Default `$METAWORLD_ASSETS` or `../shared/metaworld/assets` beside the repo. */
  assetsDir?: string;
  /** Where histories, checkpoints and results go; a rerun resumes what is there. */
  out: string;
  /**
   * Source of the histories: `ppo` (DICP's) or `ad-epsilon` (Zisman et al.'s noise curriculum around Meta-World's
   * scripted expert: histories that go from a random arm to the expert within each stream). Default ppo.
   */
  source?: Ml1Source;
  /** Train variations used (of 50). Default 50. */
  tasks?: number;
  /** PPO streams per variation (DICP: 100). Default 10. */
  streams?: number;
  /** Env steps per stream (DICP: 10,000 = 100 episodes). Default 5,000. */
  stepsPerStream?: number;
  /** AD's transitions per training window = context + query (DICP: 1,000). Default 200 (2 episodes). */
  nTransit?: number;
  /** IDT's window in transitions, a multiple of 10 (DICP: 1,000 = 100 decisions of 10 steps). Default 1,000. */
  idtTransit?: number;
  /** Optimizer updates per model (DICP: 50,000 at batch 512... see README). Default 2,000. */
  updates?: number;
  /** Windows per update. Default 64. */
  batchSize?: number;
  /** Transformer size. Default 2 layers, d 32, 4 heads, MLP 128 (DICP ML1 AD: 4 / 64 / 8 / 256). */
  model?: { nLayer: number; nEmbd: number; nHead: number; nInner: number };
  /** Methods trained and evaluated (the DICP ones also with the greedy planner). Default AD and DICP-AD. */
  methods?: readonly Ml1Method[];
  /** Consecutive evaluation episodes per test variation (DICP Reach: 100). Default 20. */
  episodes?: number;
  /** Test variations evaluated (of 50). Default 50. */
  testTasks?: number;
  /** Worker threads for PPO (0: main thread). Default 'auto'. */
  workers?: number | 'auto';
  /**
   * Data-parallel threads per training run (`train`'s `workers`). Default: the machine's cores. Use 1 when several
   * pipelines share the machine: their threads would otherwise wait on each other at every update.
   */
  trainWorkers?: number;
  onLog?: (model: string, entry: TrainLogEntry) => void;
  onCollect?: (done: number, total: number) => void;
}

export interface Ml1Result {
  readonly task: MetaworldTaskName;
  readonly transitions: number;
  readonly collectS: number;
  readonly trainS: Record<string, number>;
  /** The source's own mean return per episode during collection (mean over train variations). */
  readonly sourceReturns: readonly number[];
  readonly evals: Record<string, EvaluationResult>;
}

function defaultAssets(): string {
  return process.env.METAWORLD_ASSETS ?? join(import.meta.dirname, '../../../../shared/metaworld/assets');
}

/**
 * Runs `run` unless `file` already holds its result for the same test variations, episodes and seed (an
 * evaluation takes up to an hour here, so a rerun after a kill keeps the finished ones). Written atomically.
 */
async function evaluateOnce(
  file: string,
  test: readonly TaskSpec[],
  options: Required<Pick<EvaluateOptions, 'episodes' | 'seed'>>,
  run: () => Promise<EvaluationResult>,
): Promise<EvaluationResult> {
  if (existsSync(file)) {
    const foreign = (why: string) =>
      new Error(`${file} is not a saved evaluation (${why}); delete it to evaluate again`);
    let saved: EvaluationResult;
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as EvaluationResult;
    } catch (e) {
      throw foreign((e as Error).message);
    }
    if (typeof saved !== 'object' || saved === null || !Array.isArray(saved.returns))
      throw foreign('no returns in it');
    if (
      saved.episodes === options.episodes &&
      saved.seed === options.seed &&
      JSON.stringify(saved.tasks) === JSON.stringify(test.map((t) => t.index))
    )
      return saved;
  }
  const result = await run();
  writeFileSync(`${file}.tmp`, JSON.stringify(result));
  renameSync(`${file}.tmp`, file);
  return result;
}

export async function runMl1(budget: Ml1Budget): Promise<Ml1Result> {
  const task = budget.task ?? 'reach';
  const family = await metaworldMl1(task, {
    assetsDir: budget.assetsDir ?? defaultAssets(),
    observation: 'dicp',
  });
  try {
    const split = family.split();
    mkdirSync(budget.out, { recursive: true });
    const histories = join(budget.out, 'histories.h5');
    const t0 = performance.now();
    const tasks = split.train.slice(0, budget.tasks ?? 50);
    const collected = await collect({
      algorithm:
        budget.source === 'ad-epsilon'
          ? adEpsilon() // epsilon 1 -> 0 over the first 90% of each stream, as for the gridworlds
          : ppo(ppoPresetFor('metaworld')), // SB3 PPO, DICP's Meta-World settings (n_steps 100, batch 200, 20 epochs)
      family,
      tasks,
      split,
      streams: budget.streams ?? 10,
      stepsPerStream: budget.stepsPerStream ?? 5000,
      seed: 0,
      sink: new HistoryWriter(histories),
      workers: budget.workers ?? 'auto',
      tasksPerBatch: 4, // a kill loses at most 4 variations' progress
      ...(budget.onCollect
        ? { onProgress: (p: { tasksDone: number }) => budget.onCollect!(p.tasksDone, tasks.length) }
        : {}),
    });
    const collectS = (performance.now() - t0) / 1000;
    const reader = await HistoryReader.open(histories);
    // The source's learning curve, from the file (a resumed run wrote only some tasks itself).
    const curves = reader.taskIndices.map(
      (t) => (reader.taskInfo(t).summary as { episodeReturns?: number[] } | undefined)?.episodeReturns ?? [],
    );
    const sourceReturns = (curves[0] ?? []).map(
      (_, e) => curves.reduce((s, c) => s + (c[e] ?? 0), 0) / curves.length,
    );
    const trainS: Record<string, number> = {};
    const models: Partial<Record<Ml1Method, ADModel | IDTModel>> = {};
    try {
      for (const name of budget.methods ?? ['ad', 'dicp-ad']) {
        const idt = name.endsWith('idt');
        const t1 = performance.now();
        const run = await train({
          source: reader,
          backend: 'wasm',
          outDir: join(budget.out, name),
          resume: existsSync(join(budget.out, name)),
          ...(budget.trainWorkers === undefined ? {} : { workers: budget.trainWorkers }),
          model: {
            ...(budget.model ?? { nLayer: 2, nEmbd: 32, nHead: 4, nInner: 128 }),
            kind: idt ? 'idt' : 'ad',
            nTransit: idt ? (budget.idtTransit ?? 1000) : (budget.nTransit ?? 200),
            ...(idt ? { lowPerHigh: 10, dimZ: 8 } : {}), // DICP's IDT: c = 10, dim_z = 8
            dynamics: name.startsWith('dicp'),
          },
          train: {
            steps: budget.updates ?? 2000,
            batchSize: budget.batchSize ?? 64,
            lr: idt ? 1e-3 : 1e-2, // DICP's ML1 lr: AD 1e-2, IDT 1e-3 (cosine to 0, AdamW, clip 1)
            seed: 0,
            logEvery: 1,
            checkpointEvery: 100, // an IDT update takes ~5 s here: a killed run loses at most ~8 minutes
          },
          ...(budget.onLog ? { onLog: (e: TrainLogEntry) => budget.onLog!(name, e) } : {}),
        });
        trainS[name] = (performance.now() - t1) / 1000;
        models[name] = run.model as ADModel | IDTModel;
      }
    } finally {
      reader.close();
    }

    const test = split.test.slice(0, budget.testTasks ?? 50);
    const options = { episodes: budget.episodes ?? 20, runsPerTask: 1, seed: 7 };
    const evals: Record<string, EvaluationResult> = {};
    // Each result is saved beside its model (<out>/<method>/eval[-greedy].json) and reused by a rerun.
    const once = (file: string, run: () => Promise<EvaluationResult>) =>
      evaluateOnce(file, test, options, run);
    // IDT conditions every episode on DICP's Meta-World return-to-go: 10 per step × horizon (spec §9).
    const initialReturn = 10 * family.horizon;
    for (const [name, model] of Object.entries(models)) {
      const policyFile = join(budget.out, name, 'eval.json');
      const greedyFile = join(budget.out, name, 'eval-greedy.json');
      try {
        if (model.config.kind === 'idt') {
          const m = model as IDTModel;
          // IDT runs on tfjs (its ONNX export covers the gridworld IDT).
          evals[name] = await once(policyFile, () =>
            evaluate(new IDTAgent(m, { initialReturn, seed: 1, name }), family, test, options),
          );
          if (m.config.dynamics) {
            // DICP's greedy search inside IDT's segments (spec §2.4): 10 candidates scored by the reward head.
            evals[`${name}+greedy`] = await once(greedyFile, () => {
              const planner = new GreedyIdtAgent(m, {
                family,
                initialReturn,
                samples: 10,
                seed: 1,
                name: `${name}+greedy`,
              });
              return evaluate(planner, family, test, options);
            });
          }
          continue;
        }
        const ort = await OrtModel.fromModel(model as ADModel); // onnxruntime: ~10x tfjs per step here
        try {
          evals[name] = await once(policyFile, () =>
            evaluate(new OrtAgent(ort, { seed: 1, name }), family, test, options),
          );
          if (model.config.dynamics) {
            // DICP's one-step greedy search (spec §2.4): 10 candidate actions scored by the reward head.
            evals[`${name}+greedy`] = await once(greedyFile, () => {
              const planner = new GreedyAgent(ort, { family, samples: 10, seed: 1, name: `${name}+greedy` });
              return evaluate(planner, family, test, options);
            });
          }
        } finally {
          await ort.dispose();
        }
      } finally {
        model.dispose();
      }
    }
    evals.random = await once(join(budget.out, 'random.eval.json'), () =>
      evaluate(new RandomAgent(family.actionSpace, 1), family, test, options),
    );
    // Meta-World's scripted expert (the env's optimalActions), the success ceiling.
    evals.expert = await once(join(budget.out, 'expert.eval.json'), () =>
      evaluate((env) => new OracleAgent(env), family, test, options),
    );
    return { task, transitions: collected.transitions, collectS, trainS, sourceReturns, evals };
  } finally {
    family.dispose();
  }
}
