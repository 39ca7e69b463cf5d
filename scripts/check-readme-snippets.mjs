// Runs every ```ts snippet of every package README (and the root README's snippets marked `ts`) as written,
// from inside its package, so "a snippet that runs as written" is checked rather than hoped for.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const dirs = ['packages', 'examples'].flatMap((group) =>
  existsSync(join(root, group)) ? readdirSync(join(root, group)).map((d) => join(root, group, d)) : [],
);
let passed = 0;
let failed = 0;
for (const dir of dirs) {
  const readme = join(dir, 'README.md');
  if (!existsSync(readme)) continue;
  const snippets = [...readFileSync(readme, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  for (const [i, code] of snippets.entries()) {
    const file = join(dir, `.readme-snippet-${i}.ts`);
    writeFileSync(file, code);
    const run = spawnSync(process.execPath, [tsxCli, '--conditions=@icrl/source', file], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
    });
    rmSync(file, { force: true });
    const name = `${dir.slice(root.length + 1)}/README.md snippet ${i + 1}`;
    if (run.status === 0) {
      passed++;
      console.log(`✓ ${name}`);
    } else {
      failed++;
      console.error(`✗ ${name} (exit ${run.status})\n${run.stdout}${run.stderr}`);
    }
  }
}
console.log(`readme snippets: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
