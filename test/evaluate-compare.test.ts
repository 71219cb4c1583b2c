import test from 'ava';
import { ShapeError, auroc, delongTest, mcnemarTest, pairedBootstrapDifference } from 'ecg-ldm';

test('McNemar exact: two-sided binomial on discordant pairs (scipy binomtest)', (t) => {
  // A right / B wrong on 2 samples, B right / A wrong on 7
  const y = Array(12).fill(1);
  const a = [1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1];
  const b = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
  const r = mcnemarTest(y, a, b);
  t.is(r.b, 2);
  t.is(r.c, 7);
  t.is(r.pValue, 0.1796875);
  t.is(mcnemarTest(y, a, a).pValue, 1);
});

test('McNemar with continuity correction (scipy chi2.sf)', (t) => {
  const y = Array(10).fill(0);
  const a = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
  const b = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
  const r = mcnemarTest(y, a, b, 'continuity');
  t.is(r.statistic, 2.5);
  t.true(Math.abs(r.pValue - 0.11384629800665763) < 1e-6);
  t.throws(() => mcnemarTest(y, a, b, 'wald' as never), { instanceOf: RangeError });
});

test('DeLong matches the pairwise definition (numpy reference)', (t) => {
  const y = [1, 1, 1, 1, 0, 0, 0, 0, 0, 1];
  const sA = [0.9, 0.8, 0.55, 0.4, 0.5, 0.3, 0.2, 0.6, 0.1, 0.7];
  const sB = [0.7, 0.6, 0.55, 0.3, 0.6, 0.4, 0.2, 0.55, 0.3, 0.5];
  const r = delongTest(y, sA, sB);
  t.true(Math.abs(r.aucA - 0.88) < 1e-12);
  t.true(Math.abs(r.aucB - 0.7) < 1e-12);
  t.true(Math.abs(r.variance - 0.0128) < 1e-12);
  t.true(Math.abs(r.z - 1.5909902576697323) < 1e-9);
  t.true(Math.abs(r.pValue - 0.1116117682982921) < 1e-6);
  const same = delongTest(y, sA, sA);
  t.is(same.difference, 0);
  t.is(same.pValue, 1);
  t.throws(() => delongTest([1, 1], [0.1, 0.2], [0.3, 0.4]), { instanceOf: ShapeError });
});

function pairedData(patients: number, gain: number) {
  let s = 7;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const yTrue: number[] = [];
  const scoresA: number[] = [];
  const scoresB: number[] = [];
  const patientIds: number[] = [];
  for (let p = 0; p < patients; p++) {
    for (let k = 0; k < 3; k++) {
      const label = p % 2;
      const noise = rand() - 0.5;
      scoresB.push(label * 0.2 + noise);
      scoresA.push(label * (0.2 + gain) + noise + (rand() - 0.5) * 0.1);
      yTrue.push(label);
      patientIds.push(p);
    }
  }
  return { yTrue, scoresA, scoresB, patientIds };
}

test('paired bootstrap: identical classifiers give "no significant gain"', (t) => {
  const d = pairedData(30, 0);
  const r = pairedBootstrapDifference(auroc, { ...d, scoresA: d.scoresB }, { iterations: 200 });
  t.is(r.value, 0);
  t.is(r.low, 0);
  t.is(r.high, 0);
  t.false(r.significant);
  t.is(r.verdict, 'no significant gain');
});

test('paired bootstrap: a clear gain is significant, a tiny one on few patients is not', (t) => {
  const clear = pairedBootstrapDifference(auroc, pairedData(200, 0.8), { iterations: 300 });
  t.true(clear.low > 0, JSON.stringify(clear));
  t.true(clear.significant);
  t.is(clear.verdict, 'significant gain');
  t.is(clear.n, 200);
  const tiny = pairedBootstrapDifference(auroc, pairedData(12, 0.01), { iterations: 300 });
  t.true(tiny.low <= 0 && tiny.high >= 0, JSON.stringify(tiny));
  t.false(tiny.significant);
  t.is(tiny.verdict, 'no significant gain');
  const loss = pairedBootstrapDifference(auroc, { ...pairedData(200, 0.8), scoresA: pairedData(200, 0.8).scoresB, scoresB: pairedData(200, 0.8).scoresA }, { iterations: 300 });
  t.is(loss.verdict, 'significant loss');
});
