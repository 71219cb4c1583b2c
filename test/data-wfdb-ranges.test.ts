import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ArgumentRangeError, ConfigError, FormatError, WFDB_DIGITAL_INVALID, decodeWfdbRecord, parseWfdbHeader,
  readWfdbRecord, readWfdbRecordSync,
} from 'ecg-ldm';
import { AFPDB, LUDB, tempDir } from './helpers/data-paths';
import { randomInts, writeSyntheticRecord } from './helpers/data-wfdb-encode';

/** A random walk that fits every format's range and format 8's byte differences. */
function walk(n: number, seed: number, limit = 400): Int32Array {
  const d = randomInts(n, -90, 90, seed);
  const out = new Int32Array(n);
  let v = 0;
  for (let i = 0; i < n; i++) out[i] = v = Math.max(-limit, Math.min(limit, v + d[i]!));
  return out;
}

test('ranged read equals the slice of a whole read (LUDB, afpdb; sync and async)', async (t) => {
  const whole = readWfdbRecordSync(path.join(LUDB, 'data/1'));
  const part = readWfdbRecordSync(path.join(LUDB, 'data/1'), { from: 1234, to: 1300, channels: ['v6', 'i'] });
  t.is(part.sampleCount, 66);
  t.is(part.from, 1234);
  t.deepEqual([...part.signals[0]!], [...whole.signals[11]!.subarray(1234, 1300)]);
  t.deepEqual([...part.signals[1]!], [...whole.signals[0]!.subarray(1234, 1300)]);
  const af = await readWfdbRecord(path.join(AFPDB, 'n01'), { from: 230000 });
  t.is(af.sampleCount, 400);
  t.true(Math.abs(af.signals[0]![399]! - -10.285) < 1e-5);
  const empty = await readWfdbRecord(path.join(AFPDB, 'n01'), { from: 5, to: 5 });
  t.is(empty.signals[0]!.length, 0);
});

for (const format of [8, 16, 24, 32, 61, 80, 160, 212, 310, 311]) {
  test(`format ${format}: every range boundary of a 3-signal record decodes as the whole read`, (t) => {
    const dir = tempDir();
    const limit = format === 80 ? 120 : 400; // format 80 holds 8-bit values
    const sigs = [walk(37, format, limit), walk(37, format + 1, limit), walk(37, format + 2, limit)];
    const base = writeSyntheticRecord(dir, 'r', format, sigs, { gains: [1, 1, 1] });
    for (const [from, to] of [[0, 37], [1, 2], [5, 36], [36, 37], [7, 8], [13, 29]] as const) {
      const rec = readWfdbRecordSync(base, { from, to, physical: false });
      sigs.forEach((s, k) => t.deepEqual([...rec.signals[k]!], [...s.subarray(from, to)], `${from}-${to} signal ${k}`));
    }
  });
}

test('digital and float64 output; physical defaults to float32', (t) => {
  const dir = tempDir();
  const a = Int32Array.from([1, -32768, 3, 1001]);
  const base = writeSyntheticRecord(dir, 'd', 16, [a], { gains: [3], baselines: [1] });
  const digital = readWfdbRecordSync(base, { physical: false });
  t.true(digital.signals[0] instanceof Int32Array);
  t.deepEqual([...digital.signals[0]!], [1, WFDB_DIGITAL_INVALID, 3, 1001]);
  const f64 = readWfdbRecordSync(base, { dtype: 'float64' });
  t.true(f64.signals[0] instanceof Float64Array);
  t.is(f64.signals[0]![3], 1000 / 3); // exact double, not a float32 rounding
  t.true(Number.isNaN(f64.signals[0]![1]!));
  const f32 = readWfdbRecordSync(base);
  t.true(f32.signals[0] instanceof Float32Array);
  t.is(f32.signals[0]![3], Math.fround(1000 / 3));
  t.is(f32.signalSpecs[0]!.gain, 3);
});

test('a range outside the record and bad options are typed errors', async (t) => {
  const base = path.join(LUDB, 'data/1');
  const past = t.throws(() => readWfdbRecordSync(base, { to: 5001 }), { instanceOf: ArgumentRangeError })!;
  t.regex(past.message, /5000.*1\.hea/);
  t.throws(() => readWfdbRecordSync(base, { from: 10, to: 5 }), { instanceOf: ArgumentRangeError });
  t.throws(() => readWfdbRecordSync(base, { from: -1 }), { instanceOf: ConfigError });
  t.throws(() => readWfdbRecordSync(base, { dtype: 'int8' as 'float32' }), { instanceOf: ConfigError });
  await t.throwsAsync(readWfdbRecord(base, { from: 4000, to: 6000 }), { instanceOf: ArgumentRangeError });
});

test('a ranged read of format 16 reads only the bytes of its frames', (t) => {
  const dir = tempDir();
  const a = walk(1000, 9);
  const base = writeSyntheticRecord(dir, 'big', 16, [a], { gains: [1] });
  const bytes = fs.readFileSync(`${base}.dat`);
  const header = parseWfdbHeader(fs.readFileSync(`${base}.hea`, 'latin1'));
  // In memory, loadFile serves whole files; count the bytes the reader takes.
  const rec = decodeWfdbRecord(header, () => bytes, { from: 990, to: 1000, physical: false });
  t.deepEqual([...rec.signals[0]!], [...a.subarray(990)]);
  // Overwriting the first 900 frames does not change the range read (not decoded).
  const scrambled = Buffer.from(bytes);
  scrambled.fill(0x55, 0, 1800);
  const again = decodeWfdbRecord(header, () => scrambled, { from: 990, to: 1000, physical: false, checksum: 'strict' });
  t.deepEqual([...again.signals[0]!], [...a.subarray(990)]);
  // The whole read checks the checksum and sees the change.
  t.throws(() => decodeWfdbRecord(header, () => scrambled, {}), { instanceOf: FormatError });
});

test('multi-frequency record: own rates, frame-rate means, highest-rate repetition', (t) => {
  const dir = tempDir();
  // Frames of 2 + 4 + 1 samples: fs 100 Hz gives 200, 400 and 100 Hz signals.
  const a = walk(20, 1), b = walk(40, 2), c = walk(10, 3);
  const base = writeSyntheticRecord(dir, 'mf', 212, [a, b, c], { fs: 100, gains: [1, 1, 1], samplesPerFrame: [2, 4, 1] });
  const header = parseWfdbHeader(fs.readFileSync(`${base}.hea`, 'latin1'));
  t.deepEqual(header.signals.map((s) => s.samplesPerFrame), [2, 4, 1]);
  const native = readWfdbRecordSync(base, { physical: false });
  t.is(native.sampleCount, 10);
  t.deepEqual(native.samplesPerFrame, [2, 4, 1]);
  t.deepEqual([...native.signals[0]!], [...a]);
  t.deepEqual([...native.signals[1]!], [...b]);
  t.deepEqual([...native.signals[2]!], [...c]);
  const ranged = readWfdbRecordSync(base, { physical: false, from: 3, to: 7 });
  t.deepEqual([...ranged.signals[1]!], [...b.subarray(12, 28)]);
  const frame = readWfdbRecordSync(base, { rate: 'frame', dtype: 'float64' });
  t.deepEqual(frame.samplesPerFrame, [1, 1, 1]);
  t.is(frame.signals[1]!.length, 10);
  t.is(frame.signals[1]![2], (b[8]! + b[9]! + b[10]! + b[11]!) / 4);
  t.is(frame.signals[0]![9], (a[18]! + a[19]!) / 2);
  const highest = readWfdbRecordSync(base, { rate: 'highest', physical: false, channels: [0, 2] });
  t.deepEqual(highest.samplesPerFrame, [2, 2]); // the highest of the returned signals
  t.deepEqual([...highest.signals[1]!.subarray(0, 6)], [c[0], c[0], c[1], c[1], c[2], c[2]]);
  const all = readWfdbRecordSync(base, { rate: 'highest', physical: false });
  t.deepEqual([...all.signals[0]!.subarray(0, 4)], [a[0], a[0], a[1], a[1]]);
  t.deepEqual([...all.signals[2]!.subarray(0, 5)], [c[0], c[0], c[0], c[0], c[1]]);
});

test('skew: record frame t of a skewed signal is file frame t + skew; past the end is invalid', (t) => {
  for (const format of [16, 8, 212]) {
    const dir = tempDir();
    const a = walk(12, 4), b = walk(12, 5);
    const base = writeSyntheticRecord(dir, 'sk', format, [a, b], { gains: [1, 1], skews: [0, 3], noChecksum: true });
    t.is(parseWfdbHeader(fs.readFileSync(`${base}.hea`, 'latin1')).signals[1]!.skew, 3);
    const rec = readWfdbRecordSync(base, { physical: false, checksum: 'off' });
    t.deepEqual([...rec.signals[0]!], [...a], `format ${format}`);
    t.deepEqual([...rec.signals[1]!.subarray(0, 9)], [...b.subarray(0, 9)], `format ${format}`);
    t.deepEqual([...rec.signals[1]!.subarray(9)], [WFDB_DIGITAL_INVALID, WFDB_DIGITAL_INVALID, WFDB_DIGITAL_INVALID]);
    const phys = readWfdbRecordSync(base, { checksum: 'off', from: 8, to: 10 });
    t.is(phys.signals[1]![0], b[8]);
    t.true(Number.isNaN(phys.signals[1]![1]!));
  }
});

test('bad input: skew not shorter than the record, samples per frame 0', (t) => {
  const dir = tempDir();
  const base = writeSyntheticRecord(dir, 'sk', 16, [walk(4, 1)], { skews: [4], noChecksum: true });
  const err = t.throws(() => readWfdbRecordSync(base), { instanceOf: FormatError })!;
  t.like(err, { line: 2, field: 'skew' });
  t.regex(err.message, /sk\.hea/);
  t.throws(() => parseWfdbHeader('r 1 250 4\nr.dat 16x0\n', 'r.hea'), { instanceOf: FormatError, message: /line 2, field samples per frame/ });
});
