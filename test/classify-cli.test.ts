// `ecg-ldm classify train|predict` end to end through the CLI's main(): a one-epoch
// ECGNet on the bundled LUDB set, then predictions on an NPZ, a WFDB record (LUDB, and a
// PTB-XL 100 Hz record resampled to 500 Hz), CSV signal tables and a folder, each checked
// against Classifier.predict on the same segments; and the typed errors.
// Serial: one model is trained first and shared; trainings share LibTorch's global RNG.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Classifier,
  DEFAULT_PIPELINE,
  NpzWriter,
  loadDefaultDataset,
  readWfdbRecord,
  runPipeline,
  segmentSignals,
} from 'ecg-ldm';
import { LUDB, PTBXL, tempDir } from './helpers/data-paths';
import { ROOT } from './helpers/paths';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { main } = require(path.join(ROOT, 'lib', 'cli.js')) as { main(argv: string[]): Promise<number> };

interface Run { code: number; stdout: string; stderr: string }

/** Runs `ecg-ldm <args>` in this process, capturing stdout and stderr. */
async function cli(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const [write, writeErr] = [process.stdout.write.bind(process.stdout), process.stderr.write.bind(process.stderr)];
  process.stdout.write = ((c: string) => { out.push(String(c)); return true; }) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => { err.push(String(c)); return true; }) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'ecg-ldm', ...args]);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

interface PredictionsJson {
  numClasses: number;
  preprocess: string;
  segments: Array<{ record: string; segment: number; start?: number; row?: number; probabilities: number[]; predicted: number }>;
  records: Array<{ record: string; segments: number; probabilities: number[] | null; predicted: number | null }>;
}

const dir = tempDir('ecg-ldm-classify-cli-');
const model = path.join(dir, 'ecgnet.safetensors');
const LUDB_RECORD = path.join(LUDB, 'data', '1');
const PTBXL_RECORD = path.join(PTBXL, 'records100', '00000', '00001_lr');
const haveLudb = fs.existsSync(`${LUDB_RECORD}.hea`);
const havePtbxl = fs.existsSync(`${PTBXL_RECORD}.hea`);

/** Predicts with `--out <json>` and returns the parsed file. */
async function predictJson(name: string, ...args: string[]): Promise<PredictionsJson> {
  const out = path.join(dir, `${name}.json`);
  const r = await cli('classify', 'predict', '--model', model, '--out', out, ...args);
  if (r.code !== 0) throw new Error(`predict failed: ${r.stderr}`);
  return JSON.parse(fs.readFileSync(out, 'utf8')) as PredictionsJson;
}

/** Class probabilities straight from the library, [N][K]. */
async function direct(data: Float32Array, n: number, preprocess = true): Promise<number[][]> {
  const classifier = Classifier.load(model);
  try {
    const x = preprocess ? await runPipeline(data, [n, 2048, 1], DEFAULT_PIPELINE) : data;
    const p = await classifier.predict(x, [n, 2048, 1]);
    return Array.from({ length: n }, (_, i) => Array.from(p.subarray(2 * i, 2 * i + 2)));
  } finally {
    classifier.dispose();
  }
}

/** Probabilities sum to 1, the predicted class is the argmax, and each record holds the mean of its segments. */
function checkConsistent(t: import('ava').ExecutionContext, p: PredictionsJson): void {
  for (const s of p.segments) {
    t.is(s.probabilities.length, p.numClasses);
    t.true(Math.abs(s.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    t.is(s.predicted, s.probabilities.indexOf(Math.max(...s.probabilities)));
  }
  for (const r of p.records) {
    const own = p.segments.filter((s) => s.record === r.record);
    t.is(own.length, r.segments);
    for (let k = 0; k < p.numClasses; k++) {
      const mean = own.reduce((a, s) => a + s.probabilities[k]!, 0) / own.length;
      t.true(Math.abs(r.probabilities![k]! - mean) < 1e-12);
    }
    t.is(r.predicted, r.probabilities!.indexOf(Math.max(...r.probabilities!)));
  }
}

function closeRows(t: import('ava').ExecutionContext, got: number[][], want: number[][], tol: number): void {
  t.is(got.length, want.length);
  got.forEach((row, i) => row.forEach((v, k) => t.true(Math.abs(v - want[i]![k]!) <= tol, `segment ${i} class ${k}: ${v} vs ${want[i]![k]}`)));
}

/** Writes a CSV signal table (header row of lead names, one row per sample). */
function writeCsv(file: string, columns: Record<string, ArrayLike<number>>): void {
  const names = Object.keys(columns);
  const n = columns[names[0]!]!.length;
  const lines = [names.join(',')];
  for (let i = 0; i < n; i++) lines.push(names.map((c) => String(columns[c]![i])).join(','));
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

test.serial('classify train: one epoch on the bundled set, a loadable checkpoint, test metrics by patient', async (t) => {
  const r = await cli('classify', 'train', '--epochs', '1', '--seed', '1', '--out', model, '--test', path.join(ROOT, 'data', 'ludb-atrial', 'test.npz'));
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /trained ecgnet \(19040 parameters\) on 240 segments for 1 epoch\(s\)/);
  t.regex(r.stdout, /preprocessing default/);
  t.regex(r.stdout, /test: accuracy \d\.\d{3} \(95% CI \d\.\d{3}-\d\.\d{3}\), balanced accuracy .*AUROC \d\.\d{3} \(95% CI .*80 segments of 40 patients; bootstrap by patient/);
  t.regex(r.stderr, /train \[#+\] 100% 8\/8/); // 240 segments / batch 32 = 8 steps, shown to the end
  const classifier = Classifier.load(model);
  t.like(classifier.config(), { kind: 'ecgnet', leads: 1, samples: 2048, numClasses: 2 });
  classifier.dispose();
});

test.serial('classify train: --config options stay for the same --model kind; a test set without patients is bootstrapped by segment', async (t) => {
  const small = path.join(dir, 'small');
  fs.mkdirSync(small);
  const train = loadDefaultDataset('train');
  const per = 2048;
  for (const [name, n] of [['train', 32], ['val', 16]] as const) {
    const w = new NpzWriter(path.join(small, `${name}.npz`), { length: 2048, channels: 1 });
    w.append(train.data.slice(0, n * per), train.labels.slice(0, n));
    await w.close();
  }
  const config = path.join(small, 'config.json');
  fs.writeFileSync(config, JSON.stringify({ model: { kind: 'cnn', channels: [4, 8] }, epochs: 3, batchSize: 16 }));
  const out = path.join(small, 'cnn.safetensors');
  // A missing test set fails before any training, and nothing is written.
  const early = await cli('classify', 'train', '--train', path.join(small, 'train.npz'), '--val', path.join(small, 'val.npz'), '--test', path.join(small, 'none.npz'), '--out', out);
  t.is(early.code, 1);
  t.regex(early.stderr, /none\.npz: file not found/);
  t.false(fs.existsSync(out));
  const r = await cli('classify', 'train', '--config', config, '--model', 'cnn', '--epochs', '1', '--preprocess', 'none',
    '--train', path.join(small, 'train.npz'), '--val', path.join(small, 'val.npz'), '--test', path.join(small, 'val.npz'), '--out', out);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /trained cnn .* on 32 segments for 1 epoch\(s\)/); // --epochs beats the file's 3
  t.regex(r.stdout, /16 segments; segment-level bootstrap \(val\.npz has no patient array\)/);
  const classifier = Classifier.load(out);
  t.deepEqual(classifier.config().options['channels'], [4, 8]);
  t.deepEqual(classifier.metadata, { preprocess: 'none', rate: 500 });
  classifier.dispose();
  // predict takes the preprocessing from the checkpoint unless told otherwise.
  const fromCheckpoint = await cli('classify', 'predict', '--model', out, '--input', path.join(small, 'val.npz'), '--out', path.join(small, 'p.json'));
  t.is(fromCheckpoint.code, 0, fromCheckpoint.stderr);
  t.regex(fromCheckpoint.stdout, /preprocessing none, 500 Hz \(preprocessing none, rate 500 Hz from the checkpoint\)/);
  t.is(JSON.parse(fs.readFileSync(path.join(small, 'p.json'), 'utf8')).preprocess, 'none');
  const overridden = await cli('classify', 'predict', '--model', out, '--input', path.join(small, 'val.npz'), '--preprocess', 'default');
  t.regex(overridden.stdout, /preprocessing default, 500 Hz \(rate 500 Hz from the checkpoint\)/);
});

test.serial('classify predict on an NPZ: records are its patients; probabilities equal Classifier.predict after the default pipeline', async (t) => {
  const testSet = loadDefaultDataset('test');
  const p = await predictJson('npz', '--input', path.join(ROOT, 'data', 'ludb-atrial', 'test.npz'));
  t.is(p.preprocess, 'default');
  t.is(p.segments.length, 80);
  t.is(p.records.length, 40);
  t.true(p.records.every((r) => r.segments === 2));
  checkConsistent(t, p);
  // Segments come out grouped by patient; `row` maps them back to the file.
  const byRow = [...p.segments].sort((a, b) => a.row! - b.row!).map((s) => s.probabilities);
  t.deepEqual([...p.segments].map((s) => s.record), p.segments.map((s) => `test:${testSet.patients[s.row!]}`));
  closeRows(t, byRow, await direct(testSet.data, 80), 0);
  // --preprocess none feeds the raw segments, and gives other probabilities.
  const raw = await predictJson('npz-raw', '--input', path.join(ROOT, 'data', 'ludb-atrial', 'test.npz'), '--preprocess', 'none');
  closeRows(t, [...raw.segments].sort((a, b) => a.row! - b.row!).map((s) => s.probabilities), await direct(testSet.data, 80, false), 0);
  t.notDeepEqual(raw.segments.map((s) => s.probabilities), p.segments.map((s) => s.probabilities));
});

(haveLudb ? test.serial : test.skip)('classify predict on a 12-lead LUDB WFDB record: lead II by default, 2 segments, CSV output', async (t) => {
  const rec = await readWfdbRecord(LUDB_RECORD, { channels: ['ii'] });
  const seg = segmentSignals(rec.signals, { length: 2048 });
  t.is(seg.count, 2);
  const want = await direct(seg.data, 2);

  const p = await predictJson('wfdb', '--input', LUDB_RECORD);
  t.deepEqual(p.segments.map((s) => s.start), [0, 2048]);
  t.deepEqual(p.records.map((r) => [r.record, r.segments]), [['1', 2]]);
  checkConsistent(t, p);
  closeRows(t, p.segments.map((s) => s.probabilities), want, 0);

  // The same leads chosen by name; the CSV table has a row per segment, then per record.
  const csv = path.join(dir, 'wfdb.csv');
  const r = await cli('classify', 'predict', '--model', model, '--input', `${LUDB_RECORD}.hea`, '--lead', 'II', '--out', csv);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^record\s+segments\s+p\(0\)\s+p\(1\)\s+predicted\n1\s+2\s+/);
  t.regex(r.stdout, /2 segments of 1 record\(s\); preprocessing default, 500 Hz \(preprocessing default, rate 500 Hz from the checkpoint\); wrote /);
  const lines = fs.readFileSync(csv, 'utf8').trim().split('\n');
  t.is(lines[0], 'level,record,segment,start,row,segments,p_0,p_1,predicted');
  t.is(lines.length, 4);
  t.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 6).join(',')), ['segment,1,0,0,,', 'segment,1,1,2048,,', 'record,1,,,,2']);
  t.is(Number(lines[3]!.split(',')[6]), p.records[0]!.probabilities![0]);
});

(havePtbxl ? test.serial : test.skip)('classify predict resamples a 100 Hz PTB-XL record to the model rate (500 Hz) and honours --stride', async (t) => {
  const p = await predictJson('ptbxl', '--input', PTBXL_RECORD, '--stride', '1024');
  // 1,000 samples at 100 Hz -> 5,000 at 500 Hz -> windows at 0, 1024, 2048 (3 of 2,048 samples).
  t.deepEqual(p.segments.map((s) => s.start), [0, 1024, 2048]);
  checkConsistent(t, p);
  const at100 = await cli('classify', 'predict', '--model', model, '--input', PTBXL_RECORD, '--rate', '100');
  t.is(at100.code, 1);
  t.regex(at100.stderr, /E_SHAPE: .*has 1000 samples at 100 Hz, fewer than the model's segment length of 2048/);
});

(haveLudb ? test.serial : test.skip)('classify predict on CSV signal tables and on a folder', async (t) => {
  const rec = await readWfdbRecord(LUDB_RECORD, { channels: ['i', 'ii'] });
  const folder = path.join(dir, 'inputs');
  fs.mkdirSync(folder);
  writeCsv(path.join(folder, 'rec1.csv'), { I: rec.signals[0]!, II: rec.signals[1]! });
  // The same lead II at 250 Hz (every other sample) is resampled back to 500 Hz.
  writeCsv(path.join(folder, 'half.csv'), { ecg: rec.signals[1]!.filter((_, i) => i % 2 === 0) });
  const wfdb = await predictJson('wfdb-again', '--input', LUDB_RECORD);

  const csv = await predictJson('csv', '--input', path.join(folder, 'rec1.csv'));
  t.deepEqual(csv.records.map((r) => [r.record, r.segments]), [['rec1', 2]]);
  closeRows(t, csv.segments.map((s) => s.probabilities), wfdb.segments.map((s) => s.probabilities), 1e-6);

  // A folder, CSV files only: sorted by name; every CSV read at 250 Hz, lead 0 of each.
  const all = await predictJson('folder', '--input', folder, '--format', 'csv', '--csv-rate', '250', '--lead', '0');
  // half: 2,500 -> 5,000 samples, 2 windows; rec1 (lead I): 5,000 -> 10,000 samples, 4 windows.
  t.deepEqual(all.records.map((r) => [r.record, r.segments]), [['half', 2], ['rec1', 4]]);
  checkConsistent(t, all);

  // A folder of mixed formats: the WFDB record and its CSV copy give the same probabilities.
  const mixed = path.join(dir, 'mixed');
  fs.mkdirSync(mixed);
  for (const f of ['1.hea', '1.dat']) fs.copyFileSync(path.join(LUDB, 'data', f), path.join(mixed, f));
  fs.copyFileSync(path.join(folder, 'rec1.csv'), path.join(mixed, 'rec1.csv'));
  const both = await predictJson('mixed', '--input', mixed);
  t.deepEqual(both.records.map((r) => [r.record, r.segments]), [['1', 2], ['rec1', 2]]);
  closeRows(t, both.segments.slice(2).map((s) => s.probabilities), both.segments.slice(0, 2).map((s) => s.probabilities), 1e-6);
});

test.serial('classify predict: typed errors for a wrong length or lead count, unknown leads, missing files, a bad --out', async (t) => {
  const short = path.join(dir, 'short.npz');
  const w = new NpzWriter(short, { length: 1000, channels: 1 });
  w.append(new Float32Array(2000), [0, 1]);
  await w.close();
  const shortCsv = path.join(dir, 'short.csv');
  writeCsv(shortCsv, { II: new Float64Array(100) });
  const twoLeads = path.join(dir, 'two.csv');
  writeCsv(twoLeads, { a: new Float64Array(4096), b: new Float64Array(4096) });

  const cases: Array<[string[], RegExp]> = [
    [['--input', short], /E_SHAPE: .*short\.npz holds segments of 1000 samples x 1 lead\(s\) but the model takes 2048 x 1/],
    [['--input', shortCsv], /E_SHAPE: .*has 100 samples at 500 Hz/],
    [['--input', twoLeads], /E_SHAPE: .*has 2 lead\(s\) \(a, b\) but the model takes 1: choose them/],
    [['--input', twoLeads, '--lead', 'a,b'], /E_SHAPE: The model takes 1 lead\(s\) but 2 were chosen/],
    [['--input', twoLeads, '--lead', 'v9'], /E_FORMAT: .*two\.csv: no lead "v9" \(leads: a, b\)/],
    [['--input', path.join(dir, 'missing.npz')], /E_IO: cannot read .*missing\.npz/],
    [['--input', path.join(dir, 'missing-record')], /E_IO: cannot read .*missing-record/],
    [['--input', short, '--out', path.join(dir, 'p.txt')], /E_ARG_RANGE: Expected --out ending in \.json or \.csv/],
  ];
  for (const [args, message] of cases) {
    const r = await cli('classify', 'predict', '--model', model, ...args);
    t.is(r.code, 1, args.join(' '));
    t.regex(r.stderr, message);
  }
  const noModel = await cli('classify', 'predict', '--model', path.join(dir, 'none.safetensors'), '--input', short);
  t.is(noModel.code, 1);
  t.regex(noModel.stderr, /ecg-ldm: E_IO: /);
});
