/**
 * `ecg-ldm study augment`: the augmentation-ratio study from the command line. Progress
 * lines go to stderr (one per run, one per epoch of a neural model); the verdict table
 * and the files written go to stdout. Ctrl-C stops after the current training step;
 * running the same command again resumes.
 * @module
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { PRIMARY_METRICS, type AugmentationStudyConfig } from '../study/config';
import { runAugmentationStudy, type StudyProgress } from '../study/run';
import { STUDY_METRICS } from '../study/scoring';
import { abortOnSigint } from './abort-on-sigint';
import { nonNegativeInt, positiveInt, positiveNumber } from './option-parsers';

/** "0,1,2.5" -> [0, 1, 2.5]: non-negative numbers. */
function ratioList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '' || !Number.isFinite(Number(p)) || Number(p) < 0)) {
    throw new InvalidArgumentError(`expected comma-separated non-negative numbers, got "${value}"`);
  }
  return parts.map(Number);
}

/** "ecgnet,rf" -> ["ecgnet", "rf"]; the names are checked by the study config. */
function nameList(value: string): string[] {
  return value.split(',').map((s) => s.trim());
}

interface AugmentFlags {
  real?: string;
  val?: string;
  test?: string;
  split?: string;
  synthetic: string;
  out: string;
  ratios?: number[];
  models?: string[];
  repeats?: number;
  generator?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  patience?: number;
  classWeighting?: boolean;
  device?: string;
  seed?: number;
  trees?: number;
  samplingRate?: number;
  bootstrap?: number;
  metric?: (typeof PRIMARY_METRICS)[number];
  tstr: boolean;
}

/** The study config of the flags: only the flags given, so the config's defaults apply. */
function configOf(flags: AugmentFlags): AugmentationStudyConfig {
  const config: Record<string, unknown> = { synthetic: flags.synthetic, out: flags.out, tstr: flags.tstr };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) config[key] = value;
  };
  set('real', flags.real); set('val', flags.val); set('test', flags.test); set('split', flags.split);
  set('ratios', flags.ratios); set('models', flags.models); set('repeats', flags.repeats);
  set('generatorCheckpoint', flags.generator); set('epochs', flags.epochs); set('batchSize', flags.batchSize);
  set('lr', flags.lr); set('patience', flags.patience); set('classWeighting', flags.classWeighting);
  set('device', flags.device); set('seed', flags.seed); set('forestTrees', flags.trees);
  set('samplingRate', flags.samplingRate); set('bootstrapIterations', flags.bootstrap); set('primaryMetric', flags.metric);
  return config as AugmentationStudyConfig;
}

const three = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '–');

/** One stderr line per event worth a line. */
function progressLine(event: StudyProgress): string | undefined {
  switch (event.stage) {
    case 'run-start':
      return `[${event.index + 1}/${event.total}] ${event.run.id}: training`;
    case 'run-skip':
      return `[${event.index + 1}/${event.total}] ${event.run.id}: finished earlier (results.json), skipped`;
    case 'epoch': {
      const e = event.epoch;
      return `    ${event.run.id} epoch ${e.epoch}: train loss ${three(e.trainLoss ?? NaN)}, val loss ${three(e.valLoss ?? NaN)}, val accuracy ${three(e.valAccuracy ?? NaN)}${e.best ? ' (best)' : ''}`;
    }
    case 'run-done':
      return `[${event.index + 1}/${event.total}] ${event.run.id}: ${three(event.primary.value)} [${three(event.primary.low)}, ${three(event.primary.high)}] in ${event.seconds.toFixed(1)} s`;
    case 'report':
      return undefined;
  }
}

/** Registers `study augment` on `program`. */
export function registerStudyCommands(program: Command): void {
  const study = program.command('study').description('measure what synthetic data does for classifiers on held-out patients');

  study.command('augment')
    .description('augmentation-ratio study: train each model on real + ratio x real-size synthetic segments (and on synthetic only), test on untouched patients')
    .option('--real <file>', 'real training set NPZ (default: the bundled LUDB set; give --real, --val and --test together)')
    .option('--val <file>', 'real validation set NPZ, for early stopping only')
    .option('--test <file>', 'real test set NPZ, never used for training or stopping')
    .option('--split <file>', 'split file naming the patients of the real sets, for NPZ files without a "patient" array')
    .requiredOption('--synthetic <file>', 'synthetic segments NPZ (e.g. from `ecg-ldm generator sample`)')
    .requiredOption('--out <dir>', 'folder for results.json, report.html, scatter.svg, gain-by-ratio.svg')
    .option('--ratios <list>', 'synthetic segments per real training segment (default 0,1,2,5,10; 0 is always run)', ratioList)
    .option('--models <list>', 'from ecgnet, fusion, cnn, cnnlstm, resnet1d, rf, rf-features (default ecgnet,cnn,cnnlstm,resnet1d,rf)', nameList)
    .option('--repeats <n>', 'seeds per model and ratio (default 3)', positiveInt)
    .option('--generator <checkpoint>', 'generator checkpoint of the fusion model (needed with --models fusion)')
    .option('--epochs <n>', 'maximum epochs of the neural models (default 30)', positiveInt)
    .option('--batch-size <n>', 'batch size (default 32)', positiveInt)
    .option('--lr <x>', 'learning rate (default 1e-3)', positiveNumber)
    .option('--patience <n>', 'epochs without a better validation loss before stopping, 0 = never (default 10)', nonNegativeInt)
    .option('--class-weighting', 'inverse-frequency class weights in the loss')
    .option('--device <name>', 'cpu | cuda | cuda:N (default cpu)')
    .option('--seed <n>', 'base seed; repeat k uses seed + k (default 0)', nonNegativeInt)
    .option('--trees <n>', 'trees of the random forests (default 100)', positiveInt)
    .option('--sampling-rate <hz>', 'sampling rate for rf-features (default 500)', positiveNumber)
    .option('--bootstrap <n>', 'patient-bootstrap replicates (default 1000)', positiveInt)
    .addOption(new Option('--metric <name>', 'metric of the verdicts and plots (default auroc)').choices(PRIMARY_METRICS))
    .option('--no-tstr', 'skip the TSTR arm (train on synthetic only)')
    .action((flags: AugmentFlags) => abortOnSigint(async (signal) => {
      const { summary, files, trained } = await runAugmentationStudy(configOf(flags), {
        signal,
        onProgress: (event) => {
          const line = progressLine(event);
          if (line !== undefined) process.stderr.write(`${line}\n`);
        },
      });
      const label = STUDY_METRICS[summary.primaryMetric].label;
      const lines = summary.cells.map((c) => {
        const m = c.metrics[summary.primaryMetric]!;
        const gain = c.gain ? c.gain.metrics[summary.primaryMetric]! : undefined;
        const delta = gain ? `  Δ ${gain.value >= 0 ? '+' : ''}${three(gain.value)} [${three(gain.low)}, ${three(gain.high)}]  ${c.gain!.verdict}` : '  baseline';
        return `${c.model.padEnd(12)}${c.armName.padEnd(10)}${label} ${three(m.value)} [${three(m.low)}, ${three(m.high)}]${delta}`;
      });
      process.stdout.write(
        `${lines.join('\n')}\n${trained} runs trained now; wrote ${files.results}, ${files.html}, ${files.scatter}, ${files.gainByRatio}\n`,
      );
    }));
}
