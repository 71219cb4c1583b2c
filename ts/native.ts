/**
 * The only loader of the native addon, and the typed surface of what it exports.
 *
 * Lookup order: the `ECG_LDM_ADDON` environment variable (a `.node` file), then
 * node-gyp-build over the package root — `build/Release/` (a source build), then
 * `prebuilds/<platform>-<arch>/` (set `PREBUILDS_ONLY=1` to skip source builds, and
 * `ECG_LDM_PREBUILD=<dir>` to read prebuilds from another folder).
 * @module
 */
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
    let file = `${route}`;
    try {
      const resolved = candidate();
      file = `${route} ${resolved}`;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const addon = require(resolved) as Loaded['addon'];
      addon.setErrorClasses(ERROR_CLASSES);
      return { addon, file: resolved };
    } catch (err) {
      attempts.push(`${file}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new LoadError(
    'Could not load the ecg-ldm native addon.\n' +
      `Tried:\n  - ${attempts.join('\n  - ')}\n` +
      'Possible solutions:\n' +
      '  - build it from source: npm run build:native (finds LibTorch by itself; see README "LibTorch")\n' +
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
