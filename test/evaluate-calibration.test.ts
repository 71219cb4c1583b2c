import test from 'ava';
import { ArgumentRangeError, NonFiniteError, expectedCalibrationError, reliabilityCurve } from 'ecg-ldm';

test('reliability curve bins by floor(p * bins), p = 1 in the last bin', (t) => {
  const curve = reliabilityCurve([0, 1, 1, 1], [0.2, 0.7, 0.9, 1], { bins: 2 });
  t.is(curve.length, 2);
  t.deepEqual(curve[0], { lower: 0, upper: 0.5, count: 1, meanPredicted: 0.2, fractionPositive: 0 });
  t.is(curve[1]!.count, 3);
  t.true(Math.abs(curve[1]!.meanPredicted - 2.6 / 3) < 1e-12);
  t.is(curve[1]!.fractionPositive, 1);
  t.true(Number.isNaN(reliabilityCurve([0], [0.05], { bins: 10 })[5]!.meanPredicted));
});

test('ECE by hand: sum of count/N * |accuracy - confidence|', (t) => {
  t.true(Math.abs(expectedCalibrationError([0, 1], [0.2, 0.6], { bins: 2 }) - 0.3) < 1e-12);
  // perfectly calibrated bins give 0
  t.is(expectedCalibrationError([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], { bins: 10 }), 0);
  // default 10 bins
  t.true(Math.abs(expectedCalibrationError([1, 1], [0.95, 0.85]) - 0.1) < 1e-12);
});

test('calibration validates probabilities and bins', (t) => {
  t.throws(() => reliabilityCurve([0, 1], [0.2, 1.2]), { instanceOf: ArgumentRangeError });
  t.throws(() => reliabilityCurve([0, 1], [0.2, Infinity]), { instanceOf: NonFiniteError });
  t.throws(() => reliabilityCurve([0, 1], [0.2, 0.3], { bins: 0 }), { instanceOf: ArgumentRangeError });
});
