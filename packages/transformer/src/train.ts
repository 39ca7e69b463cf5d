import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  describeSpace,
  EventLoopYield,
  type HistorySource,
  IcrlError,
  InvalidArgumentError,
  InvalidFileError,
  Rng,
  type RngState,
  rejectUnknownKeys,
  requireInteger,
  requireNumber,
  requireObject,
  requireSeed,
} from '@icrl/core';
import * as tf from '@tensorflow/tfjs-core';
import type { InContextModel, LossTerms } from './ad';
import { AdamW, clipByGlobalNorm, cosineLearningRate } from './adamw';
import { type BackendName, type BackendPreference, initBackend } from './backend';
import {
  createModel,
  loadWeights,
  readCheckpointConfig,
  readSafetensors,
  saveCheckpoint,
} from './checkpoint';
import {
  architectureDiff,
  configDiff,
  type ModelConfig,
  modelConfigForHistory,
  sameConfigValue,
} from './config';
import { defaultWorkers, GradientWorkers, type MicroBatch } from './data-parallel';
import { IDTHistories } from './idt';
import { WindowDrawer } from './sampler';

// Training from learning histories, as DICP's `train.py`: seeded windows of n_transit steps, the loss of §1.3
// (action CE + λ·(reward CE + next-state CE)), AdamW(0.9, 0.99, wd 0.01), cosine decay to 0 without warmup,
// global-norm clipping at 1.0. A flat loop: (checkpoint) → draw → micro-batches (forward, backward,
// accumulate) → clip → step → log.

/** Training settings. Defaults are the DICP Darkroom AD run (spec §1.2) except where noted. */
export interface TrainConfig {
  /** Optimizer updates of the whole run; also the cosine schedule's length. Default 50,000. */
  readonly steps: number;
  /** Windows per update. Default 512. */
  readonly batchSize: number;
  /**
   * Windows per forward/backward pass; gradients of the micro-batches are averaged, so the update equals one
   * pass over `batchSize`. 0 (default) picks the largest divisor of `batchSize` whose activations fit
   * comfortably in the wasm heap (which crashes near 2–4 GB).
   */
  readonly microBatchSize: number;
  /** Peak learning rate (the schedule starts here). Default 0.01 (AD/DPT; IDT uses 1e-3). */
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Decoupled weight decay on all parameters. Default 0.01. */
  readonly weightDecay: number;
  /** Global gradient-norm clip. Default 1.0. */
  readonly clipNorm: number;
  /** Seed of window sampling and dropout (weights come from `model.seed`). Default 0. */
  readonly seed: number;
  /** Checkpoint every n updates (and always at the end); 0: only at the end. Default 1000. */
  readonly checkpointEvery: number;
  /** Log every n updates. Default 1. */
  readonly logEvery: number;
  /** Tasks to train on (e.g. the train split). Default: every task of the source. */
  readonly tasks?: readonly number[];
  /** First n streams of each task only (`train_n_stream`). Default: all. */
  readonly streams?: number;
  /** First n steps of each stream only (`train_source_timesteps`). Default: all. */
  readonly sourceSteps?: number;
}

export const TRAIN_DEFAULTS: TrainConfig = Object.freeze({
  steps: 50_000,
  batchSize: 512,
  microBatchSize: 0,
  lr: 0.01,
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  weightDecay: 0.01,
  clipNorm: 1.0,
  seed: 0,
  checkpointEvery: 1000,
  logEvery: 1,
});

const TRAIN_KEYS = [...Object.keys(TRAIN_DEFAULTS), 'tasks', 'streams', 'sourceSteps'];
/** Settings a resumed run may change: they decide when files are written, not what is learned. */
const BOOKKEEPING_KEYS: readonly string[] = ['checkpointEvery', 'logEvery'];

/** Merges over the defaults and validates, naming the bad field (`train.lr`, ...). */
export function resolveTrainConfig(input: Partial<TrainConfig> = {}): TrainConfig {
  const o = requireObject('train', input);
  rejectUnknownKeys('train', o, TRAIN_KEYS);
  const c = { ...TRAIN_DEFAULTS } as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) c[k] = v;
  const t = c as unknown as TrainConfig;
  requireInteger('train.steps', t.steps, { min: 1 });
  requireInteger('train.batchSize', t.batchSize, { min: 1, max: 1 << 20 });
  requireInteger('train.microBatchSize', t.microBatchSize, { min: 0, max: t.batchSize });
  if (t.microBatchSize > 0 && t.batchSize % t.microBatchSize !== 0) {
    throw new InvalidArgumentError(
      'train.microBatchSize',
      t.microBatchSize,
      `a divisor of batchSize (${t.batchSize}), or 0 for automatic`,
    );
  }
  requireNumber('train.lr', t.lr, { min: 0, exclusiveMin: true });
  requireNumber('train.beta1', t.beta1, { min: 0, max: 1, exclusiveMax: true });
  requireNumber('train.beta2', t.beta2, { min: 0, max: 1, exclusiveMax: true });
  requireNumber('train.eps', t.eps, { min: 0, exclusiveMin: true });
  requireNumber('train.weightDecay', t.weightDecay, { min: 0 });
  requireNumber('train.clipNorm', t.clipNorm, { min: 0, exclusiveMin: true });
  requireSeed('train.seed', t.seed);
  requireInteger('train.checkpointEvery', t.checkpointEvery, { min: 0 });
  requireInteger('train.logEvery', t.logEvery, { min: 1 });
  if (t.tasks !== undefined && !Array.isArray(t.tasks))
    throw new InvalidArgumentError('train.tasks', t.tasks, 'an array of task indices');
  return Object.freeze({ ...t });
}

/** Tokens one window becomes for this model (the sequence length of a forward pass). */
export function tokensPerWindow(config: ModelConfig): number {
  if (config.kind === 'idt') return 4 * config.nTransit; // Decisions-to-Go: 4 tokens per low-level step
  return config.nTransit + (config.dynamics ? 1 : 0);
}

/** Float32 activations one window keeps for backprop, roughly (attention maps dominate at long contexts). */
function activationFloats(config: ModelConfig): number {
  const T = config.kind === 'idt' ? 4 * config.lowPerHigh : tokensPerWindow(config);
  const segments = config.kind === 'idt' ? config.nTransit / config.lowPerHigh : 1;
  const perLayer = 4 * config.nHead * T * T + T * (18 * config.nEmbd + 5 * config.nInner);
  return segments * config.nLayer * perLayer * (config.kind === 'idt' ? 1.5 : 1);
}

/** Largest divisor of `batch` whose estimated activations stay under ~600 MB (the wasm heap dies at 2–4 GB). */
export function autoMicroBatch(config: ModelConfig, batch: number): number {
  const budget = 150e6; // floats
  const max = Math.max(1, Math.floor(budget / activationFloats(config)));
  for (let m = Math.min(batch, max); m >= 1; m--) if (batch % m === 0) return m;
  return 1;
}

/** One line of the JSONL training log. */
export interface TrainLogEntry {
  readonly step: number;
  readonly loss: number;
  readonly actionLoss: number;
  readonly rewardLoss?: number;
  readonly nextStateLoss?: number;
  readonly lr: number;
  readonly gradNorm: number;
  /** Wall time of this update, sampling included. */
  readonly ms: number;
  readonly tokensPerS: number;
  readonly backend: string;
}

/** Options of `train`. */
export interface TrainOptions {
  /** The learning histories. */
  readonly source: HistorySource;
  /** Model settings; the env and spaces always come from `source.meta`. */
  readonly model?: Partial<ModelConfig>;
  readonly train?: Partial<TrainConfig>;
  /** Directory for `checkpoint/` and `train.jsonl`. Omit to train in memory only (no checkpoints). */
  readonly outDir?: string;
  /** Continue the run checkpointed in `outDir` (its config must equal this one). Default false. */
  readonly resume?: boolean;
  /**
   * A checkpoint directory whose weights start this run instead of a random init (fine-tuning, or training on
   * with a new schedule). Its model config must equal this run's except for `seed`; the optimizer, schedule
   * and RNGs start fresh. A resumed run ignores it (its own checkpoint already holds where it got to).
   */
  readonly initFrom?: string;
  /** Return (after checkpointing) once this call has done this many updates; the run stays resumable. */
  readonly stopAfter?: number;
  /** `tensorflow` | `wasm` | `cpu` | `auto` (default). */
  readonly backend?: BackendPreference;
  /** Called with every log entry. */
  readonly onLog?: (entry: TrainLogEntry) => void;
  /**
   * Data-parallel worker threads, each with its own backend and a share of every update's micro-batches (see
   * data-parallel.ts). 1 trains in this thread. Default: the machine's cores when an update holds >= 4,096
   * tokens, else 1. The run is the same for any worker count (up to float summation order); the micro-batch
   * count is rounded up to a multiple of it when `train.microBatchSize` is 0. Not part of the checkpoint.
   */
  readonly workers?: number;
}

/** What `train` returns. The caller owns `model` and must `dispose()` it. */
export interface TrainResult {
  readonly model: InContextModel;
  /** Updates done in total (resumed ones included). */
  readonly step: number;
  /** Whether the run reached `train.steps`. */
  readonly done: boolean;
  readonly backend: BackendName;
  /** Log entries of this call. */
  readonly log: readonly TrainLogEntry[];
}

/** A loss or gradient became NaN or infinite: training stopped, and the last good checkpoint was kept. */
export class TrainingDivergedError extends IcrlError {
  override name = 'TrainingDivergedError';
  constructor(
    readonly step: number,
    detail: string,
    readonly checkpoint: string | null,
  ) {
    super(
      `Training diverged at step ${step}: ${detail}. Stopped before updating the weights; ${
        checkpoint === null
          ? 'no checkpoint was written'
          : `the last good checkpoint at ${checkpoint} is kept`
      }. Lower train.lr or check the histories.`,
    );
  }
}

function checkHistoryMatchesModel(source: HistorySource, config: ModelConfig): void {
  const meta = source.meta;
  if (meta.envId !== config.envId) {
    throw new InvalidArgumentError(
      'history.envId',
      meta.envId,
      `"${config.envId}", the env the model was configured for`,
    );
  }
  for (const key of ['observationSpace', 'actionSpace'] as const) {
    if (!sameConfigValue(meta[key], config[key])) {
      throw new InvalidArgumentError(
        `history.${key}`,
        describeSpace(meta[key]),
        `${describeSpace(config[key])}, the model's ${key}`,
      );
    }
  }
}

/**
 * Trains an AD / DPT / IDT model (DICP's with `model.dynamics: true`) on learning histories. Every input is
 * checked before any file is written; a resumed run continues exactly (weights, AdamW moments, schedule, RNGs).
 *
 * @throws InvalidArgumentError for bad settings, a context longer than the histories' streams, histories of
 *   another env, or `resume` with a different config; InvalidFileError for a corrupt checkpoint;
 *   TrainingDivergedError when a loss turns NaN/Inf.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const opts = requireObject('options', options);
  rejectUnknownKeys('options', opts, [
    'source',
    'model',
    'train',
    'outDir',
    'resume',
    'initFrom',
    'stopAfter',
    'backend',
    'onLog',
    'workers',
  ]);
  const { source } = options;
  if (source === null || typeof source !== 'object' || typeof source.read !== 'function') {
    throw new InvalidArgumentError('options.source', source, 'a HistorySource');
  }
  let modelConfig = modelConfigForHistory(source.meta, options.model ?? {});
  let trainConfig = resolveTrainConfig(options.train ?? {});
  const stopAfter =
    options.stopAfter === undefined
      ? Number.POSITIVE_INFINITY
      : requireInteger('options.stopAfter', options.stopAfter, { min: 1 });
  const ckptDir = options.outDir === undefined ? null : join(options.outDir, 'checkpoint');
  const logPath = options.outDir === undefined ? null : join(options.outDir, 'train.jsonl');
  if (options.resume && ckptDir === null)
    throw new InvalidArgumentError('options.resume', true, 'false when no outDir is given');

  // Everything is validated before anything is written or trained.
  let resumeFrom: { dir: string; state: Record<string, unknown> } | null = null;
  if (options.resume) {
    const saved = readCheckpointConfig(ckptDir!);
    const modelDiff = options.model === undefined ? [] : configDiff(modelConfig, saved.model);
    if (modelDiff.length > 0) {
      throw new InvalidArgumentError(
        `model.${modelDiff[0]}`,
        (modelConfig as unknown as Record<string, unknown>)[modelDiff[0]!],
        `${JSON.stringify((saved.model as unknown as Record<string, unknown>)[modelDiff[0]!])}, as in the checkpoint being resumed (differing: ${modelDiff.join(', ')})`,
      );
    }
    modelConfig = saved.model;
    const savedTrain = resolveTrainConfig(saved.train as Partial<TrainConfig>);
    let bookkeeping: Pick<TrainConfig, 'checkpointEvery' | 'logEvery'> = savedTrain;
    if (options.train !== undefined) {
      // How often to checkpoint and log does not change the weights: a resumed run may set them anew.
      bookkeeping = { checkpointEvery: trainConfig.checkpointEvery, logEvery: trainConfig.logEvery };
      const diff = Object.keys({ ...savedTrain, ...trainConfig }).filter(
        (k) =>
          !BOOKKEEPING_KEYS.includes(k) &&
          JSON.stringify((savedTrain as unknown as Record<string, unknown>)[k]) !==
            JSON.stringify((trainConfig as unknown as Record<string, unknown>)[k]),
      );
      if (diff.length > 0) {
        throw new InvalidArgumentError(
          `train.${diff[0]}`,
          (trainConfig as unknown as Record<string, unknown>)[diff[0]!],
          `${JSON.stringify((savedTrain as unknown as Record<string, unknown>)[diff[0]!])}, as in the checkpoint being resumed`,
        );
      }
    }
    trainConfig = Object.freeze({ ...savedTrain, ...bookkeeping });
    const statePath = join(saved.dir, 'state.json');
    if (!existsSync(statePath))
      throw new InvalidFileError(
        statePath,
        'is missing: the checkpoint holds weights only and cannot be resumed',
      );
    resumeFrom = {
      dir: saved.dir,
      state: JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, unknown>,
    };
  }
  let initWeights: string | null = null;
  if (options.initFrom !== undefined && resumeFrom === null) {
    if (typeof options.initFrom !== 'string' || options.initFrom === '')
      throw new InvalidArgumentError('options.initFrom', options.initFrom, 'a checkpoint directory');
    const init = readCheckpointConfig(options.initFrom);
    const diff = architectureDiff(modelConfig, init.model);
    if (diff.length > 0) {
      throw new InvalidArgumentError(
        `model.${diff[0]}`,
        (modelConfig as unknown as Record<string, unknown>)[diff[0]!],
        `${JSON.stringify((init.model as unknown as Record<string, unknown>)[diff[0]!])}, as in the checkpoint at ${options.initFrom} the weights start from (differing: ${diff.join(', ')})`,
      );
    }
    initWeights = join(init.dir, 'model.safetensors');
  }
  checkHistoryMatchesModel(source, modelConfig);
  // IDT reads streams with episodes sorted by return and relabelled returns-to-go.
  const windows = modelConfig.kind === 'idt' ? new IDTHistories(source) : source;
  const drawer = new WindowDrawer(windows, modelConfig.nTransit, trainConfig.seed, {
    ...(trainConfig.tasks ? { tasks: trainConfig.tasks } : {}),
    ...(trainConfig.streams ? { streams: trainConfig.streams } : {}),
    ...(trainConfig.sourceSteps ? { steps: trainConfig.sourceSteps } : {}),
  });
  if (
    modelConfig.kind === 'dpt' &&
    source.read(firstTask(source, trainConfig), 0, 0, 1).optimalActions === undefined
  ) {
    throw new InvalidArgumentError(
      'history.optimalActions',
      undefined,
      'optimal-action labels in the histories (DPT trains on them)',
    );
  }

  const backend = await initBackend(options.backend ?? 'auto');
  const model = createModel(modelConfig);
  const optimizer = new AdamW(model.params.vars, trainConfig);
  let dropoutRng = new Rng(trainConfig.seed).fork(0xd0);
  let step = 0;
  let lastLoss = Number.NaN;
  try {
    if (resumeFrom !== null) {
      const weightsPath = join(resumeFrom.dir, 'model.safetensors');
      loadWeights(model, readSafetensors(weightsPath).tensors, weightsPath);
      const optPath = join(resumeFrom.dir, 'optimizer.safetensors');
      const s = resumeFrom.state;
      optimizer.loadState(
        readSafetensors(optPath).tensors,
        requireInteger('state.optimizerStep', s.optimizerStep, { min: 0 }),
        optPath,
      );
      step = requireInteger('state.step', s.step, { min: 0 });
      drawer.state = s.samplerState as RngState;
      dropoutRng = Rng.fromState(s.dropoutState as RngState);
      lastLoss = Number(s.lastLoss);
      if (logPath !== null) truncateLog(logPath, step);
    } else {
      if (initWeights !== null) loadWeights(model, readSafetensors(initWeights).tensors, initWeights);
      if (logPath !== null) {
        mkdirSync(options.outDir!, { recursive: true });
        writeFileSync(logPath, '');
      }
    }
  } catch (err) {
    optimizer.dispose();
    model.dispose();
    throw err;
  }

  const tokens = trainConfig.batchSize * tokensPerWindow(modelConfig);
  const workerCount = Math.min(
    options.workers === undefined
      ? defaultWorkers(tokens)
      : requireInteger('options.workers', options.workers, { min: 1, max: 256 }),
    trainConfig.batchSize,
  );
  let micro = trainConfig.microBatchSize || autoMicroBatch(modelConfig, trainConfig.batchSize);
  if (trainConfig.microBatchSize === 0) {
    // Enough micro-batches for every worker to get the same number.
    while ((trainConfig.batchSize / micro) % workerCount !== 0 && micro > 1) {
      micro -= 1;
      while (trainConfig.batchSize % micro !== 0) micro -= 1;
    }
  }
  const chunks = trainConfig.batchSize / micro;
  const vars = [...model.params.vars.values()];
  const names = [...model.params.vars.keys()];
  const log: TrainLogEntry[] = [];
  const checkpoint = () => {
    if (ckptDir === null) return;
    saveCheckpoint(ckptDir, {
      model,
      optimizer,
      train: trainConfig as unknown as Record<string, unknown>,
      state: { step, samplerState: drawer.state, dropoutState: dropoutRng.getState(), lastLoss },
    });
  };
  let done = 0;
  const paramCount = vars.reduce((n, v) => n + v.size, 0);
  let pool: GradientWorkers | null = null;
  try {
    // More workers than micro-batches would idle.
    const poolSize = Math.min(workerCount, chunks);
    if (poolSize > 1) pool = await GradientWorkers.start(poolSize, modelConfig, backend, paramCount);
    const loop = new EventLoopYield(); // tfjs on the CPU computes synchronously: let Ctrl-C through
    while (step < trainConfig.steps && done < stopAfter) {
      await loop.maybeYield();
      const t0 = performance.now();
      const lr = cosineLearningRate(trainConfig.lr, step, trainConfig.steps);
      // Forward/backward per micro-batch, gradients summed then averaged.
      let sums: Map<string, tf.Tensor> | null = null;
      const terms = { total: 0, action: 0, reward: 0, nextState: 0 };
      let hasReward = false;
      let hasNext = false;
      if (pool !== null) {
        const work: MicroBatch[] = [];
        for (let c = 0; c < chunks; c++)
          work.push({ batch: drawer.next(micro), seed: dropoutRng.nextUint32() });
        const flat = new Float32Array(paramCount);
        let o = 0;
        for (const v of vars) {
          flat.set(v.dataSync() as Float32Array, o);
          o += v.size;
        }
        const { grads: summed, losses } = await pool.run(
          flat,
          Array.from({ length: pool.count }, (_, i) =>
            work.slice(Math.floor((i * chunks) / pool!.count), Math.floor(((i + 1) * chunks) / pool!.count)),
          ),
        );
        for (const l of losses) {
          terms.total += l.total / chunks;
          terms.action += l.action / chunks;
          if (l.reward !== null) {
            hasReward = true;
            terms.reward += l.reward / chunks;
          }
          if (l.nextState !== null) {
            hasNext = true;
            terms.nextState += l.nextState / chunks;
          }
        }
        sums = new Map();
        o = 0;
        for (let i = 0; i < vars.length; i++) {
          sums.set(names[i]!, tf.tensor(summed.slice(o, o + vars[i]!.size), vars[i]!.shape));
          o += vars[i]!.size;
        }
      } else {
        for (let c = 0; c < chunks; c++) {
          const batch = drawer.next(micro);
          // Each micro-batch has its own dropout stream, seeded from the run's: the same masks whichever worker
          // computes it.
          const dropSeed = dropoutRng.nextUint32();
          let values: LossTerms | null = null;
          const { grads, value } = tf.variableGrads(() => {
            values = model.loss(batch, new Rng(dropSeed));
            for (const t of [values.action, values.reward, values.nextState]) if (t !== undefined) tf.keep(t);
            return values.total;
          }, vars);
          const v = values as unknown as LossTerms;
          terms.total += value.dataSync()[0]! / chunks;
          terms.action += v.action.dataSync()[0]! / chunks;
          if (v.reward) {
            hasReward = true;
            terms.reward += v.reward.dataSync()[0]! / chunks;
          }
          if (v.nextState) {
            hasNext = true;
            terms.nextState += v.nextState.dataSync()[0]! / chunks;
          }
          tf.dispose([value, v.action, v.reward, v.nextState].filter((t) => t !== undefined) as tf.Tensor[]);
          // variableGrads keys gradients by tfjs's own variable names; map them back to parameter names.
          const byParam = (n: string) => grads[model.params.vars.get(n)!.name]!;
          if (sums === null) {
            sums = new Map(names.map((n) => [n, byParam(n)]));
          } else {
            for (const n of names) {
              const next = tf.add(sums.get(n)!, byParam(n));
              sums.get(n)!.dispose();
              byParam(n).dispose();
              sums.set(n, next);
            }
          }
        }
      }
      if (!Number.isFinite(terms.total)) {
        for (const g of sums!.values()) g.dispose();
        throw new TrainingDivergedError(
          step + 1,
          `the loss is ${terms.total} (action ${terms.action}${hasReward ? `, reward ${terms.reward}` : ''}${hasNext ? `, next state ${terms.nextState}` : ''})`,
          ckptDir,
        );
      }
      const averaged = new Map<string, tf.Tensor>();
      for (const [n, g] of sums!) {
        averaged.set(n, chunks === 1 ? g : tf.div(g, chunks));
        if (chunks !== 1) g.dispose();
      }
      const { grads, norm } = clipByGlobalNorm(averaged, trainConfig.clipNorm);
      if (!Number.isFinite(norm)) {
        for (const g of grads.values()) g.dispose();
        throw new TrainingDivergedError(step + 1, `the gradient norm is ${norm}`, ckptDir);
      }
      optimizer.apply(grads, lr);
      for (const g of grads.values()) g.dispose();
      step += 1;
      done += 1;
      lastLoss = terms.total;
      const ms = performance.now() - t0;
      if (step % trainConfig.logEvery === 0 || step === trainConfig.steps) {
        const entry: TrainLogEntry = {
          step,
          loss: terms.total,
          actionLoss: terms.action,
          ...(hasReward ? { rewardLoss: terms.reward } : {}),
          ...(hasNext ? { nextStateLoss: terms.nextState } : {}),
          lr,
          gradNorm: norm,
          ms,
          tokensPerS: (tokens / ms) * 1000,
          backend,
        };
        log.push(entry);
        if (logPath !== null) appendFileSync(logPath, `${JSON.stringify(entry)}\n`);
        options.onLog?.(entry);
      }
      const last = step === trainConfig.steps || done === stopAfter;
      if (last || (trainConfig.checkpointEvery > 0 && step % trainConfig.checkpointEvery === 0)) checkpoint();
    }
  } catch (err) {
    await pool?.dispose();
    optimizer.dispose();
    model.dispose();
    throw err;
  }
  await pool?.dispose();
  optimizer.dispose();
  return { model, step, done: step >= trainConfig.steps, backend, log };
}

/** First selected task (for the DPT label check). */
function firstTask(source: HistorySource, config: TrainConfig): number {
  return (config.tasks ?? source.taskIndices)[0]!;
}

/** Drops log lines past `step` (written after the checkpoint a resumed run restarts from). */
function truncateLog(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => {
      if (line.trim() === '') return false;
      try {
        return (JSON.parse(line) as { step: number }).step <= step;
      } catch {
        return false;
      }
    });
  writeFileSync(path, kept.length > 0 ? `${kept.join('\n')}\n` : '');
}
