import test from 'ava';
import { ShapeError, detectRPeaks, ecgFeatureNames, ecgFeatureRows, ecgFeatures, haarBandEnergies } from 'ecg-ldm';

/** Synthetic ECG at `fs` Hz: P (0.15 mV), QRS (R 1 mV, S -0.3 mV), T (0.3 mV) per beat. */
function syntheticEcg(fs: number, seconds: number, rr: (beat: number) => number, rAmplitude = 1): Float32Array {
  const x = new Float32Array(fs * seconds);
  const bump = (centre: number, width: number, amp: number) => {
    for (let i = 0; i < x.length; i++) x[i]! += amp * Math.exp(-0.5 * ((i / fs - centre) / width) ** 2);
  };
  let t = 0.4;
  for (let beat = 0; t < seconds - 0.4; beat++) {
    bump(t - 0.18, 0.02, 0.15);
    bump(t, 0.01, rAmplitude);
    bump(t + 0.03, 0.01, -0.3);
    bump(t + 0.25, 0.04, 0.3);
    t += rr(beat);
  }
  return x;
}

test('R peaks of a 60 bpm synthetic ECG are found at the right samples', (t) => {
  const fs = 500;
  const ecg = syntheticEcg(fs, 10, () => 1);
  const peaks = detectRPeaks(ecg, fs);
  t.is(peaks.length, 10);
  peaks.forEach((p, i) => t.true(Math.abs(p - (0.4 + i) * fs) <= 2, `peak ${i} at ${p}`));
});

test('RR statistics, amplitudes and band energies', (t) => {
  const fs = 250;
  const ecg = syntheticEcg(fs, 10, (b) => (b % 2 ? 0.9 : 1.1));
  const { names, values } = ecgFeatures(ecg, { samplingRate: fs });
  const f = Object.fromEntries(names.map((n, i) => [n, values[i]!]));
  t.deepEqual(names, ecgFeatureNames());
  t.true(Math.abs(f['meanRR']! - 1) < 0.02, String(f['meanRR']));
  t.true(Math.abs(f['heartRate']! - 60) < 1.5);
  t.true(Math.abs(f['rmssd']! - 0.2) < 0.02, String(f['rmssd'])); // successive RR differences are 0.2 s
  t.is(f['pnn50'], 1);
  t.true(Math.abs(f['rAmplitude']! - 1) < 0.1, String(f['rAmplitude']));
  t.true(Math.abs(f['pAmplitude']! - 0.15) < 0.05, String(f['pAmplitude']));
  t.true(f['qrsAmplitude']! > 1.1 && f['qrsAmplitude']! < 1.4, String(f['qrsAmplitude']));
  const bandSum = names.filter((n) => n.startsWith('haar')).reduce((s, n) => s + f[n]!, 0);
  t.true(Math.abs(bandSum - 1) < 1e-5);
});

test('Haar band energies: constant signal is all approximation, alternating all D1', (t) => {
  t.deepEqual(Array.from(haarBandEnergies(new Float32Array(8).fill(2), 3)), [0, 0, 0, 1]);
  t.deepEqual(Array.from(haarBandEnergies(Float32Array.of(1, -1, 1, -1), 2)), [1, 0, 0]);
  t.throws(() => haarBandEnergies(new Float32Array(4), 3), { instanceOf: ShapeError });
});

test('feature rows for many segments; validation', (t) => {
  const rows = ecgFeatureRows([syntheticEcg(250, 4, () => 0.8), syntheticEcg(250, 4, () => 0.6)], { samplingRate: 250 });
  t.is(rows.length, 2);
  t.true(rows[1]![1]! > rows[0]![1]!); // faster heart rate
  t.throws(() => ecgFeatures(new Float32Array(100), {} as never), { instanceOf: TypeError });
  t.is(ecgFeatures(new Float32Array(128), { samplingRate: 250 }).values[0], 0); // flat line: no beats
});
