import { listZooModels, verifyZooModel } from '@icrl/zoo';
import type { Io } from '../io';
import type { CommandSpec, ParsedCommand } from '../options';
import { UsageError } from '../usage-error';

export const zooSpec: CommandSpec = {
  name: 'zoo',
  summary:
    'Lists the pretrained models of @icrl/zoo with their held-out results (mean return at the last evaluated episode), after checking their checksums. Evaluate one with icrl eval --model zoo:<env>/<model>.',
  usage: 'icrl zoo list [--json]',
  positionals: { name: '<action>', doc: 'list', min: 1, max: 1 },
  options: [{ flag: 'json', key: 'json', type: 'boolean', doc: 'print the entries as JSON' }],
  examples: ['icrl zoo list', 'icrl eval --model zoo:darkroom/dicp-ad --planner beam --out eval.json'],
};

/** `icrl zoo list`. */
export async function zooCommand(parsed: ParsedCommand, io: Io): Promise<void> {
  const action = parsed.positionals[0];
  if (action !== 'list') throw new UsageError(`Invalid <action>: got "${action}"; expected list.`);
  const models = listZooModels();
  for (const m of models) verifyZooModel(m);
  if (parsed.values.json) {
    io.out.write(`${JSON.stringify(models, null, 2)}\n`);
    return;
  }
  const last = (xs: readonly number[] | undefined) => (xs === undefined ? '—' : xs.at(-1)!.toFixed(2));
  const rows = [
    ['model', 'kind', 'episodes', 'policy', 'planner', 'random', 'optimum'],
    ...models.map((m) => [
      `zoo:${m.name}`,
      m.dynamics ? `${m.kind} + dynamics` : m.kind,
      String(m.results.episodes),
      last(m.results.policy),
      last(m.results.planner),
      last(m.results.random),
      m.results.optimum.toFixed(2),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows)
    io.out.write(
      `${r
        .map((x, c) => x.padEnd(widths[c]!))
        .join('  ')
        .trimEnd()}\n`,
    );
  io.out.write('(held-out return at the last episode; checksums verified; details in each model card)\n');
}
