/**
 * The augmentation-ratio study: does adding synthetic segments to the real training
 * set help a classifier on held-out patients? For each model x arm x repeat it trains
 * on real + ratio x |real| label-balanced synthetic segments (or synthetic only, TSTR),
 * stops early on the real validation set, scores the untouched test patients, and
 * records the run in results.json at once. A finished study is summarised (patient
 * intervals, paired gains over real only, verdicts) and reported in HTML and SVG.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClassifierProgress } from '../classify/classifier';
import type { ConfidenceInterval } from '../evaluate/bootstrap';
import { CancelledError, IoError } from '../errors';
import { assertOptions, invalidParameterError } from '../is';
import { parseStudyConfig, type AugmentationStudyConfig, type ResolvedStudyConfig } from './config';
import { loadStudyInputs, type StudyInputs } from './inputs';
import { trainAndPredict } from './models';
import { planStudy, type PlannedRun } from './plan';
import { writeStudyReport, type StudyReportFiles } from './report';
import { StudyResultsStore, studyRunHash, type StudyInputSummary, type StudyRunRecord, type StudyResults } from './results-store';
import { metricIntervals, type TestTruth } from './scoring';
import { summarizeStudy, type StudySummary } from './summary';
import { armTrainingSet } from './training-set';

/** A progress event of {@link runAugmentationStudy}. */
export type StudyProgress =
  | { stage: 'run-start'; run: PlannedRun; index: number; total: number }
  /** The run was found finished in results.json and is not trained again. */
  | { stage: 'run-skip'; run: PlannedRun; index: number; total: number }
  /** A neural model finished an epoch (validation on the real validation set). */
  | { stage: 'epoch'; run: PlannedRun; epoch: ClassifierProgress }
  | { stage: 'run-done'; run: PlannedRun; index: number; total: number; seconds: number; primary: ConfidenceInterval }
  | { stage: 'report'; files: StudyReportFiles & { results: string } };

/** Options of {@link runAugmentationStudy}. */
export interface StudyRunOptions {
  onProgress?: (event: StudyProgress) => void;
  /** Stops at the next run or training step; finished runs stay in results.json. */
  signal?: AbortSignal;
}

/** What {@link runAugmentationStudy} resolves with. */
export interface AugmentationStudyResult {
  summary: StudySummary;
  /** results.json and the report files. */
  files: StudyReportFiles & { results: string };
  /** Runs trained by this call (the rest were resumed from results.json). */
  trained: number;
}

function describeSet(set: { file: string; shape: readonly number[]; labels: Int32Array; patients?: string[]; patientSource?: 'npz' | 'split' }): StudyInputSummary {
  const perClass: Record<number, number> = {};
  for (const label of set.labels) perClass[label] = (perClass[label] ?? 0) + 1;
  return {
    file: set.file,
    segments: set.shape[0]!,
    ...(set.patients ? { patients: new Set(set.patients).size, patientSource: set.patientSource! } : {}),
    perClass,
  };
}

function resultsHeader(config: ResolvedStudyConfig, inputs: StudyInputs): Omit<StudyResults, 'runs' | 'summary' | 'updatedAt'> {
  return {
    version: 1,
    runHash: studyRunHash(config),
    config,
    inputs: {
      train: describeSet(inputs.train),
      val: describeSet(inputs.val),
      test: describeSet(inputs.test),
      synthetic: describeSet(inputs.synthetic),
      length: inputs.length,
      leads: inputs.leads,
      numClasses: inputs.numClasses,
    },
    test: { labels: Array.from(inputs.test.labels), patients: inputs.test.patients },
  };
}

/** Trains and scores one run of the grid. */
async function executeRun(
  run: PlannedRun,
  config: ResolvedStudyConfig,
  inputs: StudyInputs,
  truth: TestTruth,
  options: StudyRunOptions,
): Promise<StudyRunRecord> {
  const started = Date.now();
  const train = armTrainingSet(inputs, run.arm, run.drawSeed);
  const prediction = await trainAndPredict(run.model, train, inputs.val, inputs.test, {
    config,
    seed: run.seed,
    numClasses: inputs.numClasses,
    signal: options.signal,
    onEpoch: options.onProgress ? (epoch) => options.onProgress!({ stage: 'epoch', run, epoch }) : undefined,
  });
  const bootstrap = { iterations: config.bootstrapIterations, confidence: config.confidence, seed: config.seed };
  const { probabilities, ...training } = prediction;
  return {
    ...run,
    trainSegments: {
      real: train.realSegments,
      synthetic: train.synthetic.indices.length,
      syntheticPerClass: train.synthetic.perClass,
      syntheticReused: train.synthetic.reused,
    },
    seconds: (Date.now() - started) / 1000,
    ...training,
    metrics: metricIntervals(truth, [probabilities], bootstrap),
    probabilities: Array.from(probabilities),
  };
}

/**
 * Runs (or resumes) an augmentation-ratio study and writes its results and report into
 * `config.out`: results.json (after every run), report.html, scatter.svg, gain-by-ratio.svg.
 * Every input is checked before the first training.
 * @param config - see {@link AugmentationStudyConfig}
 * @param options - `onProgress` (see {@link StudyProgress}), `signal` (AbortSignal)
 * @throws {ConfigError} invalid config (e.g. 'fusion' without `generatorCheckpoint`), real
 *   sets without patient ids, or an output folder holding another study
 * @throws {ShapeError} an empty set; segment lengths or lead counts that differ between sets
 * @throws {SplitError} a patient in two of train / val / test
 * @throws {ArgumentRangeError} a single-class training set; synthetic labels absent from the real data
 * @throws {NonFiniteError} NaN or infinite samples
 * @throws {FormatError | IoError} unreadable inputs, or outputs that cannot be written
 * @throws {CancelledError} the signal aborted (finished runs stay recorded)
 * @example
 * const { summary, files } = await runAugmentationStudy({
 *   synthetic: 'gen.npz', out: 'study/', models: ['ecgnet', 'rf'], ratios: [0, 1, 5], repeats: 3,
 * }, { onProgress: (e) => e.stage === 'run-done' && console.error(e.run.id, e.primary.value) });
 * console.log(files.html);
 */
export async function runAugmentationStudy(config: AugmentationStudyConfig, options: StudyRunOptions = {}): Promise<AugmentationStudyResult> {
  // 1. Config and inputs: every refusal happens here, before any training.
  const cfg = parseStudyConfig(config);
  const opts = assertOptions('options', options) as StudyRunOptions;
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') {
    throw invalidParameterError('options.onProgress', 'function', opts.onProgress, 'type');
  }
  if (opts.signal !== undefined && !(opts.signal instanceof AbortSignal)) {
    throw invalidParameterError('options.signal', 'AbortSignal', opts.signal, 'type');
  }
  const inputs = loadStudyInputs(cfg);
  const truth: TestTruth = { labels: inputs.test.labels, patients: inputs.test.patients, numClasses: inputs.numClasses };

  // 2. The results file: finished runs of the same run hash are kept.
  try {
    fs.mkdirSync(cfg.out, { recursive: true });
  } catch (err) {
    throw new IoError(`cannot create ${cfg.out}: ${(err as Error).message}`, { cause: err });
  }
  const store = StudyResultsStore.open(path.join(cfg.out, 'results.json'), resultsHeader(cfg, inputs));

  // 3. The grid, run by run; each finished run is written at once.
  const plan = planStudy(cfg);
  let trained = 0;
  for (const [index, run] of plan.entries()) {
    if (store.has(run.id)) {
      opts.onProgress?.({ stage: 'run-skip', run, index, total: plan.length });
      continue;
    }
    if (opts.signal?.aborted) throw new CancelledError('the study was cancelled; finished runs are kept in results.json');
    opts.onProgress?.({ stage: 'run-start', run, index, total: plan.length });
    const record = await executeRun(run, cfg, inputs, truth, opts);
    store.add(record);
    trained++;
    opts.onProgress?.({ stage: 'run-done', run, index, total: plan.length, seconds: record.seconds, primary: record.metrics[cfg.primaryMetric]! });
  }

  // 4. Summary and report.
  const summary = summarizeStudy(cfg, store.runs, truth);
  store.complete(summary);
  const files = { results: store.file, ...writeStudyReport(cfg.out, { ...store.contents, summary }) };
  opts.onProgress?.({ stage: 'report', files });
  return { summary, files, trained };
}
