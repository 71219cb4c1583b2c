/**
 * Paired comparison of two classifiers on the same segments: McNemar's test on their
 * predicted labels, DeLong's test for two correlated AUROCs, and a paired patient
 * bootstrap of the difference of any metric. A gain is reported as significant only
 * when the interval of the difference excludes 0; otherwise the verdict reads
 * "no significant gain".
 * @module
 */
import { ShapeError } from '../errors';
import { assertOneOf } from '../is';
import {
  gather,
  patientGroups,
  percentileInterval,
  resamplePatients,
  resolveBootstrapOptions,
  type BootstrapOptions,
  type ConfidenceInterval,
  type SegmentMetric,
} from './bootstrap';
import { binomialTwoSidedP, chiSquare1SurvivalP, normalTwoSidedP } from './distributions';
import { midranks } from './metrics';
import { assertBinaryLabels, assertFiniteScores, assertLabels, assertSameLength, type NumericArray } from './validate';

/** Result of {@link mcnemarTest}. */
export interface McNemarResult {
  /** Samples A classified correctly and B did not. */
  b: number;
  /** Samples B classified correctly and A did not. */
  c: number;
  /** min(b, c) for the exact test; (|b - c| - 1)^2 / (b + c) for the continuity test. */
  statistic: number;
  /** Two-sided p-value (1 when b + c = 0). */
  pValue: number;
  method: McNemarMethod;
}

/** `exact`: binomial test on the discordant pairs; `continuity`: chi-square with Edwards' correction. */
export type McNemarMethod = 'exact' | 'continuity';

/**
 * McNemar's test of equal error rates of two classifiers on the same samples.
 * @param yTrue - true labels (non-negative integers).
 * @param predA - labels predicted by classifier A.
 * @param predB - labels predicted by classifier B.
 * @param method - `'exact'` (default) or `'continuity'`.
 * @throws {ShapeError} on mismatched lengths or empty arrays.
 * @throws {ArgumentRangeError} on invalid labels or method.
 * @example
 * mcnemarTest([1, 1, 1, 1], [1, 1, 1, 0], [0, 0, 1, 0]).pValue; // b=2, c=0: exact p = 0.5
 */
export function mcnemarTest(
  yTrue: NumericArray,
  predA: NumericArray,
  predB: NumericArray,
  method: McNemarMethod = 'exact',
): McNemarResult {
  assertOneOf('method', method, ['exact', 'continuity'] as const);
  assertLabels('yTrue', yTrue);
  assertLabels('predA', predA);
  assertLabels('predB', predB);
  const n = assertSameLength({ yTrue, predA, predB });
  let b = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const aRight = predA[i] === yTrue[i];
    const bRight = predB[i] === yTrue[i];
    if (aRight && !bRight) b++;
    else if (bRight && !aRight) c++;
  }
  if (method === 'exact') return { b, c, statistic: Math.min(b, c), pValue: binomialTwoSidedP(b, b + c), method };
  const statistic = b + c === 0 ? 0 : (Math.abs(b - c) - 1) ** 2 / (b + c);
  return { b, c, statistic, pValue: b + c === 0 ? 1 : chiSquare1SurvivalP(statistic), method };
}

/** Result of {@link delongTest}. */
export interface DeLongResult {
  aucA: number;
  aucB: number;
  /** aucA - aucB. */
  difference: number;
  /** DeLong variance of the difference. */
  variance: number;
  /** (aucA - aucB) / sqrt(variance); 0 when both are 0, ±Infinity when only the variance is 0. */
  z: number;
  /** Two-sided normal p-value. */
  pValue: number;
}

/** DeLong structural components of one score vector (Sun & Xu 2014, via midranks). */
function delongComponents(
  scores: NumericArray,
  positives: number[],
  negatives: number[],
): { auc: number; v10: Float64Array; v01: Float64Array } {
  const m = positives.length;
  const n = negatives.length;
  const x = positives.map((i) => scores[i]!);
  const y = negatives.map((i) => scores[i]!);
  const tx = midranks(x);
  const ty = midranks(y);
  const tz = midranks([...x, ...y]);
  let sum = 0;
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    sum += tz[i]!;
    v10[i] = (tz[i]! - tx[i]!) / n; // fraction of negatives below positive i (ties 1/2)
  }
  for (let j = 0; j < n; j++) v01[j] = 1 - (tz[m + j]! - ty[j]!) / m; // fraction of positives above negative j
  return { auc: (sum - (m * (m + 1)) / 2) / (m * n), v10, v01 };
}

/** Sample covariance (denominator length - 1) of two equally long vectors. */
function covariance(a: Float64Array, b: Float64Array): number {
  const k = a.length;
  if (k < 2) return 0;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < k; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= k;
  mb /= k;
  let s = 0;
  for (let i = 0; i < k; i++) s += (a[i]! - ma) * (b[i]! - mb);
  return s / (k - 1);
}

/**
 * DeLong's test for the difference of two correlated AUROCs measured on the same
 * samples (DeLong, DeLong & Clarke-Pearson 1988; fast midrank form of Sun & Xu 2014).
 * Var(A - B) = (S10_AA + S10_BB - 2 S10_AB) / m + (S01_AA + S01_BB - 2 S01_AB) / n.
 * @param yTrue - true labels, 0 or 1, both present.
 * @param scoresA - scores of classifier A (finite).
 * @param scoresB - scores of classifier B (finite).
 * @throws {ShapeError} on mismatched lengths, or when a class is missing.
 * @throws {ArgumentRangeError} on labels outside {0, 1}.
 * @throws {NonFiniteError} on NaN or infinite scores.
 * @example
 * delongTest(yTrue, probsWithSynthetic, probsRealOnly).pValue;
 */
export function delongTest(yTrue: NumericArray, scoresA: NumericArray, scoresB: NumericArray): DeLongResult {
  assertBinaryLabels('yTrue', yTrue);
  assertFiniteScores('scoresA', scoresA);
  assertFiniteScores('scoresB', scoresB);
  const total = assertSameLength({ yTrue, scoresA, scoresB });
  const positives: number[] = [];
  const negatives: number[] = [];
  for (let i = 0; i < total; i++) (yTrue[i] === 1 ? positives : negatives).push(i);
  if (positives.length === 0 || negatives.length === 0) {
    throw new ShapeError('Expected both classes in yTrue for the DeLong test but received only one');
  }
  const a = delongComponents(scoresA, positives, negatives);
  const b = delongComponents(scoresB, positives, negatives);
  const varianceOf = (u: Float64Array, v: Float64Array): number =>
    covariance(u, u) + covariance(v, v) - 2 * covariance(u, v);
  const variance =
    varianceOf(a.v10, b.v10) / positives.length + varianceOf(a.v01, b.v01) / negatives.length;
  const difference = a.auc - b.auc;
  const z = difference === 0 ? 0 : difference / Math.sqrt(Math.max(variance, 0));
  return { aucA: a.auc, aucB: b.auc, difference, variance, z, pValue: normalTwoSidedP(z) };
}

/** How a paired difference A - B reads in a report. */
export type GainVerdict = 'significant gain' | 'significant loss' | 'no significant gain';

/** Result of {@link pairedBootstrapDifference}: the interval of metric(A) - metric(B). */
export interface PairedDifference extends ConfidenceInterval {
  /** True when the interval excludes 0 (false when it covers 0 or is undefined). */
  significant: boolean;
  /** "significant gain" (low > 0), "significant loss" (high < 0), else "no significant gain". */
  verdict: GainVerdict;
}

/** Segments scored by two classifiers, with their patients. */
export interface PairedPatientScores {
  yTrue: NumericArray;
  /** Scores of classifier A (e.g. trained with synthetic data). */
  scoresA: NumericArray;
  /** Scores of classifier B (e.g. the real-data baseline). */
  scoresB: NumericArray;
  patientIds: ArrayLike<string | number>;
}

/**
 * Paired patient bootstrap of metric(A) - metric(B): both classifiers are evaluated on
 * the same resampled patients in each replicate, so their correlation is kept.
 * @param metric - metric of (labels, scores), e.g. `auroc`.
 * @param data - `yTrue`, `scoresA`, `scoresB`, `patientIds`, one entry per segment.
 * @param options - `iterations` (default 1000), `confidence` (default 0.95), `seed` (default 0).
 * @throws {ShapeError | ArgumentRangeError | NonFiniteError} on invalid data or options.
 * @example
 * const d = pairedBootstrapDifference(auroc, { yTrue, scoresA, scoresB, patientIds });
 * console.log(`AUROC ${d.value.toFixed(3)} [${d.low.toFixed(3)}, ${d.high.toFixed(3)}]: ${d.verdict}`);
 */
export function pairedBootstrapDifference(
  metric: SegmentMetric,
  data: PairedPatientScores,
  options: BootstrapOptions = {},
): PairedDifference {
  const resolved = resolveBootstrapOptions(options);
  const groups = patientGroups(data.yTrue, data.patientIds, { scoresA: data.scoresA, scoresB: data.scoresB });
  const yTrue = Float64Array.from(data.yTrue);
  const scoresA = Float64Array.from(data.scoresA);
  const scoresB = Float64Array.from(data.scoresB);
  const { replicates, skipped } = resamplePatients(groups, resolved, (idx) => {
    const y = gather(yTrue, idx);
    return metric(y, gather(scoresA, idx)) - metric(y, gather(scoresB, idx));
  });
  const { low, high } = percentileInterval(replicates, resolved.confidence);
  const verdict: GainVerdict = low > 0 ? 'significant gain' : high < 0 ? 'significant loss' : 'no significant gain';
  return {
    value: metric(yTrue, scoresA) - metric(yTrue, scoresB),
    low,
    high,
    n: groups.length,
    segments: yTrue.length,
    iterations: replicates.length,
    skipped,
    confidence: resolved.confidence,
    significant: verdict !== 'no significant gain',
    verdict,
  };
}
