import test from 'ava';
import { ShapeError, accuracy, auroc, groupByPatient, patientBootstrap, percentileInterval, quantileSorted } from 'ecg-ldm';

/** Deterministic synthetic segments: `patients` patients with `perPatient` segments each. */
function synthetic(patients: number, perPatient: number, seed = 1) {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const yTrue: number[] = [];
  const scores: number[] = [];
  const patientIds: string[] = [];
  for (let p = 0; p < patients; p++) {
    const label = p % 2;
    const patientShift = (rand() - 0.5) * 0.6; // patient effect: segments are correlated
    for (let k = 0; k < perPatient; k++) {
      yTrue.push(label);
      scores.push(Math.min(1, Math.max(0, 0.5 + (label ? 0.15 : -0.15) + patientShift + (rand() - 0.5) * 0.2)));
      patientIds.push(`p${p}`);
    }
  }
  return { yTrue, scores, patientIds };
}

const accuracyAtHalf = (y: Float64Array, s: Float64Array) => accuracy(y, Array.from(s, (v) => (v >= 0.5 ? 1 : 0)));

test('groupByPatient keeps first-appearance order', (t) => {
  t.deepEqual(groupByPatient(['a', 'b', 'a', 3]).map((g) => Array.from(g)), [[0, 2], [1], [3]]);
  t.throws(() => groupByPatient([]), { instanceOf: ShapeError });
});

test('quantile uses linear interpolation (NumPy default)', (t) => {
  t.is(quantileSorted(Float64Array.of(1, 2, 3, 4), 0.5), 2.5);
  t.is(quantileSorted(Float64Array.of(1, 2, 3, 4), 0.025), 1.075);
  t.deepEqual(percentileInterval(Float64Array.of(1, 2, 3), 0.5), { low: 1.5, high: 2.5 });
  t.true(Number.isNaN(percentileInterval(new Float64Array(0), 0.95).low));
});

test('interval contains the point estimate; n counts patients; seeded', (t) => {
  const data = synthetic(40, 5);
  const ci = patientBootstrap(auroc, data, { iterations: 500, seed: 3 });
  t.is(ci.n, 40);
  t.is(ci.segments, 200);
  t.is(ci.value, auroc(data.yTrue, data.scores));
  t.true(ci.low <= ci.value && ci.value <= ci.high, JSON.stringify(ci));
  t.deepEqual(patientBootstrap(auroc, data, { iterations: 500, seed: 3 }), ci);
  t.notDeepEqual(patientBootstrap(auroc, data, { iterations: 500, seed: 4 }), ci);
});

test('interval narrows with more patients', (t) => {
  const small = patientBootstrap(accuracyAtHalf, synthetic(20, 5), { iterations: 400 });
  const large = patientBootstrap(accuracyAtHalf, synthetic(400, 5), { iterations: 400 });
  t.true(large.high - large.low < (small.high - small.low) / 2, `${small.high - small.low} vs ${large.high - large.low}`);
});

test('resamples patients, not segments: duplicated segments add no information', (t) => {
  const one = synthetic(30, 1);
  // every patient's segment repeated 10 times, kept together
  const repeated = {
    yTrue: one.yTrue.flatMap((v) => Array(10).fill(v)),
    scores: one.scores.flatMap((v) => Array(10).fill(v)),
    patientIds: one.patientIds.flatMap((v) => Array(10).fill(v)),
  };
  const perPatient = patientBootstrap(accuracyAtHalf, one, { iterations: 300, seed: 9 });
  const grouped = patientBootstrap(accuracyAtHalf, repeated, { iterations: 300, seed: 9 });
  t.is(grouped.low, perPatient.low);
  t.is(grouped.high, perPatient.high);
  // treating each segment as its own patient would (wrongly) shrink the interval
  const naive = patientBootstrap(accuracyAtHalf, { ...repeated, patientIds: repeated.yTrue.map((_, i) => i) }, {
    iterations: 300,
    seed: 9,
  });
  t.true(naive.high - naive.low < grouped.high - grouped.low);
});

test('replicates with an undefined metric are skipped and counted', (t) => {
  const ci = patientBootstrap(auroc, { yTrue: [0, 1, 1], scores: [0.1, 0.8, 0.7], patientIds: ['a', 'b', 'c'] }, {
    iterations: 200,
  });
  t.true(ci.skipped > 0);
  t.is(ci.iterations + ci.skipped, 200);
});

test('bootstrap validates data and options', (t) => {
  const data = synthetic(4, 2);
  t.throws(() => patientBootstrap(auroc, { ...data, patientIds: data.patientIds.slice(1) }), { instanceOf: ShapeError });
  t.throws(() => patientBootstrap(auroc, data, { confidence: 1 }), { instanceOf: RangeError });
  t.throws(() => patientBootstrap(auroc, data, { iterations: 0 }), { instanceOf: RangeError });
  t.throws(() => patientBootstrap(auroc, { ...data, scores: data.scores.map(() => Number.NaN) }), {
    code: 'E_NONFINITE',
  } as never);
});
