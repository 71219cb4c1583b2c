#!/usr/bin/env node
/**
 * Generation quality per CPU budget (issue 5): train a UNet1d generator on the bundled
 * LUDB set (lead II, 2,048 samples, 120 training patients, the seed's preprocessing) for
 * a fixed CPU budget, sample as many segments per label as the real set has with
 * DPM-Solver++, and measure how well a random forest on the raw segment tells real from
 * synthetic when real patients are held out (5-fold, grouped by patient).
 *
 *   npm run build && node bench/quality.js [--minutes 35] [--out bench/results/quality]
 *                                          [--config overrides.json] [--threads 2]
 *
 * The budget is CPU time of this process: --minutes 35 --threads 2 allows 35 x 60 x 2
 * CPU-seconds, what 35 minutes of an otherwise idle 2-core machine give; on a busy machine
 * the run takes longer in wall time but trains as many steps. Wall time is reported too.
 *
 * Writes <out>/report.json (figures, config, timings, load average) and
 * <out>/examples.svg (real vs generated examples per label); keeps the checkpoint in
 * <out>/checkpoint/. The reference procedure (seed U-Net, DDPM-1000, 35 min on 2 cores)
 * reached RF accuracy 0.998 and synthetic std 0.013 vs 0.117 real (see issue 5).
 */
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  CPU_RECIPE, DEFAULT_PIPELINE, Generator, ecgGridSvg, info, realVsGeneratedColumns, loadDefaultDataset, realVsSyntheticAccuracy, runPipeline, segmentStatistics, setThreads,
} = require('../lib/index.js');

const SAMPLING_RATE = 500;

/** The recipe under test (the library's CPU_RECIPE); `--config` JSON is merged over it part by part. */
const RECIPE = { ...CPU_RECIPE.network, run: CPU_RECIPE.run, sample: CPU_RECIPE.sample };

function parseArgs(argv) {
  const args = { minutes: 35, out: path.join(__dirname, 'results', 'quality'), config: undefined, threads: 2 };
  for (let i = 0; i < argv.length; i += 2) {
    const [key, value] = [argv[i].replace(/^--/, ''), argv[i + 1]];
    if (!(key in args) || value === undefined) throw new Error(`usage: node bench/quality.js [--minutes N] [--out DIR] [--config FILE] [--threads N]; got ${argv[i]}`);
    args[key] = key === 'out' || key === 'config' ? value : Number(value);
  }
  return args;
}

function mergeRecipe(overrides) {
  const merged = {};
  for (const part of Object.keys(RECIPE)) merged[part] = { ...RECIPE[part], ...(overrides?.[part] ?? {}) };
  return merged;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const recipe = mergeRecipe(args.config ? JSON.parse(fs.readFileSync(args.config, 'utf8')) : undefined);
  setThreads(args.threads);
  fs.mkdirSync(args.out, { recursive: true });
  const started = Date.now();
  const cpuBudget = args.minutes * 60 * args.threads;
  const cpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  const cpuAtStart = cpuSeconds();
  const cpuLeft = () => cpuBudget - (cpuSeconds() - cpuAtStart);
  const loadBefore = os.loadavg();

  // 1. The bundled training set, preprocessed as the seed does.
  const { data: raw, shape, labels, patients } = loadDefaultDataset('train');
  const real = await runPipeline(raw, shape, DEFAULT_PIPELINE);
  const length = shape[1];
  const dataset = { data: real, shape, labels };

  // 2. Calibrate CPU-seconds per step on steps 3-10 (the first steps carry one-off set-up),
  //    then size the run to the budget left.
  const network = { model: recipe.model, diffusion: recipe.diffusion };
  const probe = Generator.create(network, { seed: recipe.run.seed });
  const marks = [];
  await probe.fit(dataset, {
    ...recipe.run, steps: 10, warmupSteps: 0, progressEvery: 1,
    onProgress: (e) => e.stage === 'train' && marks.push({ step: e.step, cpu: cpuSeconds() }),
  });
  probe.dispose();
  const from = marks.find((m) => m.step === 2);
  const to = marks[marks.length - 1];
  const secondsPerStep = (to.cpu - from.cpu) / (to.step - from.step);
  const steps = Math.max(1, Math.floor((cpuLeft() / secondsPerStep) * 0.97));
  process.stderr.write(`calibrated ${secondsPerStep.toFixed(3)} CPU-s/step; training ${steps} steps\n`);

  // 3. Train; running out of budget aborts at a step boundary should steps get dearer.
  const abort = new AbortController();
  const timer = setInterval(() => cpuLeft() < 0 && abort.abort(), 5000);
  const trainStart = Date.now();
  let aborted = false;
  let generator;
  try {
    generator = await Generator.train({ ...network, run: { ...recipe.run, steps, checkpointDir: path.join(args.out, 'checkpoint') } }, dataset, {
      signal: abort.signal,
      onProgress: (e) => {
        if (e.stage === 'train') process.stderr.write(`step ${e.step}/${e.totalSteps} loss ${e.loss.toFixed(4)} lr ${e.lr.toExponential(2)} ${e.samplesPerSecond.toFixed(1)} seg/s\n`);
      },
    });
  } catch (err) {
    if (!abort.signal.aborted) throw err;
    aborted = true;
    generator = Generator.load(path.join(args.out, 'checkpoint', 'last.safetensors'));
  } finally {
    clearInterval(timer);
  }
  const trainSeconds = (Date.now() - trainStart) / 1000;
  const trainCpuSeconds = cpuSeconds() - cpuAtStart;
  const stepsDone = generator.config().step;
  const losses = generator.trainingSummary?.losses ?? new Float64Array();
  const tail = losses.subarray(Math.max(0, losses.length - 100));
  // An aborted run has no summary (its losses went to the progress lines): NaN, printed as null.
  const finalLoss = tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : Number.NaN;

  // 4. As many generated segments per label as the real set has.
  const sampleStart = Date.now();
  const synthetic = await generator.sample({ ...recipe.sample, label: Array.from(labels) });
  const sampleSeconds = (Date.now() - sampleStart) / 1000;
  generator.dispose();

  // 5. Figures.
  const rf = realVsSyntheticAccuracy({ real, realPatients: patients, synthetic: synthetic.data, length }, { seed: 7 });
  const report = {
    command: `node bench/quality.js ${process.argv.slice(2).join(' ')}`.trim(),
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, threads: args.threads, loadAverageBefore: loadBefore, loadAverageAfter: os.loadavg(), torch: info().torch.version },
    budgetMinutes: args.minutes,
    recipe,
    training: {
      cpuSecondsPerStepCalibrated: secondsPerStep, stepsPlanned: steps, stepsDone, abortedAtBudget: aborted,
      wallSeconds: trainSeconds, cpuSecondsUsed: trainCpuSeconds, cpuBudgetSeconds: cpuBudget, finalLossMean100: finalLoss,
    },
    sampling: { segments: synthetic.labels.length, seconds: sampleSeconds, segmentsPerSecond: synthetic.labels.length / sampleSeconds },
    realVsSyntheticRandomForest: { accuracy: rf.value, ci95: [rf.low, rf.high], folds: rf.folds, groupedBy: 'patient (real), segment (synthetic)', trees: 200, features: 'raw segment (2,048 samples)' },
    real: segmentStatistics(real, length, SAMPLING_RATE),
    synthetic: segmentStatistics(synthetic.data, length, SAMPLING_RATE),
    totalSeconds: (Date.now() - started) / 1000,
  };
  fs.writeFileSync(path.join(args.out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  // Fixed scale [-1, 1] (the range normalisation) so that flat output looks flat.
  fs.writeFileSync(path.join(args.out, 'examples.svg'), ecgGridSvg(realVsGeneratedColumns(real, labels, synthetic.data, synthetic.labels, length, [0, 1])));
  console.log(JSON.stringify({
    steps: stepsDone, trainWallSeconds: Math.round(trainSeconds), loss: +finalLoss.toFixed(4),
    rfAccuracy: +rf.value.toFixed(3), ci95: [+rf.low.toFixed(3), +rf.high.toFixed(3)],
    stdReal: +report.real.meanStd.toFixed(4), stdSynthetic: +report.synthetic.meanStd.toFixed(4),
    hrReal: report.real.heartRate.median, hrSynthetic: report.synthetic.heartRate.median,
    plausibleRhythm: [report.real.plausibleRhythmShare, report.synthetic.plausibleRhythmShare],
  }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
