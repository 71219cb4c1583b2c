/**
 * `ecg-ldm generator ...` commands: `train` (NPZ -> checkpoints in a run folder) and
 * `sample` (checkpoint -> NPZ in the reference layout + `<out>.json`), with a progress
 * bar on stderr.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { readReferenceNpz } from '../data/npz';
import type { GeneratorConfig, TrainRunConfig } from '../generate/config';
import { generate } from '../generate/generate';
import { Generator, type TrainProgressEvent } from '../generate/generator';
import { abortOnSigint } from './abort-on-sigint';
import { nonNegativeInt, positiveInt } from './option-parsers';
import { progressBar } from './progress-bar';
import { readJsonConfig } from './read-json-config';

function finite(value: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v)) throw new InvalidArgumentError(`expected a number, got "${value}"`);
  return v;
}

function intList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) throw new InvalidArgumentError(`expected comma-separated integers, got "${value}"`);
  return parts.map(Number);
}

/** "0=100,1=50" -> {0: 100, 1: 50}. */
function classCounts(value: string): Record<number, number> {
  const out: Record<number, number> = {};
  for (const part of value.split(',')) {
    const m = /^\s*(\d+)\s*=\s*(\d+)\s*$/.exec(part);
    if (!m) throw new InvalidArgumentError(`expected label=count pairs like 0=100,1=100, got "${value}"`);
    out[Number(m[1])] = Number(m[2]);
  }
  return out;
}

interface TrainFlags {
  data: string;
  val?: string;
  out: string;
  config?: string;
  model?: 'unet1d' | 'seed';
  steps?: number;
  batchSize?: number;
  lr?: number;
  warmup?: number;
  ema?: number;
  gradClip?: number;
  seed?: number;
  device?: string;
  valFraction?: number;
  progressEvery?: number;
  baseChannels?: number;
  channelMults?: number[];
  patchSize?: number;
  precision?: 'float32' | 'bf16';
  schedule?: 'linear' | 'cosine';
  prediction?: 'epsilon' | 'v';
  timesteps?: number;
  conditionDrop?: number;
  resume?: string;
}

interface SampleFlags {
  checkpoint: string;
  out: string;
  label?: number;
  count?: number;
  labels?: Record<number, number>;
  sampler: 'ddpm' | 'ddim' | 'dpmpp';
  steps: number;
  guidance: number;
  eta: number;
  batchSize: number;
  seed: number;
  device: string;
  ema: boolean;
}

/** Registers `generator train` and `generator sample` on `program`. */
export function registerGeneratorCommands(program: Command): void {
  const generator = program.command('generator').description('train the diffusion generator and sample from it');

  generator.command('train')
    .description('train a label-conditional diffusion generator on an NPZ (reference layout); writes <out>/best|last|final.safetensors')
    .requiredOption('--data <file>', 'training set NPZ (data [N, L, C], label [N])')
    .option('--val <file>', 'validation set NPZ; its loss is reported at each epoch end')
    .requiredOption('--out <dir>', 'run folder for checkpoints')
    .option('--config <file>', 'JSON {model, diffusion, run}; flags override it')
    .addOption(new Option('--model <kind>', 'network (default unet1d)').choices(['unet1d', 'seed']))
    .option('--steps <n>', 'optimizer steps (default 1000)', positiveInt)
    .option('--batch-size <n>', 'batch size (default 32)', positiveInt)
    .option('--lr <x>', 'peak learning rate (default 1e-4)', finite)
    .option('--warmup <n>', 'warm-up steps (default 1600, clamped to 10% of the run)', nonNegativeInt)
    .option('--ema <decay>', 'EMA decay (default 0.9999)', finite)
    .option('--grad-clip <x>', 'max gradient norm, 0 = off (default 1)', finite)
    .option('--seed <n>', 'seed of init, split, shuffles and noise (default 0)', nonNegativeInt)
    .option('--device <name>', 'cpu | cuda | cuda:N (default cpu)')
    .option('--val-fraction <f>', 'share held out by the trainer to pick best.safetensors (default 0.2)', finite)
    .option('--progress-every <n>', 'steps between progress updates (default 10)', positiveInt)
    .option('--base-channels <n>', 'unet1d: channels of the first level (default 32)', positiveInt)
    .option('--channel-mults <list>', 'unet1d: channel multiplier per level, e.g. 1,2,2,4', intList)
    .option('--patch-size <n>', 'unet1d: samples folded into channels before the first conv (default 1)', positiveInt)
    .addOption(new Option('--precision <kind>', "training precision; bf16 = autocast forward (default float32)").choices(['float32', 'bf16']))
    .addOption(new Option('--schedule <kind>', 'beta schedule (default linear)').choices(['linear', 'cosine']))
    .addOption(new Option('--prediction <kind>', 'training target (default epsilon)').choices(['epsilon', 'v']))
    .option('--timesteps <n>', 'diffusion steps T (default 1000)', positiveInt)
    .option('--condition-drop <p>', 'unet1d: label dropout for classifier-free guidance (default 0)', finite)
    .option('--resume <checkpoint>', 'continue a run from its last.safetensors (architecture from the checkpoint)')
    .action(async (flags: TrainFlags) => {
      const base = flags.config ? readJsonConfig(flags.config) : {};
      const model: Record<string, unknown> = { kind: 'unet1d', ...(base['model'] as object | undefined) };
      if (flags.model !== undefined) model['kind'] = flags.model;
      if (flags.baseChannels !== undefined) model['baseChannels'] = flags.baseChannels;
      if (flags.channelMults !== undefined) model['channelMults'] = flags.channelMults;
      if (flags.patchSize !== undefined) model['patchSize'] = flags.patchSize;
      const diffusion: Record<string, unknown> = { ...(base['diffusion'] as object | undefined) };
      if (flags.schedule !== undefined) diffusion['schedule'] = flags.schedule;
      if (flags.prediction !== undefined) diffusion['prediction'] = flags.prediction;
      if (flags.timesteps !== undefined) diffusion['numTrainSteps'] = flags.timesteps;
      if (flags.conditionDrop !== undefined) diffusion['conditionDropProb'] = flags.conditionDrop;
      const run: Record<string, unknown> = { ...(base['run'] as object | undefined), checkpointDir: flags.out };
      const set = (key: string, v: unknown) => { if (v !== undefined) run[key] = v; };
      set('steps', flags.steps); set('batchSize', flags.batchSize); set('lr', flags.lr); set('warmupSteps', flags.warmup);
      set('emaDecay', flags.ema); set('gradClip', flags.gradClip); set('seed', flags.seed); set('device', flags.device);
      set('valFraction', flags.valFraction); set('progressEvery', flags.progressEvery); set('resumeFrom', flags.resume);
      set('precision', flags.precision);

      const train = readReferenceNpz(flags.data);
      const validation = flags.val ? readReferenceNpz(flags.val) : undefined;
      fs.mkdirSync(flags.out, { recursive: true });
      const bar = progressBar('train');
      let lastLoss = NaN;
      await abortOnSigint(async (signal) => {
        const gen = await Generator.train(
          { model: model as GeneratorConfig['model'], diffusion, run: run as TrainRunConfig },
          train,
          {
            ...(validation ? { validation } : {}),
            signal,
            onProgress: (e: TrainProgressEvent) => {
              if (e.stage === 'train') {
                lastLoss = e.loss;
                bar.update(e.step, e.totalSteps, `loss ${e.loss.toFixed(4)} ${e.samplesPerSecond.toFixed(0)}/s eta ${Math.ceil(e.etaSeconds)}s`);
              }
            },
          },
        );
        bar.end();
        const final = path.join(flags.out, 'final.safetensors');
        gen.save(final);
        const info = gen.config();
        const summary = gen.trainingSummary!;
        process.stdout.write(
          `trained ${info.model.kind} (${info.parameterCount} parameters) for ${summary.steps} steps; ` +
            `last loss ${lastLoss.toFixed(4)}, best ${summary.bestLoss.toFixed(4)}\n` +
            `wrote ${final}${summary.bestCheckpoint ? `, ${summary.bestCheckpoint}` : ''}${summary.lastCheckpoint ? `, ${summary.lastCheckpoint}` : ''}\n`,
        );
        gen.dispose();
      });
    });

  generator.command('sample')
    .description('generate segments from a checkpoint into an NPZ (reference layout) and <out>.json')
    .requiredOption('--checkpoint <file>', 'generator checkpoint (.safetensors)')
    .requiredOption('--out <file>', 'output .npz')
    .option('--label <n>', 'class to generate (with --count)', nonNegativeInt)
    .option('--count <n>', 'segments to generate (default 1)', positiveInt)
    .option('--labels <pairs>', 'per-class counts, e.g. 0=100,1=100 (instead of --label/--count)', classCounts)
    .addOption(new Option('--sampler <kind>', 'sampler').choices(['ddpm', 'ddim', 'dpmpp']).default('dpmpp'))
    .option('--steps <n>', 'sampler steps', positiveInt, 25)
    .option('--guidance <s>', 'classifier-free guidance scale (1 = off)', finite, 1)
    .option('--eta <x>', 'DDIM eta', finite, 0)
    .option('--batch-size <n>', 'segments per native call', positiveInt, 64)
    .option('--seed <n>', 'base seed (batch b uses seed + b)', nonNegativeInt, 0)
    .option('--device <name>', 'cpu | cuda | cuda:N', 'cpu')
    .option('--no-ema', 'sample with the raw weights instead of the EMA weights')
    .action(async (flags: SampleFlags) => {
      if (flags.labels === undefined && flags.label === undefined) {
        throw new InvalidArgumentError('give --label (and --count) or --labels');
      }
      const bar = progressBar('sample');
      await abortOnSigint(async (signal) => {
        const result = await generate({
          checkpoint: flags.checkpoint,
          out: flags.out,
          ...(flags.labels ? { labels: flags.labels } : { label: flags.label!, count: flags.count ?? 1 }),
          sampler: flags.sampler,
          steps: flags.steps,
          guidance: flags.guidance,
          eta: flags.eta,
          batchSize: flags.batchSize,
          seed: flags.seed,
          device: flags.device,
          useEma: flags.ema,
          signal,
          onProgress: (e) => bar.update(e.done, e.total, `label ${e.label} step ${e.step}/${e.steps}`),
        });
        bar.end();
        const perClass = Object.entries(result.counts).map(([l, n]) => `label ${l}: ${n}`).join(', ');
        process.stdout.write(`wrote ${result.total} segments (${perClass}) to ${result.file} and ${result.sidecar}\n`);
      });
    });

  generator.command('export')
    .description('write the EMA weights of a checkpoint alone (for sampling and sharing; half the size as float16)')
    .requiredOption('--checkpoint <file>', 'a training checkpoint (best.safetensors, last.safetensors) or a saved generator')
    .requiredOption('--out <file>', 'the weights-only checkpoint to write (+ its .json sidecar)')
    .addOption(new Option('--dtype <type>', 'storage type of the floating weights').choices(['float32', 'float16', 'bfloat16']).default('float16'))
    .action((flags: { checkpoint: string; out: string; dtype: 'float32' | 'float16' | 'bfloat16' }) => {
      const gen = Generator.load(flags.checkpoint);
      try {
        const c = gen.config();
        gen.exportWeights(flags.out, { dtype: flags.dtype });
        process.stdout.write(`wrote the ${c.hasEma ? 'EMA' : 'raw (the checkpoint has no EMA)'} weights of step ${c.step} as ${flags.dtype} to ${flags.out} (${fs.statSync(flags.out).size} bytes)\n`);
      } finally {
        gen.dispose();
      }
    });
}
