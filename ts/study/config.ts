/**
 * Configuration of the augmentation-ratio study: inputs, the grid of runs (models x
 * synthetic ratios x repeats, plus TSTR), training and evaluation options. One zod
 * schema fills every default; {@link parseStudyConfig} is the only way in.
 * @module
 */
import * as path from 'node:path';
import { z } from 'zod';
import { CLASSIFIER_DEFAULTS } from '../classify/classifier';
import { RANDOM_FOREST_DEFAULTS } from '../classify/random-forest';
import { parseConfig } from '../data/config';
import { defaultDataPath } from '../data/default-data';

/**
 * Models a study can train: the neural classifiers, the fusion model (needs
 * `generatorCheckpoint`), and the random forest on raw samples (`rf`) or on ECG
 * features (`rf-features`).
 */
export const STUDY_MODELS = ['ecgnet', 'fusion', 'cnn', 'cnnlstm', 'resnet1d', 'rf', 'rf-features'] as const;

/** One entry of {@link STUDY_MODELS}. */
export type StudyModel = (typeof STUDY_MODELS)[number];

/** Metrics the summary, the verdicts and the plots can be read on. */
export const PRIMARY_METRICS = ['auroc', 'accuracy', 'balancedAccuracy'] as const;

/** Study defaults (training defaults are the classifier's). */
export const STUDY_DEFAULTS = {
  ratios: [0, 1, 2, 5, 10],
  models: ['ecgnet', 'cnn', 'cnnlstm', 'resnet1d', 'rf'] as StudyModel[],
  repeats: 3,
  tstr: true,
  seed: 0,
  /** LUDB's rate; used by `rf-features` (R-peak detection, band energies). */
  samplingRate: 500,
  forestTrees: RANDOM_FOREST_DEFAULTS.trees,
  bootstrapIterations: 1000,
  confidence: 0.95,
  primaryMetric: 'auroc' as (typeof PRIMARY_METRICS)[number],
} as const;

const file = z.string().min(1);
const positiveInt = z.number().int().min(1);

/** zod schema of {@link AugmentationStudyConfig}; unknown keys are rejected. */
export const AugmentationStudyConfigSchema = z
  .strictObject({
    real: file.optional(),
    val: file.optional(),
    test: file.optional(),
    synthetic: file,
    split: file.optional(),
    out: file,
    ratios: z.array(z.number().finite().min(0).max(1000)).min(1).default([...STUDY_DEFAULTS.ratios]),
    models: z.array(z.enum(STUDY_MODELS)).min(1).default([...STUDY_DEFAULTS.models]),
    repeats: positiveInt.max(1000).default(STUDY_DEFAULTS.repeats),
    tstr: z.boolean().default(STUDY_DEFAULTS.tstr),
    generatorCheckpoint: file.optional(),
    epochs: positiveInt.max(1_000_000).default(CLASSIFIER_DEFAULTS.epochs),
    batchSize: positiveInt.max(1_000_000).default(CLASSIFIER_DEFAULTS.batchSize),
    lr: z.number().positive().finite().default(CLASSIFIER_DEFAULTS.lr),
    patience: z.number().int().min(0).default(CLASSIFIER_DEFAULTS.patience),
    classWeighting: z.boolean().default(CLASSIFIER_DEFAULTS.classWeighting),
    device: z.string().regex(/^(cpu|cuda(:\d+)?)$/, 'expected "cpu", "cuda" or "cuda:N"').default(CLASSIFIER_DEFAULTS.device),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(STUDY_DEFAULTS.seed),
    forestTrees: positiveInt.max(10_000).default(STUDY_DEFAULTS.forestTrees),
    forestMaxDepth: positiveInt.optional(),
    samplingRate: z.number().min(50).max(10_000).default(STUDY_DEFAULTS.samplingRate),
    bootstrapIterations: positiveInt.max(1_000_000).default(STUDY_DEFAULTS.bootstrapIterations),
    confidence: z.number().gt(0).lt(1).default(STUDY_DEFAULTS.confidence),
    primaryMetric: z.enum(PRIMARY_METRICS).default(STUDY_DEFAULTS.primaryMetric),
  })
  .superRefine((c, ctx) => {
    const given = [c.real, c.val, c.test].filter((f) => f !== undefined).length;
    if (given !== 0 && given !== 3) {
      ctx.addIssue({ code: 'custom', path: ['real'], message: 'give real, val and test together, or none of them for the bundled LUDB set' });
    }
    if (new Set(c.ratios).size !== c.ratios.length) ctx.addIssue({ code: 'custom', path: ['ratios'], message: 'ratios repeat a value' });
    if (new Set(c.models).size !== c.models.length) ctx.addIssue({ code: 'custom', path: ['models'], message: 'models repeat a name' });
    if (c.models.includes('fusion') && c.generatorCheckpoint === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['generatorCheckpoint'],
        message: 'the fusion model needs a generator checkpoint (generatorCheckpoint, CLI --generator <checkpoint>)',
      });
    }
  });

/**
 * Configuration of {@link runAugmentationStudy}:
 * - `real`, `val`, `test` — NPZ files (reference layout) of the real training, validation
 *   (early stopping only) and test patients; all three or none (none = the bundled
 *   `data/ludb-atrial` set, whose files carry patient arrays)
 * - `synthetic` — NPZ of generated segments (e.g. from `ecg-ldm generator sample`); required
 * - `split` — split file naming the patients of the real sets, for NPZ files without a
 *   `patient` array (see `readStudySet`)
 * - `out` — folder for results.json, report.html and the plots; required
 * - `ratios` — synthetic segments per real training segment; default 0,1,2,5,10 (0 is
 *   always run: it is the real-only baseline, TRTR)
 * - `models` — from {@link STUDY_MODELS}; default ecgnet, cnn, cnnlstm, resnet1d, rf
 * - `repeats` — seeds per model and ratio; default 3
 * - `tstr` — also train on synthetic data only (TSTR); default true
 * - `generatorCheckpoint` — generator checkpoint of the fusion model (required with 'fusion')
 * - `epochs`, `batchSize`, `lr`, `patience`, `classWeighting`, `device` — neural training
 *   (defaults of {@link CLASSIFIER_DEFAULTS})
 * - `seed` — base seed; repeat k trains with seed + k; default 0
 * - `forestTrees` (default 100), `forestMaxDepth` (default unlimited) — random forests
 * - `samplingRate` — Hz, for `rf-features`; default 500
 * - `bootstrapIterations` (default 1000), `confidence` (default 0.95) — patient bootstrap
 * - `primaryMetric` — 'auroc' (default) | 'accuracy' | 'balancedAccuracy': read by the
 *   verdicts and the plots
 */
export type AugmentationStudyConfig = z.input<typeof AugmentationStudyConfigSchema>;

/** A validated config: defaults filled, ratio 0 included, the real sets resolved to files. */
export type ResolvedStudyConfig = z.output<typeof AugmentationStudyConfigSchema> & {
  real: string;
  val: string;
  test: string;
};

/**
 * Validates a study config and fills its defaults. Without `real`/`val`/`test` the
 * bundled LUDB set is used.
 * @param config - see {@link AugmentationStudyConfig}
 * @throws {ConfigError} listing every problem, e.g. 'fusion' without `generatorCheckpoint`
 * @example
 * const cfg = parseStudyConfig({ synthetic: 'gen.npz', out: 'study/' });
 * cfg.ratios; // [0, 1, 2, 5, 10]
 */
export function parseStudyConfig(config: AugmentationStudyConfig): ResolvedStudyConfig {
  const c = parseConfig('augmentation study config', AugmentationStudyConfigSchema, config);
  const ratios = [...new Set([0, ...c.ratios])].sort((a, b) => a - b);
  if (c.real !== undefined) return { ...c, ratios, real: c.real, val: c.val!, test: c.test! };
  const bundled = defaultDataPath();
  return {
    ...c,
    ratios,
    real: path.join(bundled, 'train.npz'),
    val: path.join(bundled, 'val.npz'),
    test: path.join(bundled, 'test.npz'),
  };
}
