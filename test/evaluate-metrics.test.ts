import test from 'ava';
import {
  ArgumentRangeError, NonFiniteError, ShapeError, accuracy, auprc, auroc, balancedAccuracy, binaryCounts,
  confusionMatrix, f1Score, macroAuroc, macroAverages, midranks, perClassMetrics, precision, sensitivity, specificity,
} from 'ecg-ldm';

const yTrue = [1, 1, 1, 1, 0, 0, 0, 0, 0, 1];
const yPred = [1, 1, 0, 1, 0, 1, 0, 0, 0, 0];
// by hand: tp 3, fn 2, fp 1, tn 4

test('binary counts and threshold metrics match hand-computed values', (t) => {
  t.deepEqual(binaryCounts(yTrue, yPred), { tp: 3, fp: 1, tn: 4, fn: 2 });
  t.is(accuracy(yTrue, yPred), 0.7);
  t.is(sensitivity(yTrue, yPred), 3 / 5);
  t.is(specificity(yTrue, yPred), 4 / 5);
  t.is(precision(yTrue, yPred), 3 / 4);
  t.is(f1Score(yTrue, yPred), 6 / 9);
  t.is(balancedAccuracy(yTrue, yPred), (3 / 5 + 4 / 5) / 2);
  t.deepEqual(confusionMatrix(yTrue, yPred), [[4, 1], [2, 3]]);
});

test('zero denominators give 0 (scikit-learn zero_division=0)', (t) => {
  t.is(precision([1, 0], [0, 0]), 0);
  t.is(f1Score([0, 0], [0, 0]), 0);
});

test('multi-class per-class and macro metrics', (t) => {
  const y = [0, 0, 1, 1, 2, 2, 2];
  const p = [0, 1, 1, 1, 2, 2, 0];
  const per = perClassMetrics(y, p);
  t.is(per.length, 3);
  t.is(per[0]!.precision, 1 / 2); // predicted 0: samples 0 (ok), 6 (wrong)
  t.is(per[1]!.sensitivity, 1);
  t.is(per[2]!.sensitivity, 2 / 3);
  t.is(per[2]!.specificity, 1);
  t.is(per[2]!.support, 3);
  const macro = macroAverages(y, p);
  t.is(macro.sensitivity, (1 / 2 + 1 + 2 / 3) / 3);
  t.is(balancedAccuracy(y, p), macro.sensitivity);
  t.is(macro.accuracy, 5 / 7);
  t.deepEqual(confusionMatrix(y, p, 4)[3], [0, 0, 0, 0]);
});

test('midranks give tied values the mean rank', (t) => {
  t.deepEqual(Array.from(midranks([0.3, 0.1, 0.3, 0.2])), [3.5, 1, 3.5, 2]);
});

test('AUROC equals Mann-Whitney U / (n0 n1), ties counted half', (t) => {
  const scores = [0.9, 0.8, 0.55, 0.4, 0.5, 0.3, 0.2, 0.6, 0.1, 0.7];
  // brute-force U over all positive/negative pairs
  let u = 0;
  let pairs = 0;
  for (let i = 0; i < yTrue.length; i++) {
    for (let j = 0; j < yTrue.length; j++) {
      if (yTrue[i] === 1 && yTrue[j] === 0) {
        pairs++;
        u += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
  }
  t.is(auroc(yTrue, scores), u / pairs);
  t.is(auroc(yTrue, scores), 0.88); // scipy mannwhitneyu U / (m n)
  t.is(auroc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5);
  t.is(auroc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
  t.true(Number.isNaN(auroc([1, 1], [0.2, 0.3])));
});

test('AUPRC is average precision (scikit-learn example 0.8333)', (t) => {
  t.true(Math.abs(auprc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) - 0.8333333333) < 1e-9);
  t.is(auprc([0, 1, 1], [0.1, 0.9, 0.8]), 1);
  // all tied: precision = prevalence at the single threshold
  t.is(auprc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5);
});

test('macro one-vs-rest AUROC', (t) => {
  t.is(macroAuroc([0, 1, 2], [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]]), 1);
  const error = t.throws(() => macroAuroc([0, 1], [[0.5, 0.5], [1]]), { instanceOf: ShapeError });
  t.regex(error!.message, /probabilities\[1\]/);
});

test('invalid inputs throw typed errors', (t) => {
  t.throws(() => accuracy([0, 1], [0]), { instanceOf: ShapeError });
  t.throws(() => accuracy([0, 1.5], [0, 1]), { instanceOf: ArgumentRangeError });
  t.throws(() => sensitivity([0, 2], [0, 1]), { instanceOf: ArgumentRangeError });
  t.throws(() => auroc([0, 1], [0.1, Number.NaN]), { instanceOf: NonFiniteError });
  t.throws(() => auroc([], []), { instanceOf: ShapeError });
  t.throws(() => accuracy('01' as unknown as number[], [0, 1]), { instanceOf: TypeError });
});
