import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ChecksumError, FormatError, IoError, decodeWfdbAnnotations, groupWaveBoundaries, parseWfdbHeader,
  readWfdbAnnotations, readWfdbRecord, readWfdbRecordSync,
} from 'ecg-ldm';
import { AFPDB, LUDB, PTBXL, tempDir } from './helpers/data-paths';
import { encodeWfdbSamples, randomInts, writeSyntheticRecord } from './helpers/data-wfdb-encode';

test('LUDB record 1: 12 leads, 5000 samples, lead II values in physical units', async (t) => {
  const rec = await readWfdbRecord(path.join(LUDB, 'data/1'));
  t.is(rec.samplingFrequency, 500);
  t.is(rec.sampleCount, 5000);
  t.deepEqual(rec.leads, ['i', 'ii', 'iii', 'avr', 'avl', 'avf', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6']);
  // Lead ii: gain 1206, baseline 2, initial value 25 -> (25 - 2) / 1206.
  t.true(Math.abs(rec.signals[1]![0]! - 23 / 1206) < 1e-7);
  // README: every LUDB lead spans exactly 1 mV peak to peak.
  for (const s of rec.signals) {
    let lo = Infinity, hi = -Infinity;
    for (const v of s) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    t.true(Math.abs(hi - lo - 1) < 2e-3, `ptp ${hi - lo}`);
  }
  t.true(rec.comments.some((c) => c.includes('Sinus bradycardia')));
});

test('channel selection by name and index', (t) => {
  const rec = readWfdbRecordSync(path.join(LUDB, 'data/1'), { channels: ['II', 0] });
  t.deepEqual(rec.leads, ['ii', 'i']);
  t.throws(() => readWfdbRecordSync(path.join(LUDB, 'data/1'), { channels: ['nope'] }), { instanceOf: FormatError });
});

test('afpdb n01: CRLF header, last sample -2057 -> -10.285 mV on both leads', async (t) => {
  const rec = await readWfdbRecord(path.join(AFPDB, 'n01'));
  t.is(rec.sampleCount, 230400);
  t.is(rec.samplingFrequency, 128);
  t.deepEqual(rec.leads, ['ECG0', 'ECG1']);
  t.true(Math.abs(rec.signals[0]![230399]! - -10.285) < 1e-5);
  t.true(Math.abs(rec.signals[1]![230399]! - -10.285) < 1e-5);
  t.is(rec.header.signals[0]!.adcResolution, 12);
});

test('PTB-XL: unsigned checksums verify, gain 1000 with baseline 0', async (t) => {
  for (const id of ['00001', '00002', '00010']) {
    const rec = await readWfdbRecord(path.join(PTBXL, `records100/00000/${id}_lr`));
    t.is(rec.sampleCount, 1000);
    t.is(rec.header.signals[0]!.gain, 1000);
    t.deepEqual(rec.checksumMismatches, []);
  }
  const rec = readWfdbRecordSync(path.join(PTBXL, 'records100/00000/00001_lr'));
  t.true(Math.abs(rec.signals[0]![0]! - -0.119) < 1e-6);
  t.is(rec.header.signals[2]!.checksum, 64758);
});

test('header parser: defaults, comments, CRLF, trailing comment, description with spaces', (t) => {
  const h = parseWfdbHeader('rec 2 360 650000 10:00:00 01/01/2000\r\n# a comment\r\nrec.dat 212 200/mV 11 1024 995 -22131 0 MLII lead\r\nrec.dat 212 0 11 1024 1011 20052 0 V5\r\n');
  t.is(h.samplingFrequency, 360);
  t.is(h.sampleCount, 650000);
  t.is(h.baseTime, '10:00:00');
  t.is(h.signals[0]!.description, 'MLII lead');
  t.is(h.signals[0]!.baseline, 1024); // no (baseline): baseline = adc zero
  t.is(h.signals[1]!.gain, 200); // 0 -> WFDB default
  t.deepEqual(h.comments, [' a comment']);
  const bare = parseWfdbHeader('x 1\nx.dat 16\n');
  t.is(bare.samplingFrequency, 250);
  t.is(bare.sampleCount, undefined);
  t.is(bare.signals[0]!.units, 'mV');
});

test('header errors name file, line and field', (t) => {
  const multi = t.throws(() => parseWfdbHeader('big/3 2 360 1000\nseg1 500\n', 'big.hea'), { instanceOf: FormatError })!;
  t.regex(multi.message, /big\.hea, line 3, field segment count: header declares 3 segments/);
  const gain = t.throws(() => parseWfdbHeader('r 1 250 10\nr.dat 16 abc/mV 0 0 0 0 0 I\n', 'r.hea'), { instanceOf: FormatError })!;
  t.is((gain as FormatError).line, 2);
  t.is((gain as FormatError).field, 'gain');
  const fmt = t.throws(() => parseWfdbHeader('r 1 250 10\nr.dat 16y4 200 0 0 0 0 0 I\n', 'r.hea'), { instanceOf: FormatError })!;
  t.is((fmt as FormatError).field, 'format');
  const spf0 = t.throws(() => parseWfdbHeader('r 1 250 10\nr.dat 16x0 200 0 0 0 0 0 I\n', 'r.hea'), { instanceOf: FormatError })!;
  t.like(spf0, { file: 'r.hea', line: 2, field: 'samples per frame' });
  t.throws(() => parseWfdbHeader('r 3 250 10\nr.dat 16\n'), { instanceOf: FormatError, message: /declares 3 signals/ });
  t.throws(() => parseWfdbHeader('# only comments\n'), { instanceOf: FormatError, message: /no record line/ });
});

for (const format of [8, 16, 24, 32, 61, 80, 160, 212, 310, 311]) {
  test(`format ${format}: synthetic two-signal round trip with checksums`, (t) => {
    const dir = tempDir();
    const ranges: Record<number, [number, number]> = { 8: [-60, 60], 80: [-127, 127], 212: [-2047, 2047], 310: [-511, 511], 311: [-511, 511], 16: [-32767, 32767], 61: [-32767, 32767], 160: [-32767, 32767], 24: [-8388607, 8388607], 32: [-2e9, 2e9] };
    const [lo, hi] = ranges[format]!;
    let a = randomInts(501, lo, hi, format); // odd count exercises 212's padding
    if (format === 8) { // first differences must fit in a byte
      a = new Int32Array(501);
      let v = 0;
      const d = randomInts(501, -100, 100, 3);
      for (let i = 0; i < 501; i++) a[i] = v = Math.max(-120, Math.min(120, v + d[i]!));
    }
    const b = a.map((v) => -v);
    const rec = readWfdbRecordSync(writeSyntheticRecord(dir, 'syn', format, [a, b], { gains: [100, 250], baselines: [3, -7] }));
    t.is(rec.sampleCount, 501);
    for (let i = 0; i < 501; i += 50) {
      t.true(Math.abs(rec.signals[0]![i]! - (a[i]! - 3) / 100) <= Math.abs(a[i]! / 100) * 1e-6 + 1e-6);
      t.true(Math.abs(rec.signals[1]![i]! - (b[i]! + 7) / 250) <= Math.abs(b[i]! / 250) * 1e-6 + 1e-6);
    }
  });
}

test('format 8 has no invalid-sample value: a running value of -128 is a sample, as in WFDB', (t) => {
  const dir = tempDir();
  const a = new Int32Array([0, -100, -128, -128, -20]);
  const rec = readWfdbRecordSync(writeSyntheticRecord(dir, 'f8', 8, [a], { gains: [1] }));
  t.deepEqual([...rec.signals[0]!], [0, -100, -128, -128, -20]);
  // Format 80 does reserve -128 (offset binary 0): still NaN there.
  const rec80 = readWfdbRecordSync(writeSyntheticRecord(dir, 'f80', 80, [new Int32Array([5, -128])], { gains: [1] }));
  t.true(Number.isNaN(rec80.signals[0]![1]!));
});

test('multi-file record: one signal per file, CRLF header', (t) => {
  const dir = tempDir();
  const a = randomInts(300, -1000, 1000, 1);
  const b = randomInts(300, -1000, 1000, 2);
  const rec = readWfdbRecordSync(writeSyntheticRecord(dir, 'mf', 16, [a, b], { filesPerSignal: true, crlf: true }));
  t.is(rec.signals[1]![299], Math.fround(b[299]! / 200));
  t.is(rec.signals[0]![0], Math.fround(a[0]! / 200));
});

test('invalid-sample marker decodes to NaN', (t) => {
  const dir = tempDir();
  const a = new Int32Array([1, -32768, 3]);
  const rec = readWfdbRecordSync(writeSyntheticRecord(dir, 'nan', 16, [a]));
  t.true(Number.isNaN(rec.signals[0]![1]!));
});

test('truncated .dat, length mismatch, bad checksum, unknown format', (t) => {
  const dir = tempDir();
  const a = randomInts(100, -100, 100, 5);
  const base = writeSyntheticRecord(dir, 'r', 16, [a]);
  const dat = `${base}.dat`;
  const bytes = fs.readFileSync(dat);
  fs.writeFileSync(dat, bytes.subarray(0, 150));
  const trunc = t.throws(() => readWfdbRecordSync(base), { instanceOf: FormatError })!;
  t.regex(trunc.message, /r\.dat.*truncated/);
  fs.writeFileSync(dat, Buffer.concat([bytes, Buffer.alloc(10)]));
  t.throws(() => readWfdbRecordSync(base), { instanceOf: FormatError, message: /disagree/ });
  t.notThrows(() => readWfdbRecordSync(base, { allowTrailingBytes: true }));
  const flipped = Buffer.from(bytes);
  flipped[0] = flipped[0]! ^ 1;
  fs.writeFileSync(dat, flipped);
  const cs = t.throws(() => readWfdbRecordSync(base), { instanceOf: ChecksumError })!;
  t.is((cs as ChecksumError).code, 'E_CHECKSUM');
  t.is((cs as ChecksumError).field, 'checksum');
  const lenient = readWfdbRecordSync(base, { checksum: 'lenient' });
  t.is(lenient.checksumMismatches.length, 1);
  t.notThrows(() => readWfdbRecordSync(base, { checksum: 'off' }));
  fs.writeFileSync(`${base}.hea`, fs.readFileSync(`${base}.hea`, 'utf8').replace(' 16 ', ' 9 '));
  t.throws(() => readWfdbRecordSync(base), { instanceOf: FormatError, message: /format 9 is not supported/ });
  t.throws(() => readWfdbRecordSync(path.join(dir, 'missing')), { instanceOf: IoError });
});

test('LUDB per-lead annotations: ( N ) p t boundaries', async (t) => {
  const anns = await readWfdbAnnotations(path.join(LUDB, 'data/1'), 'ii');
  t.is(anns[0]!.symbol, '(');
  t.is(anns[0]!.sample, 644);
  t.is(anns[1]!.symbol, 'N');
  t.is(anns[1]!.sample, 662);
  const waves = groupWaveBoundaries(anns);
  t.deepEqual(waves[0], { wave: 'N', onset: 644, peak: 662, offset: 682 });
  t.deepEqual([...new Set(waves.map((w) => w.wave))].sort(), ['N', 'p', 't']);
  t.is(waves.length * 3, anns.length);
});

test('annotation SKIP, NUM, SUB, CHN and AUX fields', (t) => {
  const words: number[] = [];
  const word = (a: number, i: number): void => { words.push((a << 10) | (i & 0x3ff)); };
  word(59, 0); words.push(0x0001, 0x0002); // SKIP 0x00010002 = 65538 samples
  word(1, 5); // N at 65543
  word(61, 3); word(62, 2); word(60, 7); // SUB 3, CHN 2, NUM 7
  word(28, 10); // '+' at 65553
  const aux = Buffer.from('(AFIB', 'latin1');
  const body = Buffer.alloc(words.length * 2);
  words.forEach((w, k) => body.writeUInt16LE(w, 2 * k));
  const auxWord = Buffer.alloc(2);
  auxWord.writeUInt16LE((63 << 10) | aux.length, 0);
  const file = Buffer.concat([body, auxWord, aux, Buffer.alloc(1), Buffer.from([0, 0])]);
  const anns = decodeWfdbAnnotations(file, 'test.atr');
  t.is(anns.length, 2);
  t.like(anns[0], { sample: 65543, symbol: 'N', subtype: 3, channel: 2, num: 7 });
  t.like(anns[1], { sample: 65553, symbol: '+', subtype: 0, channel: 2, num: 7, aux: '(AFIB' });
  t.throws(() => decodeWfdbAnnotations(Buffer.from([0x00, 0xec, 0x01]), 'bad.atr'), { instanceOf: FormatError });
});

test('annotation CHN is WFDB\'s unsigned low byte, SUB and NUM its signed bytes', (t) => {
  const words = [(1 << 10) | 5, (62 << 10) | 255, (61 << 10) | 200, (60 << 10) | 200, (1 << 10) | 5, (62 << 10) | 0x3ff, (61 << 10) | 127, 0];
  const body = Buffer.alloc(words.length * 2);
  words.forEach((w, k) => body.writeUInt16LE(w, 2 * k));
  const anns = decodeWfdbAnnotations(body, 'fields.atr');
  t.like(anns[0], { sample: 5, channel: 255, subtype: -56, num: -56 });
  // 0x3ff keeps its low byte (255); NUM carries over, SUB does not.
  t.like(anns[1], { sample: 10, channel: 255, subtype: 127, num: -56 });
});

test('encoder sanity: format 212 packs two samples in three bytes', (t) => {
  t.deepEqual([...encodeWfdbSamples(212, [new Int32Array([0x123, 0x456])])], [0x23, 0x41, 0x56]);
  // 311: 1, 2, 3 -> 1 | 2 << 10 | 3 << 20 = 0x00300801.
  t.deepEqual([...encodeWfdbSamples(311, [new Int32Array([1, 2, 3])])], [0x01, 0x08, 0x30, 0x00]);
});

test('formats 310/311: partial last group (7 samples, one signal)', (t) => {
  for (const format of [310, 311]) {
    const dir = tempDir();
    const a = new Int32Array([-511, 511, 0, -1, 300, -300, 7]);
    const rec = readWfdbRecordSync(writeSyntheticRecord(dir, `p${format}`, format, [a], { gains: [1] }));
    t.deepEqual([...rec.signals[0]!], [...a], `format ${format}`);
  }
});
