import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ArgumentRangeError, FormatError, WFDB_DIGITAL_INVALID, listWfdbSegments, listWfdbSegmentsSync, parseWfdbHeader,
  readWfdbRecord, readWfdbRecordSync,
} from 'ecg-ldm';
import { LUDB, tempDir } from './helpers/data-paths';
import { randomInts, writeMultiSegmentRecord } from './helpers/data-wfdb-encode';

const ints = (n: number, seed: number): Int32Array => randomInts(n, -2000, 2000, seed);

/** A fixed-layout record: 30 + gap 5 + 20 frames of two signals, the second segment at another gain. */
function fixedRecord(dir: string): { base: string; s1: Int32Array[]; s2: Int32Array[] } {
  const s1 = [ints(30, 1), ints(30, 2)];
  const s2 = [ints(20, 3), ints(20, 4)];
  const base = writeMultiSegmentRecord(dir, 'fx', 16, [
    { name: 'fx_0001', signals: s1, options: { descriptions: ['II', 'V'], gains: [100, 100] } },
    { gap: 5 },
    { name: 'fx_0002', signals: s2, options: { descriptions: ['II', 'V'], gains: [50, 100] } },
  ], { fs: 125 });
  return { base, s1, s2 };
}

test('multi-segment header parses: record name, segment lines with their lines', (t) => {
  const h = parseWfdbHeader('m/3 2 125 55\nm_0001 30\n~ 5\nm_0002 20\n', 'm.hea');
  t.is(h.recordName, 'm');
  t.deepEqual(h.segments, [{ name: 'm_0001', sampleCount: 30, line: 2 }, { name: '~', sampleCount: 5, line: 3 }, { name: 'm_0002', sampleCount: 20, line: 4 }]);
  t.deepEqual(h.signals, []);
});

test('listWfdbSegments: frame ranges from the master header alone', async (t) => {
  const dir = tempDir();
  const { base } = fixedRecord(dir);
  // Segment files are not needed to list.
  fs.rmSync(path.join(dir, 'fx_0002.dat'));
  const listing = await listWfdbSegments(base);
  t.is(listing.layout, 'fixed');
  t.is(listing.sampleCount, 55);
  t.deepEqual(listing.segments.map((s) => [s.name, s.kind, s.start, s.end]), [['fx_0001', 'signals', 0, 30], ['~', 'null', 30, 35], ['fx_0002', 'signals', 35, 55]]);
  t.deepEqual(listWfdbSegmentsSync(`${base}.hea`), listing);
  // A range inside the first segment never opens the second's missing file.
  t.notThrows(() => readWfdbRecordSync(base, { from: 3, to: 29 }));
});

test('fixed layout: stitched, null segment NaN, each segment at its own gain', async (t) => {
  const dir = tempDir();
  const { base, s1, s2 } = fixedRecord(dir);
  const rec = await readWfdbRecord(base, { dtype: 'float64' });
  t.is(rec.sampleCount, 55);
  t.deepEqual(rec.leads, ['II', 'V']);
  t.is(rec.signals[0]![0], s1[0]![0]! / 100);
  t.is(rec.signals[0]![29], s1[0]![29]! / 100);
  for (let i = 30; i < 35; i++) t.true(Number.isNaN(rec.signals[0]![i]!) && Number.isNaN(rec.signals[1]![i]!));
  t.is(rec.signals[0]![35], s2[0]![0]! / 50);
  t.is(rec.signals[1]![54], s2[1]![19]! / 100);
  t.deepEqual(rec.segments!.map((s) => s.kind), ['signals', 'null', 'signals']);
  // Ranges across boundaries equal the slice of the whole read.
  for (const [from, to] of [[25, 40], [30, 35], [34, 36], [0, 55], [54, 55]] as const) {
    const part = readWfdbRecordSync(base, { from, to, dtype: 'float64' });
    t.deepEqual([...part.signals[1]!], [...rec.signals[1]!.subarray(from, to)], `${from}-${to}`);
  }
  // Digital output: lead V has one gain everywhere; lead II changes gain between segments.
  const digital = readWfdbRecordSync(base, { physical: false, channels: ['V'] });
  t.deepEqual([...digital.signals[0]!.subarray(28, 37)], [s1[1]![28], s1[1]![29], ...Array(5).fill(WFDB_DIGITAL_INVALID), s2[1]![0], s2[1]![1]]);
  t.throws(() => readWfdbRecordSync(base, { physical: false }), { instanceOf: ArgumentRangeError, message: /gain/ });
});

test('variable layout: channels mapped by name through the layout header', (t) => {
  const dir = tempDir();
  const a = [ints(10, 5), ints(10, 6)];
  const b = [ints(8, 7)];
  const base = writeMultiSegmentRecord(dir, 'vr', 16, [
    { name: 'vr_0001', signals: a, options: { descriptions: ['PLETH', 'II'] } },
    { name: 'vr_0002', signals: b, options: { descriptions: ['II'] } },
  ], { fs: 125, layout: ['II', 'V', 'PLETH'] });
  const listing = listWfdbSegmentsSync(base);
  t.is(listing.layout, 'variable');
  t.deepEqual(listing.segments.map((s) => [s.kind, s.start, s.end]), [['layout', 0, 0], ['signals', 0, 10], ['signals', 10, 18]]);
  const rec = readWfdbRecordSync(base, { physical: false });
  t.deepEqual(rec.leads, ['II', 'V', 'PLETH']);
  t.deepEqual([...rec.signals[0]!], [...a[1]!, ...b[0]!]);
  t.true(rec.signals[1]!.every((v) => v === WFDB_DIGITAL_INVALID)); // V is in no segment
  t.deepEqual([...rec.signals[2]!], [...a[0]!, ...Array(8).fill(WFDB_DIGITAL_INVALID)]);
  const pleth = readWfdbRecordSync(base, { channels: ['pleth'], from: 8, to: 12 });
  t.is(pleth.signals[0]![1], Math.fround(a[0]![9]! / 200));
  t.true(Number.isNaN(pleth.signals[0]![2]!));
});

test('bad multi-segment input: missing segment, lengths that disagree', (t) => {
  const dir = tempDir();
  const { base } = fixedRecord(dir);
  const master = fs.readFileSync(`${base}.hea`, 'latin1');
  // Segment lengths that do not add up to the record's.
  fs.writeFileSync(`${base}.hea`, master.replace('fx/3 2 125 55', 'fx/3 2 125 56'));
  t.throws(() => listWfdbSegmentsSync(base), { instanceOf: FormatError, message: /fx\.hea, line 1, field sample count/ });
  // A segment line that disagrees with the segment's own header.
  fs.writeFileSync(`${base}.hea`, master.replace('fx/3 2 125 55', 'fx/3 2 125 56').replace('fx_0002 20', 'fx_0002 21'));
  const seg = t.throws(() => readWfdbRecordSync(base), { instanceOf: FormatError })!;
  t.like(seg, { line: 1, field: 'sample count' });
  t.regex(seg.message, /fx_0002\.hea/);
  // A missing segment header names the master header's line.
  fs.writeFileSync(`${base}.hea`, master);
  fs.rmSync(path.join(dir, 'fx_0002.hea'));
  const missing = t.throws(() => readWfdbRecordSync(base), { instanceOf: FormatError })!;
  t.like(missing, { line: 4, field: 'segment name' });
  t.regex(missing.message, /fx\.hea/);
  // A segment whose signal file is shorter than its header says.
  const dir2 = tempDir();
  const { base: base2 } = fixedRecord(dir2);
  const dat = path.join(dir2, 'fx_0001.dat');
  fs.writeFileSync(dat, fs.readFileSync(dat).subarray(0, 100));
  t.throws(() => readWfdbRecordSync(base2), { instanceOf: FormatError, message: /truncated/ });
  t.throws(() => parseWfdbHeader('m/2 1 125 10\nm_1 10\n', 'm.hea'), { instanceOf: FormatError, message: /line 3, field segment count/ });
  t.throws(() => parseWfdbHeader('m/1 1 125 10\n../x 10\n', 'm.hea'), { instanceOf: FormatError, message: /field segment name/ });
});

test('real samples through a fixed layout: LUDB record 1 cut into segments reads back whole', (t) => {
  // LUDB's ADC values, written as a 3-segment record with a gap, must come back unchanged.
  const ludb = readWfdbRecordSync(path.join(LUDB, 'data/1'), { physical: false, channels: ['i', 'ii', 'v1'] });
  const cut = (a: number, b: number): Int32Array[] => ludb.signals.map((s) => s.slice(a, b));
  const gains = ludb.signalSpecs.map((s) => s.gain);
  const baselines = ludb.signalSpecs.map((s) => s.baseline);
  const options = { descriptions: ludb.leads, gains, baselines };
  const dir = tempDir();
  const base = writeMultiSegmentRecord(dir, 'ludb1', 16, [
    { name: 'ludb1_1', signals: cut(0, 2000), options },
    { gap: 1000 },
    { name: 'ludb1_2', signals: cut(3000, 5000), options },
  ], { fs: 500 });
  const rec = readWfdbRecordSync(base, { physical: false });
  t.is(rec.sampleCount, 5000);
  rec.signals.forEach((s, k) => {
    t.deepEqual([...s.subarray(0, 2000)], [...ludb.signals[k]!.subarray(0, 2000)]);
    t.true(s.subarray(2000, 3000).every((v) => v === WFDB_DIGITAL_INVALID));
    t.deepEqual([...s.subarray(3000)], [...ludb.signals[k]!.subarray(3000)]);
  });
  const phys = readWfdbRecordSync(path.join(LUDB, 'data/1'), { channels: ['ii'], from: 4000, to: 4100 });
  t.deepEqual([...readWfdbRecordSync(base, { channels: ['ii'], from: 4000, to: 4100 }).signals[0]!], [...phys.signals[0]!]);
});

test('multi-frequency segments: native rates stitched, frame-rate means; a changed spf is named', async (t) => {
  const dir = tempDir();
  const a = [ints(20, 8), ints(10, 9)]; // 10 frames: 2 + 1 samples per frame
  const b = [ints(12, 10), ints(6, 11)]; // 6 frames
  const options = { descriptions: ['ABP', 'II'], samplesPerFrame: [2, 1] };
  const base = writeMultiSegmentRecord(dir, 'mfs', 212, [{ name: 'mfs_1', signals: a, options }, { gap: 2 }, { name: 'mfs_2', signals: b, options }]);
  const rec = await readWfdbRecord(base, { physical: false, from: 8, to: 18 });
  t.deepEqual(rec.samplesPerFrame, [2, 1]);
  t.deepEqual([...rec.signals[0]!], [...a[0]!.subarray(16), ...Array(4).fill(WFDB_DIGITAL_INVALID), ...b[0]!]);
  t.deepEqual([...rec.signals[1]!], [...a[1]!.subarray(8), WFDB_DIGITAL_INVALID, WFDB_DIGITAL_INVALID, ...b[1]!]);
  const frame = readWfdbRecordSync(base, { rate: 'frame', dtype: 'float64', to: 1 });
  t.is(frame.signals[0]![0], (a[0]![0]! + a[0]![1]!) / 2 / 200);
  // A segment whose signal changes its samples per frame cannot be stitched at native rate.
  fs.writeFileSync(path.join(dir, 'mfs_2.hea'), fs.readFileSync(path.join(dir, 'mfs_2.hea'), 'latin1').replace('212x2', '212x3'));
  t.throws(() => readWfdbRecordSync(base, { checksum: 'off', allowTrailingBytes: true }), { instanceOf: FormatError, message: /mfs_2\.hea, line 2, field samples per frame/ });
});
