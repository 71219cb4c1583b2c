// Real-vs-synthetic forest and segment statistics on the bundled LUDB segments: a copy of
// the real data cannot be told apart, flat lines can; heart rates come out plausible.
import test from 'ava';
import { ShapeError, loadDefaultDataset, realVsSyntheticAccuracy, segmentStatistics } from 'ecg-ldm';

const { data, shape, patients } = loadDefaultDataset('train');
const L = shape[1];
// 60 patients (120 segments) keep the forests quick.
const real = data.subarray(0, 120 * L);
const realPatients = patients.slice(0, 120);
const forest = { trees: 40 };

test('near-flat synthetic segments are told from real ones (the reference generator failure)', (t) => {
  const flat = new Float32Array(real.length);
  for (let i = 0; i < flat.length; i++) flat[i] = 0.01 * Math.sin(i / 50);
  const r = realVsSyntheticAccuracy({ real, realPatients, synthetic: flat, length: L }, { forest, bootstrap: { iterations: 200 } });
  t.true(r.value > 0.95, `accuracy ${r.value}`);
  t.true(r.low <= r.value && r.value <= r.high);
  t.is(r.folds, 5);
  t.is(r.n, 60 + 120); // real patients + synthetic segments, the bootstrap's units
});

test('synthetic segments drawn from the same real distribution are not told apart', (t) => {
  // Other patients' real segments stand in for a perfect generator.
  const other = data.subarray(120 * L, 240 * L);
  const r = realVsSyntheticAccuracy({ real, realPatients, synthetic: other, length: L }, { forest, bootstrap: { iterations: 200 } });
  t.true(r.value < 0.7, `accuracy ${r.value}`);
});

test('segment statistics: LUDB lead II beats at plausible rates; flat lines have none', (t) => {
  const s = segmentStatistics(real, L, 500);
  t.true(s.meanStd > 0.05);
  t.true(s.heartRate.median > 50 && s.heartRate.median < 110, `median ${s.heartRate.median}`);
  t.true(s.plausibleRhythmShare > 0.9);
  const flat = segmentStatistics(new Float32Array(4 * L), L, 500);
  t.is(flat.meanStd, 0);
  t.is(flat.plausibleRhythmShare, 0);
  t.true(Number.isNaN(flat.heartRate.median));
});

test('mismatched inputs are ShapeErrors', (t) => {
  t.throws(() => realVsSyntheticAccuracy({ real, realPatients: realPatients.slice(1), synthetic: real, length: L }), { instanceOf: ShapeError });
  t.throws(() => realVsSyntheticAccuracy({ real, realPatients, synthetic: real.subarray(1), length: L }), { instanceOf: ShapeError });
  t.throws(() => realVsSyntheticAccuracy({ real: real.subarray(0, 4 * L), realPatients: realPatients.slice(0, 4), synthetic: real, length: L }), { instanceOf: ShapeError, message: /at least 5 real patients/ });
  t.throws(() => segmentStatistics(new Float32Array(3), L, 500), { instanceOf: ShapeError });
});
