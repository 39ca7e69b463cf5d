import type { CollectRecord } from './commands/collect';
import type { TrainRecord } from './commands/train';
import type { MethodResult, ResultsFile } from './results';

/** Marked episodes the report's table shows: 1, 10, 25, 50 (and 100) within the longest curve. */
export function reportEpisodes(methods: readonly MethodResult[]): number[] {
  const longest = Math.max(...methods.map((m) => m.mean.length));
  const marks = [1, 10, 25, 50];
  if (longest >= 100) marks.push(100);
  return marks.filter((e) => e <= longest);
}

function cell(m: MethodResult, episode: number): string {
  const mean = m.mean[episode - 1];
  if (mean === undefined) return '—';
  return `${mean.toFixed(2)} ± ${(m.ci95[episode - 1] ?? 0).toFixed(2)}`;
}

function seconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '—';
  return s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;
}

function int(n: number): string {
  return n.toLocaleString('en-US');
}

function collectRow(c: CollectRecord): string {
  const r = c.request;
  return `| collect | ${r.algorithm} on ${c.taskIndices.length} train tasks × ${r.streams} streams × ${int(r.stepsPerStream)} steps (seed ${r.seed}, split seed ${r.splitSeed}) | ${seconds(c.wallSeconds)} | ${int(c.envSteps)} |`;
}

function trainRow(t: TrainRecord): string {
  const m = t.request.model;
  const tr = t.request.train;
  const name = `${m.dynamics ? 'dicp-' : ''}${m.kind}`;
  return `| train ${name} | ${m.nLayer} layer${m.nLayer === 1 ? '' : 's'}, d ${m.nEmbd}, ${m.nHead} heads, MLP ${m.nInner}, context ${m.nTransit}; ${int(tr.steps)} updates × batch ${tr.batchSize}, lr ${tr.lr} (seed ${tr.seed}, ${t.result?.backend ?? '?'}) | ${seconds(t.result?.trainSeconds)} | — |`;
}

function evalRow(m: MethodResult): string {
  const planner =
    m.planner && m.planner.planner !== 'none'
      ? `, ${m.planner.planner} K ${m.planner.beam} depth ${m.planner.depth}`
      : '';
  return `| eval ${m.name} | ${m.tasks.length} held-out tasks × ${m.runsPerTask} runs × ${m.episodes} episodes (seed ${m.seed}${planner}${m.backend ? `, ${m.backend}` : ''}) | ${seconds(m.wallSeconds)} | ${int(m.envSteps)} |`;
}

/** The markdown report: returns at marked episodes per method, then every stage's budget and time. */
export function renderReport(options: {
  title: string;
  chartFile: string;
  methods: readonly MethodResult[];
  files: readonly { path: string; results: ResultsFile }[];
}): string {
  const { methods, files } = options;
  const episodes = reportEpisodes(methods);
  const first = files[0]!.results;
  const lines = [
    `# ${options.title}`,
    '',
    `![learning curves](${options.chartFile})`,
    '',
    `Mean return per in-context episode on the ${first.split.test.length} held-out tasks of ${first.env.id} (split seed ${first.split.seed}), ± the half-width of the 95% confidence interval over runs.`,
    '',
    `| method | ${episodes.map((e) => `episode ${e}`).join(' | ')} | last episode |`,
    `| --- | ${episodes.map(() => '---:').join(' | ')} | ---: |`,
    ...methods.map(
      (m) =>
        `| ${m.name} | ${episodes.map((e) => cell(m, e)).join(' | ')} | ${cell(m, m.mean.length)} (${m.mean.length}) |`,
    ),
    '',
    '## Stages',
    '',
    '| stage | budget | wall time | env steps |',
    '| --- | --- | ---: | ---: |',
  ];
  const seen = new Set<string>();
  const once = (key: string, row: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    lines.push(row);
  };
  for (const { results } of files) {
    if (results.stages.collect) once(`c:${results.stages.collect.file}`, collectRow(results.stages.collect));
  }
  for (const { results } of files) {
    if (results.stages.train)
      once(
        `t:${results.stages.train.request.data.fingerprint}:${JSON.stringify(results.stages.train.request.model)}`,
        trainRow(results.stages.train),
      );
  }
  for (const m of methods) lines.push(evalRow(m));
  lines.push('', '## Reproduce', '');
  for (const { path, results } of files) {
    const p = results.provenance as { versions?: Record<string, string>; node?: string; platform?: string };
    lines.push(
      `- \`${path}\`: budget ${results.budget ?? '—'}, eval seed ${String(results.request.seed)}, split seed ${results.split.seed}, ` +
        `node ${p.node ?? '?'} on ${p.platform ?? '?'}; ${Object.entries(p.versions ?? {})
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
