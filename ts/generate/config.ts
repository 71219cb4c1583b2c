/**
 * Configuration of the generator: the model (seed U-Net or modern UNet1d), the diffusion
 * process, a training run and a sampling run. Each is a strict zod schema whose defaults
 * live in one `DEFAULTS` constant; {@link parseGeneratorConfig} and friends turn a
 * validation failure into a {@link ConfigError} listing every issue.
 *
 * The model + diffusion config is what a checkpoint stores (its JSON sidecar) and what
 * {@link Generator.load} rebuilds the network from.
 * @module
 */
import { z } from 'zod';
import { parseConfig } from '../data/config';

/** Defaults of every generator option (the seed's values where it has one). */
export const GENERATOR_DEFAULTS = {
  /** Modern UNet1d (ADM layout) options. */
  unet1d: {
    kind: 'unet1d' as const,
    channels: 1,
    length: 2048,
    numClasses: 2,
    baseChannels: 32,
    channelMults: [1, 2, 2, 4],
    numResBlocks: 2,
    attentionLevels: [3],
    dropout: 0,
    numHeads: 4,
    normGroups: 8,
    patchSize: 1,
  },
  /** The reference implementation's U-Net (`ECGunetChannels`): 2048 samples, 1 lead, kernel 5. */
  seed: {
    kind: 'seed' as const,
    channels: 1,
    length: 2048,
    numClasses: 2,
    kernelSize: 5,
  },
  /** Diffusion: 1000 linear steps 1e-4..0.02, epsilon prediction (the seed's). */
  diffusion: {
    schedule: 'linear' as const,
    numTrainSteps: 1000,
    betaStart: 1e-4,
    betaEnd: 0.02,
    cosineOffset: 0.008,
    prediction: 'epsilon' as const,
    conditionDropProb: 0,
  },
  /** A training run (Adam lr 1e-4, batch 32, EMA 0.9999 as the seed). */
  run: {
    steps: 1000,
    batchSize: 32,
    lr: 1e-4,
    optimizer: 'adam' as const,
    weightDecay: 0,
    warmupSteps: 1600,
    minLrFraction: 0.1,
    gradClip: 1,
    emaDecay: 0.9999,
    seed: 0,
    valFraction: 0.2,
    device: 'cpu',
    precision: 'float32' as const,
    progressEvery: 10,
  },
  /** A sampling run. */
  sample: {
    count: 1,
    sampler: 'dpmpp' as const,
    steps: 25,
    eta: 0,
    guidance: 1,
    batchSize: 64,
    seed: 0,
    useEma: true,
    clipX0: 0,
    ddpmVariance: 'posterior' as const,
  },
} as const;

const D = GENERATOR_DEFAULTS;
const posInt = (max = 2 ** 31 - 1) => z.number().int().min(1).max(max);
const DEVICE = z.string().regex(/^(cpu|cuda(:\d+)?)$/, 'expected "cpu", "cuda" or "cuda:N"');

/** Modern 1-D U-Net (see native/nn/unet1d.h). */
export const UNet1dConfigSchema = z
  .object({
    kind: z.literal('unet1d').default('unet1d'),
    channels: posInt(64).default(D.unet1d.channels),
    length: posInt(1 << 20).default(D.unet1d.length),
    numClasses: posInt(65536).default(D.unet1d.numClasses),
    baseChannels: posInt(4096).default(D.unet1d.baseChannels),
    channelMults: z.array(posInt(64)).min(1).max(8).default([...D.unet1d.channelMults]),
    numResBlocks: posInt(16).default(D.unet1d.numResBlocks),
    attentionLevels: z.array(z.number().int().min(0)).optional(),
    dropout: z.number().min(0).max(0.99).default(D.unet1d.dropout),
    numHeads: posInt(64).default(D.unet1d.numHeads),
    normGroups: posInt(256).default(D.unet1d.normGroups),
    /** Neighbouring samples folded into channels before the first conv (1 = none); cuts the cost of the full-resolution levels by this factor. */
    patchSize: posInt(64).default(D.unet1d.patchSize),
  })
  .strict()
  .transform((c) => ({ ...c, attentionLevels: c.attentionLevels ?? [c.channelMults.length - 1] }))
  .superRefine((c, ctx) => {
    const factor = c.patchSize * 2 ** (c.channelMults.length - 1);
    if (c.length % factor !== 0) {
      ctx.addIssue({ code: 'custom', path: ['length'], message: `must be divisible by ${factor} (patchSize * 2^(levels-1) of the U-Net), got ${c.length}` });
    }
    for (const level of c.attentionLevels) {
      if (level >= c.channelMults.length) {
        ctx.addIssue({ code: 'custom', path: ['attentionLevels'], message: `level ${level} is not below the number of levels (${c.channelMults.length})` });
      }
    }
  });

/** The reference U-Net (see native/nn/seed_unet.h); its label is added to the signal. */
export const SeedUNetConfigSchema = z
  .object({
    kind: z.literal('seed'),
    channels: posInt(64).default(D.seed.channels),
    length: posInt(1 << 20).default(D.seed.length),
    numClasses: posInt(65536).default(D.seed.numClasses),
    kernelSize: posInt(63).refine((k) => k % 2 === 1, 'must be odd').default(D.seed.kernelSize),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.length % 4 !== 0) ctx.addIssue({ code: 'custom', path: ['length'], message: `must be divisible by 4, got ${c.length}` });
  });

/** Either model. */
export const ModelConfigSchema = z.union([UNet1dConfigSchema, SeedUNetConfigSchema]);

/** The forward process and the training target. */
export const DiffusionConfigSchema = z
  .object({
    schedule: z.enum(['linear', 'cosine']).default(D.diffusion.schedule),
    numTrainSteps: z.number().int().min(2).max(100000).default(D.diffusion.numTrainSteps),
    betaStart: z.number().positive().max(0.5).default(D.diffusion.betaStart),
    betaEnd: z.number().positive().max(0.999).default(D.diffusion.betaEnd),
    cosineOffset: z.number().min(0).max(1).default(D.diffusion.cosineOffset),
    prediction: z.enum(['epsilon', 'v']).default(D.diffusion.prediction),
    /** Label dropout for classifier-free guidance (UNet1d only; 0 = never, as the seed). */
    conditionDropProb: z.number().min(0).max(1).default(D.diffusion.conditionDropProb),
  })
  .strict();

/** Model + diffusion: what a checkpoint stores and {@link Generator.create} builds. */
export const GeneratorConfigSchema = z
  .object({
    model: ModelConfigSchema.default({ ...D.unet1d, channelMults: [...D.unet1d.channelMults], attentionLevels: [...D.unet1d.attentionLevels] }),
    diffusion: DiffusionConfigSchema.default({ ...D.diffusion }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.model.kind === 'seed' && c.diffusion.conditionDropProb > 0) {
      ctx.addIssue({ code: 'custom', path: ['diffusion', 'conditionDropProb'], message: 'must be 0 for the seed U-Net (it has no unconditional class)' });
    }
  });

/** A training run. */
export const TrainRunSchema = z
  .object({
    /** Optimizer steps of the whole run (a resumed run continues up to this count). */
    steps: posInt().default(D.run.steps),
    batchSize: posInt(65536).default(D.run.batchSize),
    lr: z.number().positive().max(10).default(D.run.lr),
    optimizer: z.enum(['adam', 'adamw']).default(D.run.optimizer),
    weightDecay: z.number().min(0).max(10).default(D.run.weightDecay),
    /** Linear warm-up steps (clamped to 10% of the run by the trainer). */
    warmupSteps: z.number().int().min(0).default(D.run.warmupSteps),
    /** Cosine decay floor as a fraction of lr (1 = constant lr after warm-up). */
    minLrFraction: z.number().min(0).max(1).default(D.run.minLrFraction),
    /** Max global gradient L2 norm; 0 = off. */
    gradClip: z.number().min(0).default(D.run.gradClip),
    emaDecay: z.number().min(0).max(1).default(D.run.emaDecay),
    /** Seeds the weight init, split, shuffles and noise. */
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(D.run.seed),
    /** Share of the dataset the trainer holds out to pick the best checkpoint (0 = best by train loss). */
    valFraction: z.number().min(0).max(0.99).default(D.run.valFraction),
    device: DEVICE.default(D.run.device),
    /**
     * 'bf16': mixed precision — the forward pass runs under autocast to bfloat16 (convolutions,
     * matmuls) while weights, optimizer state, norms and the loss stay float32; no loss scaling
     * needed. Worth it on GPUs with bfloat16 units (Ampere and later); on CPUs without AMX it is
     * usually slower than 'float32'.
     */
    precision: z.enum(['float32', 'bf16']).default(D.run.precision),
    /** Progress events every N steps. */
    progressEvery: posInt().default(D.run.progressEvery),
    /** Folder for best.safetensors / last.safetensors (+ .json sidecars); none = nothing kept. */
    checkpointDir: z.string().min(1).optional(),
    /** A checkpoint of this generator's trainer to continue from (architecture taken from it). */
    resumeFrom: z.string().min(1).optional(),
  })
  .strict();

/** A sampling run. */
export const SampleOptionsSchema = z
  .object({
    /** One class for every sample, or one label per sample (then count defaults to its length). */
    label: z.union([z.number().int().min(0), z.array(z.number().int().min(0)).min(1)]),
    count: posInt().optional(),
    sampler: z.enum(['ddpm', 'ddim', 'dpmpp']).default(D.sample.sampler),
    steps: posInt(100000).default(D.sample.steps),
    eta: z.number().min(0).max(1).default(D.sample.eta),
    guidance: z.number().min(-100).max(100).default(D.sample.guidance),
    batchSize: posInt().default(D.sample.batchSize),
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(D.sample.seed),
    useEma: z.boolean().default(D.sample.useEma),
    clipX0: z.number().min(0).default(D.sample.clipX0),
    ddpmVariance: z.enum(['posterior', 'seed']).default(D.sample.ddpmVariance),
  })
  .strict();

export type UNet1dConfig = z.input<typeof UNet1dConfigSchema>;
export type SeedUNetConfig = z.input<typeof SeedUNetConfigSchema>;
export type ModelConfig = z.input<typeof ModelConfigSchema>;
export type DiffusionConfig = z.input<typeof DiffusionConfigSchema>;
/** Model + diffusion config as the caller writes it (defaults optional). */
export type GeneratorConfig = z.input<typeof GeneratorConfigSchema>;
/** Model + diffusion config with every default filled. */
export type ResolvedGeneratorConfig = z.output<typeof GeneratorConfigSchema>;
export type TrainRunConfig = z.input<typeof TrainRunSchema>;
export type ResolvedTrainRunConfig = z.output<typeof TrainRunSchema>;
export type SampleConfig = z.input<typeof SampleOptionsSchema>;
export type ResolvedSampleConfig = z.output<typeof SampleOptionsSchema>;

/**
 * Validates a generator config and fills its defaults.
 * @param config - `{model?, diffusion?}`; `model.kind` is `'unet1d'` (default) or `'seed'`
 * @throws {ConfigError} listing every invalid or unknown field
 * @example
 * parseGeneratorConfig({ model: { kind: 'unet1d', baseChannels: 16, channelMults: [1, 2], length: 256 } });
 */
export function parseGeneratorConfig(config: unknown): ResolvedGeneratorConfig {
  return parseConfig('generator config', GeneratorConfigSchema, config);
}

/**
 * Validates a training run config and fills its defaults ({@link GENERATOR_DEFAULTS}.run).
 * @throws {ConfigError} listing every invalid or unknown field
 * @example
 * parseTrainRun({ steps: 500, batchSize: 16 });
 */
export function parseTrainRun(run: unknown): ResolvedTrainRunConfig {
  return parseConfig('training run', TrainRunSchema, run);
}

/**
 * Validates sampling options and fills their defaults ({@link GENERATOR_DEFAULTS}.sample).
 * @throws {ConfigError} listing every invalid or unknown field
 * @example
 * parseSampleOptions({ label: 1, count: 8, sampler: 'ddim', steps: 50 });
 */
export function parseSampleOptions(options: unknown): ResolvedSampleConfig {
  return parseConfig('sample options', SampleOptionsSchema, options);
}
