/**
 * Bootstrap confidence intervals resampled by patient: each replicate draws patient
 * ids with replacement and takes all segments of every drawn patient, so segments of
 * one patient never count as independent evidence. Seeded; percentile intervals.
 * @module
 */
import { ShapeError } from '../errors';
import { assertInteger, assertNumber, invalidParameterError } from '../is';
import { createPrng } from '../data/prng';
import { assertFiniteScores, assertLabels, assertSameLength, type NumericArray } from './validate';

/** A metric of segment labels and scores, e.g. `auroc` or `(y, s) => accuracy(y, threshold(s))`. */
export type SegmentMetric = (yTrue: Float64Array, scores: Float64Array) => number;

/** Segments with their patient: the unit the bootstrap resamples. */
export interface PatientScores {
  /** True label per segment (integers). */
  yTrue: NumericArray;
  /** Score, probability or predicted label per segment (finite). */
  scores: NumericArray;
  /** Patient id per segment; segments with equal ids are resampled together. */
  patientIds: ArrayLike<string | number>;
}

/** Options of the patient bootstrap. */
export interface BootstrapOptions {
  /** Bootstrap replicates; integer in [1, 1e6], default 1000. */
  iterations?: number;
  /** Two-sided confidence level in (0, 1), default 0.95. */
  confidence?: number;
  /** PRNG seed (integer), default 0; equal seeds give equal intervals. */
  seed?: number;
}

/** A point estimate with its percentile bootstrap interval. */
export interface ConfidenceInterval {
  /** The metric on the full data. */
  value: number;
  /** Lower percentile bound (NaN when no replicate was valid). */
  low: number;
  /** Upper percentile bound (NaN when no replicate was valid). */
  high: number;
  /** Number of patients (the resampled units). */
  n: number;
  /** Number of segments. */
  segments: number;
  /** Replicates with a finite metric, used for the interval. */
  iterations: number;
  /** Replicates left out because the metric was NaN (e.g. AUROC of one class). */
  skipped: number;
  /** Confidence level of the interval. */
  confidence: number;
}

/** The options with their defaults, validated. */
export interface ResolvedBootstrapOptions {
  iterations: number;
  confidence: number;
  seed: number;
}

/**
 * Fills and validates bootstrap options.
 * @param options - see {@link BootstrapOptions}.
 * @throws {ArgumentTypeError | ArgumentRangeError} on an invalid option.
 * @example
 * resolveBootstrapOptions({ seed: 7 }); // { iterations: 1000, confidence: 0.95, seed: 7 }
 */
export function resolveBootstrapOptions(options: BootstrapOptions = {}): ResolvedBootstrapOptions {
  const confidence = assertNumber('options.confidence', options.confidence ?? 0.95, 0, 1);
  if (confidence === 0 || confidence === 1) {
    throw invalidParameterError('options.confidence', 'number strictly between 0 and 1', confidence);
  }
  return {
    iterations: assertInteger('options.iterations', options.iterations ?? 1000, 1, 1_000_000),
    confidence,
    seed: assertInteger('options.seed', options.seed ?? 0),
  };
}

/**
 * Segment indices grouped by patient, in order of first appearance.
 * @param patientIds - one id per segment.
 * @throws {ShapeError} when there is no segment.
 * @example
 * groupByPatient(['a', 'b', 'a']); // [Int32Array [0, 2], Int32Array [1]]
 */
export function groupByPatient(patientIds: ArrayLike<string | number>): Int32Array[] {
  if (patientIds.length === 0) throw new ShapeError('Expected at least one segment in patientIds but received 0');
  const groups = new Map<string | number, number[]>();
  for (let i = 0; i < patientIds.length; i++) {
    const id = patientIds[i]!;
    if (typeof id !== 'string' && typeof id !== 'number') {
      throw invalidParameterError(`patientIds[${i}]`, 'string or number', id, 'type');
    }
    const group = groups.get(id);
    if (group) group.push(i);
    else groups.set(id, [i]);
  }
  return [...groups.values()].map((g) => Int32Array.from(g));
}

/**
 * Runs the patient bootstrap: for each replicate, draws as many patients as there are,
 * with replacement, and evaluates `statistic` on the concatenated segment indices.
 * @param groups - segment indices per patient ({@link groupByPatient}).
 * @param options - resolved options ({@link resolveBootstrapOptions}).
 * @param statistic - the quantity to resample, given the replicate's segment indices.
 * @returns the finite replicate values, sorted ascending, and the number skipped.
 * @example
 * const { replicates } = resamplePatients(groupByPatient(ids), resolveBootstrapOptions(), (idx) => idx.length);
 */
export function resamplePatients(
  groups: readonly Int32Array[],
  options: ResolvedBootstrapOptions,
  statistic: (indices: Int32Array) => number,
): { replicates: Float64Array; skipped: number } {
  const rng = createPrng(options.seed);
  const values: number[] = [];
  let skipped = 0;
  for (let r = 0; r < options.iterations; r++) {
    const drawn: Int32Array[] = [];
    let total = 0;
    for (let p = 0; p < groups.length; p++) {
      const group = groups[rng.int(groups.length)]!;
      drawn.push(group);
      total += group.length;
    }
    const indices = new Int32Array(total);
    let offset = 0;
    for (const group of drawn) {
      indices.set(group, offset);
      offset += group.length;
    }
    const value = statistic(indices);
    if (Number.isFinite(value)) values.push(value);
    else skipped++;
  }
  return { replicates: Float64Array.from(values).sort(), skipped };
}

/**
 * Quantile of ascending-sorted values with linear interpolation (NumPy's default).
 * @param sorted - values sorted ascending.
 * @param q - quantile in [0, 1].
 * @returns NaN for an empty array.
 * @example
 * quantileSorted(Float64Array.of(1, 2, 3, 4), 0.5); // 2.5
 */
export function quantileSorted(sorted: NumericArray, q: number): number {
  if (sorted.length === 0) return NaN;
  const position = q * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/**
 * Two-sided percentile interval of ascending-sorted bootstrap replicates.
 * @param sorted - replicate values sorted ascending.
 * @param confidence - level in (0, 1), e.g. 0.95 for the 2.5th and 97.5th percentiles.
 * @returns NaN bounds when there is no replicate.
 * @example
 * percentileInterval(Float64Array.of(1, 2, 3), 0.5); // { low: 1.5, high: 2.5 }
 */
export function percentileInterval(sorted: NumericArray, confidence: number): { low: number; high: number } {
  const alpha = 1 - confidence;
  return { low: quantileSorted(sorted, alpha / 2), high: quantileSorted(sorted, 1 - alpha / 2) };
}

/**
 * Copies the entries of `values` at `indices` into a Float64Array.
 * @param values - source values.
 * @param indices - positions to take, repeats allowed.
 * @example
 * gather([5, 6, 7], Int32Array.of(2, 2, 0)); // Float64Array [7, 7, 5]
 */
export function gather(values: NumericArray, indices: Int32Array): Float64Array {
  const out = new Float64Array(indices.length);
  for (let i = 0; i < indices.length; i++) out[i] = values[indices[i]!]!;
  return out;
}

/**
 * Validates per-segment labels, score arrays and patient ids (equal lengths, integer
 * labels, finite scores) and groups the segments by patient.
 * @param yTrue - true label per segment.
 * @param patientIds - patient id per segment.
 * @param scores - named score arrays, one value per segment each.
 * @throws {ShapeError | ArgumentRangeError | NonFiniteError} on invalid data.
 * @example
 * patientGroups([0, 1], ['a', 'b'], { scores: [0.2, 0.9] }); // [Int32Array [0], Int32Array [1]]
 */
export function patientGroups(
  yTrue: NumericArray,
  patientIds: ArrayLike<string | number>,
  scores: Record<string, unknown>,
): Int32Array[] {
  assertLabels('yTrue', yTrue);
  const named: Record<string, ArrayLike<unknown>> = { yTrue, patientIds };
  for (const [name, values] of Object.entries(scores)) named[name] = assertFiniteScores(name, values);
  assertSameLength(named);
  return groupByPatient(patientIds);
}

/**
 * Point estimate and percentile bootstrap confidence interval of a metric, resampling
 * patients (all segments of each drawn patient).
 * @param metric - metric of (labels, scores), e.g. `auroc`.
 * @param data - `yTrue`, `scores` and `patientIds`, one entry per segment.
 * @param options - `iterations` (default 1000), `confidence` (default 0.95), `seed` (default 0).
 * @returns `{ value, low, high, n, ... }` with n the number of patients.
 * @throws {ShapeError} on mismatched lengths or empty data.
 * @throws {ArgumentRangeError} on non-integer labels or invalid options.
 * @throws {NonFiniteError} on NaN or infinite scores.
 * @example
 * const ci = patientBootstrap(auroc, { yTrue, scores, patientIds }, { seed: 1 });
 * console.log(`${ci.value.toFixed(3)} (95% CI ${ci.low.toFixed(3)}-${ci.high.toFixed(3)}, ${ci.n} patients)`);
 */
export function patientBootstrap(
  metric: SegmentMetric,
  data: PatientScores,
  options: BootstrapOptions = {},
): ConfidenceInterval {
  const resolved = resolveBootstrapOptions(options);
  const groups = patientGroups(data.yTrue, data.patientIds, { scores: data.scores });
  const yTrue = Float64Array.from(data.yTrue);
  const scores = Float64Array.from(data.scores);
  const { replicates, skipped } = resamplePatients(groups, resolved, (idx) =>
    metric(gather(yTrue, idx), gather(scores, idx)),
  );
  return {
    value: metric(yTrue, scores),
    ...percentileInterval(replicates, resolved.confidence),
    n: groups.length,
    segments: yTrue.length,
    iterations: replicates.length,
    skipped,
    confidence: resolved.confidence,
  };
}
