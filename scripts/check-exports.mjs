// Checks what npm users will get, after `turbo run build`: for every publishable package, the ESM and CJS
// builds load, export the same names, and publint finds nothing wrong with package.json's exports map.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
let failures = 0;
let checked = 0;

for (const dir of readdirSync(join(root, 'packages'))) {
  const pkgDir = join(root, 'packages', dir);
  if (!existsSync(join(pkgDir, 'package.json'))) continue;
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  const problems = [];
  let esm = {};
  let cjs = {};
  try {
    esm = await import(pathToFileURL(join(pkgDir, pkg.exports['.'].import.default)).href);
    cjs = require(join(pkgDir, pkg.exports['.'].require.default));
  } catch (e) {
    problems.push(`cannot load the build (run \`pnpm build\` first): ${e.message}`);
  }
  const esmNames = Object.keys(esm).sort();
  const cjsNames = Object.keys(cjs)
    .filter((k) => k !== '__esModule')
    .sort();
  if (esmNames.length === 0) problems.push('the ESM build exports nothing');
  if (esmNames.join() !== cjsNames.join()) {
    problems.push(`ESM and CJS exports differ: ${esmNames.join(',')} vs ${cjsNames.join(',')}`);
  }
  const { messages } = await publint({ pkgDir, strict: true, level: 'warning', pack: 'npm' });
  for (const m of messages) problems.push(`publint: ${formatMessage(m, pkg) ?? m.code}`);
  checked++;
  if (problems.length > 0) {
    failures++;
    console.error(`✗ ${pkg.name}\n  ${problems.join('\n  ')}`);
  } else {
    console.log(`✓ ${pkg.name}: ${esmNames.length} exports, ESM = CJS, publint clean`);
  }
}
console.log(`exports check: ${checked - failures} passed, ${failures} failed`);
process.exit(failures > 0 ? 1 : 0);
