/**
 * `ecg-ldm classify ...` commands: `train` (NPZ sets -> one classifier checkpoint, with a
 * progress bar and, given a test set, metrics with bootstrap intervals) and `predict`
 * (checkpoint + NPZ / WFDB / CSV inputs -> per-segment and per-record probabilities).
 *
 * Both apply the same preprocessing, `--preprocess default` (the seed's recipe,
 * DEFAULT_PIPELINE) unless told `none`: train records it and the data's sampling rate in
 * the checkpoint's metadata, and predict uses them unless its flags say otherwise.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { ArgumentRangeError } from '../errors';
import { CLASSIFIER_KINDS, Classifier, type ClassifierConfig, type ClassifierProgress } from '../classify/classifier';
import { streamPredictionInputs, PREDICTION_INPUT_DEFAULTS, PREDICTION_INPUT_FORMATS, type PredictionInputFormat } from '../classify/prediction-input';
import { predictRecords, type RecordPredictions } from '../classify/predict-records';
import { defaultDataPath } from '../data/default-data';
import { readReferenceNpz, type ReferenceDataset } from '../data/npz';
import { readSegmentNpz, type PatientSegments } from '../data/segment-table';
import { patientBootstrap, type ConfidenceInterval } from '../evaluate/bootstrap';
import { accuracy, auroc, balancedAccuracy, macroAuroc } from '../evaluate/metrics';
import { DEFAULT_PIPELINE, runPipeline, type PipelineConfig } from '../preprocess/pipeline';
import { abortOnSigint } from './abort-on-sigint';
import { leadList, nonNegativeInt, positiveInt, positiveNumber } from './option-parsers';
import { progressBar } from './progress-bar';
import { readJsonConfig } from './read-json-config';

const PREPROCESS_CHOICES = ['default', 'none'] as const;
type PreprocessChoice = (typeof PREPROCESS_CHOICES)[number];

/** `--preprocess` as a pipeline config (null = none). */
function pipelineOf(choice: PreprocessChoice): PipelineConfig | null {
  return choice === 'default' ? DEFAULT_PIPELINE : null;
}

const PREPROCESS_HELP = 'segment preprocessing: default = the seed recipe (sym8 denoise, range normalisation, edge smoothing), none = raw';

/** What `classify train` records in a checkpoint's metadata for `classify predict`. */
interface TrainedOn {
  preprocess: PreprocessChoice;
  rate: number;
}

/**
 * The preprocessing and sampling rate predict uses: its flags, else what the checkpoint
 * recorded, else the defaults (checkpoints from before metadata, or from the library
 * without it).
 */
function trainedOn(metadata: Record<string, unknown>, flags: Partial<TrainedOn>): TrainedOn & { fromCheckpoint: string[] } {
  const fromCheckpoint: string[] = [];
  let { preprocess, rate } = flags;
  if (preprocess === undefined && PREPROCESS_CHOICES.includes(metadata['preprocess'] as PreprocessChoice)) {
    preprocess = metadata['preprocess'] as PreprocessChoice;
    fromCheckpoint.push(`preprocessing ${preprocess}`);
  }
  const recordedRate = metadata['rate'];
  if (rate === undefined && typeof recordedRate === 'number' && Number.isFinite(recordedRate) && recordedRate > 0) {
    rate = recordedRate;
    fromCheckpoint.push(`rate ${rate} Hz`);
  }
  return { preprocess: preprocess ?? 'default', rate: rate ?? PREDICTION_INPUT_DEFAULTS.rate, fromCheckpoint };
}

async function preprocessed(set: ReferenceDataset, pipeline: PipelineConfig | null): Promise<ReferenceDataset> {
  return pipeline === null ? set : { ...set, data: await runPipeline(set.data, set.shape, pipeline) };
}

const formatInterval = (ci: ConfidenceInterval): string =>
  `${ci.value.toFixed(3)} (${Math.round(ci.confidence * 100)}% CI ${ci.low.toFixed(3)}-${ci.high.toFixed(3)})`;

/**
 * The test-set line: accuracy, balanced accuracy and AUROC (macro one-vs-rest for more
 * than two classes), each with a bootstrap interval resampled by patient, or by segment
 * when the NPZ has no `patient` array (said so in the line).
 */
async function testMetricsLine(classifier: Classifier, test: PatientSegments & { ownPatients: boolean }, file: string, pipeline: PipelineConfig | null): Promise<string> {
  const { numClasses } = classifier.config();
  const p = await classifier.predict((await preprocessed(test, pipeline)).data, test.shape);
  const rows = Array.from({ length: test.shape[0] }, (_, i) => Array.from(p.subarray(i * numClasses, (i + 1) * numClasses)));
  const predicted = rows.map((r) => r.indexOf(Math.max(...r)));
  // The bootstrap resamples segment indices; each metric looks its inputs up by index.
  const indices = Float64Array.from(rows, (_, i) => i);
  const pick = <T>(values: readonly T[], idx: Float64Array): T[] => Array.from(idx, (i) => values[i]!);
  const aurocOf = (y: Float64Array, idx: Float64Array): number =>
    numClasses === 2 ? auroc(y, pick(rows, idx).map((r) => r[1]!)) : macroAuroc(y, pick(rows, idx));
  const data = { yTrue: test.labels, scores: indices, patientIds: test.patients };
  const ci = (metric: (y: Float64Array, idx: Float64Array) => number) => formatInterval(patientBootstrap(metric, data, { seed: 0 }));
  const unit = test.ownPatients
    ? `${test.shape[0]} segments; segment-level bootstrap (${path.basename(file)} has no patient array)`
    : `${test.shape[0]} segments of ${new Set(test.patients).size} patients; bootstrap by patient`;
  return `test: accuracy ${ci((y, idx) => accuracy(y, pick(predicted, idx)))}, ` +
    `balanced accuracy ${ci((y, idx) => balancedAccuracy(y, pick(predicted, idx), numClasses))}, ` +
    `AUROC ${ci(aurocOf)} — ${unit}`;
}

const csvCell = (v: string | number | null | undefined): string => {
  const text = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** One CSV table: a row per segment (level "segment"), then a row per record (level "record"). */
function predictionsCsv(p: RecordPredictions): string {
  const classes = Array.from({ length: p.numClasses }, (_, k) => `p_${k}`);
  const lines = [['level', 'record', 'segment', 'start', 'row', 'segments', ...classes, 'predicted'].join(',')];
  for (const s of p.segments) {
    lines.push(['segment', s.record, s.segment, s.start, s.row, null, ...s.probabilities, s.predicted].map(csvCell).join(','));
  }
  for (const r of p.records) {
    const probabilities = r.probabilities ?? new Array<null>(p.numClasses).fill(null);
    lines.push(['record', r.record, null, null, null, r.segments, ...probabilities, r.predicted].map(csvCell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

interface TrainFlags {
  train?: string;
  val?: string;
  test?: string;
  out: string;
  config?: string;
  model?: (typeof CLASSIFIER_KINDS)[number];
  epochs?: number;
  batchSize?: number;
  lr?: number;
  patience?: number;
  classWeighting?: boolean;
  seed?: number;
  device?: string;
  checkpointDir?: string;
  preprocess: PreprocessChoice;
  rate: number;
}

interface PredictFlags {
  model: string;
  input: string;
  format?: PredictionInputFormat;
  lead?: (string | number)[];
  rate?: number;
  csvRate?: number;
  stride?: number;
  preprocess?: PreprocessChoice;
  out?: string;
  device: string;
}

/** `classify train`: flags over `--config`, progress on stderr, summary (and test metrics) on stdout. */
async function trainCommand(flags: TrainFlags): Promise<void> {
  // 1. Config: the JSON file, then the flags on top; --model keeps the file's options only for the same kind.
  const config: Record<string, unknown> = flags.config ? readJsonConfig(flags.config) : {};
  const fileModel = config['model'] as { kind?: unknown } | undefined;
  if (flags.model !== undefined && fileModel?.kind !== flags.model) config['model'] = { kind: flags.model };
  const set = (key: string, v: unknown) => { if (v !== undefined) config[key] = v; };
  set('epochs', flags.epochs); set('batchSize', flags.batchSize); set('lr', flags.lr); set('patience', flags.patience);
  set('classWeighting', flags.classWeighting); set('seed', flags.seed); set('device', flags.device); set('checkpointDir', flags.checkpointDir);
  // What predict must do to new data; the config file's own metadata is kept beside it.
  const recorded: TrainedOn = { preprocess: flags.preprocess, rate: flags.rate };
  config['metadata'] = { ...(config['metadata'] as object | undefined), ...recorded };

  // 2. Data (the bundled LUDB set by default), preprocessed as predict will.
  const pipeline = pipelineOf(flags.preprocess);
  const trainFile = flags.train ?? path.join(defaultDataPath(), 'train.npz');
  const valFile = flags.val ?? path.join(defaultDataPath(), 'val.npz');
  const train = await preprocessed(readReferenceNpz(trainFile), pipeline);
  const val = await preprocessed(readReferenceNpz(valFile), pipeline);
  const test = flags.test === undefined ? undefined : readSegmentNpz(flags.test); // read now: a bad file fails before training

  // 3. Training, stoppable with Ctrl-C (last.safetensors is written first when checkpointDir is set).
  const bar = progressBar('train');
  let classifier: Classifier;
  try {
    let totalSteps = 0;
    let note = '';
    classifier = await abortOnSigint((signal) => Classifier.train(config as ClassifierConfig, train, val, {
      signal,
      onProgress: (e: ClassifierProgress) => {
        if (e.stage === 'train') {
          totalSteps = e.totalSteps ?? totalSteps;
          note = `epoch ${e.epoch + 1} loss ${e.loss?.toFixed(4)} ${e.samplesPerSecond?.toFixed(0)}/s`;
        } else {
          note = `epoch ${e.epoch + 1} val loss ${e.valLoss?.toFixed(4)} acc ${e.valAccuracy?.toFixed(3)}`;
        }
        bar.update(e.step, Math.max(totalSteps, e.step), note);
      },
    }));
    // Progress comes every few steps: show where the run ended (early stopping included).
    const steps = classifier.trainingSummary()!.steps;
    bar.update(steps, Math.max(totalSteps, steps), note);
  } finally {
    bar.end();
  }

  // 4. The checkpoint and a summary; then the test set, if any.
  try {
    fs.mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
    classifier.save(flags.out);
    const { kind } = classifier.config();
    const s = classifier.trainingSummary()!;
    const best = s.epochs.find((e) => e.epoch === s.bestEpoch);
    process.stdout.write(
      `trained ${kind} (${classifier.parameterCount} parameters) on ${train.shape[0]} segments for ${s.epochs.length} epoch(s)` +
        `${s.stoppedEarly ? ' (stopped early)' : ''}; best epoch ${s.bestEpoch + 1}` +
        `${best ? `: val loss ${best.valLoss.toFixed(4)}, val accuracy ${best.valAccuracy.toFixed(3)}` : ''}; preprocessing ${flags.preprocess}\n` +
        `wrote ${flags.out}\n`,
    );
    if (test !== undefined) process.stdout.write(`${await testMetricsLine(classifier, test, flags.test!, pipeline)}\n`);
  } finally {
    classifier.dispose();
  }
}

/** `classify predict`: a table of records on stdout; every segment and record in `--out`. */
async function predictCommand(flags: PredictFlags): Promise<void> {
  const outFormat = flags.out === undefined ? undefined : path.extname(flags.out).toLowerCase();
  if (outFormat !== undefined && outFormat !== '.json' && outFormat !== '.csv') {
    throw new ArgumentRangeError(`Expected --out ending in .json or .csv but received "${flags.out}"`);
  }
  const classifier = Classifier.load(flags.model, { device: flags.device });
  try {
    const modelConfig = classifier.config();
    const { preprocess, rate, fromCheckpoint } = trainedOn(classifier.metadata, flags);
    // Streamed: a folder is read file by file as its records are predicted.
    const records = streamPredictionInputs(flags.input, modelConfig, {
      ...(flags.format ? { format: flags.format } : {}),
      ...(flags.lead ? { leads: flags.lead } : {}),
      rate,
      ...(flags.csvRate !== undefined ? { csvRate: flags.csvRate } : {}),
      ...(flags.stride !== undefined ? { stride: flags.stride } : {}),
    });
    const result = await predictRecords(classifier, records, { preprocess: pipelineOf(preprocess) });

    const classes = Array.from({ length: result.numClasses }, (_, k) => `p(${k})`);
    const rows = [['record', 'segments', ...classes, 'predicted']];
    for (const r of result.records) {
      rows.push([r.record, String(r.segments), ...(r.probabilities?.map((v) => v.toFixed(3)) ?? classes.map(() => '-')), r.predicted === null ? '-' : String(r.predicted)]);
    }
    const widths = rows[0]!.map((_, k) => Math.max(...rows.map((row) => row[k]!.length)));
    process.stdout.write(`${rows.map((row) => row.map((cell, k) => cell.padEnd(widths[k]!)).join('  ').trimEnd()).join('\n')}\n`);

    if (flags.out !== undefined) {
      const text = outFormat === '.csv'
        ? predictionsCsv(result)
        : `${JSON.stringify({ model: flags.model, modelConfig, preprocess, rate, ...result }, null, 1)}\n`;
      fs.mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
      fs.writeFileSync(flags.out, text);
    }
    const settings = `preprocessing ${preprocess}, ${rate} Hz${fromCheckpoint.length > 0 ? ` (${fromCheckpoint.join(', ')} from the checkpoint)` : ''}`;
    process.stdout.write(`${result.segments.length} segments of ${result.records.length} record(s); ${settings}${flags.out ? `; wrote ${flags.out}` : ''}\n`);
  } finally {
    classifier.dispose();
  }
}

/**
 * Registers `classify train` and `classify predict` on the program.
 * @param program - the root `ecg-ldm` command
 * @example
 * registerClassifyCommands(program);
 */
export function registerClassifyCommands(program: Command): void {
  const classify = program.command('classify').description('train ECG classifiers and predict with them');

  classify.command('train')
    .description('train a classifier on NPZ sets (reference layout; default the bundled LUDB train/val) and write one checkpoint')
    .option('--train <file>', 'training set NPZ (default: the bundled data/ludb-atrial/train.npz)')
    .option('--val <file>', 'validation set NPZ for early stopping and the best epoch (default: the bundled val.npz)')
    .option('--test <file>', 'test set NPZ: print accuracy, balanced accuracy and AUROC with bootstrap 95% CIs (by patient when it has a patient array)')
    .requiredOption('--out <file>', 'the checkpoint to write (.safetensors, plus a .json sidecar)')
    .option('--config <file>', 'JSON classifier config (model, epochs, lr, ...; see ClassifierConfig); flags override it')
    .addOption(new Option('--model <kind>', 'network (default ecgnet)').choices(CLASSIFIER_KINDS))
    .option('--epochs <n>', 'maximum epochs (default 30)', positiveInt)
    .option('--batch-size <n>', 'batch size (default 32)', positiveInt)
    .option('--lr <x>', 'learning rate (default 1e-3)', positiveNumber)
    .option('--patience <n>', 'epochs without a better validation loss before stopping, 0 = never (default 10)', nonNegativeInt)
    .option('--class-weighting', 'inverse-frequency class weights in the loss')
    .option('--seed <n>', 'seed of init, shuffles and dropout (default 0)', nonNegativeInt)
    .option('--device <name>', 'cpu | cuda | cuda:N (default cpu)')
    .option('--checkpoint-dir <dir>', 'also keep best.safetensors / last.safetensors there (resume with --config {"resumeFrom": ...})')
    .addOption(new Option('--preprocess <kind>', `${PREPROCESS_HELP}; recorded in the checkpoint for predict`).choices(PREPROCESS_CHOICES).default('default'))
    .option('--rate <hz>', 'sampling rate of the training segments, recorded in the checkpoint for predict (default: 500, the bundled LUDB set)', positiveNumber, 500)
    .action(trainCommand);

  classify.command('predict')
    .description('per-segment class probabilities and per-record means for NPZ, WFDB or CSV inputs (a file or a folder)')
    .requiredOption('--model <file>', 'classifier checkpoint (.safetensors)')
    .requiredOption('--input <path>', 'an NPZ (reference layout; records = its patient array, else segments), a WFDB record (.hea or path without extension), a CSV signal table (header of lead names, one row per sample), or a folder of them')
    .addOption(new Option('--format <kind>', 'input format (default: from the file name)').choices(PREDICTION_INPUT_FORMATS))
    .option('--lead <list>', 'leads fed to the model, names or indices, comma-separated (default: II for a one-lead model when present, else all when the count matches)', leadList)
    .option('--rate <hz>', `the sampling rate the model was trained at; WFDB and CSV signals are resampled to it (default: the checkpoint's, else ${PREDICTION_INPUT_DEFAULTS.rate})`, positiveNumber)
    .option('--csv-rate <hz>', 'sampling rate of CSV inputs (default: --rate)', positiveNumber)
    .option('--stride <n>', 'samples between segment starts in a record (default: the segment length)', positiveInt)
    .addOption(new Option('--preprocess <kind>', `${PREPROCESS_HELP} (default: the checkpoint's, else default)`).choices(PREPROCESS_CHOICES))
    .option('--out <file>', 'write every segment and record: .json, or .csv (one row per segment, then per record)')
    .option('--device <name>', 'cpu | cuda | cuda:N', 'cpu')
    .action(predictCommand);
}
