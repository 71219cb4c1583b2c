import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ConfigError, FormatError, SplitError, afpdbPatient, applyLabelMap, assignSplit, checkSplit, listAfpdbRecords,
  listGenericRecords, listLudbRecords, listPtbxlRecords, parseLabelMap, patientSplit, prepareDataset,
  readReferenceNpz, readSplitFile, resamplePoly, segmentSignals, writeSplitFile, LUDB_ATRIAL_LABELS,
} from 'ecg-ldm';
import { AFPDB, LUDB, PTBXL, hasNumpy, python, tempDir } from './helpers/data-paths';
import { writeSyntheticRecord, randomInts } from './helpers/data-wfdb-encode';

test('label map: validation lists every issue; dict codes with likelihood threshold', (t) => {
  const err = t.throws(() => parseLabelMap({ classes: ['a'], rules: [{ label: 3, field: 'x' }], extra: 1 }), { instanceOf: ConfigError })!;
  t.true((err as ConfigError).issues.length >= 3);
  const map = parseLabelMap({ classes: ['norm', 'af'], rules: [{ label: 1, field: 'scp_codes', codes: ['AFIB'], minLikelihood: 50 }] });
  t.is(applyLabelMap(map, { scp_codes: "{'AFIB': 100.0}" }), 1);
  t.is(applyLabelMap(map, { scp_codes: "{'AFIB': 20.0}" }), undefined);
  t.is(applyLabelMap(LUDB_ATRIAL_LABELS, { Hypertrophies: 'Right atrial overload' }), 1);
  t.is(applyLabelMap(LUDB_ATRIAL_LABELS, { Hypertrophies: 'Left ventricular hypertrophy' }), 0);
});

test('LUDB adapter: 200 records, 120 atrial / 80 not, one patient each', (t) => {
  const { records } = listLudbRecords(LUDB);
  t.is(records.length, 200);
  t.is(records.filter((r) => r.label === 1).length, 120);
  t.is(new Set(records.map((r) => r.patient)).size, 200);
});

test('PTB-XL adapter: patients, strat_fold, 100 Hz paths, custom map', (t) => {
  const listing = listPtbxlRecords(PTBXL);
  t.is(listing.records.length, 1987);
  t.is(new Set(listing.records.map((r) => r.patient)).size, 1850);
  t.is(listing.records[0]!.patient, '15709');
  t.is(listing.records[0]!.meta['strat_fold'], '3');
  t.true(listing.records[0]!.path.endsWith(path.join('records100', '00000', '00001_lr')));
  const af = listPtbxlRecords(PTBXL, { labelMap: { classes: ['other', 'af'], rules: [{ label: 1, field: 'scp_codes', codes: ['AFIB'], minLikelihood: 0 }], otherwise: 0 } });
  t.is(af.records.filter((r) => r.label === 1).length, 100);
  const norm = listPtbxlRecords(PTBXL, { labelMap: { classes: ['other', 'norm'], rules: [{ label: 1, field: 'diagnostic_class', codes: ['NORM'], minLikelihood: 100 }] }, lenient: true });
  t.true(norm.skipped['missing-label']! > 0);
  t.throws(() => listPtbxlRecords(PTBXL, { labelMap: { classes: ['a', 'b'], rules: [{ label: 1, field: 'scp_codes', codes: ['NOPE'] }] } }), { instanceOf: ConfigError });
  t.true(listPtbxlRecords(PTBXL, { rate: 500 }).records[0]!.path.includes('records500'));
});

test('afpdb adapter: pairs of records are one patient', (t) => {
  t.is(afpdbPatient('n01'), 'n01-02');
  t.is(afpdbPatient('n02'), 'n01-02');
  t.is(afpdbPatient('p50'), 'p49-50');
  t.is(afpdbPatient('n01c'), undefined);
  const { records } = listAfpdbRecords(AFPDB);
  t.is(records.length, 100);
  t.is(new Set(records.map((r) => r.patient)).size, 50);
  t.is(records.find((r) => r.id === 'p07')!.label, 1);
});

test('generic adapter: missing labels and patients are errors or counted skips', (t) => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'labels.csv'), 'record,label,patient\na,1,p1\nb,,p2\nc,0,\n');
  const err = t.throws(() => listGenericRecords(dir), { instanceOf: FormatError })!;
  t.is((err as FormatError).line, 3);
  const lenient = listGenericRecords(dir, { lenient: true });
  t.is(lenient.records.length, 1);
  t.deepEqual(lenient.skipped, { 'missing-label': 1, 'missing-patient': 1 });
});

test('segmentation: windows, stride, NaN and flat-line drops', (t) => {
  const a = Float32Array.from({ length: 100 }, (_, i) => Math.sin(i));
  const b = Float32Array.from({ length: 100 }, (_, i) => Math.cos(i));
  const r = segmentSignals([a, b], { length: 20, stride: 10 });
  t.is(r.count, 9);
  t.deepEqual(r.starts.slice(0, 3), [0, 10, 20]);
  t.is(r.data[(1 * 20 + 3) * 2 + 1], b[13]); // segment 1, sample 3, lead 1
  a[55] = NaN;
  b.fill(0.5, 0, 15);
  const d = segmentSignals([a, b], { length: 20, stride: 10 });
  t.deepEqual(d.dropped, { nan: 2, flat: 1 });
  t.is(d.count, 6);
  t.throws(() => segmentSignals([a], { length: 0 }), { instanceOf: ConfigError });
});

test('resamplePoly matches scipy.signal.resample_poly', (t) => {
  const x = Array.from({ length: 400 }, (_, i) => Math.sin(i * 0.07) + 0.2 * Math.cos(i * 1.3));
  const y = resamplePoly(x, 2, 5);
  t.is(y.length, 160);
  if (!hasNumpy()) return t.log('python3 absent: scipy cross-check skipped');
  let ref: number[];
  try {
    ref = JSON.parse(python(`import json, numpy as np\nfrom scipy.signal import resample_poly\nx=np.array(${JSON.stringify(x)})\nprint(json.dumps(resample_poly(x,2,5).tolist()))`));
  } catch {
    return t.log('scipy absent: cross-check skipped');
  }
  t.true(ref.every((v, i) => Math.abs(v - y[i]!) < 1e-12));
});

test('patientSplit: fractions, stratification, k-fold, determinism, file round trip', (t) => {
  const items = Array.from({ length: 400 }, (_, i) => ({ patient: `p${i % 200}`, label: (i % 200) < 120 ? 1 : 0 }));
  const s = patientSplit(items, { seed: 3 });
  t.deepEqual([s.sets['train']!.length, s.sets['val']!.length, s.sets['test']!.length], [120, 40, 40]);
  const pos = (set: string): number => s.sets[set]!.filter((p) => Number(p.slice(1)) < 120).length;
  t.deepEqual([pos('train'), pos('val'), pos('test')], [72, 24, 24]);
  t.deepEqual(patientSplit([...items].reverse(), { seed: 3 }), s, 'independent of input order');
  t.notDeepEqual(patientSplit(items, { seed: 4 }).sets, s.sets);
  checkSplit(s);
  const k = patientSplit(items, { k: 5, seed: 1 });
  t.deepEqual(Object.values(k.sets).map((f) => f.length), [40, 40, 40, 40, 40]);
  const dir = tempDir();
  writeSplitFile(path.join(dir, 'split.json'), s);
  t.deepEqual(readSplitFile(path.join(dir, 'split.json')), s);
  const assigned = assignSplit(items, s);
  t.is(assigned['train']!.length, 240);
  t.throws(() => checkSplit({ sets: { train: ['a', 'b'], test: ['b'] } }), { instanceOf: SplitError, message: /"b" is in both "train" and "test"/ });
  fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ ...s, sets: { train: ['x'], val: ['x'] } }));
  t.throws(() => readSplitFile(path.join(dir, 'bad.json')), { instanceOf: SplitError });
  t.throws(() => patientSplit(items, { fractions: { train: 0.5, val: 0.5, test: 0.5 } }), { instanceOf: ConfigError });
});

test('prepareDataset: generic WFDB folder -> per-set NPZ, resampled, lenient checksum skip', async (t) => {
  const src = tempDir();
  const rows = ['record,label,patient'];
  for (let i = 0; i < 12; i++) {
    writeSyntheticRecord(src, `r${i}`, 16, [randomInts(1000, -500, 500, i), randomInts(1000, -500, 500, 100 + i)], { fs: 500 });
    rows.push(`r${i},${i % 2},pat${Math.floor(i / 2)}`);
  }
  fs.writeFileSync(path.join(src, 'labels.csv'), rows.join('\n') + '\n');
  const dat = path.join(src, 'r11.dat');
  const bytes = fs.readFileSync(dat);
  bytes[0] = bytes[0]! ^ 1;
  fs.writeFileSync(dat, bytes);
  const out = tempDir();
  const summary = await prepareDataset(listGenericRecords(src), { out, length: 50, leads: [0, 1], rate: 250, lenient: true, seed: 1 });
  t.deepEqual(summary.skippedRecords, { checksum: 1 });
  const total = Object.values(summary.counts).flatMap((c) => Object.values(c)).reduce((a, b) => a + b, 0);
  t.is(total, 11 * 10); // 1000 samples at 500 Hz -> 500 at 250 Hz -> 10 windows of 50
  const train = readReferenceNpz(summary.files['train']!);
  t.is(train.shape[1], 50);
  t.is(train.shape[2], 2);
  const split = readSplitFile(summary.splitFile);
  t.is(Object.values(split.sets).flat().length, 6);
  await t.throwsAsync(prepareDataset(listGenericRecords(src), { out: tempDir(), length: 50 }), { code: 'E_CHECKSUM' } as never);
});
