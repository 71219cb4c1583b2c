/**
 * Neural ECG classifiers (ECGNet, 1-D CNN, CNN-LSTM, ResNet1d, and the fusion model of a
 * generator's U-Net with ECGNet): training, prediction, checkpoints. The training loop
 * runs natively in one async job (native/train/classifier_trainer.h); this file
 * validates everything first, then crosses once.
 *
 * Checkpoints are safetensors + a JSON sidecar (see docs/checkpoint.md). With
 * `checkpointDir` set, training keeps `best.safetensors` (lowest validation loss) and
 * `last.safetensors` (for resume; also written when the run is cancelled).
 * @module
 */
import { z } from 'zod';
import { parseConfig } from '../data/config';
import type { ReferenceDataset } from '../data/npz';
import { ShapeError } from '../errors';
import { assertOptions, invalidParameterError, string as isString } from '../is';
import { callNative, nativeAddon, safeProgress } from '../native';

// ---- the native surface (native/binding/classifier_binding.cpp) ----

interface NativeClassifierHandle {
  predict(data: Float32Array, shape: number[]): Promise<Float32Array>;
  save(path: string): void;
  config(): string;
  metadata(): string;
  parameterCount(): number;
  trainingSummary(): string;
  device(): string;
  dispose(): void;
}

interface NativeClassifierClass {
  train(options: Record<string, unknown>): Promise<NativeClassifierHandle>;
  load(path: string, device: string): NativeClassifierHandle;
}

interface ClassifierArea {
  ClassifierHandle: NativeClassifierClass;
}

const kHandle = Symbol('ecg-ldm.classifier.handle');

// ---- configuration ----

/** Network kinds a {@link Classifier} can train. */
export const CLASSIFIER_KINDS = ['ecgnet', 'cnn', 'cnnlstm', 'resnet1d', 'fusion'] as const;

/** Every training option with its default (the native trainer's defaults). */
export const CLASSIFIER_DEFAULTS = {
  model: { kind: 'ecgnet' } as ClassifierModelOptions,
  epochs: 30,
  batchSize: 32,
  lr: 1e-3,
  weightDecay: 0,
  optimizer: 'adam' as 'adam' | 'adamw',
  patience: 10,
  classWeighting: false,
  seed: 0,
  device: 'cpu',
  progressEvery: 10,
} as const;

const positiveInt = z.number().int().min(1);
const probability = z.number().min(0).lt(1);
const channelList = z.array(positiveInt).min(1);

/** ECGNet's options, for `kind: 'ecgnet'` and the fusion model's ECGNet branch. */
const ecgnetOptions = {
  /** Dropout after each conv block (default 0.2; 0 in the fusion model). */
  dropout: probability.optional(),
  classifierDropout: probability.optional(),
  kernelLength: positiveInt.optional(),
  kernelLength2: positiveInt.optional(),
  /** Temporal filters (default 4; 8 in the fusion model). */
  f1: positiveInt.optional(),
  d: positiveInt.optional(),
  f2: positiveInt.optional(),
  hidden: positiveInt.optional(),
  maxNorm: z.number().positive().optional(),
};

/** zod schema of the `model` field: a kind plus that network's options (all optional but the fusion model's generatorCheckpoint). */
export const ClassifierModelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ecgnet'), ...ecgnetOptions }),
  z.strictObject({
    kind: z.literal('cnn'),
    channels: channelList.optional(),
    kernelSize: positiveInt.optional(),
    pool: positiveInt.optional(),
    dropout: probability.optional(),
  }),
  z.strictObject({
    kind: z.literal('cnnlstm'),
    channels: channelList.optional(),
    kernelSize: positiveInt.optional(),
    pool: positiveInt.optional(),
    hidden: positiveInt.optional(),
    layers: positiveInt.optional(),
    bidirectional: z.boolean().optional(),
    dropout: probability.optional(),
  }),
  z.strictObject({
    kind: z.literal('resnet1d'),
    stemChannels: channelList.optional(),
    stemKernel: positiveInt.optional(),
    stageChannels: channelList.optional(),
    blocks: channelList.optional(),
    kernelSize: positiveInt.optional(),
    headHidden: positiveInt.optional(),
    dropout: probability.optional(),
  }),
  z.strictObject({
    kind: z.literal('fusion'),
    /**
     * A generator checkpoint (`.safetensors` written by `Generator.save` or training, seed U-Net or
     * UNet1d); its U-Net starts from the checkpoint's EMA weights when it has them (a
     * trained generator's, the ones it samples with), else from its raw weights. Needed
     * for training only: the classifier's own checkpoints hold every weight.
     */
    generatorCheckpoint: z.string().min(1),
    /** Hidden units of the U-Net branch's new head, pool -> Linear(C, headHidden) -> Mish -> Linear (default 64). */
    headHidden: positiveInt.optional(),
    /** Diffusion step t the U-Net runs at, in [0, the generator's numTrainSteps) (default 1, as the seed). */
    diffusionStep: z.number().int().min(0).optional(),
    /** Freeze the U-Net's down path (default true): seed U-Net downsampling blocks; UNet1d time/class embeddings, input conv and down levels. */
    freezeDownBlocks: z.boolean().optional(),
    /** The ECGNet branch's options (defaults as `kind: 'ecgnet'` but f1 8 and dropout 0, the seed's WeightModel). */
    ecgnet: z.strictObject(ecgnetOptions).optional(),
  }),
]);

/**
 * The network to train: `{ kind: 'ecgnet' }` or a kind with options, e.g. `{ kind: 'cnn', channels: [16, 32] }`.
 *
 * `{ kind: 'fusion', generatorCheckpoint }` is the seed's "Option B": a trained
 * generator's U-Net (its down path frozen, its output head replaced by
 * pool -> Linear(C, 64) -> Mish -> Linear(64, classes)) plus an ECGNet, their logits
 * summed with learned weights initialised to 0.5 / 0.5. The generator must have been
 * built for the classifier's segments (same length and leads).
 */
export type ClassifierModelOptions = z.input<typeof ClassifierModelSchema>;

/** zod schema of {@link ClassifierConfig}; unknown keys are rejected. */
export const ClassifierConfigSchema = z.strictObject({
  model: ClassifierModelSchema.default(CLASSIFIER_DEFAULTS.model as z.output<typeof ClassifierModelSchema>),
  numClasses: z.number().int().min(2).max(1_000_000).optional(),
  epochs: positiveInt.max(1_000_000).default(CLASSIFIER_DEFAULTS.epochs),
  batchSize: positiveInt.max(1_000_000).default(CLASSIFIER_DEFAULTS.batchSize),
  lr: z.number().positive().finite().default(CLASSIFIER_DEFAULTS.lr),
  weightDecay: z.number().min(0).finite().default(CLASSIFIER_DEFAULTS.weightDecay),
  optimizer: z.enum(['adam', 'adamw']).default(CLASSIFIER_DEFAULTS.optimizer),
  patience: z.number().int().min(0).default(CLASSIFIER_DEFAULTS.patience),
  classWeighting: z.boolean().default(CLASSIFIER_DEFAULTS.classWeighting),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(CLASSIFIER_DEFAULTS.seed),
  device: z.string().regex(/^(cpu|cuda(:\d+)?)$/, 'expected "cpu", "cuda" or "cuda:N"').default(CLASSIFIER_DEFAULTS.device),
  checkpointDir: z.string().min(1).optional(),
  progressEvery: positiveInt.default(CLASSIFIER_DEFAULTS.progressEvery),
  resumeFrom: z.string().min(1).optional(),
  metadata: z.record(z.string(), z.json()).optional(),
});

/** Facts a caller keeps with a model (any JSON object); see {@link Classifier.metadata}. */
export type ClassifierMetadata = Record<string, unknown>;

/**
 * Training configuration of {@link Classifier.train}. Every field is optional:
 * - `model` — network and its options; default `{ kind: 'ecgnet' }` (ECGNet, the seed's classifier);
 *   `{ kind: 'fusion', generatorCheckpoint: 'gen.safetensors' }` for the fusion model (see {@link ClassifierModelOptions})
 * - `numClasses` — integer >= 2; default: largest label in train/val + 1 (at least 2)
 * - `epochs` — default 30; `batchSize` — default 32
 * - `lr` — default 1e-3; `weightDecay` — default 0 (L2 for Adam, decoupled for AdamW)
 * - `optimizer` — 'adam' (default) | 'adamw'
 * - `patience` — epochs without a better validation loss before stopping; default 10, 0 = never
 * - `classWeighting` — inverse-frequency class weights in the cross-entropy; default false
 * - `seed` — default 0; same seed + data + thread count on CPU gives identical weights
 * - `device` — 'cpu' (default) | 'cuda' | 'cuda:N'
 * - `checkpointDir` — folder for best.safetensors / last.safetensors; default none
 * - `progressEvery` — progress event every N optimizer steps; default 10
 * - `resumeFrom` — a last.safetensors to continue from (the architecture comes from it)
 * - `metadata` — a JSON object kept in every checkpoint of the model (e.g. the preprocessing
 *   and sampling rate the data had, as `ecg-ldm classify train` records); default {}
 */
export type ClassifierConfig = z.input<typeof ClassifierConfigSchema>;

/**
 * The model config a trained classifier carries (every option spelled out). A fusion
 * model's options hold `generator` (the U-Net's generator config, `{model, diffusion}`)
 * and `ecgnet` (its ECGNet options) in place of the checkpoint path.
 */
export interface ClassifierModelConfig {
  kind: (typeof CLASSIFIER_KINDS)[number];
  numClasses: number;
  leads: number;
  samples: number;
  options: Record<string, number | boolean | number[] | Record<string, unknown>>;
}

/** A progress event of {@link Classifier.train}. */
export interface ClassifierProgress {
  /** 'train' every `progressEvery` steps, 'epoch' after each validation. */
  stage: 'train' | 'epoch';
  epoch: number;
  step: number;
  totalSteps?: number;
  /** Mean training loss since the previous 'train' event. */
  loss?: number;
  samplesPerSecond?: number;
  trainLoss?: number;
  valLoss?: number;
  valAccuracy?: number;
  /** 1 when this epoch improved the best validation loss ('epoch' events). */
  best?: number;
}

/** Options of {@link Classifier.train}. */
export interface ClassifierTrainOptions {
  onProgress?: (event: ClassifierProgress) => void;
  /** Stops training at the next step boundary; `last.safetensors` is written first. */
  signal?: AbortSignal;
}

/** What a training run did ({@link Classifier.trainingSummary}). */
export interface ClassifierTrainingSummary {
  steps: number;
  bestEpoch: number;
  bestValLoss: number | null;
  stoppedEarly: boolean;
  epochs: Array<{ epoch: number; trainLoss: number; valLoss: number; valAccuracy: number; best: boolean }>;
}

// ---- validation helpers ----

function checkSegments(name: string, data: unknown, shape: unknown): [number, number, number] {
  if (!(data instanceof Float32Array)) throw invalidParameterError(`${name}.data`, 'Float32Array', data, 'type');
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new ShapeError(`Expected [N, L, C] (non-negative integers) for ${name}.shape but received ${JSON.stringify(shape)}`);
  }
  const [n, l, c] = shape as [number, number, number];
  if (n === 0 || l === 0 || c === 0) throw new ShapeError(`Expected a non-empty ${name} set but received shape [${shape.join(', ')}]`);
  if (data.length !== n * l * c) {
    throw new ShapeError(`Expected ${n * l * c} values for ${name}.data of shape [${shape.join(', ')}] but received ${data.length}`);
  }
  return [n, l, c];
}

function checkDataset(name: string, set: unknown): { n: number; l: number; c: number; labels: Int32Array } {
  if (typeof set !== 'object' || set === null) throw invalidParameterError(name, 'ReferenceDataset object', set, 'type');
  const ds = set as ReferenceDataset;
  const [n, l, c] = checkSegments(name, ds.data, ds.shape);
  if (!(ds.labels instanceof Int32Array)) throw invalidParameterError(`${name}.labels`, 'Int32Array', ds.labels, 'type');
  if (ds.labels.length !== n) throw new ShapeError(`Expected ${n} labels for ${name} but received ${ds.labels.length}`);
  for (const label of ds.labels) {
    if (label < 0) throw invalidParameterError(`${name}.labels`, 'non-negative integer labels', label);
  }
  return { n, l, c, labels: ds.labels };
}

function maxLabel(labels: Int32Array): number {
  let max = 0;
  for (const label of labels) if (label > max) max = label;
  return max;
}

// ---- the class ----

/**
 * A trained (or loaded) neural ECG classifier; wraps a native handle.
 *
 * @example
 * const classifier = await Classifier.train({ epochs: 20, checkpointDir: 'runs/ecgnet' },
 *   loadDefaultDataset('train'), loadDefaultDataset('val'));
 * const test = loadDefaultDataset('test');
 * const probabilities = await classifier.predict(test.data, test.shape); // [N, classes]
 * classifier.dispose();
 */
export class Classifier {
  private readonly [kHandle]: NativeClassifierHandle;

  private constructor(handle: NativeClassifierHandle) {
    this[kHandle] = handle;
  }

  /**
   * Trains a classifier on `train`, with early stopping and best-model selection on
   * `val` (validation loss). Resolves with the best epoch's weights.
   * @param config - see {@link ClassifierConfig}; unknown keys are rejected
   * @param train - segments [N, L, C] and labels (e.g. `loadDefaultDataset('train')`)
   * @param val - validation set with the same L and C
   * @param options - `onProgress` (see {@link ClassifierProgress}), `signal` (AbortSignal)
   * @throws {ConfigError} invalid config
   * @throws {ShapeError} empty sets, wrong shapes, train/val with different L or C, a fusion
   *   generator built for another segment length or lead count
   * @throws {IoError} the fusion model's generator checkpoint cannot be read
   * @throws {FormatError} the fusion model's generator checkpoint is corrupt or not a generator's
   * @throws {ArgumentRangeError} a single-class training set, negative labels
   * @throws {ArgumentTypeError} wrong argument types
   * @throws {NonFiniteError} NaN / Infinity in the data
   * @throws {DeviceError} 'cuda' without CUDA
   * @throws {CancelledError} the signal aborted (after writing last.safetensors)
   * @throws {TrainingError} the loss became NaN (earlier checkpoints stay intact)
   * @example
   * const c = await Classifier.train({ model: { kind: 'cnn' }, epochs: 5 }, train, val,
   *   { onProgress: (e) => console.log(e.stage, e.step, e.loss), signal: AbortSignal.timeout(60_000) });
   */
  static async train(
    config: ClassifierConfig,
    train: ReferenceDataset,
    val: ReferenceDataset,
    options: ClassifierTrainOptions = {},
  ): Promise<Classifier> {
    // 1. Defaults + schema.
    const cfg = parseConfig('classifier config', ClassifierConfigSchema, config);
    const opts = assertOptions('options', options) as ClassifierTrainOptions;
    if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') {
      throw invalidParameterError('options.onProgress', 'function', opts.onProgress, 'type');
    }
    if (opts.signal !== undefined && !(opts.signal instanceof AbortSignal)) {
      throw invalidParameterError('options.signal', 'AbortSignal', opts.signal, 'type');
    }
    // 2. Data: shapes, labels, at least two classes.
    const tr = checkDataset('train', train);
    const va = checkDataset('val', val);
    if (tr.l !== va.l || tr.c !== va.c) {
      throw new ShapeError(`Expected val segments of shape [*, ${tr.l}, ${tr.c}] like train but received [*, ${va.l}, ${va.c}]`);
    }
    const distinct = new Set(tr.labels);
    if (distinct.size < 2) {
      throw invalidParameterError('train.labels', 'at least two classes', `only label ${tr.labels[0]}`);
    }
    const numClasses = cfg.numClasses ?? Math.max(2, maxLabel(tr.labels) + 1, maxLabel(va.labels) + 1);
    if (maxLabel(tr.labels) >= numClasses || maxLabel(va.labels) >= numClasses) {
      throw invalidParameterError('numClasses', `integer above every label (${Math.max(maxLabel(tr.labels), maxLabel(va.labels))})`, numClasses);
    }
    // 3. The model config the native side builds (and stores in checkpoints).
    const { kind, ...modelOptions } = cfg.model;
    // Metadata crosses on its own and is stored once, as run_config "metadata".
    const { metadata, ...runConfig } = cfg;
    const modelConfig = JSON.stringify({ kind, numClasses, leads: tr.c, samples: tr.l, options: modelOptions });
    const addon = nativeAddon<ClassifierArea>();
    const handle = await callNative(() =>
      addon.ClassifierHandle.train({
        modelConfig,
        runConfig: JSON.stringify({ ...runConfig, numClasses }),
        trainData: train.data,
        trainShape: [...train.shape],
        trainLabels: train.labels,
        valData: val.data,
        valShape: [...val.shape],
        valLabels: val.labels,
        epochs: cfg.epochs,
        batchSize: cfg.batchSize,
        lr: cfg.lr,
        weightDecay: cfg.weightDecay,
        optimizer: cfg.optimizer,
        patience: cfg.patience,
        classWeighting: cfg.classWeighting,
        seed: cfg.seed,
        device: cfg.device,
        progressEvery: cfg.progressEvery,
        ...(cfg.checkpointDir !== undefined ? { checkpointDir: cfg.checkpointDir } : {}),
        ...(cfg.resumeFrom !== undefined ? { resumeFrom: cfg.resumeFrom } : {}),
        metadata: JSON.stringify(metadata ?? {}),
        onProgress: safeProgress(opts.onProgress as ((event: unknown) => void) | undefined),
        signal: opts.signal,
      }),
    );
    return new Classifier(handle);
  }

  /**
   * Loads a checkpoint written by training (`best.safetensors`, `last.safetensors`) or
   * by {@link Classifier.save}; the architecture comes from the checkpoint (a fusion
   * model's too: its generator checkpoint is no longer needed).
   * @param path - the `.safetensors` file
   * @param options - `device`: 'cpu' (default) | 'cuda' | 'cuda:N'
   * @throws {FormatError} not a classifier checkpoint; {@link IoError} unreadable file
   * @throws {DeviceError} 'cuda' without CUDA
   * @example
   * const c = Classifier.load('runs/ecgnet/best.safetensors');
   */
  static load(path: string, options: { device?: string } = {}): Classifier {
    if (!isString(path) || path.length === 0) throw invalidParameterError('path', 'non-empty string', path, 'type');
    const opts = assertOptions('options', options);
    const device = opts.device ?? 'cpu';
    if (!isString(device)) throw invalidParameterError('options.device', 'string', device, 'type');
    return new Classifier(nativeAddon<ClassifierArea>().ClassifierHandle.load(path, device));
  }

  /**
   * Class probabilities (softmax) of segments in the reference layout, batched, in
   * inference mode.
   * @param data - Float32Array of N segments, C order [N, L, C]
   * @param shape - [N, L, C]; C must equal the model's leads (and L its samples for ECGNet)
   * @returns Float32Array [N, numClasses], each row summing to 1
   * @throws {ShapeError} wrong shape; {@link NonFiniteError} NaN data;
   *   {@link DisposedError} after dispose(); {@link BusyError} while another predict runs
   * @example
   * const p = await classifier.predict(test.data, test.shape);
   */
  async predict(data: Float32Array, shape: readonly [number, number, number]): Promise<Float32Array> {
    checkSegments('predict', data, shape);
    const handle = this[kHandle];
    return callNative(() => handle.predict(data, [...shape]));
  }

  /**
   * Writes the weights and model config (safetensors + JSON sidecar, atomically).
   * @throws {IoError} the file cannot be written; {@link DisposedError} after dispose()
   * @example
   * classifier.save('models/ecgnet.safetensors');
   */
  save(path: string): void {
    if (!isString(path) || path.length === 0) throw invalidParameterError('path', 'non-empty string', path, 'type');
    this[kHandle].save(path);
  }

  /**
   * The model config (kind, numClasses, leads, samples, every option).
   * @throws {DisposedError} after dispose()
   */
  config(): ClassifierModelConfig {
    return JSON.parse(this[kHandle].config()) as ClassifierModelConfig;
  }

  /**
   * The `metadata` the model was trained with, read back from its checkpoint ({} when it
   * has none). {@link Classifier.save} keeps it.
   * @throws {DisposedError} after dispose()
   * @example
   * const { preprocess, rate } = Classifier.load('ecgnet.safetensors').metadata;
   */
  get metadata(): ClassifierMetadata {
    return JSON.parse(this[kHandle].metadata()) as ClassifierMetadata;
  }

  /**
   * Number of trainable parameters (19,040 for the default ECGNet on 1 lead x 2048); a
   * fusion model's frozen down path is not counted. @throws {DisposedError}
   */
  get parameterCount(): number {
    return this[kHandle].parameterCount();
  }

  /** The device the weights live on ('cpu', 'cuda:0'). @throws {DisposedError} */
  get device(): string {
    return this[kHandle].device();
  }

  /** What training did (per-epoch losses), or null for a loaded model. @throws {DisposedError} */
  trainingSummary(): ClassifierTrainingSummary | null {
    return JSON.parse(this[kHandle].trainingSummary()) as ClassifierTrainingSummary | null;
  }

  /** Frees the native model now (idempotent); later calls throw {@link DisposedError}. */
  dispose(): void {
    this[kHandle].dispose();
  }
}
