// `pnpm demo`: the main job — `icrl run darkroom --budget quick --zoo ...` (collect AD-ε histories, train AD and
// DICP-AD, evaluate both in context on the 8 held-out goals next to random, the oracle, the source and two
// pretrained zoo models trained 12,000 updates on 3× the histories: AD, and DICP-AD with and without its planner), then print the
// report's table, where the plot and the report are, and the wall time as `metric demo.wall_s`.
// A rerun skips the stages that are complete (and resumes a killed one), so it is also how to continue.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, process.argv[2] ?? 'runs/demo');
const cli = join(root, 'packages/cli/dist/cli.js');
const ZOO = 'darkroom/ad-12k,darkroom/dicp-ad-12k';
const t0 = performance.now();
const run = spawnSync(
  process.execPath,
  [cli, 'run', 'darkroom', '--budget', 'quick', '--zoo', ZOO, '--out', out],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const wall = (performance.now() - t0) / 1000;
if (run.status !== 0) {
  process.stderr.write(
    `icrl run failed (exit ${run.status}); rerun \`pnpm demo\` to resume where it stopped.\n`,
  );
  process.exit(run.status ?? 1);
}
const report = readFileSync(join(out, 'curves.md'), 'utf8');
const table = report.split('\n').filter((l) => l.startsWith('|'));
const stages = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')).stages;
const spent = Object.values(stages).reduce((s, x) => s + x.wallSeconds, 0);
console.log(`\n${table.join('\n')}\n`);
console.log(`plot:   ${join(out, 'curves.svg')} (and curves.png)`);
console.log(`report: ${join(out, 'curves.md')}`);
console.log(`metric demo.wall_s ${wall.toFixed(1)} s`);
if (spent > wall + 1)
  console.log(`(stages resumed or skipped: ${spent.toFixed(0)} s of stage time in all, across runs)`);
