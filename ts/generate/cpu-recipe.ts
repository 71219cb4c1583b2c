/**
 * A generator recipe sized for a small CPU: the one bench/quality.js measures on the
 * bundled LUDB set (2,048-sample lead II segments, range-normalised) under issue 5's
 * 35-minute, 2-core budget. UNet1d folds 4 samples per token (patchSize), so its full-
 * resolution levels run at 512 steps and attention sits at 128 and 64; cosine schedule
 * with v-prediction; label dropout 0.1 so guidance is available; AdamW at 2e-4 with a
 * short warm-up and a fast EMA (0.999: the run is only thousands of steps long).
 * @module
 */
import type { GeneratorConfig, SampleConfig, TrainRunConfig } from './config';

/** Model + diffusion + run + sampling of the CPU recipe (steps and label are the caller's). */
export const CPU_RECIPE: {
  readonly network: GeneratorConfig;
  readonly run: TrainRunConfig;
  readonly sample: Omit<SampleConfig, 'label'>;
} = Object.freeze({
  network: {
    model: { kind: 'unet1d', baseChannels: 32, patchSize: 4, channelMults: [1, 2, 2, 4], attentionLevels: [2, 3], numResBlocks: 2 },
    diffusion: { schedule: 'cosine', prediction: 'v', conditionDropProb: 0.1 },
  },
  run: {
    batchSize: 16, lr: 2e-4, optimizer: 'adamw', weightDecay: 0, warmupSteps: 200, minLrFraction: 0.1,
    gradClip: 1, emaDecay: 0.999, valFraction: 0, seed: 0, progressEvery: 50,
  },
  // clipX0 1: the data are range-normalised to [-1, 1].
  sample: { sampler: 'dpmpp', steps: 25, guidance: 1, batchSize: 48, seed: 1, clipX0: 1 },
});
