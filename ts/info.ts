/**
 * Runtime facts: versions, threads, CUDA, which BLAS is really loaded, which addon file.
 * @module
 */
import { assertInteger } from './is';
import { type CpuCacheInfo, type LinkedLibTorch, linkedLibTorch, nativeAddon, nativeAddonPath } from './native';

export type { CpuCacheInfo, LinkedLibTorch } from './native';

/** What {@link info} returns. */
export interface EcgLdmInfo {
  /** This package's version. */
  version: string;
  /** The loaded `.node` file and the addon's own version. */
  addon: { path: string; version: string; prebuilt: boolean };
  /**
   * The LibTorch the addon runs on: its version, the folder it is loaded from (the package's
   * `.libtorch/lib` link), how it was found, and for a prebuilt binary the LibTorch that
   * binary was built against (the installer keeps a prebuild only on a LibTorch of the same
   * major.minor version and C++ ABI, and builds from source otherwise).
   */
  torch: { version: string } & LinkedLibTorch;
  cuda: { compiled: boolean; available: boolean; deviceCount: number };
  /** LibTorch intra-op threads (see {@link setThreads}) and inter-op threads. */
  threads: number;
  interopThreads: number;
  /** BLAS LibTorch was compiled for, and the BLAS / OpenMP / Torch libraries really mapped in. */
  blas: { compiled: string; loaded: string[] };
  /**
   * The caching CPU allocator: large freed blocks are kept for the next step of a native
   * job instead of going back to the kernel (limit: `ECG_LDM_CPU_CACHE_MB`, 0 = off).
   */
  cpuCache: CpuCacheInfo;
  node: string;
}

/**
 * Reports versions (package, addon, LibTorch), CUDA availability, threads and the BLAS in use.
 * @throws {LoadError} when the native addon cannot be loaded.
 * @example
 * const { torch, cuda, threads } = ecgldm.info();
 */
export function info(): EcgLdmInfo {
  const native = nativeAddon().info();
  const file = nativeAddonPath();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require('../package.json') as { version: string };
  return {
    version: pkg.version,
    addon: { path: file, version: native.addonVersion, prebuilt: file.includes(`${require('node:path').sep}prebuilds`) },
    torch: { version: native.torchVersion, ...linkedLibTorch(file) },
    cuda: native.cuda,
    threads: native.threads,
    interopThreads: native.interopThreads,
    blas: { compiled: native.blasCompiled, loaded: native.loadedLibraries },
    cpuCache: native.cpuCache,
    node: process.versions.node,
  };
}

/**
 * Sets how many threads LibTorch uses for each native operation (process-wide).
 * @param threads - integer in [1, 1024].
 * @throws {ArgumentRangeError} for other values.
 */
export function setThreads(threads: number): void {
  nativeAddon().setThreads(assertInteger('threads', threads, 1, 1024));
}
