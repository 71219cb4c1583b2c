// Classifier training end to end on the bundled LUDB set (lead II, 2048 samples).
// Serial: trainings share LibTorch's global CPU generator (dropout), and the
// determinism tests need runs not to interleave (see classifier_trainer.h).
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ArgumentRangeError,
  BusyError,
  CancelledError,
  Classifier,
  ConfigError,
  DeviceError,
  DisposedError,
  NonFiniteError,
  ShapeError,
  TrainingError,
  info,
  loadDefaultDataset,
  type ClassifierProgress,
  type ReferenceDataset,
} from 'ecg-ldm';
import { ROOT } from './helpers/paths';

// The raw addon, to check that native code guards on its own (the TS layer checks first).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { nativeAddon } = require(path.join(ROOT, 'lib', 'native.js')) as typeof import('../ts/native');

const train = loadDefaultDataset('train');
const val = loadDefaultDataset('val');

/** The first `n` segments of a set (same layout). */
function head(ds: ReferenceDataset, n: number): ReferenceDataset {
  const [, l, c] = ds.shape;
  return { data: ds.data.slice(0, n * l * c), shape: [n, l, c], labels: ds.labels.slice(0, n) };
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-ldm-classify-'));
}

function sameBytes(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const small = { train: head(train, 96), val: head(val, 32) };

test.serial('ECGNet trains on LUDB: loss decreases, checkpoints load, probabilities sum to 1', async (t) => {
  const dir = tmpDir();
  const events: ClassifierProgress[] = [];
  const started = Date.now();
  const classifier = await Classifier.train(
    { epochs: 4, batchSize: 16, lr: 3e-3, seed: 1, checkpointDir: dir, progressEvery: 5, patience: 0 },
    train,
    val,
    { onProgress: (e) => events.push(e) },
  );
  const seconds = (Date.now() - started) / 1000;
  const summary = classifier.trainingSummary()!;
  t.log(`4 epochs x ${train.shape[0]} segments in ${seconds.toFixed(1)} s; train loss ${summary.epochs.map((e) => e.trainLoss.toFixed(3)).join(' -> ')}; val loss ${summary.epochs.map((e) => e.valLoss.toFixed(3)).join(' -> ')}; val acc ${summary.epochs.map((e) => e.valAccuracy.toFixed(2)).join(' ')}`);
  t.is(summary.epochs.length, 4);
  t.is(summary.steps, 4 * Math.ceil(train.shape[0] / 16));
  t.true(summary.epochs.at(-1)!.trainLoss < summary.epochs[0]!.trainLoss, 'training loss decreases');
  t.is(summary.bestValLoss, Math.min(...summary.epochs.map((e) => e.valLoss)));

  // Progress: 'train' events every 5 steps, 'epoch' events after validations. Events are
  // never allowed to block training, so the last one may arrive after the Promise settles.
  const trainEvents = events.filter((e) => e.stage === 'train');
  t.true(trainEvents.length >= 1);
  t.true(trainEvents.every((e) => e.step % 5 === 0 && Number.isFinite(e.loss) && e.samplesPerSecond! > 0));
  const epochEvents = events.filter((e) => e.stage === 'epoch');
  t.true(epochEvents.length >= 3 && epochEvents.every((e) => Number.isFinite(e.valLoss) && Number.isFinite(e.valAccuracy)));
  t.log(`samples/s ${trainEvents.map((e) => Math.round(e.samplesPerSecond!)).join(' ')}`);

  // Checkpoints: best + last, each with its JSON sidecar; best reproduces the result.
  for (const f of ['best.safetensors', 'best.json', 'last.safetensors', 'last.json']) t.true(fs.existsSync(path.join(dir, f)), f);
  const p = await classifier.predict(val.data, val.shape);
  t.is(p.length, val.shape[0] * 2);
  for (let i = 0; i < val.shape[0]; i++) t.true(Math.abs(p[2 * i]! + p[2 * i + 1]! - 1) < 1e-5);
  const best = Classifier.load(path.join(dir, 'best.safetensors'));
  t.true(sameBytes(await best.predict(val.data, val.shape), p), 'best.safetensors holds the returned weights');
  t.deepEqual(best.config(), classifier.config());
  t.is(best.trainingSummary(), null);
  const last = Classifier.load(path.join(dir, 'last.safetensors'));
  t.is((await last.predict(val.data, val.shape)).length, p.length);

  // save() round trip.
  classifier.save(path.join(dir, 'saved.safetensors'));
  t.true(sameBytes(await Classifier.load(path.join(dir, 'saved.safetensors')).predict(val.data, val.shape), p));
  for (const c of [classifier, best, last]) c.dispose();
});

test.serial('the default ECGNet has 19,040 parameters and a complete config', async (t) => {
  const c = await Classifier.train({ epochs: 1, batchSize: 32 }, small.train, small.val);
  t.is(c.parameterCount, 19040);
  const config = c.config();
  t.is(config.kind, 'ecgnet');
  t.is(config.numClasses, 2);
  t.is(config.leads, 1);
  t.is(config.samples, 2048);
  t.is(config.options['f1'], 4);
  t.is(config.options['dropout'], 0.2);
  t.is(c.device, 'cpu');
  c.dispose();
});

test.serial('same seed twice gives identical predictions; another seed does not', async (t) => {
  const cfg = { epochs: 2, batchSize: 16, seed: 7 };
  const a = await Classifier.train(cfg, small.train, small.val);
  const b = await Classifier.train(cfg, small.train, small.val);
  const c = await Classifier.train({ ...cfg, seed: 8 }, small.train, small.val);
  const pa = await a.predict(val.data, val.shape);
  t.true(sameBytes(pa, await b.predict(val.data, val.shape)));
  t.false(sameBytes(pa, await c.predict(val.data, val.shape)));
  for (const x of [a, b, c]) x.dispose();
});

test.serial('resuming from last.safetensors continues the run exactly', async (t) => {
  const cfg = { epochs: 3, batchSize: 16, seed: 3, patience: 0 };
  const full = await Classifier.train(cfg, small.train, small.val);
  const dir = tmpDir();
  const firstPart = await Classifier.train({ ...cfg, epochs: 2, checkpointDir: dir }, small.train, small.val);
  firstPart.dispose();
  const resumed = await Classifier.train(
    { ...cfg, checkpointDir: dir, resumeFrom: path.join(dir, 'last.safetensors') },
    small.train,
    small.val,
  );
  t.is(resumed.trainingSummary()!.steps, full.trainingSummary()!.steps);
  t.true(sameBytes(await full.predict(val.data, val.shape), await resumed.predict(val.data, val.shape)));
  full.dispose();
  resumed.dispose();
});

test.serial('metadata is kept in training checkpoints and by save(), and read back on load', async (t) => {
  const metadata = { preprocess: 'none', rate: 250, note: { source: 'LUDB', leads: ['ii'] } };
  const dir = tmpDir();
  const c = await Classifier.train({ epochs: 1, batchSize: 16, patience: 0, checkpointDir: dir, metadata }, small.train, small.val);
  t.deepEqual(c.metadata, metadata);
  const saved = path.join(dir, 'saved.safetensors');
  c.save(saved);
  c.dispose();
  for (const file of ['best.safetensors', 'last.safetensors', 'saved.safetensors']) {
    const loaded = Classifier.load(path.join(dir, file));
    t.deepEqual(loaded.metadata, metadata, file);
    loaded.dispose();
  }
  const plain = await Classifier.train({ epochs: 1, batchSize: 16, patience: 0 }, small.train, small.val);
  t.deepEqual(plain.metadata, {});
  plain.dispose();
  for (const bad of [{ metadata: [1, 2] }, { metadata: 'text' }, { metadata: { rate: Number.NaN } }, { metadata: { f: () => 1 } }]) {
    await t.throwsAsync(Classifier.train({ epochs: 1, ...bad } as never, small.train, small.val), { instanceOf: ConfigError }, String(Object.values(bad)[0]));
  }
  // Straight to the addon: metadata that is not a JSON object is refused natively too.
  await t.throwsAsync(
    nativeAddon<{ ClassifierHandle: { train(o: object): Promise<unknown> } }>().ClassifierHandle.train({
      modelConfig: JSON.stringify({ kind: 'ecgnet', numClasses: 2, leads: 1, samples: 2048 }),
      trainData: small.train.data, trainShape: [...small.train.shape], trainLabels: small.train.labels,
      valData: small.val.data, valShape: [...small.val.shape], valLabels: small.val.labels, epochs: 1, metadata: '[1]',
    }),
    { instanceOf: ArgumentRangeError, message: /JSON object for metadata/ },
  );
});

test.serial('other kinds train: cnn, cnnlstm, resnet1d (class-weighted, AdamW)', async (t) => {
  const tiny = { train: head(train, 32), val: head(val, 16) };
  for (const model of [
    { kind: 'cnn' as const, channels: [8, 16] },
    { kind: 'cnnlstm' as const, channels: [8], hidden: 8 },
    { kind: 'resnet1d' as const, stemChannels: [8, 8, 8], stageChannels: [8, 16], blocks: [1, 1], headHidden: 16 },
  ]) {
    const c = await Classifier.train({ model, epochs: 1, batchSize: 16, classWeighting: true, optimizer: 'adamw', weightDecay: 0.01 }, tiny.train, tiny.val);
    t.is(c.config().kind, model.kind);
    const p = await c.predict(tiny.val.data, tiny.val.shape);
    t.true(Math.abs(p[0]! + p[1]! - 1) < 1e-5);
    c.dispose();
  }
});

test.serial('abort mid-training: CancelledError and a loadable last checkpoint', async (t) => {
  const dir = tmpDir();
  const controller = new AbortController();
  const err = await t.throwsAsync(
    Classifier.train({ epochs: 50, batchSize: 16, checkpointDir: dir, progressEvery: 1 }, small.train, small.val, {
      signal: controller.signal,
      onProgress: (e) => {
        if (e.stage === 'train' && e.step >= 2) controller.abort();
      },
    }),
    { instanceOf: CancelledError },
  );
  t.is(err?.code, 'E_CANCELLED');
  t.regex(err!.message, /last\.safetensors/);
  const c = Classifier.load(path.join(dir, 'last.safetensors'));
  t.is(c.parameterCount, 19040);
  const p = await c.predict(small.val.data, small.val.shape);
  t.true(p.every((v) => Number.isFinite(v)));
  c.dispose();

  // An already-aborted signal rejects without training.
  await t.throwsAsync(Classifier.train({ epochs: 1 }, small.train, small.val, { signal: AbortSignal.abort() }), { instanceOf: CancelledError });
});

test.serial('a NaN loss is a TrainingError and leaves the last good checkpoint intact', async (t) => {
  const dir = tmpDir();
  const last = path.join(dir, 'last.safetensors');
  (await Classifier.train({ epochs: 1, batchSize: 16, checkpointDir: dir }, small.train, small.val)).dispose();
  const before = fs.readFileSync(last);
  // lr 1e38: the first Adam step moves every weight by ~1e38 and the next forward overflows.
  const err = await t.throwsAsync(
    Classifier.train({ epochs: 3, batchSize: 16, lr: 1e38, checkpointDir: dir, resumeFrom: last }, small.train, small.val),
    { instanceOf: TrainingError },
  );
  t.log(err?.message);
  t.true(fs.readFileSync(last).equals(before), 'last.safetensors unchanged');
  const c = Classifier.load(last);
  t.true((await c.predict(small.val.data, small.val.shape)).every((v) => Number.isFinite(v)));
  c.dispose();
});

test.serial('invalid inputs give typed errors', async (t) => {
  const oneClass: ReferenceDataset = { ...small.train, labels: new Int32Array(small.train.labels.length) };
  await t.throwsAsync(Classifier.train({ epochs: 1 }, oneClass, small.val), { instanceOf: ArgumentRangeError, message: /two classes/ });

  const shortVal = { data: new Float32Array(16 * 1024), shape: [16, 1024, 1] as [number, number, number], labels: small.val.labels.slice(0, 16) };
  await t.throwsAsync(Classifier.train({ epochs: 1 }, small.train, shortVal), { instanceOf: ShapeError });
  await t.throwsAsync(Classifier.train({ epochs: 1 }, { ...small.train, shape: [95, 2048, 1] }, small.val), { instanceOf: ShapeError });
  await t.throwsAsync(Classifier.train({ epochs: 1 }, { ...small.train, labels: small.train.labels.slice(1) }, small.val), { instanceOf: ShapeError });
  const empty = { data: new Float32Array(0), shape: [0, 2048, 1] as [number, number, number], labels: new Int32Array(0) };
  await t.throwsAsync(Classifier.train({ epochs: 1 }, small.train, empty), { instanceOf: ShapeError, message: /non-empty/ });

  const nanData = small.train.data.slice();
  nanData[1234] = Number.NaN;
  await t.throwsAsync(Classifier.train({ epochs: 1 }, { ...small.train, data: nanData }, small.val), { instanceOf: NonFiniteError });

  for (const bad of [{ epochs: -1 }, { lr: 0 }, { model: { kind: 'transformer' } }, { model: { kind: 'ecgnet', dropout: 2 } }, { epoch: 3 }, { device: 'tpu' }]) {
    await t.throwsAsync(Classifier.train(bad as never, small.train, small.val), { instanceOf: ConfigError }, JSON.stringify(bad));
  }
  if (!info().cuda.available) {
    await t.throwsAsync(Classifier.train({ epochs: 1, device: 'cuda' }, small.train, small.val), { instanceOf: DeviceError });
  }
  t.throws(() => Classifier.load(path.join(tmpDir(), 'missing.safetensors')), { code: 'E_IO' } as never);
});

test.serial('the native layer guards on its own (single class, shapes, model options)', async (t) => {
  const addon = nativeAddon<{ ClassifierHandle: { train(o: Record<string, unknown>): Promise<unknown> } }>();
  const base = {
    modelConfig: JSON.stringify({ kind: 'ecgnet', numClasses: 2, leads: 1, samples: 2048 }),
    trainData: small.train.data, trainShape: small.train.shape, trainLabels: small.train.labels,
    valData: small.val.data, valShape: small.val.shape, valLabels: small.val.labels, epochs: 1,
  };
  await t.throwsAsync(addon.ClassifierHandle.train({ ...base, trainLabels: new Int32Array(96) }) as Promise<unknown>, { code: 'E_ARG_RANGE', message: /two classes/ } as never);
  await t.throwsAsync(addon.ClassifierHandle.train({ ...base, valShape: [32, 1024, 2] }) as Promise<unknown>, { code: 'E_SHAPE' } as never);
  await t.throwsAsync(addon.ClassifierHandle.train({ ...base, trainLabels: new Int32Array(5) }) as Promise<unknown>, { code: 'E_SHAPE' } as never);
  await t.throwsAsync(addon.ClassifierHandle.train({ ...base, valLabels: new Int32Array(32).fill(5) }) as Promise<unknown>, { code: 'E_ARG_RANGE', message: /labels in \[0, 1\]/ } as never);
  await t.throwsAsync(addon.ClassifierHandle.train({ ...base, modelConfig: JSON.stringify({ kind: 'ecgnet', numClasses: 2, leads: 1, samples: 2048, options: { dropot: 0.1 } }) }) as Promise<unknown>, { code: 'E_ARG_RANGE', message: /Unknown option "dropot"/ } as never);
  await t.throwsAsync(addon.ClassifierHandle.train({ ...base, modelConfig: '{not json' }) as Promise<unknown>, { code: 'E_FORMAT' } as never);
});

test.serial('dispose and busy: E_DISPOSED after dispose, E_BUSY for a second job', async (t) => {
  const c = await Classifier.train({ epochs: 1 }, small.train, small.val);
  const first = c.predict(train.data, train.shape);
  await t.throwsAsync(c.predict(train.data, train.shape), { instanceOf: BusyError });
  await first;
  t.is((await c.predict(small.val.data, small.val.shape)).length, 64, 'free again after the job');
  await t.throwsAsync(c.predict(small.val.data, [32, 2048, 2] as never), { instanceOf: ShapeError });
  c.dispose();
  c.dispose();
  await t.throwsAsync(c.predict(small.val.data, small.val.shape), { instanceOf: DisposedError });
  t.throws(() => c.save(path.join(tmpDir(), 'x.safetensors')), { instanceOf: DisposedError });
  t.throws(() => c.config(), { instanceOf: DisposedError });
  t.throws(() => c.parameterCount, { instanceOf: DisposedError });
});
