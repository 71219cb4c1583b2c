import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { loadDefaultDataset, DEFAULT_DATA_SETS, defaultDataPath } from '../data/default-data';
import { NpzWriter } from '../data/npz';
import { CancelledError } from '../errors';
import { realVsSyntheticAccuracy, segmentStatistics } from '../evaluate/real-vs-synthetic';
import { CPU_RECIPE } from '../generate/cpu-recipe';
import { Generator } from '../generate/generator';
import { assertOneOf } from '../is';
import { info } from '../info';
import { DEFAULT_PIPELINE, runPipeline } from '../preprocess/pipeline';
import { ecgGridSvg, realVsGeneratedColumns } from '../report/ecg-grid';
import { abortOnSigint } from './abort-on-sigint';
import { nonNegativeInt, positiveInt } from './option-parsers';
import { progressBar } from './progress-bar';

/** LUDB's sampling rate (the bundled set). */
const SAMPLING_RATE = 500;

/** Mean of per-segment standard deviations, per label. */
function spreadByLabel(data: Float32Array, labels: Int32Array, length: number): Map<number, number> {
  const sums = new Map<number, { total: number; count: number }>();
  for (let s = 0; s < labels.length; s++) {
    let mean = 0;
    for (let i = 0; i < length; i++) mean += data[s * length + i]!;
    mean /= length;
    let v = 0;
    for (let i = 0; i < length; i++) v += (data[s * length + i]! - mean) ** 2;
    const entry = sums.get(labels[s]!) ?? { total: 0, count: 0 };
    entry.total += Math.sqrt(v / length);
    entry.count += 1;
    sums.set(labels[s]!, entry);
  }
  return new Map([...sums].map(([label, { total, count }]) => [label, total / count]));
}

/**
 * The generator part of the demo: trains the CPU recipe's UNet1d on the preprocessed
 * training set for `steps` steps, samples `perLabel` segments per label and compares them
 * with the real ones (spread, heart rate, a patient-held-out real-vs-synthetic forest).
 */
async function generatorDemo(train: { data: Float32Array; shape: [number, number, number]; labels: Int32Array; patients: string[] }, steps: number, perLabel: number, out?: string): Promise<void> {
  // With --out the run keeps checkpoints in <out>/generator-run and a rerun continues it.
  const runDir = out === undefined ? undefined : path.join(out, 'generator-run');
  const last = runDir === undefined ? undefined : path.join(runDir, 'last.safetensors');
  const resumeFrom = last !== undefined && fs.existsSync(last) ? last : undefined;
  if (resumeFrom) process.stdout.write(`generator: continuing the run kept in ${runDir} from its last checkpoint\n`);
  const bar = progressBar('generator');
  const started = Date.now();
  let gen: Generator;
  try {
    gen = await abortOnSigint((signal) => Generator.train(
      { ...CPU_RECIPE.network, run: { ...CPU_RECIPE.run, steps, progressEvery: 10, ...(runDir ? { checkpointDir: runDir } : {}), ...(resumeFrom ? { resumeFrom } : {}) } },
      train,
      { signal, onProgress: (e) => e.stage === 'train' && bar.update(e.step, e.totalSteps, `loss ${e.loss.toFixed(4)}`) },
    ));
  } catch (err) {
    if (!(err instanceof CancelledError)) throw err;
    bar.end();
    throw new CancelledError(
      runDir
        ? `demo interrupted during generator training; the run is kept in ${runDir}: run the same command again to continue it`
        : 'demo interrupted during generator training; nothing was kept (give --out to keep the run and continue it later)',
    );
  }
  bar.end();
  const trainSeconds = (Date.now() - started) / 1000;
  const labels = [...new Set(train.labels)].sort((a, b) => a - b);
  const synthetic = await gen.sample({ ...CPU_RECIPE.sample, label: labels.flatMap((l) => new Array<number>(perLabel).fill(l)) });
  const length = train.shape[1];
  const real = segmentStatistics(train.data, length, SAMPLING_RATE);
  const fake = segmentStatistics(synthetic.data, length, SAMPLING_RATE);
  const forest = realVsSyntheticAccuracy({ real: train.data, realPatients: train.patients, synthetic: synthetic.data, length }, { forest: { trees: 100 } });
  const rate = (s: typeof real) => `heart rate median ${s.heartRate.median.toFixed(0)}/min, plausible rhythm ${(100 * s.plausibleRhythmShare).toFixed(0)}%`;
  process.stdout.write(
    `generator: UNet1d (CPU recipe), ${steps} steps in ${trainSeconds.toFixed(0)} s; ${synthetic.labels.length} segments sampled (DPM-Solver++ ${CPU_RECIPE.sample.steps ?? 25} steps)\n` +
      `  real:      mean std ${real.meanStd.toFixed(4)}, ${rate(real)}\n` +
      `  generated: mean std ${fake.meanStd.toFixed(4)}, ${rate(fake)}\n` +
      `  random forest real vs generated (patient-held-out): accuracy ${forest.value.toFixed(3)} ` +
      `(95% CI ${forest.low.toFixed(3)}-${forest.high.toFixed(3)}; 0.5 = indistinguishable; bench/quality.js runs the full 35-minute budget)\n`,
  );
  if (out) {
    gen.save(path.join(out, 'generator.safetensors'));
    const writer = new NpzWriter(path.join(out, 'generated.npz'), { length, channels: 1 });
    writer.append(synthetic.data, synthetic.labels);
    await writer.close();
    fs.writeFileSync(path.join(out, 'examples.svg'), ecgGridSvg(realVsGeneratedColumns(train.data, train.labels, synthetic.data, synthetic.labels, length, labels)));
    process.stdout.write(`  wrote ${path.join(out, 'generator.safetensors')}, generated.npz, examples.svg\n`);
  }
  gen.dispose();
}

/**
 * `ecg-ldm demo`: the main job on the bundled LUDB set — the seed's preprocessing run
 * natively on every set, then a short generator run on the training set with a
 * comparison of generated and real segments.
 */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('preprocess the bundled LUDB set (sym8 level-8 wavelet denoise, normalise, edge smoothing) natively and report')
    .option('--set <name>', `one of ${DEFAULT_DATA_SETS.join(', ')}, or all`, 'all')
    .option('--out <dir>', 'also write the preprocessed sets (NPZ, reference layout), the generator checkpoint, generated.npz and examples.svg here; the generator run is kept in <dir>/generator-run, so an interrupted demo (Ctrl-C) continues when run again')
    .option('--steps <n>', 'generator training steps on the preprocessed training set (0 = skip the generator)', nonNegativeInt, 300)
    .option('--per-label <n>', 'generated segments per label', positiveInt, 32)
    .action(async (opts: { set: string; out?: string; steps: number; perLabel: number }) => {
      const sets = opts.set === 'all' ? [...DEFAULT_DATA_SETS] : [assertOneOf('--set', opts.set, DEFAULT_DATA_SETS)];
      const i = info();
      process.stdout.write(`ecg-ldm ${i.version} on LibTorch ${i.torch.version} (${i.threads} threads); data: ${defaultDataPath()}\n`);
      let preprocessedTrain: Parameters<typeof generatorDemo>[0] | undefined;
      for (const set of sets) {
        const { data, shape, labels, patients } = loadDefaultDataset(set);
        const started = process.hrtime.bigint();
        const clean = await runPipeline(data, shape, DEFAULT_PIPELINE);
        if (set === 'train') preprocessedTrain = { data: clean, shape, labels, patients };
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const counts = new Map<number, number>();
        for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
        const spread = spreadByLabel(clean, labels, shape[1] * shape[2]);
        const perLabel = [...counts].sort(([a], [b]) => a - b)
          .map(([l, c]) => `label ${l}: ${c} segments, mean std ${spread.get(l)!.toFixed(4)}`).join('; ');
        process.stdout.write(
          `${set.padEnd(5)} ${shape[0]} x ${shape[1]} x ${shape[2]} preprocessed in ${ms.toFixed(1)} ms ` +
            `(${((shape[0] / ms) * 1000).toFixed(0)} segments/s) — ${perLabel}\n`,
        );
        if (opts.out) {
          const file = path.join(opts.out, `${set}.npz`);
          fs.mkdirSync(opts.out, { recursive: true });
          const writer = new NpzWriter(file, { length: shape[1], channels: shape[2] });
          writer.append(clean, labels, patients.map(Number));
          await writer.close();
          process.stdout.write(`      wrote ${file}\n`);
        }
      }
      if (opts.steps > 0 && preprocessedTrain) await generatorDemo(preprocessedTrain, opts.steps, opts.perLabel, opts.out);
    });
}
