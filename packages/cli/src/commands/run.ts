import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { requireOneOf } from '@icrl/core';
import { ENV_PRESET_NAMES, type EnvPresetName, makeEnvFamily } from '@icrl/envs';
import { resolveModelConfig, resolveTrainConfig } from '@icrl/transformer';
import { listZooModels, type ZooEntry } from '@icrl/zoo';
import { writeFileAtomic, writeJsonAtomic } from '../atomic-write';
import { applyBudgetOverrides, BUDGET_SECTIONS } from '../budget-overrides';
import { BUDGET_NAMES, BUDGETS, type Budget, type BudgetName } from '../budgets';
import { svgToPng } from '../chart';
import { FieldErrors } from '../field-errors';
import { fileKind } from '../input-files';
import type { Io } from '../io';
import { JsonlLog } from '../jsonl-log';
import type { CommandSpec, ParsedCommand } from '../options';
import { checkPlanner, defaultPlanner, PLANNER_NAMES, type PlannerName } from '../planners';
import { provenance } from '../provenance';
import { canonicalJson, RECORD_FORMATS, RECORD_VERSION, readRecord } from '../record-files';
import type { ResultsFile } from '../results';
import { trainInThread } from '../train-thread';
import { UsageError } from '../usage-error';
import { type CollectJob, collectIsComplete, resolveCollectJob, runCollectJob } from './collect';
import { type EvalJob, resolveEvalJob, runEvalJob } from './eval';
import { plotResults } from './plot';
import { resolveTrainJob, runTrainJob, trainState } from './train';

export const runSpec: CommandSpec = {
  name: 'run',
  summary:
    'The whole pipeline for one env: collect histories → train AD → train DICP-AD → evaluate both and the baselines on held-out tasks → plot and report. Stages whose outputs are complete are skipped and partial ones resumed, so rerunning after a kill continues where it stopped.',
  usage: 'icrl run <preset> --out <dir> [--budget quick|paper] [options]',
  positionals: { name: '<preset>', doc: `env preset: ${ENV_PRESET_NAMES.join(', ')}`, min: 1, max: 1 },
  options: [
    {
      flag: 'out',
      key: 'out',
      type: 'string',
      arg: '<dir>',
      required: true,
      doc: 'run directory (every stage writes here)',
    },
    {
      flag: 'budget',
      key: 'budget',
      type: 'string',
      arg: '<name>',
      choices: BUDGET_NAMES,
      doc: 'quick (minutes) or paper (the DICP settings)',
      defaultText: 'quick',
    },
    {
      flag: 'planner',
      key: 'planner',
      type: 'string',
      arg: '<name>',
      choices: PLANNER_NAMES,
      doc: "DICP-AD's planner at evaluation",
      defaultText: 'beam (discrete actions), greedy (continuous)',
    },
    {
      flag: 'zoo',
      key: 'zoo',
      type: 'string',
      arg: '<names>',
      doc: 'pretrained models of @icrl/zoo for this env to evaluate beside the ones the run trains, comma-separated <env>/<model> (a model with dynamics heads is evaluated with and without the planner)',
      defaultText: 'none',
    },
    {
      flag: 'seed',
      key: 'seed',
      type: 'integer',
      arg: '<n>',
      min: 0,
      doc: 'seed of every stage',
      defaultText: '0',
    },
    {
      flag: 'workers',
      key: 'workers',
      type: 'integer',
      arg: '<n>',
      min: 1,
      doc: 'worker threads for collection and training',
      defaultText: 'one per core where it pays',
    },
  ],
  configOnly: BUDGET_SECTIONS.map((s) => ({
    key: s,
    doc: `overrides of the budget's ${s} fields (see budgets.ts)`,
  })),
  examples: [
    'icrl run darkroom --budget quick --out runs/darkroom',
    'icrl run darkroom --budget paper --out runs/darkroom-paper',
    'icrl run darkroom --zoo darkroom/ad-12k,darkroom/dicp-ad --out runs/darkroom   # zoo models beside the trained ones',
    'icrl run darkroom --config small.yaml --out runs/small   # small.yaml: { train: { steps: 500 } }',
  ],
};

/** `<out>/run.json`. */
export interface RunRecord {
  readonly format: string;
  readonly version: number;
  readonly status: 'running' | 'done';
  readonly preset: EnvPresetName;
  readonly budgetName: BudgetName;
  readonly budget: Budget;
  readonly planner: PlannerName;
  readonly seed: number;
  /** Wall seconds of each stage in the invocation that completed it (0 when it was found complete). */
  readonly stages: Record<string, { readonly status: 'done' | 'skipped'; readonly wallSeconds: number }>;
  readonly provenance: Record<string, unknown>;
}

/** Every file a run directory holds. */
export function runPaths(out: string) {
  return {
    record: join(out, 'run.json'),
    log: join(out, 'log.jsonl'),
    histories: join(out, 'histories.h5'),
    ad: join(out, 'ad'),
    dicp: join(out, 'dicp-ad'),
    evalAd: join(out, 'eval-ad.json'),
    evalDicp: join(out, 'eval-dicp-ad.json'),
    chart: join(out, 'curves.svg'),
    png: join(out, 'curves.png'),
    report: join(out, 'curves.md'),
    /** Results of a zoo model: `eval-zoo-<env>-<model>[-<planner>].json`. */
    evalZoo: (name: string, planner: PlannerName) =>
      join(out, `eval-zoo-${name.replace('/', '-')}${planner === 'none' ? '' : `-${planner}`}.json`),
  };
}

/** The zoo models `--zoo` names (`a/b,c/d`, `zoo:` prefixes allowed), each checked to belong to this env. */
function zooModels(input: string | undefined, preset: EnvPresetName): ZooEntry[] {
  if (input === undefined) return [];
  const names = input.split(',').map((n) => n.trim().replace(/^zoo:/, ''));
  const models = listZooModels();
  const errors = new FieldErrors();
  for (const name of names) {
    const entry = models.find((m) => m.name === name);
    if (entry === undefined) {
      errors.add(
        `Invalid --zoo: got ${JSON.stringify(name)}; expected one of ${models.map((m) => m.name).join(', ')} (comma-separated).`,
      );
    } else if (entry.env !== preset) {
      errors.add(`Invalid --zoo: zoo:${name} was trained on ${entry.env}; this run is ${preset}.`);
    }
  }
  errors.throwIfAny();
  return [...new Set(names)].map((name) => models.find((m) => m.name === name)!);
}

/** Validates the budget and every stage's settings before the first file is written. */
function validateRun(preset: EnvPresetName, budget: Budget, planner: PlannerName, collect: CollectJob): void {
  const family = makeEnvFamily(preset);
  const errors = new FieldErrors();
  for (const dynamics of [false, true]) {
    errors.check(() =>
      resolveModelConfig(
        {
          envId: family.id,
          observationSpace: family.observationSpace,
          actionSpace: family.actionSpace,
          kind: 'ad',
          dynamics,
          ...budget.model,
        },
        'config.model',
      ),
    );
  }
  const { dicpSteps, ...adTrain } = budget.train;
  errors.check(() => resolveTrainConfig(adTrain));
  errors.check(() => resolveTrainConfig({ ...adTrain, steps: dicpSteps }));
  if (budget.model.nTransit > collect.request.stepsPerStream) {
    errors.add(
      `Invalid config.model.nTransit: got ${budget.model.nTransit}; expected at most collect.stepsPerStream (${collect.request.stepsPerStream}).`,
    );
  }
  errors.check(() =>
    checkPlanner(
      { planner, beam: budget.eval.beam, depth: budget.eval.depth, samples: budget.eval.samples },
      { dynamics: true },
      family.actionSpace,
    ),
  );
  errors.throwIfAny();
}

function sameRequest(path: string, job: EvalJob): boolean {
  if (!existsSync(path)) return false;
  const results = readRecord<ResultsFile>(path, 'results')!;
  return canonicalJson(results.request) === canonicalJson(job.request);
}

/** `icrl run`. */
export async function runCommand(parsed: ParsedCommand, io: Io): Promise<void> {
  const v = parsed.values as {
    out: string;
    budget?: BudgetName;
    planner?: PlannerName;
    seed?: number;
    workers?: number;
    zoo?: string;
  };
  const preset = requireOneOf('<preset>', parsed.positionals[0], ENV_PRESET_NAMES);
  const budgetName = v.budget ?? 'quick';
  const budget = applyBudgetOverrides(BUDGETS[preset][budgetName], parsed.configOnly);
  const planner = v.planner ?? defaultPlanner(makeEnvFamily(preset).actionSpace);
  const seed = v.seed ?? 0;
  const out = resolve(v.out);
  const kind = fileKind(out);
  if (kind !== 'missing' && kind !== 'directory')
    throw new UsageError(`Invalid --out: ${v.out} exists and is not a directory.`);
  const paths = runPaths(out);
  const collectJob = resolveCollectJob({
    env: preset,
    out: paths.histories,
    budget: budgetName,
    algo: budget.collect.algorithm,
    settings: budget.collect.settings,
    tasks: budget.collect.tasks,
    streams: budget.collect.streams,
    steps: budget.collect.stepsPerStream,
    seed,
    tasksPerBatch: budget.collect.tasksPerBatch,
    ...(v.workers !== undefined ? { workers: v.workers } : {}),
  });
  validateRun(preset, budget, planner, collectJob);
  // Zoo models are evaluated with the budget's settings: without the planner, and with it when they have
  // dynamics heads. Their jobs are resolved (names, env, checksums) before the first file is written.
  const zooEvals: [string, string, EvalJob][] = [];
  for (const { name, dynamics } of zooModels(v.zoo, preset)) {
    for (const p of dynamics ? (['none', planner] as const) : (['none'] as const)) {
      const label = `zoo:${name}${p === 'none' ? '' : `+${p}`}`;
      const path = paths.evalZoo(name, p);
      zooEvals.push([
        `eval-${label}`,
        path,
        await resolveEvalJob({
          model: `zoo:${name}`,
          env: preset,
          name: label,
          out: path,
          budget: budgetName,
          planner: p,
          beam: budget.eval.beam,
          depth: budget.eval.depth,
          samples: budget.eval.samples,
          episodes: p === 'none' ? budget.eval.episodes : budget.eval.planningEpisodes,
          runs: budget.eval.runsPerTask,
          seed,
        }),
      ]);
    }
  }
  const previous = readRecord<RunRecord>(paths.record, 'run');
  if (
    previous !== null &&
    (previous.preset !== preset ||
      canonicalJson(previous.budget) !== canonicalJson(budget) ||
      previous.seed !== seed)
  ) {
    throw new UsageError(
      `${v.out} holds a run with other settings (preset ${previous.preset}, budget ${previous.budgetName}); choose another --out.`,
    );
  }

  const log = new JsonlLog(paths.log);
  const stages: Record<string, { status: 'done' | 'skipped'; wallSeconds: number }> = {
    ...(previous?.stages ?? {}),
  };
  const record = (status: RunRecord['status']): RunRecord => ({
    format: RECORD_FORMATS.run,
    version: RECORD_VERSION,
    status,
    preset,
    budgetName,
    budget,
    planner,
    seed,
    stages,
    provenance: provenance(),
  });
  writeJsonAtomic(paths.record, record('running'));
  log.write('start', { preset, budget: budgetName, planner, seed });
  const stage = async (name: string, complete: () => boolean, work: () => Promise<void>) => {
    if (complete()) {
      io.err.write(`[${name}] complete, skipped\n`);
      stages[name] = stages[name]?.status === 'done' ? stages[name]! : { status: 'skipped', wallSeconds: 0 };
      log.write('skip', { stage: name });
      return;
    }
    io.err.write(`[${name}] starting\n`);
    log.write('stage-start', { stage: name });
    const t0 = performance.now();
    await work();
    stages[name] = { status: 'done', wallSeconds: (performance.now() - t0) / 1000 };
    log.write('stage-done', { stage: name, wallSeconds: stages[name]!.wallSeconds });
    writeJsonAtomic(paths.record, record('running'));
  };

  await stage(
    'collect',
    () => collectIsComplete(collectJob) !== null,
    async () => {
      await runCollectJob(collectJob, io);
    },
  );
  const trainInputs = (
    [
      ['train-ad', paths.ad, false],
      ['train-dicp-ad', paths.dicp, true],
    ] as const
  ).map(([name, dir, dynamics]) => ({
    name,
    input: {
      data: paths.histories,
      out: dir,
      model: 'ad' as const,
      dynamics,
      budget: budgetName,
      steps: dynamics ? budget.train.dicpSteps : budget.train.steps,
      batch: budget.train.batchSize,
      lr: budget.train.lr,
      seed,
      layers: budget.model.nLayer,
      embd: budget.model.nEmbd,
      heads: budget.model.nHead,
      inner: budget.model.nInner,
      context: budget.model.nTransit,
      checkpointEvery: budget.train.checkpointEvery,
      ...(v.workers !== undefined ? { workers: v.workers } : {}),
    },
  }));
  const pending: typeof trainInputs = [];
  for (const t of trainInputs) {
    const { job, reader } = await resolveTrainJob(t.input);
    try {
      if (trainState(job) !== 'done') pending.push(t);
    } finally {
      await reader.close();
    }
  }
  // Both models at once, one thread each, when the machine has the cores (train-thread.ts says why);
  // a run's results do not depend on it: each model's training is seeded and resumable on its own.
  const parallel = pending.length > 1 && availableParallelism() > 1 && v.workers === undefined;
  const trainStage = (t: (typeof trainInputs)[number]) =>
    stage(
      t.name,
      () => !pending.includes(t),
      async () => {
        if (parallel) {
          await trainInThread(t.input, io);
          return;
        }
        const { job, reader } = await resolveTrainJob(t.input);
        await runTrainJob(job, reader, io);
      },
    );
  const evalStage = ([name, path, job]: [string, string, EvalJob]) =>
    stage(
      name,
      () => sameRequest(path, job),
      async () => {
        await runEvalJob(job, io);
      },
    );
  // Zoo models need nothing from this run: with training in two threads they are evaluated on the main thread
  // meanwhile (AD finishes about halfway through DICP-AD's training, leaving a core free), else afterwards.
  const zooStages = async () => {
    for (const e of zooEvals) await evalStage(e);
  };
  if (parallel) await Promise.all([...trainInputs.map(trainStage), zooStages()]);
  else for (const t of trainInputs) await trainStage(t);
  const evals: [string, string, EvalJob][] = [
    [
      'eval-ad',
      paths.evalAd,
      await resolveEvalJob({
        model: paths.ad,
        out: paths.evalAd,
        budget: budgetName,
        planner: 'none',
        episodes: budget.eval.episodes,
        runs: budget.eval.runsPerTask,
        seed,
        baselines: true,
        sourceBaseline: budget.eval.sourceBaseline,
      }),
    ],
    [
      'eval-dicp-ad',
      paths.evalDicp,
      await resolveEvalJob({
        model: paths.dicp,
        out: paths.evalDicp,
        budget: budgetName,
        planner,
        beam: budget.eval.beam,
        depth: budget.eval.depth,
        samples: budget.eval.samples,
        episodes: planner === 'none' ? budget.eval.episodes : budget.eval.planningEpisodes,
        runs: budget.eval.runsPerTask,
        seed,
      }),
    ],
  ];
  for (const e of evals) await evalStage(e);
  if (!parallel) await zooStages();
  await stage(
    'plot',
    () => false,
    async () => {
      const { chart } = await plotResults(
        [...evals, ...zooEvals].map(([, path]) => path),
        paths.chart,
        `${preset}, ${budgetName} budget: return on held-out tasks`,
      );
      writeFileAtomic(paths.png, await svgToPng(readFileSync(chart, 'utf8')));
    },
  );
  writeJsonAtomic(paths.record, record('done'));
  log.write('done', { stages });
  io.out.write(`${paths.report}\n`);
}
