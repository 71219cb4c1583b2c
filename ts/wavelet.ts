/**
 * Discrete wavelet transform with PyWavelets' semantics (wavedec / waverec / threshold),
 * the seed's wavelet denoising recipe, and the filter banks of PyWavelets' discrete
 * wavelets. The maths runs natively (native/wavelet/), on CPU or CUDA, off the event loop.
 *
 * Signals are row-major typed arrays with a shape: `[L]` (one signal), `[N, L]` or
 * `[N, C, L]` (N segments of C leads); every row of L samples is transformed on its own.
 * @module
 */
import { DTypeError, ShapeError } from './errors';
import { assertInteger, assertNumber, assertOneOf, assertOptions, invalidParameterError } from './is';
import { callNative, nativeAddon, type NativeJobOptions } from './native';
import { warnOnce } from './warnings';

/** A signal or coefficient array: float32 or float64, row-major. */
export type SignalArray = Float32Array | Float64Array;

/** The eight signal-extension modes of PyWavelets (`pywt.Modes.modes`). */
export const MODES = [
  'zero',
  'constant',
  'symmetric',
  'periodic',
  'smooth',
  'periodization',
  'reflect',
  'antisymmetric',
] as const;
/** A signal-extension mode: how a signal continues past its edges. */
export type WaveletMode = (typeof MODES)[number];

/** The shrinkage rules of `pywt.threshold` supported here. */
export const THRESHOLD_MODES = ['soft', 'hard', 'garrote'] as const;
/** A shrinkage rule of {@link threshold}. */
export type ThresholdMode = (typeof THRESHOLD_MODES)[number];

/**
 * Which implementation runs: `auto` (hand-written loops on CPU, ATen ops on CUDA),
 * `loops` or `aten` (forces the ATen-op path, also on CPU; used to test that both agree).
 */
export type WaveletBackend = 'auto' | 'loops' | 'aten';

/** Shape of a signal: `[L]`, `[N, L]` or `[N, C, L]`. */
export type SignalShape = readonly number[];

/** Options of {@link wavedec}. */
export interface WavedecOptions {
  /** Wavelet name, one of {@link names} (e.g. `'sym8'`, `'db4'`, `'haar'`). Required. */
  wavelet: string;
  /** Extension mode. Default `'symmetric'` (pywt's default). */
  mode?: WaveletMode;
  /** Decomposition level, >= 0. Default {@link maxLevel}(L, wavelet), as pywt. */
  level?: number;
  /** `'cpu'` (default), `'cuda'` or `'cuda:N'`. */
  device?: string;
  /** Implementation; default `'auto'`. */
  backend?: WaveletBackend;
}

/** Coefficients of {@link wavedec}, ordered `[cA_n, cD_n, ..., cD_1]` as pywt's. */
export interface Decomposition<T extends SignalArray = SignalArray> {
  /** One array per level, the signal's leading dims followed by that level's length. */
  coeffs: T[];
  /** The shape of each array of `coeffs`. */
  shapes: number[][];
}

/** Options of {@link waverec}. */
export interface WaverecOptions {
  /** Wavelet name used for the decomposition. Required. */
  wavelet: string;
  /** Extension mode used for the decomposition. Default `'symmetric'`. */
  mode?: WaveletMode;
  /** `'cpu'` (default), `'cuda'` or `'cuda:N'`. */
  device?: string;
  /** Implementation; default `'auto'`. */
  backend?: WaveletBackend;
}

/** Options of {@link denoise}; the defaults are the seed's recipe. */
export interface DenoiseOptions {
  /** Wavelet name. Default `'sym8'`. */
  wavelet?: string;
  /** Decomposition level, >= 1. Default 8. */
  level?: number;
  /** Extension mode. Default `'symmetric'` (what the seed's pywt.wavedec call uses). */
  mode?: WaveletMode;
  /** `'cpu'` (default), `'cuda'` or `'cuda:N'`. */
  device?: string;
  /** Implementation; default `'auto'`. */
  backend?: WaveletBackend;
}

/** The four filters of a wavelet, as `pywt.Wavelet(name).filter_bank`. */
export interface FilterBank {
  name: string;
  decLo: Float64Array;
  decHi: Float64Array;
  recLo: Float64Array;
  recHi: Float64Array;
}

interface NativeWavelet {
  wavelet: {
    wavedec(
      signal: SignalArray,
      shape: number[],
      options: NativeJobOptions & Record<string, unknown>,
    ): Promise<{ coeffs: SignalArray[]; shapes: number[][]; warnings: string[] }>;
    waverec(
      coeffs: SignalArray[],
      shapes: number[][],
      options: NativeJobOptions & Record<string, unknown>,
    ): Promise<{ signal: SignalArray; shape: number[] }>;
    denoise(
      signal: SignalArray,
      shape: number[],
      options: NativeJobOptions & Record<string, unknown>,
    ): Promise<{ signal: SignalArray; thresholds: Float64Array; warnings: string[] }>;
    threshold(data: SignalArray, value: number, mode: ThresholdMode, substitute: number): SignalArray;
    maxLevel(length: number, wavelet: string): number;
    names(): string[];
    modes(): string[];
    filterBank(name: string): FilterBank;
  };
}

const DEVICE_PATTERN = /^(cpu|cuda(:\d+)?)$/;
const BACKENDS: readonly WaveletBackend[] = ['auto', 'loops', 'aten'];
/**
 * Levels above this are refused. pywt has no cap, but past the maximum level every
 * further level keeps F - 1 coefficients, so a huge level only burns memory.
 */
const LEVEL_CAP = 64;

const WAVEDEC_DEFAULTS = { mode: 'symmetric' as WaveletMode, device: 'cpu', backend: 'auto' as WaveletBackend };
const DENOISE_DEFAULTS = { wavelet: 'sym8', level: 8, ...WAVEDEC_DEFAULTS };

function native(): NativeWavelet['wavelet'] {
  return nativeAddon<NativeWavelet>().wavelet;
}

let knownNames: ReadonlySet<string> | undefined;

// ---- validation (every argument is checked here before native code sees it) ----

function assertWaveletName(name: string, value: unknown): string {
  knownNames ??= new Set(native().names());
  if (typeof value !== 'string') throw invalidParameterError(name, 'wavelet name (see wavelet.names())', value, 'type');
  if (!knownNames.has(value)) throw invalidParameterError(name, 'wavelet name (see wavelet.names())', value);
  return value;
}

function assertDevice(name: string, value: unknown): string {
  if (typeof value !== 'string') throw invalidParameterError(name, "'cpu', 'cuda' or 'cuda:N'", value, 'type');
  if (!DEVICE_PATTERN.test(value)) throw invalidParameterError(name, "'cpu', 'cuda' or 'cuda:N'", value);
  return value;
}

function assertSignalArray(name: string, value: unknown): SignalArray {
  if (value instanceof Float32Array || value instanceof Float64Array) return value;
  if (ArrayBuffer.isView(value)) {
    throw new DTypeError(`Expected Float32Array or Float64Array for ${name} but received ${value.constructor.name}`);
  }
  throw invalidParameterError(name, 'Float32Array or Float64Array', value, 'type');
}

/** Checks a shape of 1 to 3 positive integers whose product is `length`; returns a copy. */
function assertShape(name: string, value: unknown, length: number, dataName: string): number[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > 3) {
    throw invalidParameterError(name, 'array [L], [N, L] or [N, C, L]', value, 'type');
  }
  value.forEach((dim, i) => assertInteger(`${name}[${i}]`, dim, 0));
  const shape = value as number[];
  const count = shape.reduce((a, b) => a * b, 1);
  if (count === 0 || length === 0) throw new ShapeError(`${dataName} is empty (shape [${shape.join(', ')}])`);
  if (count !== length) {
    throw new ShapeError(
      `${dataName} has ${length} elements but ${name} [${shape.join(', ')}] needs ${count}`,
    );
  }
  return [...shape];
}

function assertSignal(
  signal: unknown,
  shape: unknown,
  names = { signal: 'signal', shape: 'shape' },
): { data: SignalArray; dims: number[] } {
  const data = assertSignalArray(names.signal, signal);
  // NaN/Inf are found natively, on the worker thread (native/wavelet/signal_checks.cpp):
  // a JS scan of a large batch would block the event loop for tens of milliseconds.
  const dims = assertShape(names.shape, shape, data.length, names.signal);
  return { data, dims };
}


// ---- public API ----

/**
 * Multilevel discrete wavelet decomposition of every row, as `pywt.wavedec(x, wavelet,
 * mode, level)` along the last axis.
 *
 * A level above {@link maxLevel} proceeds, as pywt does, and emits pywt's warning ("Level
 * value of N is too high: all coefficients will experience boundary effects.") once per
 * process as an `EcgLdmWarning`.
 *
 * @param signal - Float32Array or Float64Array, row-major; the coefficients keep its type.
 * @param shape - `[L]`, `[N, L]` or `[N, C, L]`; the product must equal `signal.length`.
 * @param options - `wavelet` (required), `mode` (default `'symmetric'`), `level` (default
 *   the maximum level; 0..64), `device` (default `'cpu'`).
 * @returns `[cA_n, cD_n, ..., cD_1]` with their shapes (leading dims of `shape`, then length).
 * @throws {DTypeError} when `signal` is another typed array.
 * @throws {ShapeError} when `signal` is empty or `shape` does not match it.
 * @throws {NonFiniteError} when `signal` holds NaN or Infinity (names the row).
 * @throws {ArgumentRangeError} for an unknown wavelet or mode, or a negative level.
 * @throws {DeviceError} for `'cuda'` without CUDA.
 * @example
 * ```ts
 * const { coeffs, shapes } = await wavelet.wavedec(x, [1, 1, 2048], { wavelet: 'db4', level: 3 });
 * // shapes: [[1, 1, 262], [1, 1, 262], [1, 1, 517], [1, 1, 1027]]
 * ```
 */
export async function wavedec<T extends SignalArray>(
  signal: T,
  shape: SignalShape,
  options: WavedecOptions,
): Promise<Decomposition<T>> {
  const { data, dims } = assertSignal(signal, shape);
  const opts = assertOptions('options', options);
  if (opts.wavelet === undefined) throw invalidParameterError('options.wavelet', 'wavelet name', undefined, 'type');
  const settings = {
    ...WAVEDEC_DEFAULTS,
    wavelet: assertWaveletName('options.wavelet', opts.wavelet),
    mode: assertOneOf('options.mode', opts.mode ?? WAVEDEC_DEFAULTS.mode, MODES),
    device: assertDevice('options.device', opts.device ?? WAVEDEC_DEFAULTS.device),
    backend: assertOneOf('options.backend', opts.backend ?? WAVEDEC_DEFAULTS.backend, BACKENDS),
    ...(opts.level === undefined ? {} : { level: assertInteger('options.level', opts.level, 0, LEVEL_CAP) }),
  };
  const out = await callNative(() => native().wavedec(data, dims, settings));
  out.warnings.forEach(warnOnce); // pywt's UserWarnings, once per process
  return { coeffs: out.coeffs as T[], shapes: out.shapes };
}

/**
 * Multilevel reconstruction, as `pywt.waverec(coeffs, wavelet, mode)`: where an
 * approximation is one sample longer than the next detail its last sample is dropped.
 * The result is not cut: an odd-length signal comes back one sample longer, as in pywt.
 *
 * @param decomposition - `{coeffs, shapes}` as {@link wavedec} returns (one dtype).
 * @param options - `wavelet` (required), `mode` (default `'symmetric'`), `device` (default `'cpu'`).
 * @returns The signal and its shape (leading dims of the coefficients, then its length).
 * @throws {DTypeError} when an array is not float32/float64 or the dtypes differ.
 * @throws {ShapeError} when shapes do not match their arrays or each other.
 * @throws {NonFiniteError} when a coefficient is NaN or Infinity.
 * @throws {ArgumentRangeError} for an unknown wavelet or mode, or coefficients too short to reconstruct.
 * @example
 * ```ts
 * const dec = await wavelet.wavedec(x, [2048], { wavelet: 'sym8', level: 4 });
 * const { signal } = await wavelet.waverec(dec, { wavelet: 'sym8' }); // ≈ x
 * ```
 */
export async function waverec<T extends SignalArray>(
  decomposition: Decomposition<T>,
  options: WaverecOptions,
): Promise<{ signal: T; shape: number[] }> {
  const dec = assertOptions('decomposition', decomposition);
  const { coeffs, shapes } = dec;
  if (!Array.isArray(coeffs) || coeffs.length === 0) {
    throw invalidParameterError('decomposition.coeffs', 'non-empty array of typed arrays', coeffs, 'type');
  }
  if (!Array.isArray(shapes) || shapes.length !== coeffs.length) {
    throw new ShapeError(
      `decomposition.shapes must hold one shape per coefficient array (${coeffs.length}), received ${
        Array.isArray(shapes) ? shapes.length : typeof shapes
      }`,
    );
  }
  const checked = coeffs.map((c: unknown, j: number) =>
    assertSignal(c, shapes[j], { signal: `decomposition.coeffs[${j}]`, shape: `decomposition.shapes[${j}]` }),
  );
  const first = checked[0]!.data;
  checked.forEach(({ data }, j) => {
    if (data.constructor !== first.constructor) {
      throw new DTypeError(
        `Expected ${first.constructor.name} for decomposition.coeffs[${j}] (the type of coeffs[0]) but received ${data.constructor.name}`,
      );
    }
  });
  const opts = assertOptions('options', options);
  if (opts.wavelet === undefined) throw invalidParameterError('options.wavelet', 'wavelet name', undefined, 'type');
  const settings = {
    wavelet: assertWaveletName('options.wavelet', opts.wavelet),
    mode: assertOneOf('options.mode', opts.mode ?? WAVEDEC_DEFAULTS.mode, MODES),
    device: assertDevice('options.device', opts.device ?? WAVEDEC_DEFAULTS.device),
    backend: assertOneOf('options.backend', opts.backend ?? WAVEDEC_DEFAULTS.backend, BACKENDS),
  };
  const out = await callNative(() =>
    native().waverec(
      checked.map((c) => c.data),
      checked.map((c) => c.dims),
      settings,
    ),
  );
  return { signal: out.signal as T, shape: out.shape };
}

/**
 * The seed's wavelet denoising, per row: `wavedec` (sym8, level 8, symmetric), sigma =
 * median(|cD1|) / 0.6745, threshold = sigma * sqrt(2 ln len(cD1)), cD1 and cD2 zeroed,
 * soft threshold on the other details and the approximation, `waverec`, cut to L.
 * Matches the seed's PyWavelets outputs (golden seed_denoise.json) to ~1e-12.
 *
 * Differences from the seed's code, on purpose: the output is cut to the input length
 * (pywt returns L + 1 samples for odd L), and a row whose threshold is 0 (a flat
 * line) is returned unthresholded where pywt's soft threshold gives 0 * (1 - 0/0) = NaN.
 * A level above {@link maxLevel} (the default 8 for 2,048 samples with sym8) emits
 * pywt's "too high" warning once per process, as pywt does.
 *
 * @param signal - Float32Array or Float64Array; the result has the same type and length.
 * @param shape - `[L]`, `[N, L]` or `[N, C, L]`.
 * @param options - `wavelet` (default `'sym8'`), `level` (default 8; 1..64), `mode`
 *   (default `'symmetric'`), `device` (default `'cpu'`).
 * @throws {DTypeError} when `signal` is another typed array.
 * @throws {ShapeError} when `signal` is empty or `shape` does not match it.
 * @throws {NonFiniteError} when `signal` holds NaN or Infinity (names the row).
 * @throws {ArgumentRangeError} for an unknown wavelet or mode, or a level below 1.
 * @throws {DeviceError} for `'cuda'` without CUDA.
 * @example
 * ```ts
 * const clean = await wavelet.denoise(segments, [10000, 1, 2048]); // Float32Array in, Float32Array out
 * ```
 */
export async function denoise<T extends SignalArray>(
  signal: T,
  shape: SignalShape,
  options: DenoiseOptions = {},
): Promise<T> {
  const { data, dims } = assertSignal(signal, shape);
  const opts = assertOptions('options', options);
  const settings = {
    wavelet: assertWaveletName('options.wavelet', opts.wavelet ?? DENOISE_DEFAULTS.wavelet),
    level: assertInteger('options.level', opts.level ?? DENOISE_DEFAULTS.level, 1, LEVEL_CAP),
    mode: assertOneOf('options.mode', opts.mode ?? DENOISE_DEFAULTS.mode, MODES),
    device: assertDevice('options.device', opts.device ?? DENOISE_DEFAULTS.device),
    backend: assertOneOf('options.backend', opts.backend ?? DENOISE_DEFAULTS.backend, BACKENDS),
  };
  const out = await callNative(() => native().denoise(data, dims, settings));
  out.warnings.forEach(warnOnce); // pywt's UserWarnings, once per process
  return out.signal as T;
}

/**
 * Elementwise shrinkage exactly as `pywt.threshold(data, value, mode, substitute)`:
 * soft `x * max(0, 1 - t/|x|)`, garrote `x * max(0, 1 - t²/x²)`, hard `x`; where
 * `|x| < t`, a non-zero `substitute` replaces the value (hard: always, default 0).
 * Like numpy, `value = 0` on `x = 0` gives NaN for soft and garrote.
 *
 * @param data - Float32Array or Float64Array (may be empty); the result has the same type.
 * @param value - Threshold t, a finite number.
 * @param mode - `'soft'` (default), `'hard'` or `'garrote'`.
 * @param substitute - Value for `|x| < t`; default 0.
 * @throws {DTypeError} when `data` is another typed array.
 * @throws {ArgumentTypeError} / {ArgumentRangeError} for a bad value, mode or substitute.
 * @example
 * ```ts
 * wavelet.threshold(Float64Array.of(-2, 0.5, 3), 1); // Float64Array [-1, 0, 2]
 * ```
 */
export function threshold<T extends SignalArray>(
  data: T,
  value: number,
  mode: ThresholdMode = 'soft',
  substitute = 0,
): T {
  const array = assertSignalArray('data', data);
  const t = assertNumber('value', value);
  const rule = assertOneOf('mode', mode, THRESHOLD_MODES);
  const sub = assertNumber('substitute', substitute);
  if (array.length === 0) return array.slice() as T;
  return native().threshold(array, t, rule, sub) as T;
}

/**
 * The deepest useful level, as `pywt.dwt_max_level(length, filter_len)`:
 * floor(log2(length / (F - 1))), 0 when length < F - 1.
 *
 * @param length - Signal length, a non-negative integer.
 * @param wavelet - Wavelet name, one of {@link names}.
 * @throws {ArgumentRangeError} for a negative length or an unknown wavelet.
 * @example
 * ```ts
 * wavelet.maxLevel(2048, 'sym8'); // 7
 * ```
 */
export function maxLevel(length: number, wavelet: string): number {
  const n = assertInteger('length', length, 0, Number.MAX_SAFE_INTEGER);
  return native().maxLevel(n, assertWaveletName('wavelet', wavelet));
}

/**
 * The wavelets available: haar, db1..db20, sym2..sym20, coif1..coif5, bior*, rbio*.
 * @example
 * ```ts
 * wavelet.names().includes('sym8'); // true
 * ```
 */
export function names(): string[] {
  return native().names();
}

/**
 * The extension modes, in pywt.Modes.modes order.
 * @example
 * ```ts
 * wavelet.modes(); // ['zero', 'constant', 'symmetric', ...]
 * ```
 */
export function modes(): WaveletMode[] {
  return [...MODES];
}

/**
 * The filters of a wavelet, the exact doubles of `pywt.Wavelet(name).filter_bank`.
 * @param name - Wavelet name, one of {@link names}.
 * @throws {ArgumentRangeError} for an unknown name.
 * @example
 * ```ts
 * wavelet.filterBank('db4').decLo.length; // 8
 * ```
 */
export function filterBank(name: string): FilterBank {
  return native().filterBank(assertWaveletName('name', name));
}
