import { resolve } from 'node:path';
import {
  type AgentFactory,
  type EnvFamily,
  evaluate,
  type InContextAgent,
  InvalidFileError,
  type JsonObject,
  RandomAgent,
  type TaskSpec,
} from '@icrl/core';
import { ENV_PRESET_NAMES, type EnvPresetName, makeEnvFamily, OracleAgent } from '@icrl/envs';
import { makeAlgorithm, SourceAgent } from '@icrl/source-rl';
import {
  type ADModel,
  exportOnnx,
  IDTAgent,
  type IDTModel,
  initBackend,
  loadModel,
  OrtAgent,
  OrtModel,
} from '@icrl/transformer';
import { writeJsonAtomic } from '../atomic-write';
import { BUDGET_NAMES, BUDGETS, type BudgetName } from '../budgets';
import { fileKind } from '../input-files';
import type { Io } from '../io';
import { JsonlLog } from '../jsonl-log';
import { findModel, type ModelFiles } from '../model-files';
import type { CommandSpec, ParsedCommand } from '../options';
import { adPlanner, checkPlanner, idtPlanner, PLANNER_NAMES, type PlannerName } from '../planners';
import { Progress } from '../progress';
import { provenance } from '../provenance';
import { canonicalJson, RECORD_FORMATS, RECORD_VERSION, readRecord } from '../record-files';
import type { MethodResult, ResultsFile } from '../results';
import { UsageError } from '../usage-error';

export const evalSpec: CommandSpec = {
  name: 'eval',
  summary:
    'Evaluates a trained model in context on the held-out tasks of the split (never seen in training), for consecutive episodes with its context kept, and optionally the baselines (random, oracle, the source algorithm). Writes a results JSON file.',
  usage: 'icrl eval --model <dir|model.onnx> [--env <preset>] --out <results.json> [options]',
  options: [
    {
      flag: 'model',
      key: 'model',
      type: 'string',
      arg: '<dir|file>',
      doc: 'icrl train directory, checkpoint directory, model.onnx (with model.json beside it), or zoo:<env>/<model>; omit with --baselines for baselines only',
    },
    {
      flag: 'env',
      key: 'env',
      type: 'string',
      arg: '<preset>',
      choices: ENV_PRESET_NAMES,
      doc: 'env preset',
      defaultText: "the model's",
    },
    {
      flag: 'out',
      key: 'out',
      type: 'string',
      arg: '<results.json>',
      required: true,
      doc: 'results file to write',
    },
    {
      flag: 'planner',
      key: 'planner',
      type: 'string',
      arg: '<name>',
      choices: PLANNER_NAMES,
      doc: 'DICP planner (beam, greedy need a --dynamics model)',
      defaultText: 'none',
    },
    {
      flag: 'beam',
      key: 'beam',
      type: 'integer',
      arg: '<k>',
      min: 1,
      doc: 'beam size K',
      defaultText: "the budget's (10)",
    },
    {
      flag: 'depth',
      key: 'depth',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'planning horizon of the beam search',
      defaultText: "the budget's",
    },
    {
      flag: 'samples',
      key: 'samples',
      type: 'integer',
      arg: '<L>',
      min: 1,
      doc: 'candidate actions of the greedy planner',
      defaultText: "the budget's (10)",
    },
    {
      flag: 'episodes',
      key: 'episodes',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'consecutive episodes per run',
      defaultText: "the budget's",
    },
    {
      flag: 'runs',
      key: 'runs',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'independent runs per held-out task',
      defaultText: "the budget's",
    },
    {
      flag: 'tasks',
      key: 'tasks',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'the first n held-out tasks only (a quicker look at envs with many, e.g. Key-to-Door)',
      defaultText: 'all',
    },
    {
      flag: 'split-seed',
      key: 'splitSeed',
      type: 'integer',
      arg: '<n>',
      min: 0,
      doc: 'seed of the train/test split',
      defaultText: "the training data's",
    },
    {
      flag: 'seed',
      key: 'seed',
      type: 'integer',
      arg: '<n>',
      min: 0,
      doc: 'seed of the envs and the agents',
      defaultText: '0',
    },
    {
      flag: 'budget',
      key: 'budget',
      type: 'string',
      arg: '<name>',
      choices: BUDGET_NAMES,
      doc: 'budget the defaults come from',
      defaultText: "the model's, else quick",
    },
    {
      flag: 'baselines',
      key: 'baselines',
      type: 'boolean',
      doc: 'also evaluate a random agent and the oracle',
    },
    {
      flag: 'source-baseline',
      key: 'sourceBaseline',
      type: 'boolean',
      doc: 'also evaluate the source algorithm learning from scratch (SourceAgent)',
    },
    {
      flag: 'name',
      key: 'name',
      type: 'string',
      arg: '<name>',
      doc: "the model's name in results and plots",
      defaultText: 'ad, dicp-ad, ... (+planner)',
    },
  ],
  examples: [
    'icrl eval --model runs/ad --out runs/eval-ad.json --baselines',
    'icrl eval --model runs/dicp-ad/model.onnx --planner beam --beam 10 --depth 8 --episodes 100 --out dicp.json',
    'icrl eval --env darkroom --baselines --source-baseline --out baselines.json',
  ],
};

/** A validated evaluation. */
export interface EvalJob {
  readonly request: {
    readonly model: string | null;
    readonly name: string | null;
    readonly env: EnvPresetName;
    readonly splitSeed: number;
    readonly planner: PlannerName;
    readonly beam: number;
    readonly depth: number;
    readonly samples: number;
    readonly episodes: number;
    readonly runsPerTask: number;
    /** The first n held-out tasks only; absent: all (absent rather than null, so older requests still match). */
    readonly tasks?: number;
    readonly seed: number;
    readonly baselines: boolean;
    readonly sourceBaseline: boolean;
  };
  readonly out: string;
  readonly budget: BudgetName;
  readonly model: ModelFiles | null;
}

export async function resolveEvalJob(input: {
  model?: string;
  env?: EnvPresetName;
  out: string;
  planner?: PlannerName;
  beam?: number;
  depth?: number;
  samples?: number;
  episodes?: number;
  runs?: number;
  tasks?: number;
  splitSeed?: number;
  seed?: number;
  budget?: BudgetName;
  baselines?: boolean;
  sourceBaseline?: boolean;
  name?: string;
}): Promise<EvalJob> {
  const baselines = input.baselines ?? false;
  const sourceBaseline = input.sourceBaseline ?? false;
  if (input.model === undefined && !baselines && !sourceBaseline) {
    throw new UsageError(
      'Missing --model <dir|model.onnx>: the model to evaluate (or pass --baselines for baselines only).',
    );
  }
  const model = input.model === undefined ? null : findModel(input.model);
  const modelEnv = model?.config.envId;
  if (modelEnv !== undefined && !(ENV_PRESET_NAMES as readonly string[]).includes(modelEnv)) {
    throw new UsageError(`The model was trained on env "${modelEnv}", which is not an icrl env preset.`);
  }
  const env = input.env ?? (modelEnv as EnvPresetName | undefined);
  if (env === undefined) throw new UsageError('Missing --env <preset>: needed when no --model is given.');
  if (modelEnv !== undefined && env !== modelEnv) {
    throw new UsageError(`Invalid --env: got "${env}"; the model was trained on "${modelEnv}".`);
  }
  const budget = input.budget ?? model?.train?.budget ?? 'quick';
  const b = BUDGETS[env][budget].eval;
  const planner = input.planner ?? 'none';
  const settings = {
    planner,
    beam: input.beam ?? b.beam,
    depth: input.depth ?? b.depth,
    samples: input.samples ?? b.samples,
  };
  const family = makeEnvFamily(env);
  checkPlanner(settings, model?.config ?? null, family.actionSpace);
  const splitSeed = input.splitSeed ?? model?.train?.dataMeta.split?.seed ?? family.split().seed;
  const heldOut = family.split(splitSeed).test.length;
  if (input.tasks !== undefined && input.tasks > heldOut) {
    throw new UsageError(
      `Invalid --tasks: got ${input.tasks}; split seed ${splitSeed} of ${env} has ${heldOut} held-out tasks.`,
    );
  }
  const kind = fileKind(input.out);
  if (kind === 'directory')
    throw new UsageError(`Invalid --out: ${input.out} is a directory; expected a results .json file path.`);
  if (!input.out.toLowerCase().endsWith('.json')) {
    throw new UsageError(
      `Invalid --out: got ${JSON.stringify(input.out)}; expected a file name ending in .json.`,
    );
  }
  if (kind !== 'missing') readRecord(input.out, 'results'); // never overwrite a file that is not ours
  return {
    request: {
      model: model?.path ?? null,
      name: input.name ?? null,
      env,
      splitSeed,
      ...settings,
      episodes: input.episodes ?? (planner === 'none' ? b.episodes : b.planningEpisodes),
      runsPerTask: input.runs ?? b.runsPerTask,
      ...(input.tasks !== undefined ? { tasks: input.tasks } : {}),
      seed: input.seed ?? 0,
      baselines,
      sourceBaseline,
    },
    out: resolve(input.out),
    budget,
    model,
  };
}

/** The model as an in-context agent on `family`'s held-out `tasks`, with its backend's name and a cleanup. */
async function modelAgent(
  job: EvalJob,
  family: EnvFamily,
  tasks: readonly TaskSpec[],
): Promise<{
  make: InContextAgent | AgentFactory;
  name: string;
  backend: string;
  dispose: () => Promise<void>;
}> {
  const r = job.request;
  const found = job.model!;
  // Histories store spaces as canonical (key-sorted) JSON; the planners compare the model's spaces with the
  // family's as JSON text, so equal spaces are handed over in the family's own key order.
  const sameSpaces =
    canonicalJson(found.config.observationSpace) === canonicalJson(family.observationSpace) &&
    canonicalJson(found.config.actionSpace) === canonicalJson(family.actionSpace);
  const files = sameSpaces
    ? {
        ...found,
        config: {
          ...found.config,
          observationSpace: family.observationSpace,
          actionSpace: family.actionSpace,
        },
      }
    : found;
  const base = `${files.config.dynamics ? 'dicp-' : ''}${files.config.kind}`;
  const name = r.name ?? (r.planner === 'none' ? base : `${base}+${r.planner}`);
  if (files.config.kind === 'idt') {
    const backend = await initBackend('auto');
    const model = loadModel(files.checkpoint!, found.config) as IDTModel;
    const initialReturn = tasks.flatMap((t) =>
      Array.from({ length: r.runsPerTask }, () => family.maxReturn!(t)),
    );
    let agent: InContextAgent;
    try {
      agent =
        r.planner === 'none'
          ? new IDTAgent(model, { initialReturn, name, seed: r.seed })
          : await idtPlanner(r, model, family, { initialReturn, name, seed: r.seed });
    } catch (err) {
      model.dispose();
      throw err;
    }
    return {
      make: agent,
      name,
      backend: `tfjs-${backend}`,
      dispose: async () => model.dispose(),
    };
  }
  let ort: OrtModel;
  if (files.onnx !== null) {
    try {
      ort = await OrtModel.load(files.onnx, files.config);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw new InvalidFileError(files.onnx, `cannot be loaded as this model (${(err as Error).message})`, {
        cause: err,
      });
    }
  } else {
    const model = loadModel(files.checkpoint!, found.config) as ADModel;
    try {
      ort = await OrtModel.load(exportOnnx(model), files.config);
    } finally {
      model.dispose();
    }
  }
  let agent: InContextAgent;
  try {
    agent =
      r.planner === 'none'
        ? new OrtAgent(ort, { name, seed: r.seed })
        : await adPlanner(r, ort, family, { name, seed: r.seed });
  } catch (err) {
    await ort.dispose();
    throw err;
  }
  return { make: agent, name, backend: 'onnxruntime-node', dispose: () => ort.dispose() };
}

/** Source-algorithm settings without the keys `collect` adds to them. */
function sourceSettings(settings: JsonObject): JsonObject {
  const { stepsPerStream: _omit, ...rest } = settings;
  return rest;
}

/** Runs an evaluation job and writes its results file. */
export async function runEvalJob(job: EvalJob, io: Io): Promise<ResultsFile> {
  const r = job.request;
  const family = makeEnvFamily(r.env);
  const split = family.split(r.splitSeed);
  // `--tasks n`: the first n held-out tasks only (the results file still records the whole split).
  const tasks = split.test.slice(0, r.tasks);
  const started = performance.now();
  // The model's agent is built first: a model or planner that does not fit fails before any file is written.
  const model = job.model === null ? null : await modelAgent(job, family, tasks);
  const log = new JsonlLog(job.out.replace(/\.json$/i, '.jsonl'));
  log.write('start', { request: r });
  const methods: MethodResult[] = [];
  const runOne = async (
    make: InContextAgent | AgentFactory,
    label: string,
    role: MethodResult['role'],
    backend: string | null,
  ) => {
    const progress = new Progress(io, `eval ${label}`, r.episodes, 'episodes');
    const result = await evaluate(make, family, tasks, {
      episodes: r.episodes,
      seed: r.seed,
      runsPerTask: r.runsPerTask,
      onProgress: (done) => progress.update(done),
    });
    const last = result.mean.at(-1) ?? Number.NaN;
    progress.finish(
      `mean return ${result.mean[0]?.toFixed(2)} (episode 1) → ${last.toFixed(2)} (episode ${r.episodes})`,
    );
    log.write('method', {
      name: label,
      wallSeconds: result.wallSeconds,
      envSteps: result.envSteps,
      mean: result.mean,
    });
    methods.push({
      ...result,
      name: label,
      role,
      planner:
        role === 'model' ? { planner: r.planner, beam: r.beam, depth: r.depth, samples: r.samples } : null,
      backend,
    });
  };
  if (model !== null) {
    try {
      await runOne(model.make, model.name, 'model', model.backend);
    } finally {
      await model.dispose();
    }
  }
  if (r.baselines) {
    await runOne(new RandomAgent(family.actionSpace, r.seed), 'random', 'baseline', null);
    await runOne((env) => new OracleAgent(env), 'oracle', 'baseline', null);
  }
  if (r.sourceBaseline) {
    const source = job.model?.train?.dataMeta.source ?? {
      algorithm: BUDGETS[r.env][job.budget].collect.algorithm,
      settings: BUDGETS[r.env][job.budget].collect.settings,
    };
    const algorithm = makeAlgorithm(source.algorithm, sourceSettings(source.settings));
    await runOne(
      (env) =>
        new SourceAgent(algorithm, env, { streams: r.runsPerTask, totalSteps: r.episodes * family.horizon }),
      source.algorithm,
      'baseline',
      null,
    );
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const results: ResultsFile = {
    format: RECORD_FORMATS.results,
    version: RECORD_VERSION,
    request: JSON.parse(canonicalJson(r)) as JsonObject,
    env: { id: family.id, config: family.config },
    split: { seed: split.seed, trainRatio: split.trainRatio, test: split.test.map((t) => t.index) },
    methods,
    stages: { collect: job.model?.collect ?? null, train: job.model?.train ?? null },
    budget: job.budget,
    wallSeconds,
    envSteps: methods.reduce((n, m) => n + m.envSteps, 0),
    finishedAt: new Date().toISOString(),
    provenance: provenance(),
  };
  writeJsonAtomic(job.out, results);
  log.write('done', { wallSeconds, methods: methods.map((m) => m.name) });
  return results;
}

/** `icrl eval`. */
export async function evalCommand(parsed: ParsedCommand, io: Io): Promise<void> {
  const job = await resolveEvalJob(parsed.values as never);
  const results = await runEvalJob(job, io);
  for (const m of results.methods) {
    io.out.write(`${m.name}\t${m.mean.map((x) => x.toFixed(2)).join(' ')}\n`);
  }
  io.out.write(`${job.out}\n`);
}
