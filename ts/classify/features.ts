/**
 * Hand-crafted ECG features for the random forest baseline, from one lead:
 * RR-interval statistics from a simple R-peak detector, relative energies of Haar
 * wavelet bands, and QRS / P-wave amplitudes.
 *
 * The band energies use a self-contained orthonormal Haar decomposition (the library's
 * wavelet module is async and native; these features stay synchronous and pure TS).
 * Detector and amplitudes are deliberately simple (Pan-Tompkins-like energy envelope,
 * fixed windows around each R peak); they are features, not a delineator.
 * @module
 */
import { ShapeError } from '../errors';
import { assertInteger, assertNumber, assertOptions, invalidParameterError } from '../is';
import { assertFiniteScores } from '../evaluate/validate';

/** Options of {@link ecgFeatures}. */
export interface EcgFeatureOptions {
  /** Sampling rate in Hz; required, finite in [50, 10000]. */
  samplingRate: number;
  /** Haar levels for the band energies; integer in [1, 12], default 6. */
  waveletLevels?: number;
}

/** Names and values of the features of one segment, in a fixed order. */
export interface EcgFeatures {
  names: string[];
  values: Float32Array;
}

const DEFAULT_WAVELET_LEVELS = 6;

function resolve(options: unknown): { samplingRate: number; waveletLevels: number } {
  const o = assertOptions('options', options);
  if (o['samplingRate'] === undefined) throw invalidParameterError('options.samplingRate', 'number in Hz', undefined, 'type');
  return {
    samplingRate: assertNumber('options.samplingRate', o['samplingRate'], 50, 10000),
    waveletLevels: assertInteger('options.waveletLevels', o['waveletLevels'] ?? DEFAULT_WAVELET_LEVELS, 1, 12),
  };
}

function median(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Simple R-peak detector: band-limited slope (central difference), squared, integrated
 * over 150 ms; regions above 30% of the envelope's 99th percentile are QRS candidates;
 * each gives the sample of largest |x - median| near it; peaks closer than 250 ms keep
 * the larger one.
 * @param signal - one lead, finite values.
 * @param samplingRate - Hz, in [50, 10000].
 * @returns sample indices of the R peaks, ascending.
 * @throws {ShapeError} on an empty signal; {@link NonFiniteError} on NaN; range errors on the rate.
 * @example
 * const peaks = detectRPeaks(lead, 500);
 */
export function detectRPeaks(signal: ArrayLike<number>, samplingRate: number): Int32Array {
  assertFiniteScores('signal', signal);
  assertNumber('samplingRate', samplingRate, 50, 10000);
  const n = signal.length;
  if (n < 3) return new Int32Array(0);
  const base = median(signal);
  // 1. Squared slope, integrated over a 150 ms moving window.
  const slope = new Float64Array(n);
  for (let i = 1; i < n - 1; i++) slope[i] = (signal[i + 1]! - signal[i - 1]!) ** 2;
  const window = Math.max(1, Math.round(0.15 * samplingRate));
  const envelope = new Float64Array(n);
  let running = 0;
  for (let i = 0; i < n; i++) {
    running += slope[i]!;
    if (i >= window) running -= slope[i - window]!;
    envelope[i] = running / window;
  }
  // 2. Threshold from a robust maximum of the envelope.
  const sorted = Float64Array.from(envelope).sort();
  const threshold = 0.3 * sorted[Math.floor(0.99 * (n - 1))]!;
  if (!(threshold > 0)) return new Int32Array(0);
  // 3. One candidate per region above threshold, located on the original signal
  //    (the envelope lags the QRS by up to one window).
  const refractory = Math.round(0.25 * samplingRate);
  const peaks: number[] = [];
  for (let i = 0; i < n; ) {
    if (envelope[i]! <= threshold) {
      i++;
      continue;
    }
    let end = i;
    while (end + 1 < n && envelope[end + 1]! > threshold) end++;
    let best = Math.max(0, i - window);
    for (let k = best; k <= end; k++) if (Math.abs(signal[k]! - base) > Math.abs(signal[best]! - base)) best = k;
    const last = peaks[peaks.length - 1];
    if (last !== undefined && best - last < refractory) {
      if (Math.abs(signal[best]! - base) > Math.abs(signal[last]! - base)) peaks[peaks.length - 1] = best;
    } else {
      peaks.push(best);
    }
    i = end + 1;
  }
  return Int32Array.from(peaks);
}

/**
 * Relative energies of an orthonormal Haar decomposition: details of levels 1..levels,
 * then the final approximation; they sum to 1 (all 0 for a zero signal). An odd tail
 * sample at a level is dropped.
 * @param signal - finite samples, at least 2^levels long.
 * @param levels - decomposition levels, integer in [1, 12].
 * @example
 * haarBandEnergies(new Float32Array([1, 1, 1, 1]), 2); // [0, 0, 1]: all energy in the approximation
 */
export function haarBandEnergies(signal: ArrayLike<number>, levels: number): Float64Array {
  assertFiniteScores('signal', signal);
  assertInteger('levels', levels, 1, 12);
  if (signal.length < 2 ** levels) {
    throw new ShapeError(`Expected at least ${2 ** levels} samples for ${levels} Haar levels but received ${signal.length}`);
  }
  const energies = new Float64Array(levels + 1);
  let approx = Float64Array.from(signal);
  for (let level = 0; level < levels; level++) {
    const half = approx.length >> 1;
    const next = new Float64Array(half);
    let detailEnergy = 0;
    for (let i = 0; i < half; i++) {
      const a = approx[2 * i]!;
      const b = approx[2 * i + 1]!;
      next[i] = (a + b) / Math.SQRT2;
      detailEnergy += ((a - b) / Math.SQRT2) ** 2;
    }
    energies[level] = detailEnergy;
    approx = next;
  }
  energies[levels] = approx.reduce((s, v) => s + v * v, 0);
  const total = energies.reduce((a, b) => a + b, 0);
  return total > 0 ? energies.map((e) => e / total) : energies;
}

/** Median over beats of the range of `signal` in [peak + from, peak + to] (samples, clipped). */
function medianWindowRange(
  signal: ArrayLike<number>,
  peaks: Int32Array,
  from: number,
  to: number,
  reference: (lo: number, hi: number) => number,
): number {
  const values: number[] = [];
  for (const p of peaks) {
    const lo = Math.max(0, p + from);
    const hi = Math.min(signal.length - 1, p + to);
    if (hi > lo) values.push(reference(lo, hi));
  }
  return median(values);
}

/**
 * Feature names of {@link ecgFeatures}, in order.
 * @param waveletLevels - Haar levels (default 6).
 * @example
 * ecgFeatureNames(2); // ['beats', 'meanRR', ..., 'haarD1', 'haarD2', 'haarA2', ...]
 */
export function ecgFeatureNames(waveletLevels = DEFAULT_WAVELET_LEVELS): string[] {
  const bands = Array.from({ length: waveletLevels }, (_, l) => `haarD${l + 1}`);
  return [
    'beats', 'heartRate', 'meanRR', 'sdnn', 'rmssd', 'pnn50', 'cvRR',
    ...bands, `haarA${waveletLevels}`,
    'qrsAmplitude', 'rAmplitude', 'pAmplitude', 'signalStd',
  ];
}

/**
 * Features of one ECG lead: RR statistics (seconds; 0 when fewer than 2 beats),
 * relative Haar band energies, and amplitudes (medians over beats): QRS peak-to-peak
 * in R +- 50 ms, R above the segment median, P-wave maximum above the median in
 * [R - 250 ms, R - 120 ms]; and the signal's standard deviation.
 * @param signal - one lead, finite samples, at least 2^waveletLevels long.
 * @param options - `samplingRate` (Hz, required), `waveletLevels` (default 6).
 * @throws {ArgumentTypeError | ArgumentRangeError} on invalid options.
 * @throws {ShapeError} on a signal too short; {@link NonFiniteError} on NaN samples.
 * @example
 * const { names, values } = ecgFeatures(lead, { samplingRate: 500 });
 */
export function ecgFeatures(signal: ArrayLike<number>, options: EcgFeatureOptions): EcgFeatures {
  const { samplingRate, waveletLevels } = resolve(options);
  const bands = haarBandEnergies(signal, waveletLevels);
  const peaks = detectRPeaks(signal, samplingRate);
  const rr = Float64Array.from({ length: Math.max(0, peaks.length - 1) }, (_, i) => (peaks[i + 1]! - peaks[i]!) / samplingRate);
  const meanRR = rr.length ? rr.reduce((a, b) => a + b, 0) / rr.length : 0;
  const sdnn = rr.length > 1 ? Math.sqrt(rr.reduce((s, v) => s + (v - meanRR) ** 2, 0) / (rr.length - 1)) : 0;
  let successive = 0;
  let over50 = 0;
  for (let i = 1; i < rr.length; i++) {
    const diff = rr[i]! - rr[i - 1]!;
    successive += diff * diff;
    if (Math.abs(diff) > 0.05) over50++;
  }
  const rmssd = rr.length > 1 ? Math.sqrt(successive / (rr.length - 1)) : 0;
  const pnn50 = rr.length > 1 ? over50 / (rr.length - 1) : 0;

  const base = median(signal);
  const ms = (t: number): number => Math.round((t / 1000) * samplingRate);
  const maxOf = (lo: number, hi: number): number => {
    let m = -Infinity;
    for (let k = lo; k <= hi; k++) m = Math.max(m, signal[k]!);
    return m;
  };
  const minOf = (lo: number, hi: number): number => {
    let m = Infinity;
    for (let k = lo; k <= hi; k++) m = Math.min(m, signal[k]!);
    return m;
  };
  const qrsAmplitude = medianWindowRange(signal, peaks, -ms(50), ms(50), (lo, hi) => maxOf(lo, hi) - minOf(lo, hi));
  const rAmplitude = median(Array.from(peaks, (p) => signal[p]! - base));
  const pAmplitude = medianWindowRange(signal, peaks, -ms(250), -ms(120), (lo, hi) => maxOf(lo, hi) - base);
  let mean = 0;
  for (let i = 0; i < signal.length; i++) mean += signal[i]!;
  mean /= signal.length;
  let variance = 0;
  for (let i = 0; i < signal.length; i++) variance += (signal[i]! - mean) ** 2;

  const values = [
    peaks.length, meanRR > 0 ? 60 / meanRR : 0, meanRR, sdnn, rmssd, pnn50, meanRR > 0 ? sdnn / meanRR : 0,
    ...bands,
    qrsAmplitude, rAmplitude, pAmplitude, Math.sqrt(variance / signal.length),
  ];
  return { names: ecgFeatureNames(waveletLevels), values: Float32Array.from(values) };
}

/**
 * Feature rows for many segments of one lead each, ready for the random forest.
 * @param segments - one lead per segment.
 * @param options - as {@link ecgFeatures}.
 * @throws as {@link ecgFeatures}.
 * @example
 * const rows = ecgFeatureRows(segments, { samplingRate: 500 });
 * new RandomForestClassifier({ seed: 1 }).fit(rows, labels);
 */
export function ecgFeatureRows(segments: readonly ArrayLike<number>[], options: EcgFeatureOptions): Float32Array[] {
  return segments.map((segment) => ecgFeatures(segment, options).values);
}
