import type { JsonObject } from '@icrl/core';
import type { EnvPresetName } from '@icrl/envs';
import { ppoPresetFor } from '@icrl/source-rl';

// Every number the pipeline spends lives here: one `paper` budget per env (the DICP reference's settings, spec
// §1.2 / §2.1 / §5.1 / §6.1) and one `quick` budget (minutes on a laptop). Config files override single fields.

/** Budget names accepted by `--budget`. */
export const BUDGET_NAMES = ['quick', 'paper'] as const;
export type BudgetName = (typeof BUDGET_NAMES)[number];

/** How the learning histories are collected. */
export interface CollectBudget {
  /** Source algorithm (registry name: `ppo`, `a2c`, `tabular-q`, `ucb1`, `thompson`, `ad-epsilon`). */
  readonly algorithm: string;
  /** Its settings (`makeAlgorithm(algorithm, settings)`); `{}` takes the algorithm's defaults. */
  readonly settings: JsonObject;
  /** Train tasks to learn: the first n of the split's train side; 0 takes all of them. */
  readonly tasks: number;
  /** Parallel streams per task sharing one learner (DICP: 100). */
  readonly streams: number;
  /** Env steps per stream (DICP gridworlds: 1,000). */
  readonly stepsPerStream: number;
  /** Tasks learning in lockstep at once; a kill loses at most this many tasks' progress. */
  readonly tasksPerBatch: number;
}

/** The transformer's size (TinyLlama block, spec §1.1). */
export interface ModelBudget {
  /** Transformer blocks. */
  readonly nLayer: number;
  /** Width of the residual stream (d_model). */
  readonly nEmbd: number;
  /** Attention heads (nEmbd must be a multiple). */
  readonly nHead: number;
  /** Hidden size of the SwiGLU MLP. */
  readonly nInner: number;
  /** Transitions per training window and context at inference (n_transit: 4 episodes in DICP's gridworlds). */
  readonly nTransit: number;
}

/** Optimisation of each model (AdamW, cosine decay to 0, clip 1.0). */
export interface TrainBudget {
  /** Optimizer updates of AD (and the cosine schedule's length). */
  readonly steps: number;
  /** Updates of DICP-AD: its reward and next-state losses share the model with the policy, so it needs more. */
  readonly dicpSteps: number;
  /** Windows per update. */
  readonly batchSize: number;
  /** Peak learning rate. */
  readonly lr: number;
  /** Checkpoint every n updates (a kill loses at most this many). */
  readonly checkpointEvery: number;
}

/** In-context evaluation on the held-out tasks. */
export interface EvalBudget {
  /** Consecutive episodes per run for model-free agents and baselines (DICP: 50). */
  readonly episodes: number;
  /** Consecutive episodes per run for DICP with a planner (DICP: 100). */
  readonly planningEpisodes: number;
  /** Independent runs per held-out task (DICP: 1, averaged over 5 splits instead). */
  readonly runsPerTask: number;
  /** Beam size K of the beam-search planner (DICP: 10). */
  readonly beam: number;
  /** Planning horizon (DICP: grid size − 1 for Darkroom, 2·(grid size − 1) for Key-to-Door and Permuted). */
  readonly depth: number;
  /** Candidate actions L of the greedy planner (continuous actions; DICP Meta-World: 10). */
  readonly samples: number;
  /** Also evaluate the source algorithm itself, learning from scratch in context (`SourceAgent`). */
  readonly sourceBaseline: boolean;
}

/** Everything `icrl run` spends on one env. */
export interface Budget {
  readonly collect: CollectBudget;
  readonly model: ModelBudget;
  readonly train: TrainBudget;
  readonly eval: EvalBudget;
}

const PAPER_MODEL: ModelBudget = { nLayer: 4, nEmbd: 32, nHead: 4, nInner: 128, nTransit: 80 };
const QUICK_MODEL: ModelBudget = { nLayer: 2, nEmbd: 32, nHead: 4, nInner: 128, nTransit: 40 };
// Measured on Darkroom (held-out return, episode 1 → 20): AD 2,000 updates 1.2 → 4.8, 4,000: 1.6 → 5.8;
// DICP-AD 4,000 updates 0.8 → 1.9 from its policy, 0.8 → 3.3 with beam search (docs/quick-budget.md).
const QUICK_TRAIN: TrainBudget = {
  steps: 3000,
  dicpSteps: 6000,
  batchSize: 64,
  lr: 1e-2,
  checkpointEvery: 200,
};

function ppoSettings(env: string): JsonObject {
  return ppoPresetFor(env) as unknown as JsonObject;
}

/** The paper's setting for one env; PPO's settings come from DICP's preset `ppoPreset` (default: the env's). */
function paper(o: {
  nTransit: number;
  batchSize: number;
  depth: number;
  algorithm?: string;
  ppoPreset?: string;
}): Budget {
  const algorithm = o.algorithm ?? 'ppo';
  return {
    collect: {
      algorithm,
      settings: algorithm === 'ppo' ? ppoSettings(o.ppoPreset ?? 'darkroom') : {},
      tasks: 0,
      streams: 100,
      stepsPerStream: 1000,
      tasksPerBatch: 128,
    },
    model: { ...PAPER_MODEL, nTransit: o.nTransit },
    train: { steps: 50_000, dicpSteps: 50_000, batchSize: o.batchSize, lr: 1e-2, checkpointEvery: 1000 },
    eval: {
      episodes: 50,
      planningEpisodes: 100,
      runsPerTask: 1,
      beam: 10,
      depth: o.depth,
      samples: 10,
      // SB3's PPO batch (50) does not divide one run's rollout (20 steps × 1 stream): no source baseline.
      sourceBaseline: false,
    },
  };
}

/** The quick setting: AD-ε histories of 20 episodes × 10 streams, a 2-layer model, 3,000 / 6,000 small updates. */
function quick(horizon: number, o: { tasks?: number; depth: number }): Budget {
  return {
    collect: {
      algorithm: 'ad-epsilon',
      settings: { maxPerf: 1 },
      tasks: o.tasks ?? 0,
      streams: 10,
      stepsPerStream: 20 * horizon,
      tasksPerBatch: 16,
    },
    model: { ...QUICK_MODEL, nTransit: 2 * horizon },
    train: QUICK_TRAIN,
    eval: {
      episodes: 20,
      planningEpisodes: 20,
      runsPerTask: 4,
      beam: 10,
      depth: o.depth,
      samples: 10,
      sourceBaseline: true,
    },
  };
}

/**
 * Budgets per env preset. `paper` follows the DICP reference (spec §1.2, §5.1, §6.1) for Darkroom, Dark
 * Key-to-Door and Darkroom-Permuted; the other presets (not in DICP) extend its rules: 100 streams × 1,000 steps,
 * a context of 4 episodes, 50 / 100 evaluation episodes.
 */
export const BUDGETS: Readonly<Record<EnvPresetName, Readonly<Record<BudgetName, Budget>>>> = {
  darkroom: {
    quick: quick(20, { depth: 8 }),
    paper: paper({ nTransit: 80, batchSize: 512, depth: 8 }),
  },
  'darkroom-hard': {
    quick: quick(20, { depth: 16 }),
    paper: paper({ nTransit: 80, batchSize: 512, depth: 16 }),
  },
  'darkroom-dpt': {
    quick: { ...quick(100, { depth: 9 }), model: { ...QUICK_MODEL, nTransit: 100 } },
    paper: paper({ nTransit: 400, batchSize: 512, depth: 9 }),
  },
  'dark-key-to-door': {
    quick: quick(50, { tasks: 200, depth: 16 }),
    paper: paper({ nTransit: 200, batchSize: 4096, depth: 16, ppoPreset: 'dark-key-to-door' }),
  },
  'darkroom-permuted': {
    quick: quick(50, { depth: 16 }),
    paper: paper({ nTransit: 200, batchSize: 512, depth: 16, ppoPreset: 'darkroom-permuted' }),
  },
  'bernoulli-bandit': {
    quick: { ...quick(100, { tasks: 200, depth: 1 }), model: { ...QUICK_MODEL, nTransit: 100 } },
    paper: paper({ nTransit: 400, batchSize: 512, depth: 1, algorithm: 'thompson' }),
  },
  'adversarial-bandit': {
    quick: { ...quick(100, { tasks: 200, depth: 1 }), model: { ...QUICK_MODEL, nTransit: 100 } },
    paper: paper({ nTransit: 400, batchSize: 512, depth: 1, algorithm: 'ucb1' }),
  },
};
