/**
 * `ecg-ldm demo`: the main job, small, on a bundled dataset (default `ptbxl-af`):
 * preprocess the real sets natively, load the shipped generator (or train one with
 * `--train`), generate synthetic segments per label and compare them with the real ones,
 * then train ECGNet on real only, on real + synthetic and on synthetic only (TSTR), score
 * the untouched test patients with patient-bootstrap intervals and a verdict, and write a
 * self-contained report.html.
 * @module
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import {
  DEFAULT_DATASETS, DEFAULT_DATA_SETS, defaultDatasetInfo, defaultGeneratorPath, loadDefaultDataset, type DefaultDatasetInfo, type DefaultDatasetName,
} from '../data/default-data';
import { NpzWriter } from '../data/npz';
import type { PatientSegments } from '../data/segment-table';
import { writeFileAtomic } from '../data/write-file';
import { CancelledError, EcgLdmError, IoError } from '../errors';
import { realVsSyntheticAccuracy, segmentStatistics, type SegmentStatistics } from '../evaluate/real-vs-synthetic';
import { CPU_RECIPE } from '../generate/cpu-recipe';
import { Generator } from '../generate/generator';
import { info } from '../info';
import { numericPatientIds } from '../data/prepare';
import { runPipeline } from '../preprocess/pipeline';
import { demoReportHtml, type DemoReport } from '../report/demo-report';
import { parseStudyConfig, type AugmentationStudyConfig } from '../study/config';
import { studyRunHash } from '../study/results-store';
import { runAugmentationStudy } from '../study/run';
import { STUDY_METRICS } from '../study/scoring';
import { abortOnSigint } from './abort-on-sigint';
import { nonNegativeInt, positiveInt, positiveNumber } from './option-parsers';
import { progressBar } from './progress-bar';

interface DemoFlags {
  set: DefaultDatasetName;
  out: string;
  train: boolean;
  steps: number;
  ratio: number;
  repeats: number;
  epochs: number;
  patience: number;
}

const three = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : 'n/a');

/** Heart rate as a person reads it: never NaN; segments without 3 detected beats are counted. */
function describeRhythm(s: SegmentStatistics, segments: number): string {
  const without = segments - s.heartRate.segments;
  const rate = s.heartRate.segments === 0
    ? 'no segment with 3 or more detected beats'
    : `heart rate median ${s.heartRate.median.toFixed(0)}/min (IQR ${s.heartRate.p25.toFixed(0)}-${s.heartRate.p75.toFixed(0)})`;
  return `${rate}${without > 0 && s.heartRate.segments > 0 ? `, ${without} of ${segments} without 3 detected beats` : ''}, plausible rhythm ${(100 * s.plausibleRhythmShare).toFixed(0)}%`;
}

/** Makes `dir` and proves it writable before any work, so a read-only or full disk fails first and clearly. */
function writableFolder(dir: string): string {
  const abs = path.resolve(dir);
  const probe = path.join(abs, `.ecg-ldm-write-test-${process.pid}`);
  try {
    fs.mkdirSync(abs, { recursive: true });
    fs.writeFileSync(probe, 'ok');
  } catch (err) {
    try {
      fs.rmSync(probe, { force: true });
    } catch {
      // the folder itself is unusable; the error below says so
    }
    throw new IoError(`cannot write the demo's output folder ${abs} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): give a writable folder with --out <dir>`, { cause: err });
  }
  fs.rmSync(probe, { force: true });
  return abs;
}

/** Writes segments with their patients as an NPZ in the reference layout. */
async function writeSet(file: string, set: { data: Float32Array; shape: readonly number[]; labels: ArrayLike<number>; patients?: readonly string[] }): Promise<void> {
  const writer = new NpzWriter(file, { length: set.shape[1]!, channels: set.shape[2]! });
  if (set.patients) {
    const ids = numericPatientIds(set.patients);
    writer.append(set.data, set.labels, set.patients.map((p) => ids.get(p)!));
  } else {
    writer.append(set.data, set.labels);
  }
  await writer.close();
}

/** The shipped generator at `file`, or a clear error saying how to get a working one. */
function loadShippedGenerator(file: string): Generator {
  try {
    return Generator.load(file);
  } catch (err) {
    if (!(err instanceof EcgLdmError)) throw err;
    throw new IoError(`the shipped generator ${file} cannot be loaded (${err.code}: ${err.message}): reinstall ecg-ldm (npm install ecg-ldm) or train one with \`ecg-ldm demo --train\``, { cause: err });
  }
}

/** Trains the CPU recipe from scratch; the run is kept in <out>/generator-run and a rerun continues it. */
async function trainGenerator(train: PatientSegments, steps: number, out: string): Promise<Generator> {
  const runDir = path.join(out, 'generator-run');
  const last = path.join(runDir, 'last.safetensors');
  const resumeFrom = fs.existsSync(last) ? last : undefined;
  if (resumeFrom) process.stdout.write(`generator: continuing the run kept in ${runDir} from its last checkpoint\n`);
  const bar = progressBar('generator');
  try {
    return await abortOnSigint((signal) => Generator.train(
      { ...CPU_RECIPE.network, run: { ...CPU_RECIPE.run, steps, progressEvery: 10, checkpointDir: runDir, ...(resumeFrom ? { resumeFrom } : {}) } },
      train,
      { signal, onProgress: (e) => e.stage === 'train' && bar.update(e.step, e.totalSteps, `loss ${e.loss.toFixed(4)}`) },
    ));
  } catch (err) {
    if (!(err instanceof CancelledError)) throw err;
    throw new CancelledError(`demo interrupted during generator training; the run is kept in ${runDir}: run the same command again to continue it`);
  } finally {
    bar.end();
  }
}

async function runDemo(flags: DemoFlags): Promise<void> {
  const started = Date.now();
  const dataset: DefaultDatasetInfo = defaultDatasetInfo(flags.set);
  const out = writableFolder(flags.out);
  const shippedFile = flags.train ? undefined : defaultGeneratorPath(dataset.name); // a missing one fails before any work
  const runtime = info();
  process.stdout.write(
    `ecg-ldm ${runtime.version} on LibTorch ${runtime.torch.version} (${runtime.threads} threads)\n` +
      `dataset ${dataset.name}: ${dataset.title}\n`,
  );

  // 1. The real sets, preprocessed natively as the shipped generator's training set was.
  const sets = {} as Record<(typeof DEFAULT_DATA_SETS)[number], PatientSegments>;
  const timings: Record<string, number> = {};
  let t = Date.now();
  fs.mkdirSync(path.join(out, 'data'), { recursive: true });
  let rawExample = new Float32Array(0);
  for (const set of DEFAULT_DATA_SETS) {
    const raw = loadDefaultDataset(set, dataset.name);
    if (set === 'train') rawExample = raw.data.slice(0, raw.shape[1] * raw.shape[2]);
    sets[set] = { ...raw, data: await runPipeline(raw.data, raw.shape, dataset.pipeline) };
    await writeSet(path.join(out, 'data', `${set}.npz`), sets[set]);
  }
  timings['preprocess'] = (Date.now() - t) / 1000;
  const count = (labels: Int32Array, l: number) => labels.reduce((a, v) => a + (v === l ? 1 : 0), 0);
  for (const set of DEFAULT_DATA_SETS) {
    const s = sets[set];
    process.stdout.write(`  ${set.padEnd(5)} ${s.shape[0]} segments of ${s.shape[1]} samples from ${new Set(s.patients).size} patients (${dataset.classes.map((c, l) => `${c} ${count(s.labels, l)}`).join(', ')})\n`);
  }
  process.stdout.write(`  preprocessed (${dataset.pipeline.steps.map((s) => s.op).join(' -> ')}) in ${timings['preprocess'].toFixed(1)} s; wrote ${path.join(out, 'data')}\n`);

  // 2. The generator: the shipped one, or one trained now.
  t = Date.now();
  const generator = shippedFile === undefined ? await trainGenerator(sets.train, flags.steps, out) : loadShippedGenerator(shippedFile);
  timings['generator'] = (Date.now() - t) / 1000;
  const generatorInfo = generator.config();
  const generatorSource = flags.train
    ? `trained now: CPU recipe, ${generatorInfo.step} steps in ${timings['generator'].toFixed(0)} s (kept in ${path.join(out, 'generator-run')})`
    : `shipped: ${shippedFile} (CPU recipe, ${generatorInfo.step} steps; model card README.md beside it)`;
  process.stdout.write(`generator ${generatorSource}\n`);

  // 3. Synthetic segments: ratio x the real training set, with its label proportions
  //    (at least one per label).
  t = Date.now();
  const train = sets.train;
  const length = train.shape[1];
  const labels = dataset.classes.map((_, l) => l);
  const syntheticLabels = labels.flatMap((l) => new Array<number>(Math.max(1, Math.round(flags.ratio * count(train.labels, l)))).fill(l));
  const sampleBar = progressBar('sampling');
  let synthetic;
  try {
    synthetic = await generator.sample({ ...CPU_RECIPE.sample, label: syntheticLabels, onProgress: (e) => sampleBar.update(e.done, e.total) });
  } finally {
    sampleBar.end();
    generator.dispose();
  }
  timings['sampling'] = (Date.now() - t) / 1000;
  const syntheticFile = path.join(out, 'generated.npz');
  await writeSet(syntheticFile, synthetic);

  // 4. How close the generated segments come to the real ones.
  const perLabel = labels.map((label) => {
    const pick = (data: Float32Array, ls: ArrayLike<number>) => {
      const rows: Float32Array[] = [];
      for (let i = 0; i < ls.length; i++) if (ls[i] === label) rows.push(data.subarray(i * length, (i + 1) * length));
      const joined = new Float32Array(rows.length * length);
      rows.forEach((r, k) => joined.set(r, k * length));
      return { data: joined, n: rows.length };
    };
    const real = pick(train.data, train.labels);
    const fake = pick(synthetic.data, synthetic.labels);
    return { label, name: dataset.classes[label]!, realSegments: real.n, generatedSegments: fake.n, real: segmentStatistics(real.data, length, dataset.rate), generated: segmentStatistics(fake.data, length, dataset.rate) };
  });
  const forest = realVsSyntheticAccuracy({ real: train.data, realPatients: train.patients, synthetic: synthetic.data, length }, { forest: { trees: 100 }, seed: 7 });
  process.stdout.write(`generated ${synthetic.labels.length} segments in ${timings['sampling'].toFixed(1)} s (DPM-Solver++, ${CPU_RECIPE.sample.steps} steps); wrote ${syntheticFile}\n`);
  for (const l of perLabel) {
    process.stdout.write(
      `  ${l.name}\n    real       mean std ${l.real.meanStd.toFixed(3)}, ${describeRhythm(l.real, l.realSegments)}\n` +
        `    generated  mean std ${l.generated.meanStd.toFixed(3)}, ${describeRhythm(l.generated, l.generatedSegments)}\n`,
    );
  }
  process.stdout.write(`  random forest real vs generated (raw samples, real patients held out): accuracy ${three(forest.value)} (95% CI ${three(forest.low)}-${three(forest.high)}; 0.5 = cannot tell them apart)\n`);

  // 5. Does the synthetic data help a classifier on patients it has never seen?
  t = Date.now();
  const studyBar = progressBar('classifiers');
  let runsDone = 0;
  const studyConfig: AugmentationStudyConfig = {
    real: path.join(out, 'data', 'train.npz'),
    val: path.join(out, 'data', 'val.npz'),
    test: path.join(out, 'data', 'test.npz'),
    synthetic: syntheticFile,
    out: path.join(out, 'classifiers'),
    models: ['ecgnet'],
    ratios: [0, flags.ratio],
    repeats: flags.repeats,
    epochs: flags.epochs,
    patience: flags.patience,
    samplingRate: dataset.rate,
  };
  // A study folder left by a run on other inputs (another generator, ratio, epochs) starts
  // afresh; one left by an interrupted run of this very study resumes.
  const studyResults = path.join(out, 'classifiers', 'results.json');
  if (fs.existsSync(studyResults)) {
    let previousHash: string | undefined;
    try {
      previousHash = (JSON.parse(fs.readFileSync(studyResults, 'utf8')) as { runHash?: string }).runHash;
    } catch {
      previousHash = undefined;
    }
    if (previousHash !== studyRunHash(parseStudyConfig(studyConfig))) fs.rmSync(path.join(out, 'classifiers'), { recursive: true, force: true });
  }
  const study = await abortOnSigint((signal) => runAugmentationStudy(studyConfig, {
    signal,
    onProgress: (e) => {
      if (e.stage === 'run-done' || e.stage === 'run-skip') studyBar.update(++runsDone, e.total, e.run.id);
    },
  })).finally(() => studyBar.end());
  timings['classifiers'] = (Date.now() - t) / 1000;
  const metric = STUDY_METRICS[study.summary.primaryMetric].label;
  const stopping = flags.patience > 0 ? `up to ${flags.epochs} epochs with early stopping (patience ${flags.patience})` : `${flags.epochs} epochs, keeping the epoch with the lowest loss`;
  process.stdout.write(`ECGNet, ${flags.repeats} seed(s) per arm, ${stopping} on the validation patients; ${metric} on ${new Set(sets.test.patients).size} test patients with 95% patient-bootstrap intervals:\n`);
  for (const c of study.summary.cells) {
    const m = c.metrics[study.summary.primaryMetric]!;
    const gain = c.gain?.metrics[study.summary.primaryMetric];
    const arm = c.arm.kind === 'tstr' ? 'synthetic only (TSTR)' : c.gain === null ? 'real only' : `real + ${c.trainSegments.synthetic} synthetic`;
    process.stdout.write(`  ${arm.padEnd(28)} ${three(m.value)} [${three(m.low)}, ${three(m.high)}]` +
      (gain ? `  Δ ${gain.value >= 0 ? '+' : ''}${three(gain.value)} [${three(gain.low)}, ${three(gain.high)}]  ${c.gain!.verdict}` : '') + '\n');
  }

  // 6. The report.
  const report: DemoReport = {
    dataset,
    versions: { ecgLdm: runtime.version, torch: runtime.torch.version, node: process.versions.node, threads: runtime.threads, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length },
    sets: Object.fromEntries(DEFAULT_DATA_SETS.map((s) => [s, { segments: sets[s].shape[0], patients: new Set(sets[s].patients).size, perClass: labels.map((l) => count(sets[s].labels, l)) }])),
    length,
    preprocessExample: { raw: rawExample, clean: train.data.subarray(0, length) },
    generatorSource,
    examples: { real: train.data, realLabels: train.labels, generated: synthetic.data, generatedLabels: synthetic.labels },
    perLabel,
    forest,
    study: { summary: study.summary, report: path.relative(out, study.files.html), repeats: flags.repeats, training: stopping },
    timings: { ...timings, total: (Date.now() - started) / 1000 },
  };
  const reportFile = path.join(out, 'report.html');
  writeFileAtomic(reportFile, demoReportHtml(report));
  process.stdout.write(`done in ${report.timings['total']!.toFixed(0)} s; report: ${reportFile}\n`);
}

/** Registers `ecg-ldm demo`. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('the main job on a bundled dataset: preprocess, generate with the shipped generator, compare with real segments, train ECGNet on real vs real + synthetic, write report.html')
    .addOption(new Option('--set <name>', 'bundled dataset').choices([...DEFAULT_DATASETS]).default('ptbxl-af'))
    .option('--out <dir>', 'output folder (preprocessed sets, generated.npz, classifier study, report.html)', 'ecg-ldm-demo')
    .option('--train', 'train the generator from scratch (CPU recipe) instead of loading the shipped one; the run is kept in <out>/generator-run and an interrupted run continues when the same command is run again', false)
    .option('--steps <n>', 'generator training steps with --train', positiveInt, 2000)
    .option('--ratio <r>', 'synthetic segments per real training segment', positiveNumber, 1)
    .option('--repeats <n>', 'classifier seeds per arm', positiveInt, 3)
    .option('--epochs <n>', 'classifier epochs (at most, with --patience)', positiveInt, 80)
    .option('--patience <n>', 'epochs without a better validation loss before stopping early; 0 = train every epoch and keep the one with the lowest validation loss', nonNegativeInt, 0)
    .action((flags: DemoFlags) => runDemo(flags));
}
