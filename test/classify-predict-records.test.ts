// predictRecords over arrays and streams: the same probabilities whatever the chunking;
// streamPredictionInputs reads a folder file by file as it is consumed; typed errors.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ArgumentRangeError,
  ArgumentTypeError,
  Classifier,
  IoError,
  ShapeError,
  loadDefaultDataset,
  predictRecords,
  readPredictionInputs,
  streamPredictionInputs,
  type RecordSegments,
} from 'ecg-ldm';
import { tempDir } from './helpers/data-paths';
import { ROOT } from './helpers/paths';

const TEST_NPZ = path.join(ROOT, 'data', 'ludb-atrial', 'test.npz');
const dir = tempDir('ecg-ldm-predict-records-');
let classifier: Classifier;

test.before(async () => {
  const train = loadDefaultDataset('train');
  const n = 64;
  const part = { data: train.data.slice(0, n * 2048), shape: [n, 2048, 1] as [number, number, number], labels: train.labels.slice(0, n) };
  classifier = await Classifier.train({ epochs: 1, patience: 0, seed: 5 }, part, part);
});

test.after.always(() => {
  classifier?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A CSV signal table with one lead, II, of `samples` rows at 500 Hz. */
function writeLeadIiCsv(file: string, samples: number, phase: number): void {
  const rows = ['II'];
  for (let i = 0; i < samples; i++) rows.push((Math.sin((2 * Math.PI * 1.2 * i) / 500 + phase) ** 15).toFixed(5));
  fs.writeFileSync(file, `${rows.join('\n')}\n`);
}

test('a stream in chunks of 3 segments gives the probabilities of the whole array in one call', async (t) => {
  const all = await readPredictionInputs(TEST_NPZ, classifier.config());
  const whole = await predictRecords(classifier, all);
  const chunked = await predictRecords(classifier, streamPredictionInputs(TEST_NPZ, classifier.config()), { chunkSegments: 3 });
  t.is(chunked.records.length, 40);
  t.deepEqual(chunked.records.map((r) => [r.record, r.segments]), whole.records.map((r) => [r.record, r.segments]));
  t.deepEqual(chunked.segments.map((s) => s.row), whole.segments.map((s) => s.row));
  chunked.segments.forEach((s, i) => s.probabilities.forEach((p, k) => t.true(Math.abs(p - whole.segments[i]!.probabilities[k]!) < 1e-6, `segment ${i}`)));
});

test('streamPredictionInputs reads a folder one file at a time, as it is consumed', async (t) => {
  const folder = path.join(dir, 'lazy');
  fs.mkdirSync(folder);
  writeLeadIiCsv(path.join(folder, 'a.csv'), 4096, 0);
  writeLeadIiCsv(path.join(folder, 'b.csv'), 4096, 1);
  const stream = streamPredictionInputs(folder, classifier.config());
  const first = await stream.next();
  t.is((first.value as RecordSegments).shape[0], 2);
  // b.csv is read only now: removing it first makes the next record fail.
  fs.rmSync(path.join(folder, 'b.csv'));
  await t.throwsAsync(stream.next(), { instanceOf: IoError, message: /b\.csv/ });
});

test('typed errors: not an iterable, a bad chunk size, a record of the wrong length mid-stream', async (t) => {
  await t.throwsAsync(predictRecords(classifier, 5 as never), { instanceOf: ArgumentTypeError, message: /records/ });
  await t.throwsAsync(predictRecords(classifier, [], { chunkSegments: 0 }), { instanceOf: ArgumentRangeError, message: /chunkSegments/ });
  await t.throwsAsync(predictRecords(classifier, [], { chunkSegments: '4' as never }), { instanceOf: ArgumentTypeError });
  const good = (await readPredictionInputs(TEST_NPZ, classifier.config()))[0]!;
  async function* mixed(): AsyncGenerator<RecordSegments> {
    yield good;
    yield { ...good, record: 'short', data: new Float32Array(1024), shape: [1, 1024, 1] };
  }
  await t.throwsAsync(predictRecords(classifier, mixed()), { instanceOf: ShapeError, message: /record short/ });
  t.deepEqual((await predictRecords(classifier, [])).records, []);
});
