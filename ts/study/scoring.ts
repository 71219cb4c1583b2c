/**
 * Test-set metrics of study runs with patient-bootstrap intervals, and paired
 * comparisons of two arms on the same test patients.
 *
 * The evaluate module's bootstrap resamples one score per segment. A study metric
 * needs whole probability rows, and averages over repeats, so the "score" handed to
 * the bootstrap is a code: arm x N + segment index. The metric decodes it, gathers the
 * resampled rows of every repeat of that arm, and returns the metric averaged over the
 * repeats. In a paired comparison arm A's codes are 0..N-1 and arm B's N..2N-1, so both
 * are evaluated on the same resampled patients in each replicate.
 * @module
 */
import { patientBootstrap, type BootstrapOptions, type ConfidenceInterval, type SegmentMetric } from '../evaluate/bootstrap';
import { expectedCalibrationError } from '../evaluate/calibration';
import {
  delongTest,
  mcnemarTest,
  pairedBootstrapDifference,
  type DeLongResult,
  type McNemarResult,
  type PairedDifference,
} from '../evaluate/compare';
import { accuracy, auprc, auroc, balancedAccuracy, f1Score, macroAuroc, sensitivity, specificity } from '../evaluate/metrics';

/** The test set as the scoring sees it. */
export interface TestTruth {
  labels: ArrayLike<number>;
  patients: ArrayLike<string>;
  numClasses: number;
}

/** Probabilities [N, K] of one arm, one array per repeat. */
export type RepeatProbabilities = readonly ArrayLike<number>[];

/** A metric of labels and probability rows. */
interface StudyMetric {
  /** Name in reports. */
  label: string;
  /** Defined for two classes only (class 1 positive). */
  binaryOnly: boolean;
  compute(yTrue: Float64Array, rows: Float64Array, k: number): number;
}

/** Most probable class of each row (the lowest class on ties). */
function argmaxRows(rows: ArrayLike<number>, k: number): Int32Array {
  const out = new Int32Array(rows.length / k);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (rows[i * k + c]! > rows[i * k + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/** Probability of class 1, clamped into [0, 1] against float rounding of the softmax. */
function positiveColumn(rows: Float64Array, k: number): Float64Array {
  return Float64Array.from({ length: rows.length / k }, (_, i) => Math.min(1, Math.max(0, rows[i * k + 1]!)));
}

/** The metrics reported for every run and cell, in report order. */
export const STUDY_METRICS = {
  accuracy: { label: 'Accuracy', binaryOnly: false, compute: (y, rows, k) => accuracy(y, argmaxRows(rows, k)) },
  balancedAccuracy: { label: 'Balanced accuracy', binaryOnly: false, compute: (y, rows, k) => balancedAccuracy(y, argmaxRows(rows, k), k) },
  auroc: {
    label: 'AUROC',
    binaryOnly: false,
    compute: (y, rows, k) =>
      k === 2 ? auroc(y, positiveColumn(rows, k)) : macroAuroc(y, Array.from({ length: y.length }, (_, i) => rows.subarray(i * k, (i + 1) * k))),
  },
  sensitivity: { label: 'Sensitivity', binaryOnly: true, compute: (y, rows, k) => sensitivity(y, argmaxRows(rows, k)) },
  specificity: { label: 'Specificity', binaryOnly: true, compute: (y, rows, k) => specificity(y, argmaxRows(rows, k)) },
  f1: { label: 'F1', binaryOnly: true, compute: (y, rows, k) => f1Score(y, argmaxRows(rows, k)) },
  auprc: { label: 'AUPRC', binaryOnly: true, compute: (y, rows, k) => auprc(y, positiveColumn(rows, k)) },
  ece: { label: 'ECE', binaryOnly: true, compute: (y, rows, k) => expectedCalibrationError(y, positiveColumn(rows, k)) },
} satisfies Record<string, StudyMetric>;

/** Name of a metric in {@link STUDY_METRICS}. */
export type StudyMetricName = keyof typeof STUDY_METRICS;

/**
 * The metric names that apply to `numClasses` classes.
 * @example
 * studyMetricNames(3); // ['accuracy', 'balancedAccuracy', 'auroc']
 */
export function studyMetricNames(numClasses: number): StudyMetricName[] {
  return (Object.keys(STUDY_METRICS) as StudyMetricName[]).filter((name) => numClasses === 2 || !STUDY_METRICS[name].binaryOnly);
}

/** A bootstrap metric over coded segments (see the module note) of the given arms. */
function codedMetric(name: StudyMetricName, arms: readonly RepeatProbabilities[], n: number, k: number): SegmentMetric {
  const metric: StudyMetric = STUDY_METRICS[name];
  return (yTrue, codes) => {
    const repeats = arms[Math.floor(codes[0]! / n)]!;
    const rows = new Float64Array(codes.length * k);
    let sum = 0;
    for (const probabilities of repeats) {
      for (let i = 0; i < codes.length; i++) {
        const segment = codes[i]! % n;
        for (let c = 0; c < k; c++) rows[i * k + c] = probabilities[segment * k + c]!;
      }
      sum += metric.compute(yTrue, rows, k);
    }
    return sum / repeats.length;
  };
}

const codes = (n: number, arm: number): Float64Array => Float64Array.from({ length: n }, (_, i) => arm * n + i);

/**
 * Every applicable metric of an arm, averaged over its repeats, with its patient
 * bootstrap interval (patients resampled; all repeats scored on the same replicate).
 * @param truth - test labels, patients, classes
 * @param repeats - probabilities [N, K] of each repeat
 * @param options - bootstrap `iterations`, `confidence`, `seed`
 * @example
 * metricIntervals(truth, [probs], { iterations: 1000, seed: 0 }).auroc; // { value, low, high, n, ... }
 */
export function metricIntervals(
  truth: TestTruth,
  repeats: RepeatProbabilities,
  options: BootstrapOptions,
): Partial<Record<StudyMetricName, ConfidenceInterval>> {
  const n = truth.labels.length;
  const out: Partial<Record<StudyMetricName, ConfidenceInterval>> = {};
  for (const name of studyMetricNames(truth.numClasses)) {
    out[name] = patientBootstrap(codedMetric(name, [repeats], n, truth.numClasses), { yTrue: truth.labels, scores: codes(n, 0), patientIds: truth.patients }, options);
  }
  return out;
}

/**
 * Paired patient bootstrap of metric(A) - metric(B), each averaged over its repeats.
 * The verdict reads "no significant gain" whenever the interval covers 0.
 * @param truth - test labels, patients, classes
 * @param name - the metric
 * @param a - repeats of arm A (e.g. real + synthetic)
 * @param b - repeats of arm B (the real-only baseline)
 * @param options - bootstrap `iterations`, `confidence`, `seed`
 * @example
 * pairedGain(truth, 'auroc', augmented, baseline, { seed: 0 }).verdict; // 'no significant gain'
 */
export function pairedGain(
  truth: TestTruth,
  name: StudyMetricName,
  a: RepeatProbabilities,
  b: RepeatProbabilities,
  options: BootstrapOptions,
): PairedDifference {
  const n = truth.labels.length;
  return pairedBootstrapDifference(
    codedMetric(name, [a, b], n, truth.numClasses),
    { yTrue: truth.labels, scoresA: codes(n, 0), scoresB: codes(n, 1), patientIds: truth.patients },
    options,
  );
}

/** Tests of one pair of runs (same repeat) on the same test segments. */
export interface PairedRunTests {
  /** McNemar (exact) on the predicted classes. */
  mcnemar: McNemarResult;
  /** DeLong on the class-1 probabilities (two classes, both present in the test set). */
  delong: DeLongResult | null;
}

/**
 * McNemar's and DeLong's tests of run A against run B.
 * @param truth - test labels and classes
 * @param a - probabilities [N, K] of run A
 * @param b - probabilities [N, K] of run B
 * @example
 * pairedRunTests(truth, augmented[0], baseline[0]).mcnemar.pValue;
 */
export function pairedRunTests(truth: TestTruth, a: ArrayLike<number>, b: ArrayLike<number>): PairedRunTests {
  const k = truth.numClasses;
  const mcnemar = mcnemarTest(truth.labels, argmaxRows(a, k), argmaxRows(b, k));
  const labels = new Set(Array.from(truth.labels));
  if (k !== 2 || labels.size !== 2) return { mcnemar, delong: null };
  const positive = (rows: ArrayLike<number>) => positiveColumn(Float64Array.from(rows), k);
  return { mcnemar, delong: delongTest(truth.labels, positive(a), positive(b)) };
}
