/**
 * How far generated segments are from real ones: a random forest that tries to tell them
 * apart with real patients held out, and plain signal statistics (spread, heart rate).
 * An accuracy near 0.5 means the forest cannot separate them; the reference generator's
 * near-flat output gave 0.998.
 * @module
 */
import { RandomForestClassifier, type RandomForestOptions } from '../classify/random-forest';
import { detectRPeaks } from '../classify/features';
import { ShapeError } from '../errors';
import { assertInteger } from '../is';
import { createPrng, shuffleInPlace } from '../data/prng';
import { patientBootstrap, type BootstrapOptions, type ConfidenceInterval } from './bootstrap';

/** Inputs of {@link realVsSyntheticAccuracy}: one lead per segment, row-major [N, L]. */
export interface RealVsSyntheticInput {
  real: Float32Array;
  /** Patient of each real segment; folds never split a patient. */
  realPatients: ArrayLike<string | number>;
  synthetic: Float32Array;
  /** Samples per segment (L). */
  length: number;
}

/** Options of {@link realVsSyntheticAccuracy}. */
export interface RealVsSyntheticOptions {
  /** Cross-validation folds (default 5). */
  folds?: number;
  /** Forest options (default 200 trees; the seed is offset per fold). */
  forest?: RandomForestOptions;
  /** Seeds the fold assignment and the bootstrap (default 0). */
  seed?: number;
  bootstrap?: BootstrapOptions;
}

/** Out-of-fold accuracy of the forest, with its bootstrap interval and the fold count. */
export interface RealVsSyntheticResult extends ConfidenceInterval {
  folds: number;
}

/**
 * Random forest on the raw segment, real (1) vs synthetic (0), k-fold cross-validated with
 * real segments grouped by patient (no patient on both sides of a fold) and synthetic
 * segments dealt to the folds in turn. The interval resamples real patients and synthetic
 * segments (each its own unit).
 * @throws {ShapeError} when an array is not a whole number of segments, patients do not
 *   match the real segments, or either side has fewer segments than folds
 * @example
 * const r = realVsSyntheticAccuracy({ real, realPatients, synthetic, length: 2048 });
 * console.log(r.value, r.low, r.high);
 */
export function realVsSyntheticAccuracy(input: RealVsSyntheticInput, options: RealVsSyntheticOptions = {}): RealVsSyntheticResult {
  const { real, realPatients, synthetic, length } = input;
  const folds = options.folds ?? 5;
  const seed = options.seed ?? 0;
  assertInteger('options.folds', folds, 2, 100);
  assertInteger('input.length', length, 1);
  if (real.length % length !== 0 || synthetic.length % length !== 0) {
    throw new ShapeError(`real (${real.length}) and synthetic (${synthetic.length}) values must be whole segments of ${length}`);
  }
  const nReal = real.length / length;
  const nSynthetic = synthetic.length / length;
  if (realPatients.length !== nReal) throw new ShapeError(`${realPatients.length} patient ids for ${nReal} real segments`);
  const patientIds = Array.from(realPatients, String);
  const distinct = shuffleInPlace([...new Set(patientIds)], createPrng(seed));
  if (distinct.length < folds || nSynthetic < folds) {
    throw new ShapeError(`need at least ${folds} real patients and ${folds} synthetic segments, got ${distinct.length} and ${nSynthetic}`);
  }
  const foldOfPatient = new Map(distinct.map((p, i) => [p, i % folds]));

  const rows: Float32Array[] = [];
  const isReal: number[] = [];
  const fold: number[] = [];
  const unit: string[] = [];
  for (let i = 0; i < nReal; i++) {
    rows.push(real.subarray(i * length, (i + 1) * length));
    isReal.push(1);
    fold.push(foldOfPatient.get(patientIds[i]!)!);
    unit.push(`real:${patientIds[i]}`);
  }
  for (let i = 0; i < nSynthetic; i++) {
    rows.push(synthetic.subarray(i * length, (i + 1) * length));
    isReal.push(0);
    fold.push(i % folds);
    unit.push(`synthetic:${i}`);
  }

  const probabilityReal = new Float64Array(rows.length);
  const forestSeed = options.forest?.seed ?? seed;
  for (let f = 0; f < folds; f++) {
    const train = rows.flatMap((_, i) => (fold[i] !== f ? [i] : []));
    const test = rows.flatMap((_, i) => (fold[i] === f ? [i] : []));
    const forest = new RandomForestClassifier({ trees: 200, ...options.forest, seed: forestSeed + f });
    forest.fit(train.map((i) => rows[i]!), train.map((i) => isReal[i]!));
    forest.predictProba(test.map((i) => rows[i]!)).forEach((p, k) => (probabilityReal[test[k]!] = p[1]!));
  }
  const accuracy = (y: Float64Array, p: Float64Array): number => p.reduce((a, v, i) => a + (Number(v >= 0.5) === y[i] ? 1 : 0), 0) / y.length;
  const ci = patientBootstrap(accuracy, { yTrue: isReal, scores: probabilityReal, patientIds: unit }, { seed, ...options.bootstrap });
  return { ...ci, folds };
}

/** Spread and rhythm of a set of one-lead segments. */
export interface SegmentStatistics {
  /** Mean over segments of each segment's standard deviation. */
  meanStd: number;
  /** Heart rate (beats/min) from detected R peaks: quartiles over segments with >= 3 beats. */
  heartRate: { segments: number; p25: number; median: number; p75: number };
  /** Share of segments with >= 3 detected beats at 40-180 beats/min. */
  plausibleRhythmShare: number;
}

/**
 * Standard deviation, heart rate and share of plausible rhythms of row-major [N, L] segments.
 * @param data - segments, one lead each
 * @param length - samples per segment
 * @param samplingRate - Hz (500 for the bundled LUDB set)
 * @throws {ShapeError} when data is not a whole, non-zero number of segments
 * @example
 * segmentStatistics(real, 2048, 500).heartRate.median;
 */
export function segmentStatistics(data: Float32Array, length: number, samplingRate: number): SegmentStatistics {
  assertInteger('length', length, 1);
  if (data.length === 0 || data.length % length !== 0) throw new ShapeError(`${data.length} values are not whole segments of ${length}`);
  const n = data.length / length;
  let stdSum = 0;
  const rates: number[] = [];
  let plausible = 0;
  for (let s = 0; s < n; s++) {
    const x = data.subarray(s * length, (s + 1) * length);
    const mean = x.reduce((a, v) => a + v, 0) / length;
    stdSum += Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / length);
    const peaks = detectRPeaks(x, samplingRate);
    if (peaks.length < 3) continue;
    const rate = (60 * (peaks.length - 1) * samplingRate) / (peaks[peaks.length - 1]! - peaks[0]!);
    rates.push(rate);
    if (rate >= 40 && rate <= 180) plausible++;
  }
  rates.sort((a, b) => a - b);
  const q = (p: number): number => (rates.length ? rates[Math.min(rates.length - 1, Math.floor(p * rates.length))]! : Number.NaN);
  return {
    meanStd: stdSum / n,
    heartRate: { segments: rates.length, p25: q(0.25), median: q(0.5), p75: q(0.75) },
    plausibleRhythmShare: plausible / n,
  };
}
