/**
 * Classification metrics on plain arrays: confusion matrix, accuracy, balanced
 * accuracy, sensitivity, specificity, precision, F1, per-class and macro averages,
 * and the threshold-free AUROC (rank-based, ties as half) and AUPRC (average precision).
 *
 * Conventions (as scikit-learn with `zero_division=0`): a ratio whose denominator is 0
 * is 0. AUROC and AUPRC are undefined when only one class is present and return NaN
 * (bootstrap replicates with NaN are skipped, see `bootstrap.ts`).
 * @module
 */
import { ShapeError } from '../errors';
import { assertInteger } from '../is';
import {
  assertBinaryLabels,
  assertFiniteScores,
  assertLabels,
  assertSameLength,
  type NumericArray,
} from './validate';

/** Binary confusion counts, positive class 1. */
export interface BinaryCounts {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Metrics of one class taken as positive against the rest. */
export interface ClassMetrics {
  /** Class index. */
  label: number;
  /** TP / (TP + FP). */
  precision: number;
  /** TP / (TP + FN), also called sensitivity or recall. */
  sensitivity: number;
  /** TN / (TN + FP). */
  specificity: number;
  /** 2 TP / (2 TP + FP + FN). */
  f1: number;
  /** Number of true members of the class. */
  support: number;
}

/** Unweighted means of the per-class metrics. */
export interface MacroAverages {
  precision: number;
  /** Macro sensitivity, which is the balanced accuracy. */
  sensitivity: number;
  specificity: number;
  f1: number;
  /** Fraction of correct predictions. */
  accuracy: number;
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/**
 * Confusion matrix: `matrix[t][p]` counts samples of true class `t` predicted as `p`.
 * @param yTrue - true labels, integers in [0, numClasses).
 * @param yPred - predicted labels, same length.
 * @param numClasses - number of classes (default: 1 + the largest label seen, at least 2).
 * @throws {ShapeError} when the lengths differ or the arrays are empty.
 * @throws {ArgumentRangeError} when a label is not a non-negative integer below numClasses, or numClasses is not a positive integer.
 * @example
 * confusionMatrix([0, 1, 1], [0, 1, 0]); // [[1, 0], [1, 1]]
 */
export function confusionMatrix(yTrue: NumericArray, yPred: NumericArray, numClasses?: number): number[][] {
  if (numClasses !== undefined) assertInteger('numClasses', numClasses, 1);
  const k = Math.max(2, numClasses ?? Math.max(assertLabels('yTrue', yTrue), assertLabels('yPred', yPred)));
  assertLabels('yTrue', yTrue, k);
  assertLabels('yPred', yPred, k);
  const n = assertSameLength({ yTrue, yPred });
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < n; i++) matrix[yTrue[i]!]![yPred[i]!]! += 1;
  return matrix;
}

/** One-vs-rest metrics of class `label` from a confusion matrix. */
function classMetricsFromMatrix(matrix: number[][], label: number): ClassMetrics {
  let total = 0;
  let predicted = 0;
  for (let t = 0; t < matrix.length; t++) {
    for (let p = 0; p < matrix.length; p++) total += matrix[t]![p]!;
    predicted += matrix[t]![label]!;
  }
  const support = matrix[label]!.reduce((a, b) => a + b, 0);
  const tp = matrix[label]![label]!;
  const fp = predicted - tp;
  const fn = support - tp;
  const tn = total - tp - fp - fn;
  return {
    label,
    precision: ratio(tp, tp + fp),
    sensitivity: ratio(tp, tp + fn),
    specificity: ratio(tn, tn + fp),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    support,
  };
}

/**
 * Binary confusion counts with class 1 as positive.
 * @param yTrue - true labels, 0 or 1.
 * @param yPred - predicted labels, 0 or 1.
 * @throws {ShapeError | ArgumentRangeError} on mismatched lengths or labels outside {0, 1}.
 * @example
 * binaryCounts([1, 0, 1], [1, 1, 0]); // { tp: 1, fp: 1, tn: 0, fn: 1 }
 */
export function binaryCounts(yTrue: NumericArray, yPred: NumericArray): BinaryCounts {
  assertBinaryLabels('yTrue', yTrue);
  assertBinaryLabels('yPred', yPred);
  const m = confusionMatrix(yTrue, yPred, 2);
  return { tn: m[0]![0]!, fp: m[0]![1]!, fn: m[1]![0]!, tp: m[1]![1]! };
}

/**
 * Per-class one-vs-rest precision, sensitivity, specificity, F1 and support.
 * @param yTrue - true labels, integers in [0, numClasses).
 * @param yPred - predicted labels.
 * @param numClasses - number of classes (default: 1 + the largest label, at least 2).
 * @throws {ShapeError | ArgumentRangeError} on invalid labels.
 * @example
 * perClassMetrics([0, 1, 2, 2], [0, 2, 2, 2])[2].precision; // 2/3
 */
export function perClassMetrics(yTrue: NumericArray, yPred: NumericArray, numClasses?: number): ClassMetrics[] {
  const matrix = confusionMatrix(yTrue, yPred, numClasses);
  return matrix.map((_, label) => classMetricsFromMatrix(matrix, label));
}

/**
 * Macro (unweighted) averages over classes, plus overall accuracy.
 * @param yTrue - true labels, integers in [0, numClasses).
 * @param yPred - predicted labels.
 * @param numClasses - number of classes (default: 1 + the largest label, at least 2).
 * @throws {ShapeError | ArgumentRangeError} on invalid labels.
 * @example
 * macroAverages([0, 0, 1, 1], [0, 1, 1, 1]).sensitivity; // 0.75 (the balanced accuracy)
 */
export function macroAverages(yTrue: NumericArray, yPred: NumericArray, numClasses?: number): MacroAverages {
  const perClass = perClassMetrics(yTrue, yPred, numClasses);
  const mean = (key: 'precision' | 'sensitivity' | 'specificity' | 'f1'): number =>
    perClass.reduce((sum, c) => sum + c[key], 0) / perClass.length;
  return {
    precision: mean('precision'),
    sensitivity: mean('sensitivity'),
    specificity: mean('specificity'),
    f1: mean('f1'),
    accuracy: accuracy(yTrue, yPred),
  };
}

/**
 * Fraction of predictions equal to the true label (any number of classes).
 * @param yTrue - true labels (non-negative integers).
 * @param yPred - predicted labels.
 * @throws {ShapeError | ArgumentRangeError} on invalid labels.
 * @example
 * accuracy([0, 1, 1, 0], [0, 1, 0, 0]); // 0.75
 */
export function accuracy(yTrue: NumericArray, yPred: NumericArray): number {
  assertLabels('yTrue', yTrue);
  assertLabels('yPred', yPred);
  const n = assertSameLength({ yTrue, yPred });
  let correct = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / n;
}

/**
 * Balanced accuracy: the mean over classes of each class's sensitivity (recall).
 * @param yTrue - true labels.
 * @param yPred - predicted labels.
 * @param numClasses - number of classes (default: 1 + the largest label, at least 2).
 * @throws {ShapeError | ArgumentRangeError} on invalid labels.
 * @example
 * balancedAccuracy([0, 0, 0, 1], [0, 0, 0, 0]); // 0.5
 */
export function balancedAccuracy(yTrue: NumericArray, yPred: NumericArray, numClasses?: number): number {
  return macroAverages(yTrue, yPred, numClasses).sensitivity;
}

/**
 * Sensitivity (recall, true-positive rate) of the positive class 1.
 * @param yTrue - true labels, 0 or 1.
 * @param yPred - predicted labels, 0 or 1.
 * @throws {ShapeError | ArgumentRangeError} on invalid labels.
 * @example
 * sensitivity([1, 1, 0], [1, 0, 0]); // 0.5
 */
export function sensitivity(yTrue: NumericArray, yPred: NumericArray): number {
  const { tp, fn } = binaryCounts(yTrue, yPred);
  return ratio(tp, tp + fn);
}

/**
 * Specificity (true-negative rate) with class 1 as positive.
 * @param yTrue - true labels, 0 or 1.
 * @param yPred - predicted labels, 0 or 1.
 * @throws {ShapeError | ArgumentRangeError} on invalid labels.
 * @example
 * specificity([0, 0, 1], [0, 1, 1]); // 0.5
 */
export function specificity(yTrue: NumericArray, yPred: NumericArray): number {
  const { tn, fp } = binaryCounts(yTrue, yPred);
  return ratio(tn, tn + fp);
}

/**
 * Precision (positive predictive value) of class 1.
 * @param yTrue - true labels, 0 or 1.
 * @param yPred - predicted labels, 0 or 1.
 * @throws {ShapeError | ArgumentRangeError} on invalid labels.
 * @example
 * precision([1, 0, 1], [1, 1, 1]); // 2/3
 */
export function precision(yTrue: NumericArray, yPred: NumericArray): number {
  const { tp, fp } = binaryCounts(yTrue, yPred);
  return ratio(tp, tp + fp);
}

/**
 * F1 score of class 1: the harmonic mean of precision and sensitivity.
 * @param yTrue - true labels, 0 or 1.
 * @param yPred - predicted labels, 0 or 1.
 * @throws {ShapeError | ArgumentRangeError} on invalid labels.
 * @example
 * f1Score([1, 0, 1, 1], [1, 1, 0, 1]); // 2*2 / (2*2 + 1 + 1) = 2/3
 */
export function f1Score(yTrue: NumericArray, yPred: NumericArray): number {
  const { tp, fp, fn } = binaryCounts(yTrue, yPred);
  return ratio(2 * tp, 2 * tp + fp + fn);
}

/**
 * Midranks (1-based; tied values share the mean of their ranks) of `values`.
 * Used by {@link auroc} and by the DeLong test.
 * @param values - finite numbers (not checked; callers validate).
 * @example
 * midranks([0.3, 0.1, 0.3, 0.2]); // Float64Array [3.5, 1, 3.5, 2]
 */
export function midranks(values: NumericArray): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = rank;
    i = j + 1;
  }
  return ranks;
}

/**
 * Area under the ROC curve, from ranks: (R1 - n1(n1+1)/2) / (n1 n0), where R1 is the
 * sum of the positives' midranks. Equals the Mann-Whitney U of the positives divided
 * by n1 n0, i.e. P(score of a positive > score of a negative) + 0.5 P(tie).
 * @param yTrue - true labels, 0 or 1.
 * @param scores - any finite scores, larger meaning more likely class 1.
 * @returns the AUROC, or NaN when only one class is present.
 * @throws {ShapeError | ArgumentRangeError} on invalid labels or lengths.
 * @throws {NonFiniteError} when a score is NaN or infinite.
 * @example
 * auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 */
export function auroc(yTrue: NumericArray, scores: NumericArray): number {
  assertBinaryLabels('yTrue', yTrue);
  assertFiniteScores('scores', scores);
  const n = assertSameLength({ yTrue, scores });
  const ranks = midranks(scores);
  let n1 = 0;
  let rankSum = 0;
  for (let i = 0; i < n; i++) {
    if (yTrue[i] === 1) {
      n1++;
      rankSum += ranks[i]!;
    }
  }
  const n0 = n - n1;
  if (n1 === 0 || n0 === 0) return NaN;
  return (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * n0);
}

/**
 * Area under the precision-recall curve as average precision (scikit-learn's
 * `average_precision_score`): sum over score thresholds of (R_k - R_{k-1}) P_k, tied
 * scores forming one threshold.
 * @param yTrue - true labels, 0 or 1.
 * @param scores - any finite scores, larger meaning more likely class 1.
 * @returns the average precision, or NaN when there is no positive.
 * @throws {ShapeError | ArgumentRangeError} on invalid labels or lengths.
 * @throws {NonFiniteError} when a score is NaN or infinite.
 * @example
 * auprc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.8333...
 */
export function auprc(yTrue: NumericArray, scores: NumericArray): number {
  assertBinaryLabels('yTrue', yTrue);
  assertFiniteScores('scores', scores);
  const n = assertSameLength({ yTrue, scores });
  let positives = 0;
  for (let i = 0; i < n; i++) positives += yTrue[i]!;
  if (positives === 0) return NaN;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let tp = 0;
  let fp = 0;
  let previousRecall = 0;
  let ap = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    // all samples tied at this score enter together
    while (j < n && scores[order[j]!] === scores[order[i]!]) {
      if (yTrue[order[j]!] === 1) tp++;
      else fp++;
      j++;
    }
    const recall = tp / positives;
    ap += (recall - previousRecall) * (tp / (tp + fp));
    previousRecall = recall;
    i = j;
  }
  return ap;
}

/**
 * Macro one-vs-rest AUROC for multi-class probabilities.
 * @param yTrue - true labels, integers in [0, numClasses).
 * @param probabilities - one row per sample, `numClasses` scores each.
 * @returns the mean over classes of the AUROC of "class c vs rest"; classes without
 *   both members and non-members are left out (NaN if none remains).
 * @throws {ShapeError} when a row length differs from the others or the sample count differs.
 * @example
 * macroAuroc([0, 1, 2], [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]]); // 1
 */
export function macroAuroc(yTrue: NumericArray, probabilities: readonly NumericArray[]): number {
  assertSameLength({ yTrue, probabilities });
  const k = probabilities[0]?.length ?? 0;
  assertLabels('yTrue', yTrue, k);
  const values: number[] = [];
  for (let c = 0; c < k; c++) {
    const isClass = Array.from(yTrue, (y) => (y === c ? 1 : 0));
    const column = probabilities.map((row, i) => {
      if (row.length !== k) throw new ShapeError(`Expected ${k} values in probabilities[${i}] but received ${row.length}`);
      return row[c]!;
    });
    const value = auroc(isClass, column);
    if (!Number.isNaN(value)) values.push(value);
  }
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

