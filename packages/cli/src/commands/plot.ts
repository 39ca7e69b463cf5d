import { basename, dirname, extname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../atomic-write';
import { renderSvg, svgToPng } from '../chart';
import { fileKind, requireInput } from '../input-files';
import type { Io } from '../io';
import type { CommandSpec, ParsedCommand } from '../options';
import { canonicalJson } from '../record-files';
import { renderReport } from '../report';
import { type MethodResult, type ResultsFile, readResults } from '../results';
import { UsageError } from '../usage-error';

export const plotSpec: CommandSpec = {
  name: 'plot',
  summary:
    'Plots mean return per in-context episode with 95% CI bands, one line per method, from one or more results files, and writes a markdown report (<name>.md) beside the chart: returns at episodes 1, 10, 25, 50 (100), and the budget and wall time of every stage.',
  usage: 'icrl plot <results.json ...> --out <curves.svg|curves.png> [--title <text>]',
  positionals: {
    name: '<results.json ...>',
    doc: 'results files of icrl eval (methods with the same name are shown once)',
    min: 1,
    max: 64,
  },
  options: [
    {
      flag: 'out',
      key: 'out',
      type: 'string',
      arg: '<file>',
      required: true,
      doc: 'chart to write: .svg or .png',
    },
    {
      flag: 'title',
      key: 'title',
      type: 'string',
      arg: '<text>',
      doc: 'chart and report title',
      defaultText: '"<env>: return on held-out tasks"',
    },
  ],
  examples: [
    'icrl plot runs/eval-ad.json runs/eval-dicp-ad.json --out runs/curves.svg',
    'icrl plot results.json --out curves.png --title "Darkroom, quick budget"',
  ],
};

/** Methods of all files, each once: a repeated name with the same returns is dropped, a different one suffixed. */
export function mergeMethods(files: readonly { path: string; results: ResultsFile }[]): MethodResult[] {
  const out: MethodResult[] = [];
  const byName = new Map<string, string>();
  for (const { path, results } of files) {
    for (const m of results.methods) {
      const returns = canonicalJson(m.returns);
      const seen = byName.get(m.name);
      if (seen === returns) continue;
      const name = seen === undefined ? m.name : `${m.name} (${basename(path, extname(path))})`;
      byName.set(name, returns);
      out.push(name === m.name ? m : { ...m, name });
    }
  }
  return out;
}

/** Renders the chart and the report from results files; validates everything before writing. */
export async function plotResults(
  inputs: readonly string[],
  out: string,
  title?: string,
): Promise<{ chart: string; report: string }> {
  const ext = extname(out).toLowerCase();
  if (ext !== '.svg' && ext !== '.png') {
    throw new UsageError(
      `Invalid --out: got ${JSON.stringify(out)}; expected a file name ending in .svg or .png.`,
    );
  }
  if (fileKind(out) === 'directory') throw new UsageError(`Invalid --out: ${out} is a directory.`);
  for (const path of inputs) requireInput(path, 'Results file');
  const files = inputs.map((path) => ({ path, results: readResults(path) }));
  const envs = new Set(files.map((f) => f.results.env.id));
  if (envs.size > 1)
    throw new UsageError(
      `The results files are of different envs (${[...envs].join(', ')}); plot one env at a time.`,
    );
  const methods = mergeMethods(files);
  if (methods.length === 0) throw new UsageError('The results files hold no evaluated methods.');
  const heading = title ?? `${files[0]!.results.env.id}: return on held-out tasks`;
  const svg = await renderSvg(methods, heading);
  const chart = resolve(out);
  const reportPath = join(dirname(chart), `${basename(chart, extname(chart))}.md`);
  const report = renderReport({ title: heading, chartFile: basename(chart), methods, files });
  writeFileAtomic(chart, ext === '.svg' ? svg : await svgToPng(svg));
  writeFileAtomic(reportPath, report);
  return { chart, report: reportPath };
}

/** `icrl plot`. */
export async function plotCommand(parsed: ParsedCommand, io: Io): Promise<void> {
  const v = parsed.values as { out: string; title?: string };
  const { chart, report } = await plotResults(parsed.positionals, v.out, v.title);
  io.out.write(`${chart}\n${report}\n`);
}
