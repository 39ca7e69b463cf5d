import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { IcrlError, InvalidFileError } from '@icrl/core';
import type { MainModule, MjModel } from 'mujoco-js';

// The one place that loads mujoco-js: a single WebAssembly instance per process (about 100 ms to start, ~25 MB),
// the task's XML closure copied into its in-memory file system, and the compile. mujoco-js reports compile
// errors as a bare C++ exception with no message, so every file the model references is checked on disk first
// and a missing one is named.

let modulePromise: Promise<MainModule> | undefined;

/** The process-wide mujoco-js instance (started on first use). */
export function mujocoModule(): Promise<MainModule> {
  if (modulePromise === undefined) {
    // A dynamic import keeps mujoco-js (11 MB of inlined WebAssembly) off the import path of this package
    // and works from both the ESM and the CJS build.
    modulePromise = import('mujoco-js').then((m) => m.default()) as Promise<MainModule>;
    modulePromise.catch(() => {
      modulePromise = undefined; // let a later call retry
    });
  }
  return modulePromise;
}

/** mujoco-js's Emscripten file system (present at run time, absent from its typings). */
interface EmscriptenFs {
  mkdir(path: string): void;
  writeFile(path: string, data: Uint8Array): void;
  analyzePath(path: string): { exists: boolean };
}

function fsOf(mj: MainModule): EmscriptenFs {
  return (mj as unknown as { FS: EmscriptenFs }).FS;
}

// Attribute values naming files, outside XML comments: <include file="..."/>, <mesh file="..."/>, textures.
const FILE_ATTRIBUTE = /\bfile\s*=\s*"([^"]*)"|\bfile\s*=\s*'([^']*)'/g;
const XML_COMMENT = /<!--[\s\S]*?-->/g;

/** Where each assets folder lives inside the WebAssembly file system (one root per folder). */
const mountRoots = new Map<string, string>();
const writtenFiles = new Set<string>();

function describeAssetsProblem(assetsDir: string, missing: string, from: string): string {
  return (
    `expected Meta-World's assets folder (metaworld/envs/assets_v2 of a Meta-World checkout, or ` +
    `metaworld/assets of v3) holding ${missing}${from ? ` (referenced by ${from})` : ''}; it is missing under ${assetsDir}`
  );
}

/**
 * Copies the task XML at `xml` (relative to `assetsDir`) and every file it references, recursively through
 * `<include>`, into the WebAssembly file system; returns the in-memory path of the main XML. MuJoCo resolves
 * every `file=` relative to the main model's folder, so that is how the closure is resolved here too.
 *
 * @throws InvalidFileError naming the assets folder and the first missing file.
 */
export function mountTaskXml(mj: MainModule, assetsDir: string, xml: string): string {
  const root = resolve(assetsDir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new InvalidFileError(root, describeAssetsProblem(root, xml, ''));
  }
  const fs = fsOf(mj);
  let mount = mountRoots.get(root);
  if (mount === undefined) {
    mount = `/metaworld${mountRoots.size}`;
    fs.mkdir(mount);
    mountRoots.set(root, mount);
  }
  const modelDir = posix.dirname(xml);
  const copy = (rel: string, from: string): void => {
    const key = `${mount}/${rel}`;
    if (writtenFiles.has(key)) return;
    const onDisk = join(root, rel);
    if (!existsSync(onDisk) || !statSync(onDisk).isFile()) {
      throw new InvalidFileError(root, describeAssetsProblem(root, rel, from));
    }
    const bytes = readFileSync(onDisk);
    let dir = mount;
    for (const part of posix.dirname(rel).split('/')) {
      if (part === '.' || part === '') continue;
      dir = `${dir}/${part}`;
      if (!fs.analyzePath(dir).exists) fs.mkdir(dir);
    }
    fs.writeFile(key, bytes);
    writtenFiles.add(key);
    if (!rel.endsWith('.xml')) return;
    const text = bytes.toString('utf8').replace(XML_COMMENT, '');
    for (const match of text.matchAll(FILE_ATTRIBUTE)) {
      const ref = match[1] ?? match[2] ?? '';
      copy(posix.normalize(posix.join(modelDir, ref)), rel);
    }
  };
  copy(posix.normalize(xml), '');
  return `${mount}/${posix.normalize(xml)}`;
}

/** Compiles a model from the in-memory file system, turning mujoco-js's message-less exceptions into one error. */
export function compileModel(mj: MainModule, memPath: string, assetsDir: string, xml: string): MjModel {
  try {
    return mj.MjModel.loadFromXML(memPath);
  } catch (cause) {
    const detail = describeWasmException(mj, cause);
    throw new IcrlError(
      `MuJoCo could not compile ${join(resolve(assetsDir), xml)}${detail ? ` (${detail})` : ''}. ` +
        `Every file it references exists, so the folder is probably not Meta-World's assets_v2 ` +
        `(or was modified). Point assetsDir at metaworld/envs/assets_v2 of a Meta-World checkout.`,
      { cause },
    );
  }
}

function describeWasmException(mj: MainModule, error: unknown): string {
  const withPtr = error as { excPtr?: number; message?: string; name?: string };
  const getMessage = (mj as unknown as { getExceptionMessage?: (e: unknown) => unknown[] })
    .getExceptionMessage;
  if (withPtr?.excPtr !== undefined && typeof getMessage === 'function') {
    try {
      return getMessage(error)
        .filter((x) => typeof x === 'string' && x.length > 0)
        .join(': ');
    } catch {
      // fall through to the plain message
    }
  }
  return typeof withPtr?.message === 'string' ? withPtr.message : String(error);
}
