/**
 * The label-conditional diffusion generator: train it on labelled segments, save and load
 * it as a safetensors checkpoint, and sample new segments. Training and every sampling
 * batch run natively on a worker thread (one crossing per job); progress comes back as
 * events and an AbortSignal stops a job at the next step boundary.
 *
 * Data is in the reference layout: `data` Float32Array [N, L, C] (row-major), integer
 * labels [N].
 * @module
 */
import { BusyError, DisposedError, NonFiniteError, ShapeError } from '../errors';
import { assertOneOf, assertOptions, invalidParameterError } from '../is';
import { callNative, nativeAddon, safeProgress } from '../native';
import { warnOnce } from '../warnings';
import {
  parseGeneratorConfig,
  parseSampleOptions,
  parseTrainRun,
  type GeneratorConfig,
  type ResolvedGeneratorConfig,
  type SampleConfig,
  type TrainRunConfig,
} from './config';

/** Labelled segments in the reference layout. */
export interface GeneratorDataset {
  /** Segments, row-major [N, L, C]. */
  data: Float32Array;
  /** [N, L, C]. */
  shape: readonly [number, number, number];
  /** One class index per segment, in 0..numClasses-1. */
  labels: ArrayLike<number>;
}

/** Progress of a training run (every `progressEvery` steps, and at each epoch end). */
export type TrainProgressEvent =
  | {
      stage: 'train';
      step: number;
      totalSteps: number;
      epoch: number;
      /** Mean training loss since the previous event. */
      loss: number;
      lr: number;
      samplesPerSecond: number;
      etaSeconds: number;
    }
  | {
      stage: 'epoch';
      epoch: number;
      step: number;
      trainLoss: number;
      /** Loss on the trainer's held-out split (NaN when valFraction is 0). */
      valLoss: number;
      /** Loss on the `validation` set given to train (NaN without one). */
      validationLoss: number;
      /** 1 when this epoch's checkpoint became best.safetensors. */
      best: number;
    };

/** Progress of a sampling run. */
export interface SampleProgressEvent {
  stage: 'sample';
  /** Sampler steps done in the current batch, and per batch (the sampler's own count). */
  step: number;
  steps: number;
  /** 0-based batch index, and the number of batches. */
  batch: number;
  batches: number;
  /** Samples finished so far, of `total`. */
  done: number;
  total: number;
}

/** What a training run reports when it ends. */
export interface TrainSummary {
  /** Optimizer steps done in total (including those before a resume). */
  steps: number;
  /** Best validation loss (or train loss when valFraction is 0). */
  bestLoss: number;
  /** Loss of every step of this run. */
  losses: Float64Array;
  epochs: Array<{ epoch: number; trainLoss: number; valLoss: number; validationLoss: number; best: boolean }>;
  /** `<checkpointDir>/last.safetensors` (null without checkpointDir). */
  lastCheckpoint: string | null;
  /** `<checkpointDir>/best.safetensors` (null without checkpointDir). */
  bestCheckpoint: string | null;
}

/** Options of {@link Generator.train}. */
export interface TrainOptions {
  /** A held-out set whose loss is reported at each epoch end (same layout as the data). */
  validation?: GeneratorDataset;
  onProgress?: (event: TrainProgressEvent) => void;
  signal?: AbortSignal;
}

/** Options of {@link Generator.sample}: {@link SampleConfig} plus progress and cancellation. */
export type SampleOptions = SampleConfig & {
  onProgress?: (event: SampleProgressEvent) => void;
  signal?: AbortSignal;
};

/** Samples in the reference layout. */
export interface GeneratedSamples {
  /** Row-major [count, L, C]. */
  data: Float32Array;
  shape: [number, number, number];
  labels: Int32Array;
}

/** What {@link Generator.config} reports. */
export type GeneratorInfo = ResolvedGeneratorConfig & {
  parameterCount: number;
  trainableParameterCount: number;
  /** Optimizer steps the weights have seen. */
  step: number;
  device: string;
  /** Whether EMA weights exist (they are used by sample() unless useEma is false). */
  hasEma: boolean;
  bestValLoss: number | null;
};

interface NativeGeneratorHandle {
  train(data: Float32Array, shape: number[], labels: Int32Array, options: Record<string, unknown>): Promise<TrainSummary>;
  sample(labels: Int32Array, options: Record<string, unknown>): Promise<Float32Array>;
  save(path: string): void;
  exportWeights(path: string, dtype: string): void;
  config(): string;
  dispose(): void;
  readonly busy: boolean;
}

interface GeneratorArea {
  GeneratorHandle: {
    create(configJson: string, device: string, seed?: number): NativeGeneratorHandle;
    load(path: string, device: string): NativeGeneratorHandle;
  };
}

const kHandle = Symbol('ecg-ldm.generator.handle');

function addon(): GeneratorArea {
  return nativeAddon<GeneratorArea>();
}

/** [N, L, C] -> [N, C, L] (the network's layout); C = 1 needs no copy. */
function toChannelsFirst(data: Float32Array, [n, l, c]: readonly [number, number, number]): Float32Array {
  if (c === 1) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < l; t++) for (let k = 0; k < c; k++) out[(i * c + k) * l + t] = data[(i * l + t) * c + k]!;
  }
  return out;
}

/** [N, C, L] -> [N, L, C] (the reference layout). */
function toChannelsLast(data: Float32Array, n: number, c: number, l: number): Float32Array {
  if (c === 1) return data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) for (let t = 0; t < l; t++) out[(i * l + t) * c + k] = data[(i * c + k) * l + t]!;
  }
  return out;
}

/** Attention cost grows with the square of its token count; beyond this it dominates a CPU step. */
const ATTENTION_TOKEN_WARNING = 512;

/** Warns (once) when a UNet1d attends over many time steps, e.g. mults [1, 2] at L = 2048. */
function warnAboutLongAttention(config: ResolvedGeneratorConfig): void {
  const m = config.model;
  if (m.kind !== 'unet1d') return;
  const deepest = m.channelMults.length - 1; // the middle attention runs there too
  const longest = Math.max(...[...m.attentionLevels, deepest].map((level) => m.length / m.patchSize / 2 ** level));
  if (longest > ATTENTION_TOKEN_WARNING) {
    warnOnce(
      `UNet1d attention over ${longest} time steps (length / patchSize / 2^level): its cost grows with the square ` +
        'of that and dominates each step; use a patchSize, more channelMults levels, or attention at deeper levels only',
    );
  }
}

/** Checks a dataset's arrays (types, shape, finiteness) before it goes native. */
function checkDataset(name: string, dataset: unknown): { data: Float32Array; shape: [number, number, number]; labels: Int32Array } {
  const d = assertOptions(name, dataset);
  const data = d['data'];
  const shape = d['shape'];
  const labels = d['labels'] as ArrayLike<number> | undefined;
  if (!(data instanceof Float32Array)) throw invalidParameterError(`${name}.data`, 'Float32Array', data, 'type');
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((v) => Number.isInteger(v) && v > 0)) {
    throw invalidParameterError(`${name}.shape`, '[N, L, C] of positive integers', shape, 'type');
  }
  const [n, l, c] = shape as [number, number, number];
  if (data.length !== n * l * c) throw new ShapeError(`${name}.data has ${data.length} values but ${name}.shape [${n}, ${l}, ${c}] needs ${n * l * c}`);
  if (labels === undefined || typeof labels.length !== 'number') throw invalidParameterError(`${name}.labels`, 'array of integers', labels, 'type');
  if (labels.length !== n) throw new ShapeError(`${name}.labels has ${labels.length} entries but ${name} has ${n} segments`);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new NonFiniteError(`${name}.data contains NaN or Infinity at segment ${Math.floor(i / (l * c))}`);
  }
  const ints = Int32Array.from(labels, (v, i) => {
    if (!Number.isInteger(v)) throw invalidParameterError(`${name}.labels[${i}]`, 'integer', v, 'type');
    return v;
  });
  return { data, shape: [n, l, c], labels: ints };
}

/**
 * A trained (or freshly built) diffusion generator. Make one with {@link Generator.train},
 * {@link Generator.load} or {@link Generator.create}; free its native memory with
 * {@link Generator.dispose}. One job (train or sample) runs at a time.
 * @example
 * const gen = await Generator.train(
 *   { model: { kind: 'unet1d', baseChannels: 16, channelMults: [1, 2] }, run: { steps: 200 } },
 *   loadDefaultDataset('train'),
 * );
 * const { data, shape } = await gen.sample({ label: 1, count: 8 });
 * gen.save('run/generator.safetensors');
 * gen.dispose();
 */
export class Generator {
  private [kHandle]: NativeGeneratorHandle | undefined;
  /** The summary of the last training run of this object (undefined before one). */
  trainingSummary: TrainSummary | undefined;

  private constructor(handle: NativeGeneratorHandle) {
    this[kHandle] = handle;
  }

  /**
   * Builds an untrained generator (for inspection, or to train with {@link Generator.fit}).
   * @param config - model (`kind` 'unet1d' default, or 'seed') and diffusion options; see GENERATOR_DEFAULTS
   * @param options - `device` (default 'cpu'), `seed` seeding the weight init (default: unseeded)
   * @throws {ConfigError} for an invalid config; {@link DeviceError} for 'cuda' without CUDA
   * @example
   * const gen = Generator.create({ model: { kind: 'seed' } });
   * gen.config().parameterCount; // 86281170
   */
  static create(config: GeneratorConfig = {}, options: { device?: string; seed?: number } = {}): Generator {
    const resolved = parseGeneratorConfig(config);
    warnAboutLongAttention(resolved);
    const o = assertOptions('options', options);
    const device = o['device'] ?? 'cpu';
    if (typeof device !== 'string') throw invalidParameterError('options.device', 'string', device, 'type');
    const seed = o['seed'];
    if (seed !== undefined && !(Number.isSafeInteger(seed) && (seed as number) >= 0)) {
      throw invalidParameterError('options.seed', 'non-negative integer', seed);
    }
    return new Generator(addon().GeneratorHandle.create(JSON.stringify(resolved), device, seed as number | undefined));
  }

  /**
   * Trains a new generator (or continues one with `run.resumeFrom`).
   * @param config - `{model?, diffusion?, run?}`. `model.length` / `model.channels` default to
   *   the dataset's L and C. `run`: steps (1000), batchSize (32), lr (1e-4), optimizer
   *   ('adam'), warmupSteps (1600, clamped to 10% of the run), minLrFraction (0.1), gradClip
   *   (1), emaDecay (0.9999), seed (0), valFraction (0.2), device ('cpu'), progressEvery (10),
   *   checkpointDir (none), resumeFrom (none: the architecture then comes from the checkpoint)
   * @param dataset - segments [N, L, C] and labels
   * @param options - `validation` set, `onProgress`, `signal`
   * @returns the trained generator; its `trainingSummary` holds losses and checkpoint paths
   * @throws {ConfigError} invalid config; {@link ShapeError} data and shape disagree or L does
   *   not fit the model; {@link ArgumentRangeError} a label outside the classes;
   *   {@link NonFiniteError} NaN in the data; {@link TrainingError} loss became NaN;
   *   {@link CancelledError} aborted (the last checkpoint, if checkpointDir was given, resumes it);
   *   {@link DeviceError} 'cuda' without CUDA
   * @example
   * const gen = await Generator.train({ model: { kind: 'unet1d' }, run: { steps: 2000, checkpointDir: 'run' } },
   *   loadDefaultDataset('train'), { onProgress: (e) => console.log(e) });
   */
  static async train(
    config: GeneratorConfig & { run?: TrainRunConfig },
    dataset: GeneratorDataset,
    options: TrainOptions = {},
  ): Promise<Generator> {
    const c = assertOptions('config', config);
    const data = checkDataset('dataset', dataset);
    const run = parseTrainRun(c['run']);
    let generator: Generator;
    if (run.resumeFrom !== undefined) {
      generator = Generator.load(run.resumeFrom, { device: run.device });
    } else {
      const model = { ...(assertOptions('config.model', c['model']) as object) } as Record<string, unknown>;
      model['length'] ??= data.shape[1];
      model['channels'] ??= data.shape[2];
      const { run: _run, ...modelAndDiffusion } = c;
      generator = Generator.create({ ...(modelAndDiffusion as GeneratorConfig), model: model as GeneratorConfig['model'] }, { device: run.device, seed: run.seed });
    }
    try {
      const done = generator.config().step;
      if (run.resumeFrom !== undefined && done >= run.steps) {
        // The checkpoint already holds the whole run: nothing to train.
        generator.trainingSummary = { steps: done, bestLoss: generator.config().bestValLoss ?? NaN, losses: new Float64Array(0), epochs: [], lastCheckpoint: null, bestCheckpoint: null };
        return generator;
      }
      await generator.fit(data, { ...run, ...options } as TrainRunConfig & TrainOptions);
      return generator;
    } catch (err) {
      generator.dispose();
      throw err;
    }
  }

  /**
   * Loads a checkpoint written by {@link Generator.save} or by training (`best`/`last`).
   * A checkpoint written on CUDA loads on CPU and vice versa.
   * @param path - `.safetensors` file
   * @param options - `device` (default 'cpu')
   * @throws {FormatError} not a generator checkpoint or corrupt; {@link IoError}; {@link DeviceError}
   * @example
   * const gen = Generator.load('run/best.safetensors');
   */
  static load(path: string, options: { device?: string } = {}): Generator {
    if (typeof path !== 'string' || path.length === 0) throw invalidParameterError('path', 'non-empty string', path, 'type');
    const o = assertOptions('options', options);
    const device = o['device'] ?? 'cpu';
    if (typeof device !== 'string') throw invalidParameterError('options.device', 'string', device, 'type');
    return new Generator(addon().GeneratorHandle.load(path, device));
  }

  private handle(method: string): NativeGeneratorHandle {
    const handle = this[kHandle];
    if (!handle) throw new DisposedError(`the generator was disposed; cannot call ${method}()`);
    return handle;
  }

  /**
   * Trains this generator's weights further on `dataset` (a fresh optimizer unless
   * `resumeFrom` names a checkpoint of the same architecture).
   * @param dataset - segments [N, L, C] matching the model's length and channels
   * @param options - a training run (see {@link Generator.train}) plus validation/onProgress/signal
   * @returns the run's summary (also kept in `trainingSummary`)
   * @throws see {@link Generator.train}; {@link BusyError} while another job runs
   * @example
   * await gen.fit(loadDefaultDataset('train'), { steps: 100, lr: 5e-5 });
   */
  async fit(dataset: GeneratorDataset, options: TrainRunConfig & TrainOptions = {}): Promise<TrainSummary> {
    const handle = this.handle('fit');
    const { validation, onProgress, signal, ...rest } = assertOptions('options', options) as TrainRunConfig & TrainOptions;
    const run = parseTrainRun(rest);
    const data = checkDataset('dataset', dataset);
    const val = validation === undefined ? undefined : checkDataset('validation', validation);
    const native: Record<string, unknown> = {
      ...run,
      runConfig: JSON.stringify(run),
      onProgress: safeProgress(onProgress as ((e: Record<string, number | string>) => void) | undefined),
      signal,
    };
    if (val) native['validation'] = { data: toChannelsFirst(val.data, val.shape), shape: [val.shape[0], val.shape[2], val.shape[1]], labels: val.labels };
    const [n, l, c] = data.shape;
    const summary = await callNative(() => handle.train(toChannelsFirst(data.data, data.shape), [n, c, l], data.labels, native));
    this.trainingSummary = summary;
    return summary;
  }

  /**
   * Generates segments. Batch b is sampled with seed `seed + b`, so the same seed and
   * batchSize give bit-equal samples on the same device.
   * @param options - `label` (a class, or one per sample), `count` (default: 1, or the
   *   number of labels), `sampler` 'ddpm' | 'ddim' | 'dpmpp' (default 'dpmpp'), `steps`
   *   (25), `eta` (DDIM, 0), `guidance` (1 = off; needs a UNet1d trained with
   *   conditionDropProb > 0), `batchSize` (64), `seed` (0), `useEma` (true), `clipX0` (0 = off),
   *   `onProgress`, `signal`
   * @returns `{data [count, L, C], shape, labels}`
   * @throws {ConfigError} invalid options; {@link ArgumentRangeError} a label outside the
   *   model's classes; {@link BusyError}; {@link DisposedError}; {@link CancelledError}
   * @example
   * const { data, shape } = await gen.sample({ label: 1, count: 16, sampler: 'ddim', steps: 50 });
   */
  async sample(options: SampleOptions): Promise<GeneratedSamples> {
    const handle = this.handle('sample');
    const { onProgress, signal, ...rest } = assertOptions('options', options) as SampleOptions;
    const o = parseSampleOptions(rest);
    const count = o.count ?? (Array.isArray(o.label) ? o.label.length : 1);
    if (Array.isArray(o.label) && o.label.length !== count) {
      throw new ShapeError(`options.label has ${o.label.length} labels but options.count is ${count}`);
    }
    const labels = Array.isArray(o.label) ? Int32Array.from(o.label) : new Int32Array(count).fill(o.label);
    if (handle.busy) throw new BusyError('the generator is busy with another job; await it before calling sample()');
    const info = this.config();
    const { channels: c, length: l } = info.model;
    const progress = safeProgress(onProgress);
    const batches = Math.ceil(count / o.batchSize);
    const out = new Float32Array(count * c * l);
    for (let b = 0; b < batches; b++) {
      const start = b * o.batchSize;
      const batchLabels = labels.subarray(start, Math.min(count, start + o.batchSize));
      // Native step events arrive asynchronously: drop any that come after the batch ended,
      // so that events stay ordered and the batch's last one (sent here) says it is done.
      let batchEnded = false;
      const samples = await callNative(() =>
        handle.sample(batchLabels, {
          sampler: o.sampler, steps: o.steps, eta: o.eta, guidance: o.guidance, seed: o.seed + b, useEma: o.useEma,
          clipX0: o.clipX0, ddpmVariance: o.ddpmVariance, signal,
          onProgress: progress && ((e: Record<string, number | string>) => {
            if (batchEnded) return;
            progress({ stage: 'sample', step: e['step'] as number, steps: e['total'] as number, batch: b, batches, done: start, total: count });
          }),
        }),
      );
      batchEnded = true;
      out.set(toChannelsLast(samples, batchLabels.length, c, l), start * c * l);
      progress?.({ stage: 'sample', step: o.steps, steps: o.steps, batch: b, batches, done: start + batchLabels.length, total: count });
    }
    return { data: out, shape: [count, l, c], labels };
  }

  /**
   * Writes a checkpoint (weights, EMA weights, optimizer moments, step, config) atomically,
   * plus its JSON sidecar (`x.safetensors` -> `x.json`). Training can resume from it.
   * @throws {IoError}; {@link BusyError} while a job runs; {@link DisposedError}
   * @example
   * gen.save('run/generator.safetensors');
   */
  save(path: string): void {
    if (typeof path !== 'string' || path.length === 0) throw invalidParameterError('path', 'non-empty string', path, 'type');
    this.handle('save').save(path);
  }

  /**
   * Writes a weights-only checkpoint for sampling and sharing: the EMA weights (the raw
   * weights when there is no EMA) as `model.*`, floating tensors stored as `dtype`, plus
   * the configs and step, atomically with its JSON sidecar. It has no optimizer or RNG
   * state: {@link Generator.load} reads it (half-precision values become float32 exactly)
   * and it samples or fine-tunes, but it does not resume the run. float16 halves the file
   * of float32; the shipped generators use it.
   * @param options - `dtype`: "float32" (default), "float16" or "bfloat16"
   * @throws {IoError}; {@link ArgumentRangeError} an unknown dtype; {@link BusyError} while a job runs; {@link DisposedError}
   * @example
   * gen.exportWeights('model.safetensors', { dtype: 'float16' });
   */
  exportWeights(path: string, options: { dtype?: 'float32' | 'float16' | 'bfloat16' } = {}): void {
    if (typeof path !== 'string' || path.length === 0) throw invalidParameterError('path', 'non-empty string', path, 'type');
    const dtype = assertOneOf('options.dtype', assertOptions('options', options).dtype ?? 'float32', ['float32', 'float16', 'bfloat16'] as const);
    this.handle('exportWeights').exportWeights(path, dtype);
  }

  /**
   * The model + diffusion config (every default filled), parameter counts, step and device.
   * @throws {DisposedError}
   * @example
   * Generator.create({ model: { kind: 'seed' } }).config().trainableParameterCount; // 85961170
   */
  config(): GeneratorInfo {
    return JSON.parse(this.handle('config').config()) as GeneratorInfo;
  }

  /** True after {@link Generator.dispose}. */
  get disposed(): boolean {
    return this[kHandle] === undefined;
  }

  /**
   * Frees the native model now (a running job keeps it until it ends). Idempotent; any
   * later call throws {@link DisposedError}.
   * @example
   * gen.dispose();
   */
  dispose(): void {
    this[kHandle]?.dispose();
    this[kHandle] = undefined;
  }
}
