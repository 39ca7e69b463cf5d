import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, cpus, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = [
  '@icrl/core',
  '@icrl/envs',
  '@icrl/history-store',
  '@icrl/source-rl',
  '@icrl/transformer',
  '@tensorflow/tfjs-core',
  'onnxruntime-node',
] as const;

/** This package's version (package.json sits one level above both src/ and dist/). */
export function cliVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return (JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** Versions of the packages a result depends on, resolved from where this package runs. */
export function packageVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = { '@icrl/cli': cliVersion() };
  for (const name of PACKAGES) {
    try {
      versions[name] = (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      // Not resolvable from here (a transitive dependency): the direct ones pin it.
      const viaTransformer = createRequire(require.resolve('@icrl/transformer/package.json'));
      try {
        versions[name] = (viaTransformer(`${name}/package.json`) as { version: string }).version;
      } catch {
        versions[name] = 'unknown';
      }
    }
  }
  return versions;
}

/** What every record file carries to say where it came from. */
export function provenance(): Record<string, unknown> {
  return {
    versions: packageVersions(),
    node: process.version,
    platform: `${platform()}-${arch()}`,
    cpus: cpus().length,
    argv: process.argv.slice(2),
  };
}
