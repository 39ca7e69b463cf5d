import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Finds a Python 3 that can import h5py. Debian's python3-h5py installs into the system interpreter
// (/usr/bin/python3), which a pyenv or venv `python3` earlier on PATH does not see; ICRL_PYTHON wins.

const HERE = fileURLToPath(new URL('.', import.meta.url));

/** The interpreter to use, or an Error explaining how to get one. */
export function findPythonWithH5py(
  candidates = [process.env.ICRL_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c),
): string | Error {
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import h5py, numpy'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  return new Error(
    `No Python with h5py found (tried ${candidates.join(', ')}). The interop tests check files against the real h5py: install Debian's python3-h5py (apt-get install -y python3-h5py) or set ICRL_PYTHON to an interpreter that can import h5py.`,
  );
}

/** Runs one of the committed interop scripts and returns its stdout. */
export function runPython(python: string, script: string, args: string[]): string {
  const run = spawnSync(python, [`${HERE}${script}`, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (run.status !== 0)
    throw new Error(`${script} ${args.join(' ')} failed (exit ${run.status}):\n${run.stderr}`);
  return run.stdout;
}
