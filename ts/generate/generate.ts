/**
 * `generate()`: samples a checkpoint into an NPZ in the reference layout, batch by batch,
 * so memory stays at one batch however many segments are asked for. NPZ has no place for
 * metadata, so the run's checkpoint, sampler, steps, guidance and per-batch seeds go to a
 * JSON sidecar `<out>.json`.
 * @module
 */
import * as path from 'node:path';
import { IoError, ShapeError } from '../errors';
import { assertOptions, invalidParameterError } from '../is';
import { NpzWriter } from '../data/npz';
import { writeFileAtomic } from '../data/write-file';
import { safeProgress } from '../native';
import { GENERATOR_DEFAULTS, parseSampleOptions } from './config';
import { Generator } from './generator';

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** Generator checkpoint (`.safetensors`). */
  checkpoint: string;
  /** Destination `.npz` (reference layout: `data` float32 [N, L, C], `label` int64 [N]). */
  out: string;
  /** One class; with `count` (default 1). */
  label?: number;
  count?: number;
  /** Segments per class, e.g. `{0: 100, 1: 100}` (instead of label + count). */
  labels?: Record<number | string, number>;
  /** 'ddpm' | 'ddim' | 'dpmpp' (default 'dpmpp'). */
  sampler?: 'ddpm' | 'ddim' | 'dpmpp';
  /** Sampler steps (default 25). */
  steps?: number;
  /** Classifier-free guidance scale (default 1 = off). */
  guidance?: number;
  /** DDIM eta (default 0). */
  eta?: number;
  /** Segments per native call (default 64). */
  batchSize?: number;
  /** Base seed (default 0); batch b overall uses seed + b. */
  seed?: number;
  /** Sample with the EMA weights (default true). */
  useEma?: boolean;
  /** 'cpu' (default), 'cuda', 'cuda:N'. */
  device?: string;
  onProgress?: (event: GenerateProgressEvent) => void;
  signal?: AbortSignal;
}

/** Progress of {@link generate}, after each sampler step. */
export interface GenerateProgressEvent {
  stage: 'generate';
  /** Segments written so far, of total. */
  done: number;
  total: number;
  /** Class of the current batch, its sampler step and step count. */
  label: number;
  step: number;
  steps: number;
}

/** What {@link generate} wrote. */
export interface GenerateResult {
  file: string;
  sidecar: string;
  /** Segments per class. */
  counts: Record<number, number>;
  total: number;
}

/** The per-class plan: [[label, count], ...] in ascending label order. */
function plan(o: Record<string, unknown>): Array<[number, number]> {
  if (o['labels'] !== undefined) {
    if (o['label'] !== undefined || o['count'] !== undefined) {
      throw invalidParameterError('options.labels', 'labels alone (without label / count)', o['labels'], 'type');
    }
    const map = assertOptions('options.labels', o['labels']);
    const entries = Object.entries(map).map(([k, v]): [number, number] => {
      const label = Number(k);
      if (!Number.isInteger(label) || label < 0) throw invalidParameterError('options.labels key', 'non-negative integer', k);
      if (!Number.isInteger(v) || (v as number) < 0) throw invalidParameterError(`options.labels[${k}]`, 'non-negative integer', v);
      return [label, v as number];
    });
    if (entries.length === 0) throw new ShapeError('options.labels names no class');
    return entries.sort((a, b) => a[0] - b[0]);
  }
  const label = o['label'];
  if (!Number.isInteger(label) || (label as number) < 0) throw invalidParameterError('options.label', 'non-negative integer', label);
  const count = o['count'] ?? 1;
  if (!Number.isInteger(count) || (count as number) < 1) throw invalidParameterError('options.count', 'positive integer', count);
  return [[label as number, count as number]];
}

/**
 * Generates segments from a checkpoint into an NPZ (reference layout) plus `<out>.json`.
 * Batches stream to disk as they are sampled; an error or abort leaves no output file.
 * @param options - see {@link GenerateOptions}; defaults: count 1, sampler 'dpmpp', steps 25,
 *   guidance 1, eta 0, batchSize 64, seed 0, useEma true, device 'cpu'
 * @returns the files written and the counts per class
 * @throws {ArgumentRangeError} / {@link ArgumentTypeError} for invalid options or a label
 *   outside the model's classes; {@link ConfigError}; {@link FormatError} / {@link IoError}
 *   for the checkpoint or the output; {@link CancelledError} when aborted
 * @example
 * const { counts } = await generate({ checkpoint: 'run/best.safetensors', labels: { 0: 500, 1: 500 }, out: 'gen.npz' });
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const o = assertOptions('options', options);
  if (typeof o['checkpoint'] !== 'string' || !o['checkpoint']) throw invalidParameterError('options.checkpoint', 'path string', o['checkpoint'], 'type');
  if (typeof o['out'] !== 'string' || !o['out']) throw invalidParameterError('options.out', 'path string', o['out'], 'type');
  const checkpoint = o['checkpoint'] as string;
  const out = o['out'] as string;
  const classes = plan(o);
  const D = GENERATOR_DEFAULTS.sample;
  // Validates the sampler options once, with the same schema as Generator.sample.
  const s = parseSampleOptions({
    label: 0,
    sampler: o['sampler'] ?? D.sampler,
    steps: o['steps'] ?? D.steps,
    guidance: o['guidance'] ?? D.guidance,
    eta: o['eta'] ?? D.eta,
    batchSize: o['batchSize'] ?? D.batchSize,
    seed: o['seed'] ?? D.seed,
    useEma: o['useEma'] ?? D.useEma,
  });
  const onProgress = safeProgress(options.onProgress);
  const signal = options.signal;
  const total = classes.reduce((sum, [, n]) => sum + n, 0);

  const generator = Generator.load(checkpoint, { device: (o['device'] as string | undefined) ?? 'cpu' });
  let writer: NpzWriter | undefined;
  try {
    const info = generator.config();
    for (const [label] of classes) {
      if (label >= info.model.numClasses) {
        throw invalidParameterError('options.label', `class in 0..${info.model.numClasses - 1} (the model's classes)`, label);
      }
    }
    writer = new NpzWriter(out, { length: info.model.length, channels: info.model.channels });
    const batches: Array<{ label: number; count: number; seed: number }> = [];
    const counts: Record<number, number> = {};
    let batchIndex = 0;
    for (const [label, n] of classes) {
      counts[label] = 0;
      for (let start = 0; start < n; start += s.batchSize) {
        const count = Math.min(s.batchSize, n - start);
        const seed = s.seed + batchIndex++;
        const done = writer.count;
        const result = await generator.sample({
          label, count, sampler: s.sampler, steps: s.steps, guidance: s.guidance, eta: s.eta, batchSize: count, seed,
          useEma: s.useEma, signal,
          onProgress: onProgress && ((e) => onProgress({
            stage: 'generate', done: done + (e.done === e.total ? count : 0), total, label, step: e.step, steps: e.steps,
          })),
        });
        writer.append(result.data, result.labels);
        counts[label] += count;
        batches.push({ label, count, seed });
      }
    }
    await writer.close();
    writer = undefined;
    const sidecar = `${out}.json`;
    writeFileAtomic(sidecar, JSON.stringify({
      format: 'ecg-ldm-generated',
      checkpoint: path.resolve(checkpoint),
      checkpointStep: info.step,
      model: info.model,
      diffusion: info.diffusion,
      sampler: s.sampler,
      steps: s.steps,
      guidance: s.guidance,
      eta: s.eta,
      useEma: s.useEma && info.hasEma,
      batchSize: s.batchSize,
      seed: s.seed,
      batches,
      counts,
      total,
      createdAt: new Date().toISOString(),
    }, null, 2) + '\n');
    return { file: out, sidecar, counts, total };
  } finally {
    writer?.abort();
    generator.dispose();
  }
}
