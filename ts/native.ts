/**
 * The only loader of the native addon, and the typed surface of what it exports.
 *
 * Lookup order: the `ECG_LDM_ADDON` environment variable (a `.node` file), then
 * node-gyp-build over the package root — `build/Release/` (a source build), then
 * `prebuilds/<platform>-<arch>/` (set `PREBUILDS_ONLY=1` to skip source builds, and
 * `ECG_LDM_PREBUILD=<dir>` to read prebuilds from another folder).
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ERROR_CLASSES, LoadError } from './errors';

/** What `info()` of the addon reports (see native/core/runtime_info.h). */
export interface NativeRuntimeInfo {
  addonVersion: string;
  torchVersion: string;
  cuda: { compiled: boolean; available: boolean; deviceCount: number };
  threads: number;
  interopThreads: number;
  blasCompiled: string;
  loadedLibraries: string[];
  cpuCache: CpuCacheInfo;
}

/** The caching CPU allocator's state (see native/core/caching_cpu_allocator.h). */
export interface CpuCacheInfo {
  /** Most bytes of free blocks kept for reuse; 0 when caching is off (`ECG_LDM_CPU_CACHE_MB=0`). */
  limitBytes: number;
  /** Bytes of free blocks held now (blocks are kept only while a native job runs). */
  cachedBytes: number;
  /** Native jobs running now. */
  openScopes: number;
  /** Large allocations served from the cache since the process started. */
  hits: number;
  /** Large allocations that went to the system allocator. */
  misses: number;
}

/** Fields every async native job accepts. */
export interface NativeJobOptions {
  onProgress?: (event: Record<string, number | string>) => void;
  signal?: AbortSignal;
}

/** Functions every build of the addon exports; areas extend it with their own. */
export interface NativeCore {
  setErrorClasses(classes: Record<string, unknown>): void;
  info(): NativeRuntimeInfo;
  setThreads(threads: number): void;
}

interface Loaded {
  addon: NativeCore & Record<string, unknown>;
  file: string;
}

const PACKAGE_ROOT = path.resolve(__dirname, '..');
let loaded: Loaded | undefined;

/** Which LibTorch an addon binary runs on: see {@link linkedLibTorch}. */
export interface LinkedLibTorch {
  /** The folder `.libtorch/lib` points at (the binary's only RPATH entry), or null when the link is missing or broken. */
  libDir: string | null;
  /** How the installer or the build found it (e.g. "wheel /opt/wheels/torch-….whl", "Debian libtorch-dev"), when recorded. */
  source: string | null;
  /** For a prebuilt binary: the LibTorch it was built against (from libtorch.json beside it). */
  builtAgainst: { version: string; cxx11Abi: number; cuda: boolean; source?: string } | null;
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/**
 * The LibTorch that the binary `file` is linked to. A build or a prebuild sits two folders
 * below its package root (build/Release/, prebuilds/<platform>-<arch>/), and its RPATH is
 * `$ORIGIN/../../.libtorch/lib`, a link that the build or the installer points at the
 * LibTorch it chose (scripts/find-libtorch.js).
 */
export function linkedLibTorch(file: string): LinkedLibTorch {
  const root = path.resolve(path.dirname(file), '..', '..');
  let libDir: string | null = null;
  try {
    libDir = fs.realpathSync(path.join(root, '.libtorch', 'lib'));
  } catch {
    libDir = null;
  }
  const found = readJson<{ source?: string }>(path.join(root, '.libtorch', 'found.json'));
  return { libDir, source: found?.source ?? null, builtAgainst: readJson(path.join(path.dirname(file), 'libtorch.json')) };
}

/** A hint for a binary that failed to load because its LibTorch is not there, or not the one it was built against. */
function libTorchHint(file: string, message: string): string {
  if (!/lib(torch|c10)[\w.]*\.so|undefined symbol/.test(message)) return '';
  const linked = linkedLibTorch(file);
  const wanted = linked.builtAgainst ? `LibTorch ${linked.builtAgainst.version} (${linked.builtAgainst.cuda ? 'CUDA' : 'CPU'})` : 'the LibTorch it was built against';
  return linked.libDir === null
    ? ` [no LibTorch is linked at ${path.join(path.resolve(path.dirname(file), '..', '..'), '.libtorch', 'lib')}; this binary needs ${wanted}: run \`npm rebuild ecg-ldm\`, which finds LibTorch again (README "How LibTorch is found")]`
    : ` [the LibTorch linked at .libtorch/lib (${linked.libDir}) does not fit this binary, which needs ${wanted}: run \`npm rebuild ecg-ldm --build-from-source\`]`;
}

/**
 * This package's own prebuild with no LibTorch linked yet: npm 11 skips a dependency's
 * install hook until it is approved (`npm install-scripts approve ecg-ldm`), so the first
 * load does what the hook would have done (scripts/link-prebuild.js: find a compatible
 * LibTorch, unpacking a local torch wheel if that is where it is, and link it). Once.
 */
function linkShippedPrebuild(file: string): void {
  if (path.dirname(path.dirname(file)) !== path.join(PACKAGE_ROOT, 'prebuilds') || linkedLibTorch(file).libDir !== null) return;
  process.stderr.write('[ecg-ldm] first use of the prebuilt binary (the install hook did not run): finding LibTorch\n');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  spawnSync(process.execPath, [path.join(PACKAGE_ROOT, 'scripts', 'link-prebuild.js')], { stdio: ['ignore', 'ignore', 'inherit'] });
}

function tryLoad(): Loaded {
  const attempts: string[] = [];
  const candidates: Array<[string, () => string]> = [];
  const explicit = process.env.ECG_LDM_ADDON;
  if (explicit) candidates.push(['ECG_LDM_ADDON', () => path.resolve(explicit)]);
  candidates.push(['node-gyp-build', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nodeGypBuild = require('node-gyp-build') as { resolve(dir: string): string };
    return nodeGypBuild.resolve(PACKAGE_ROOT);
  }]);
  for (const [route, candidate] of candidates) {
    let resolved: string | undefined;
    try {
      resolved = candidate();
      linkShippedPrebuild(resolved);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const addon = require(resolved) as Loaded['addon'];
      addon.setErrorClasses(ERROR_CLASSES);
      return { addon, file: resolved };
    } catch (err) {
      const message = (err as Error).message.split('\n')[0]!;
      attempts.push(resolved === undefined ? `${route}: ${message}` : `${route} ${resolved}: ${message}${libTorchHint(resolved, message)}`);
    }
  }
  throw new LoadError(
    'Could not load the ecg-ldm native addon.\n' +
      `Tried:\n  - ${attempts.join('\n  - ')}\n` +
      'Possible solutions:\n' +
      '  - npm 11 skips a dependency\'s install script until it is approved: npm install-scripts approve ecg-ldm && npm rebuild ecg-ldm\n' +
      '  - build it from source: npm rebuild ecg-ldm --build-from-source, or npm run build:native in a checkout (finds LibTorch by itself; see README "How LibTorch is found")\n' +
      '  - point LIBTORCH at a LibTorch folder, or install python3 torch or Debian libtorch-dev, then rebuild\n' +
      '  - set ECG_LDM_ADDON=/path/to/ecg_ldm.node to load a specific build',
  );
}

/** The loaded addon (loaded on first use). @throws {LoadError} when no build loads. */
export function nativeAddon<Area extends object = object>(): NativeCore & Area {
  loaded ??= tryLoad();
  return loaded.addon as unknown as NativeCore & Area;
}

/** The path of the `.node` file that was loaded. */
export function nativeAddonPath(): string {
  nativeAddon();
  return (loaded as Loaded).file;
}

/**
 * Runs an async native call, keeping the caller's stack on a rejection (a native
 * error has no JS frames of its own) — as lovell/sharp does.
 */
export async function callNative<T>(start: () => Promise<T>): Promise<T> {
  const origin = new Error();
  try {
    return await start();
  } catch (err) {
    if (err instanceof Error && origin.stack) {
      const frames = origin.stack.split('\n').slice(1).join('\n');
      err.stack = `${err.name}: ${err.message}\n${frames}`;
    }
    throw err;
  }
}

/** Wraps a user's progress callback so an exception in it cannot reach native code. */
export function safeProgress<E>(callback: ((event: E) => void) | undefined): ((event: E) => void) | undefined {
  if (!callback) return undefined;
  return (event: E) => {
    try {
      callback(event);
    } catch (err) {
      process.emitWarning(`onProgress callback threw: ${(err as Error)?.message ?? String(err)}`, 'EcgLdmWarning');
    }
  };
}
