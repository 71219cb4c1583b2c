/**
 * Calibration of binary probabilities: the reliability curve (observed frequency of
 * class 1 against mean predicted probability, in equal-width bins) and the expected
 * calibration error computed from it.
 * @module
 */
import { assertInteger } from '../is';
import { assertBinaryLabels, assertProbabilities, assertSameLength, type NumericArray } from './validate';

/** One equal-width probability bin of a reliability curve. */
export interface ReliabilityBin {
  /** Lower edge (inclusive). */
  lower: number;
  /** Upper edge (exclusive, except 1 for the last bin). */
  upper: number;
  /** Samples whose probability falls in the bin. */
  count: number;
  /** Mean predicted probability in the bin (NaN when empty). */
  meanPredicted: number;
  /** Fraction of class-1 samples in the bin (NaN when empty). */
  fractionPositive: number;
}

/** Options of {@link reliabilityCurve} and {@link expectedCalibrationError}. */
export interface CalibrationOptions {
  /** Number of equal-width bins over [0, 1]; integer in [1, 1000], default 10. */
  bins?: number;
}

const DEFAULT_BINS = 10;

/**
 * Reliability curve in `bins` equal-width bins over [0, 1]. A probability p goes to
 * bin floor(p * bins), p = 1 to the last bin. Empty bins are kept (count 0, NaN means).
 * @param yTrue - true labels, 0 or 1.
 * @param probabilities - predicted probabilities of class 1, finite in [0, 1].
 * @param options - `bins` (default 10).
 * @throws {ShapeError} on mismatched or empty arrays.
 * @throws {ArgumentRangeError} on labels outside {0, 1}, probabilities outside [0, 1] or a bad bin count.
 * @throws {NonFiniteError} on NaN or infinite probabilities.
 * @example
 * reliabilityCurve([0, 1, 1], [0.2, 0.7, 0.9], { bins: 2 });
 * // [{lower: 0, upper: 0.5, count: 1, meanPredicted: 0.2, fractionPositive: 0}, {..., count: 2, meanPredicted: 0.8, fractionPositive: 1}]
 */
export function reliabilityCurve(
  yTrue: NumericArray,
  probabilities: NumericArray,
  options: CalibrationOptions = {},
): ReliabilityBin[] {
  const bins = assertInteger('options.bins', options.bins ?? DEFAULT_BINS, 1, 1000);
  assertBinaryLabels('yTrue', yTrue);
  assertProbabilities('probabilities', probabilities);
  const n = assertSameLength({ yTrue, probabilities });
  const count = new Float64Array(bins);
  const sumPredicted = new Float64Array(bins);
  const sumPositive = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const p = probabilities[i]!;
    const b = Math.min(bins - 1, Math.floor(p * bins));
    count[b]! += 1;
    sumPredicted[b]! += p;
    sumPositive[b]! += yTrue[i]!;
  }
  return Array.from({ length: bins }, (_, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    count: count[b]!,
    meanPredicted: count[b]! > 0 ? sumPredicted[b]! / count[b]! : NaN,
    fractionPositive: count[b]! > 0 ? sumPositive[b]! / count[b]! : NaN,
  }));
}

/**
 * Expected calibration error: sum over bins of (count / N) * |fractionPositive - meanPredicted|.
 * @param yTrue - true labels, 0 or 1.
 * @param probabilities - predicted probabilities of class 1, finite in [0, 1].
 * @param options - `bins` (default 10).
 * @throws {ShapeError | ArgumentRangeError | NonFiniteError} as {@link reliabilityCurve}.
 * @example
 * expectedCalibrationError([0, 1], [0.2, 0.6], { bins: 2 }); // 0.5*0.2 + 0.5*0.4 = 0.3
 */
export function expectedCalibrationError(
  yTrue: NumericArray,
  probabilities: NumericArray,
  options: CalibrationOptions = {},
): number {
  const curve = reliabilityCurve(yTrue, probabilities, options);
  const n = yTrue.length;
  return curve.reduce(
    (ece, bin) => (bin.count === 0 ? ece : ece + (bin.count / n) * Math.abs(bin.fractionPositive - bin.meanPredicted)),
    0,
  );
}
