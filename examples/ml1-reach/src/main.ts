// Meta-World ML1 end to end (see README.md). `pnpm start --out runs/ml1-reach` runs the README's budget (~1.5 h on
// 2 cores); every stage resumes after a kill. Smaller: `pnpm start --out /tmp/ml1 --tasks 4 --steps 1000 --updates 100`.
import { parseArgs } from 'node:util';
import { METAWORLD_TASK_NAMES, type MetaworldTaskName } from '@icrl/metaworld';
import { ML1_METHODS, ML1_SOURCES, type Ml1Method, type Ml1Source, runMl1 } from './pipeline';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    task: { type: 'string', default: 'reach' },
    source: { type: 'string', default: 'ppo' },
    tasks: { type: 'string', default: '50' },
    streams: { type: 'string', default: '10' },
    steps: { type: 'string', default: '5000' },
    context: { type: 'string', default: '200' },
    'idt-context': { type: 'string', default: '1000' },
    methods: { type: 'string', default: 'ad,dicp-ad' },
    batch: { type: 'string', default: '64' },
    updates: { type: 'string', default: '2000' },
    episodes: { type: 'string', default: '20' },
    workers: { type: 'string', default: 'auto' },
    'train-workers': { type: 'string' },
  },
});
const int = (name: keyof typeof values) => {
  const v = Number(values[name]);
  if (!Number.isInteger(v) || v < 1)
    throw new Error(`--${name} must be a positive integer, got ${values[name]}`);
  return v;
};
if (values.out === undefined)
  throw new Error('--out <dir> is required (histories, checkpoints and results go there)');
if (!(METAWORLD_TASK_NAMES as readonly string[]).includes(values.task!))
  throw new Error(`--task must be one of ${METAWORLD_TASK_NAMES.join(', ')}, got ${values.task}`);
if (!(ML1_SOURCES as readonly string[]).includes(values.source!))
  throw new Error(`--source must be one of ${ML1_SOURCES.join(', ')}, got ${values.source}`);
const methods = values.methods!.split(',');
for (const m of methods) {
  if (!(ML1_METHODS as readonly string[]).includes(m))
    throw new Error(`--methods must be a comma-separated list of ${ML1_METHODS.join(', ')}, got ${m}`);
}
if (int('idt-context') % 10 !== 0)
  throw new Error(`--idt-context must be a multiple of 10 (IDT's segments), got ${values['idt-context']}`);
const every = Math.max(1, Math.round(int('updates') / 10));
const r = await runMl1({
  out: values.out,
  task: values.task as MetaworldTaskName,
  source: values.source as Ml1Source,
  tasks: int('tasks'),
  streams: int('streams'),
  stepsPerStream: int('steps'),
  nTransit: int('context'),
  idtTransit: int('idt-context'),
  methods: methods as Ml1Method[],
  batchSize: int('batch'),
  updates: int('updates'),
  episodes: int('episodes'),
  workers: values.workers === 'auto' ? 'auto' : Number(values.workers),
  ...(values['train-workers'] === undefined ? {} : { trainWorkers: int('train-workers') }),
  onCollect: (done, total) => console.log(`collect: ${done}/${total} variations`),
  onLog: (name, e) => {
    if (e.step % every === 0) console.log(`train ${name}: update ${e.step}, loss ${e.loss.toFixed(3)}`);
  },
});
console.log(
  `\n${r.task}: ${r.transitions} ${values.source} transitions written (0: found complete) in ${r.collectS.toFixed(0)} s; training ${Object.entries(
    r.trainS,
  )
    .map(([k, s]) => `${k} ${s.toFixed(0)} s`)
    .join(', ')}`,
);
const marks = [...new Set([1, 5, 10, 20, 50, 100, int('episodes')])].filter((e) => e <= int('episodes'));
console.log(`\ncumulative success on ${r.evals.random!.tasks.length} test variations (%)`);
console.log(`| method | ${marks.map((e) => `ep ${e}`).join(' | ')} | return ep 1 → last |`);
console.log(`| --- | ${marks.map(() => '---:').join(' | ')} | ---: |`);
for (const [name, ev] of Object.entries(r.evals)) {
  const cs = ev.cumulativeSuccess!;
  console.log(
    `| ${name} | ${marks.map((e) => (100 * cs[e - 1]!).toFixed(0)).join(' | ')} | ${ev.mean[0]!.toFixed(0)} → ${ev.mean.at(-1)!.toFixed(0)} |`,
  );
}
const src = r.sourceReturns;
console.log(
  `\n${values.source} (the source) mean return per episode while it learned the train variations: ep 1 ${src[0]?.toFixed(0)}, ep 10 ${src[9]?.toFixed(0)}, ep 20 ${src[19]?.toFixed(0)}, last (${src.length}) ${src.at(-1)?.toFixed(0)}`,
);
