// The augmentation-ratio study end to end on the bundled LUDB set (tiny: 1 epoch, a
// 10-tree forest, ratios 0 and 1, one repeat), its resume, its refusals and its CLI.
// Serial: classifier trainings share LibTorch's global generator (see classify-train).
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import {
  ArgumentRangeError,
  CancelledError,
  ConfigError,
  NonFiniteError,
  ShapeError,
  SplitError,
  classifierConfigFor,
  defaultDataPath,
  drawBalancedSynthetic,
  loadDefaultDataset,
  parseStudyConfig,
  readSplitFile,
  readStudySet,
  runAugmentationStudy,
  writeNpz,
  type AugmentationStudyConfig,
  type ReferenceDataset,
  type StudyProgress,
  type StudyResults,
} from 'ecg-ldm';

// The CLI module is not part of the package's public exports; load the built file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { registerStudyCommands } = require(path.resolve(__dirname, '../../../lib/cli/study.js')) as { registerStudyCommands(p: Command): void };

const train = loadDefaultDataset('train');

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-ldm-study-'));
}

/** Segments `indices` of `ds` (same layout). */
function subset(ds: ReferenceDataset, indices: number[]): ReferenceDataset {
  const [, l, c] = ds.shape;
  const data = new Float32Array(indices.length * l * c);
  indices.forEach((i, k) => data.set(ds.data.subarray(i * l * c, (i + 1) * l * c), k * l * c));
  return { data, shape: [indices.length, l, c], labels: Int32Array.from(indices, (i) => ds.labels[i]!) };
}

/** Real segments plus seeded Gaussian noise of standard deviation `sigma`: a stand-in for a generator's output. */
function noisyCopy(ds: ReferenceDataset, sigma: number, seed: number): ReferenceDataset {
  let s = seed >>> 0;
  const uniform = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 1) / 4294967297;
  const data = Float32Array.from(ds.data, (v) => v + sigma * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
  return { data, shape: [...ds.shape], labels: ds.labels.slice() };
}

/** Writes a reference-layout NPZ, with a `patient` array when given. */
async function writeSet(file: string, ds: ReferenceDataset, patients?: number[]): Promise<string> {
  await writeNpz(file, {
    data: { dtype: 'f4', shape: [...ds.shape], data: ds.data },
    label: { dtype: 'i8', shape: [ds.shape[0]], data: BigInt64Array.from(ds.labels, (v) => BigInt(v)) },
    ...(patients ? { patient: { dtype: 'i8', shape: [patients.length], data: BigInt64Array.from(patients, (v) => BigInt(v)) } } : {}),
  });
  return file;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Synthetic set shared by the study runs: the real training segments plus noise. */
const syntheticFile = (async () => writeSet(path.join(tmpDir(), 'gen.npz'), noisyCopy(train, 0.05, 1)))();

const tiny = async (out: string, extra: Partial<AugmentationStudyConfig> = {}): Promise<AugmentationStudyConfig> => ({
  synthetic: await syntheticFile,
  out,
  models: ['rf', 'ecgnet'],
  ratios: [0, 1],
  repeats: 1,
  epochs: 1,
  batchSize: 32,
  forestTrees: 10,
  bootstrapIterations: 200,
  ...extra,
});

/** Tags of an SVG/XML text balance (every opened element is closed, in order). */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  for (const [, close, name, selfClosing] of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)[^>]*?(\/?)>/g)) {
    if (selfClosing) continue;
    if (close) {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  return stack.length === 0;
}

test('balanced synthetic draws: equal shares, reuse counted, nested across counts, seeded', (t) => {
  const labels = Int32Array.from([...Array(30).fill(0), ...Array(5).fill(1)]);
  const draw = drawBalancedSynthetic(labels, 21, 3);
  t.is(draw.indices.length, 21);
  t.true(Math.abs(draw.perClass[0]! - draw.perClass[1]!) <= 1);
  t.is(draw.perClass[0]! + draw.perClass[1]!, 21);
  t.is(draw.reused, draw.perClass[1]! - 5, 'class 1 has 5 segments, the rest of its share is reused');
  const drawnLabels = Array.from(draw.indices, (i) => labels[i]!);
  t.is(drawnLabels.filter((l) => l === 1).length, draw.perClass[1]);
  // Class 0's share is drawn without repeats (it has 30 segments).
  const class0 = Array.from(draw.indices).filter((i) => labels[i] === 0);
  t.is(new Set(class0).size, class0.length);
  // Nested: the smaller draw's per-class sequence is a prefix of the larger one's.
  const small = drawBalancedSynthetic(labels, 8, 3);
  for (const c of [0, 1]) {
    const big = Array.from(draw.indices).filter((i) => labels[i] === c);
    const part = Array.from(small.indices).filter((i) => labels[i] === c);
    t.deepEqual(big.slice(0, part.length), part);
  }
  t.deepEqual(drawBalancedSynthetic(labels, 21, 3), draw);
  t.notDeepEqual(drawBalancedSynthetic(labels, 21, 4).indices, draw.indices);
  t.is(drawBalancedSynthetic(labels, 0, 3).indices.length, 0);
});

test('patient ids: the NPZ patient array, else split.json blocks, which agree on the bundled set', async (t) => {
  const own = readStudySet(path.join(defaultDataPath(), 'test.npz'), 'test');
  t.is(own.patientSource, 'npz');
  t.is(new Set(own.patients).size, 40);
  // The same segments without their patient array: the split file's patients, in blocks.
  const stripped = await writeSet(path.join(tmpDir(), 'test.npz'), loadDefaultDataset('test'));
  const split = readSplitFile(path.join(defaultDataPath(), 'split.json'));
  const set = readStudySet(stripped, 'test', split);
  t.is(set.patientSource, 'split');
  t.deepEqual(set.patients, own.patients.map((p) => `ludb-${p}`));
  // A split file that does not fit the file's layout is refused.
  t.throws(() => readStudySet(stripped, 'val', { sets: { val: split.sets['val']!.slice(0, 3) } }), { instanceOf: SplitError });
  t.throws(() => readStudySet(stripped, 'test', { sets: { train: [] } }), { instanceOf: SplitError });
});

test('the fusion model needs a generator checkpoint, which is passed through as generatorCheckpoint', async (t) => {
  const out = tmpDir();
  const started: StudyProgress[] = [];
  const error = await t.throwsAsync(runAugmentationStudy(await tiny(out, { models: ['ecgnet', 'fusion'] }), { onProgress: (e) => started.push(e) }), { instanceOf: ConfigError });
  t.regex(error!.message, /generatorCheckpoint/);
  t.is(started.length, 0);
  const cfg = parseStudyConfig(await tiny(out, { models: ['fusion'], generatorCheckpoint: 'gen/best.safetensors' }));
  const classifier = classifierConfigFor('fusion', cfg, 5, 2);
  t.deepEqual(classifier.model, { kind: 'fusion', generatorCheckpoint: 'gen/best.safetensors' } as never);
  t.is(classifier.seed, 5);
  t.deepEqual(classifierConfigFor('cnn', cfg, 5, 2).model, { kind: 'cnn' });
});

test('refusals: typed errors before any training', async (t) => {
  const dir = tmpDir();
  const pairs = (from: number, n: number) => range(from, from + n).flatMap((p) => [p, p]);
  const real = subset(train, range(0, 40)); // 20 patients, both classes
  const files = {
    real: await writeSet(path.join(dir, 'train.npz'), real, pairs(0, 20)),
    val: await writeSet(path.join(dir, 'val.npz'), subset(train, range(40, 60)), pairs(100, 10)),
    test: await writeSet(path.join(dir, 'test.npz'), subset(train, range(60, 80)), pairs(200, 10)),
    synthetic: await writeSet(path.join(dir, 'gen.npz'), noisyCopy(real, 0.05, 2)),
  };
  const attempt = async (changes: Partial<AugmentationStudyConfig>) => {
    const events: StudyProgress[] = [];
    const out = path.join(dir, `out-${Math.random().toString(36).slice(2)}`);
    const promise = runAugmentationStudy({ ...files, out, models: ['rf'], ratios: [0, 1], repeats: 1, forestTrees: 2, ...changes }, { onProgress: (e) => events.push(e) });
    return { promise, check: () => t.false(events.length > 0 || fs.existsSync(path.join(out, 'results.json')), 'nothing ran or was written') };
  };
  const refuse = async (name: string, file: Promise<string>, key: keyof typeof files, errorClass: new (...args: never[]) => Error) => {
    const { promise, check } = await attempt({ [key]: await file });
    await t.throwsAsync(promise, { instanceOf: errorClass }, name);
    check();
  };
  // Patients shared between train and test (or val).
  await refuse('train/test overlap', writeSet(path.join(dir, 'overlap.npz'), subset(train, range(60, 80)), pairs(15, 10)), 'test', SplitError);
  await refuse('train/val overlap', writeSet(path.join(dir, 'overlap-val.npz'), subset(train, range(40, 60)), pairs(0, 10)), 'val', SplitError);
  // Other segment lengths or lead counts.
  const half = { data: Float32Array.from({ length: 40 * 1024 }, (_, i) => real.data[Math.floor(i / 1024) * 2048 + (i % 1024)]!), shape: [40, 1024, 1] as [number, number, number], labels: real.labels };
  await refuse('length', writeSet(path.join(dir, 'short.npz'), half), 'synthetic', ShapeError);
  const twoLeads = { data: new Float32Array(20 * 1024 * 2), shape: [20, 1024, 2] as [number, number, number], labels: real.labels.slice(0, 20) };
  await refuse('leads', writeSet(path.join(dir, 'two-leads.npz'), twoLeads), 'synthetic', ShapeError);
  // Synthetic labels the real data lacks.
  const foreign = { ...noisyCopy(real, 0.05, 3), labels: Int32Array.from(real.labels, (l, i) => (i === 7 ? 2 : l)) };
  await refuse('synthetic label 2', writeSet(path.join(dir, 'foreign.npz'), foreign), 'synthetic', ArgumentRangeError);
  // A single-class training set.
  await refuse('one class', writeSet(path.join(dir, 'one-class.npz'), { ...real, labels: new Int32Array(40).fill(1) }, pairs(0, 20)), 'real', ArgumentRangeError);
  // A single-class synthetic set cannot train TSTR (but may augment one class with tstr off).
  await refuse('one-class TSTR', writeSet(path.join(dir, 'gen-one.npz'), { ...real, labels: new Int32Array(40).fill(1) }), 'synthetic', ArgumentRangeError);
  // Empty splits.
  await refuse('empty test', writeSet(path.join(dir, 'empty.npz'), { data: new Float32Array(0), shape: [0, 2048, 1], labels: new Int32Array(0) }, []), 'test', ShapeError);
  // NaN samples.
  const nan = noisyCopy(real, 0.05, 4);
  nan.data[5000] = NaN;
  await refuse('NaN', writeSet(path.join(dir, 'nan.npz'), nan), 'synthetic', NonFiniteError);
  // Real sets without patient ids and no split file.
  await refuse('no patients', writeSet(path.join(dir, 'anonymous.npz'), subset(train, range(60, 80))), 'test', ConfigError);
  // Real files given only in part.
  const { promise, check } = await attempt({ val: undefined });
  await t.throwsAsync(promise, { instanceOf: ConfigError });
  check();
});

test.serial('study: outputs, intervals, label balance, paired verdicts; an interrupted study resumes', async (t) => {
  const out = tmpDir();
  const config = await tiny(out);
  const total = 2 * 3; // rf, ecgnet x ratio 0, ratio 1, TSTR

  // 1. Interrupted after the first finished run.
  const controller = new AbortController();
  await t.throwsAsync(
    runAugmentationStudy(config, { signal: controller.signal, onProgress: (e) => e.stage === 'run-done' && controller.abort() }),
    { instanceOf: CancelledError },
  );
  const partial = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as StudyResults;
  t.is(partial.runs.length, 1);
  t.is(partial.summary, null);

  // 2. Resumed: the finished run is skipped, the others are trained.
  const events: StudyProgress[] = [];
  const result = await runAugmentationStudy(config, { onProgress: (e) => events.push(e) });
  t.is(result.trained, total - 1);
  t.is(events.filter((e) => e.stage === 'run-done').length, total - 1);
  t.deepEqual(events.filter((e) => e.stage === 'run-skip').map((e) => (e as { run: { id: string } }).run.id), [partial.runs[0]!.id]);
  t.true(events.some((e) => e.stage === 'epoch'), 'ECGNet reports its epochs');

  // 3. Files exist and parse.
  const results = JSON.parse(fs.readFileSync(result.files.results, 'utf8')) as StudyResults;
  t.is(results.runs.length, total);
  t.is(results.inputs.test.patients, 40);
  t.is(results.inputs.train.patientSource, 'npz');
  const html = fs.readFileSync(result.files.html, 'utf8');
  t.regex(html, /<table>/);
  t.is(html.match(/<svg /g)?.length, 2);
  t.regex(html, /TSTR vs TRTR/);
  for (const file of [result.files.scatter, result.files.gainByRatio]) {
    const svg = fs.readFileSync(file, 'utf8');
    t.true(svg.startsWith('<svg ') && wellFormed(svg), file);
  }
  t.regex(fs.readFileSync(result.files.scatter, 'utf8'), /stroke-dasharray/, 'the diagonal');
  t.true(wellFormed(html.replace(/<!DOCTYPE html>|<meta[^>]*>/g, '')));

  // 4. Every interval brackets its point estimate; probabilities are rows of 2 per test segment.
  const bracketed = (ci: { value: number; low: number; high: number }) => ci.low <= ci.value + 1e-12 && ci.value <= ci.high + 1e-12;
  for (const run of results.runs) {
    t.is(run.probabilities.length, 80 * 2);
    for (const name of ['accuracy', 'balancedAccuracy', 'auroc'] as const) t.true(bracketed(run.metrics[name]!), `${run.id} ${name}`);
  }
  const summary = results.summary!;
  t.is(summary.cells.length, total);
  for (const cell of summary.cells) {
    for (const name of ['accuracy', 'balancedAccuracy', 'auroc'] as const) t.true(bracketed(cell.metrics[name]!), `${cell.model} ${cell.armName} ${name}`);
    if (cell.gain === null) {
      t.is(cell.armName, 'ratio 0');
      continue;
    }
    // The verdict is "no significant gain" exactly when the paired interval covers 0.
    const d = cell.gain.metrics.auroc!;
    t.true(bracketed(d), `${cell.model} ${cell.armName} gain`);
    t.is(cell.gain.verdict === 'no significant gain', d.low <= 0 && d.high >= 0);
    t.is(cell.gain.tests.length, 1);
    t.true(cell.gain.tests[0]!.mcnemar.pValue > 0 && cell.gain.tests[0]!.mcnemar.pValue <= 1);
    t.truthy(cell.gain.metrics.accuracy);
  }

  // 5. Training sets: 240 real + a label-balanced synthetic draw (240 for ratio 1 and TSTR).
  for (const run of results.runs) {
    const counts = Object.values(run.trainSegments.syntheticPerClass);
    if (run.arm.kind === 'ratio' && run.arm.ratio === 0) {
      t.is(run.trainSegments.synthetic, 0);
      t.is(run.trainSegments.real, 240);
      continue;
    }
    t.is(run.trainSegments.real, run.arm.kind === 'tstr' ? 0 : 240);
    t.deepEqual(counts, [120, 120], run.id);
    t.is(run.trainSegments.syntheticReused, 24, 'class 0 has 96 synthetic segments for a share of 120');
  }
  // Paired design: the arms of a model and repeat share the model seed and the draw seed.
  t.is(new Set(results.runs.filter((r) => r.model === 'ecgnet').map((r) => `${r.seed}/${r.drawSeed}`)).size, 1);

  // 6. A third call trains nothing; another training option refuses to mix into this folder.
  t.is((await runAugmentationStudy(config)).trained, 0);
  await t.throwsAsync(runAugmentationStudy({ ...config, epochs: 2 }), { instanceOf: ConfigError, message: /another output folder/ });
});

test.serial('CLI: study augment on the bundled set; fusion without --generator is a ConfigError', async (t) => {
  const run = async (args: string[]) => {
    const program = new Command('ecg-ldm').exitOverride().configureOutput({ writeErr: () => undefined });
    registerStudyCommands(program);
    const out: string[] = [];
    const err: string[] = [];
    const stdout = process.stdout.write.bind(process.stdout);
    const stderr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((c: string) => (out.push(String(c)), true)) as typeof process.stdout.write;
    process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
    try {
      await program.parseAsync(args, { from: 'user' });
    } finally {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    }
    return { stdout: out.join(''), stderr: err.join('') };
  };
  const dir = tmpDir();
  const synthetic = await syntheticFile;
  await t.throwsAsync(run(['study', 'augment', '--synthetic', synthetic, '--out', dir, '--models', 'ecgnet,fusion']), { instanceOf: ConfigError, message: /--generator/ });
  const { stdout, stderr } = await run([
    'study', 'augment', '--synthetic', synthetic, '--out', dir, '--models', 'rf', '--ratios', '0,1',
    '--repeats', '1', '--trees', '5', '--bootstrap', '100', '--no-tstr',
  ]);
  t.regex(stderr, /\[1\/2\] rf\/ratio 0\/repeat 0: training/);
  t.regex(stderr, /\[2\/2\] rf\/ratio 1\/repeat 0: 0\.\d{3} \[/);
  t.regex(stdout, /rf {10}ratio 1 {3}AUROC 0\.\d{3} \[.*\] {2}Δ [+-]\d\.\d{3} \[.*\] {2}(no significant gain|significant gain|significant loss)/);
  t.true(fs.existsSync(path.join(dir, 'report.html')));
  const results = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as StudyResults;
  t.is(results.summary!.cells.length, 2);
  t.false(results.config.tstr);
});
