/**
 * Config-driven preprocessing of [N, L, C] segment arrays: wavelet denoising (native),
 * normalisation and edge-outlier smoothing, applied in the order the config lists them.
 * The default reproduces the seed's recipe: sym8 level-8 denoise, (x - mean)/(max - min),
 * edge smoothing.
 * @module
 */
import { z } from 'zod';
import { parseConfig } from '../data/config';
import { denoise } from '../wavelet';
import { EDGE_SMOOTHING_DEFAULTS, smoothEdgeOutliers } from './edge-smoothing';
import { checkSegmentShape, normalizeSegments } from './normalize';

/** The wavelet call this pipeline makes: ts/wavelet.ts's `denoise` unless a test injects another. */
export interface WaveletDenoiser {
  denoise(
    signal: Float32Array | Float64Array,
    shape: [number, number, number],
    options?: { wavelet?: string; level?: number; mode?: string; device?: string },
  ): Promise<Float32Array | Float64Array>;
}

const DenoiseStep = z.object({
  op: z.literal('denoise'),
  wavelet: z.string().min(1).default('sym8'),
  level: z.number().int().min(1).max(16).default(8),
  mode: z.string().min(1).optional(),
  device: z.string().min(1).optional(),
}).strict();
const NormalizeStep = z.object({
  op: z.literal('normalize'),
  method: z.enum(['range', 'zscore']).default('range'),
}).strict();
const SmoothEdgesStep = z.object({
  op: z.literal('smoothEdges'),
  edge: z.number().int().min(0).default(EDGE_SMOOTHING_DEFAULTS.edge),
  threshold: z.number().positive().default(EDGE_SMOOTHING_DEFAULTS.threshold),
}).strict();

/** zod schema of a preprocessing config. */
export const PipelineConfigSchema = z.object({
  steps: z.array(z.discriminatedUnion('op', [DenoiseStep, NormalizeStep, SmoothEdgesStep])),
}).strict();

/** A preprocessing config: steps run in order. */
export type PipelineConfig = z.input<typeof PipelineConfigSchema>;

/** The seed's recipe. */
export const DEFAULT_PIPELINE: PipelineConfig = {
  steps: [
    { op: 'denoise', wavelet: 'sym8', level: 8 },
    { op: 'normalize', method: 'range' },
    { op: 'smoothEdges', edge: EDGE_SMOOTHING_DEFAULTS.edge, threshold: EDGE_SMOOTHING_DEFAULTS.threshold },
  ],
};

/**
 * Validates a preprocessing config and fills step defaults.
 * @throws {ConfigError} listing each issue
 * @example
 * parsePipelineConfig({ steps: [{ op: 'normalize' }] });
 */
export function parsePipelineConfig(config: unknown): z.output<typeof PipelineConfigSchema> {
  return parseConfig('preprocessing config', PipelineConfigSchema, config);
}

/** Copies [N, L, C] to [N, C, L] (or back with `inverse`). */
function transpose(data: Float32Array, n: number, a: number, b: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let s = 0; s < n; s++) {
    const base = s * a * b;
    for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out[base + j * a + i] = data[base + i * b + j]!;
  }
  return out;
}

/**
 * Runs a preprocessing config on segments.
 * @param data - segments, C order [N, L, C] (the reference layout); not modified
 * @param shape - [N, L, C]
 * @param config - steps (default {@link DEFAULT_PIPELINE})
 * @param denoiser - wavelet implementation (default: the native module); for tests
 * @returns the processed segments, same shape, float32
 * @throws {ConfigError} invalid config; {@link ShapeError}; {@link LoadError} when a denoise
 *   step runs without the native addon
 * @example
 * const clean = await runPipeline(data, [n, 2048, 1]);
 */
export async function runPipeline(
  data: Float32Array,
  shape: [number, number, number],
  config: PipelineConfig = DEFAULT_PIPELINE,
  denoiser?: WaveletDenoiser,
): Promise<Float32Array> {
  const { steps } = parsePipelineConfig(config);
  checkSegmentShape(data, shape);
  const [n, l, c] = shape;
  let x = data;
  for (const step of steps) {
    switch (step.op) {
      case 'denoise': {
        const w: WaveletDenoiser = denoiser ?? { denoise };
        // The wavelet module works on [N, C, L]; one lead per row.
        const ncl = c === 1 ? x : transpose(x, n, l, c);
        const opts: { wavelet?: string; level?: number; mode?: string; device?: string } = { wavelet: step.wavelet, level: step.level };
        if (step.mode !== undefined) opts.mode = step.mode;
        if (step.device !== undefined) opts.device = step.device;
        const y = await w.denoise(ncl, [n, c, l], opts);
        const y32 = y instanceof Float32Array ? y : Float32Array.from(y);
        x = c === 1 ? y32 : transpose(y32, n, c, l);
        break;
      }
      case 'normalize':
        x = normalizeSegments(x, shape, step.method);
        break;
      case 'smoothEdges':
        x = smoothEdgeOutliers(x, shape, { edge: step.edge, threshold: step.threshold });
        break;
    }
  }
  return x === data ? Float32Array.from(data) : x;
}
