'use strict';
// Classifier suite (CPU, 2 threads on both sides), ECGNet and ResNet1d on 1 lead x 2,048
// samples, side by side with PyTorch eager twins of the same layer shapes
// (bench/classifier_torch.py; parameter counts checked in the run):
//   1. training throughput, batch 32: segments/s of the native trainer's step
//      (Classifier.train) vs the same step in PyTorch (forward, cross-entropy, backward,
//      Adam, ECGNet's max-norm), ratio;
//   2. inference throughput: Classifier.predict over 1,024 segments (ResNet1d: 256; native batches of 256)
//      vs PyTorch eval + inference_mode + softmax at batch 256, ratio; and predictRecords
//      with the default preprocessing (what `ecg-ldm classify predict` runs), native only.
// Environment knobs are listed in bench/README.md.
const os = require('node:os');
const { Bench } = require('tinybench');
const { Classifier, predictRecords, setThreads } = require('../lib');
const { PYTHON, runTorchScript, torchVersion } = require('./torch-side');

const THREADS = 2;
const BATCH = 32;
const LENGTH = 2048;
const env = (name, fallback) => Number(process.env[name] || fallback);
/** Warm-up and timed training steps per model (ResNet1d's step is ~10x ECGNet's). */
const STEPS = {
  ecgnet: { warmup: env('ECG_LDM_BENCH_CLASSIFIER_WARMUP', 3), iters: env('ECG_LDM_BENCH_ECGNET_ITERS', 12) },
  resnet1d: { warmup: env('ECG_LDM_BENCH_CLASSIFIER_WARMUP', 3), iters: env('ECG_LDM_BENCH_RESNET1D_ITERS', 6) },
};
/** Segments per predict call (ResNet1d's forward is ~40x ECGNet's). */
const PREDICT_COUNT = { ecgnet: env('ECG_LDM_BENCH_ECGNET_PREDICT_COUNT', 1024), resnet1d: env('ECG_LDM_BENCH_RESNET1D_PREDICT_COUNT', 256) };
const PREDICT_ITERS = env('ECG_LDM_BENCH_PREDICT_ITERS', 3);
const MODELS = (process.env.ECG_LDM_BENCH_CLASSIFIER_MODELS || 'ecgnet,resnet1d').split(',');

const load = () => os.loadavg().map((v) => v.toFixed(2)).join(' ');
const fmt = (v, digits = 1) => +v.toFixed(digits);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Random segments [n, LENGTH, 1] (timing does not depend on values) with alternating labels. */
function makeSet(n, seed) {
  const data = new Float32Array(n * LENGTH);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) data[i] = ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.6;
  return { data, shape: [n, LENGTH, 1], labels: Int32Array.from({ length: n }, (_, i) => i % 2) };
}

/**
 * One epoch of warmup + iters steps with a progress event per step; the step time is the
 * time between the events of step `warmup` and the last step, so model set-up, the first
 * steps (allocation, Adam state) and the end-of-epoch validation stay out.
 * @returns the trained classifier (reused for the predict part) and the figures
 */
async function nativeTraining(kind) {
  const { warmup, iters } = STEPS[kind];
  const stamps = new Map();
  const trainerRates = [];
  const classifier = await Classifier.train(
    { model: { kind }, epochs: 1, batchSize: BATCH, progressEvery: 1, patience: 0, seed: 0 },
    makeSet(BATCH * (warmup + iters), 1),
    makeSet(BATCH, 2),
    {
      onProgress: (e) => {
        if (e.stage !== 'train') return;
        stamps.set(e.step, performance.now());
        if (e.step > warmup) trainerRates.push(e.samplesPerSecond);
      },
    },
  );
  const last = warmup + iters;
  const secondsPerStep = stamps.has(warmup) && stamps.has(last)
    ? (stamps.get(last) - stamps.get(warmup)) / 1000 / iters
    : BATCH / mean(trainerRates); // events coalesced: fall back on the trainer's own rate
  return { classifier, secondsPerStep, trainerRate: mean(trainerRates) };
}

async function benchTraining(kind, torch) {
  const { warmup, iters } = STEPS[kind];
  const native = await nativeTraining(kind);
  const row = {
    model: `${kind} (${native.classifier.parameterCount.toLocaleString('en-US')} params)`,
    'ecg-ldm segments/s': fmt(BATCH / native.secondsPerStep),
    'ecg-ldm segments/s (trainer rate)': fmt(native.trainerRate),
  };
  if (torch) {
    const params = runTorchScript('classifier_torch.py', ['params', '--model', kind], THREADS).parameters;
    if (params !== native.classifier.parameterCount) console.log(`WARNING: PyTorch ${kind} has ${params} parameters, native ${native.classifier.parameterCount}`);
    const py = runTorchScript('classifier_torch.py', ['train', '--model', kind, '--batch', String(BATCH), '--length', String(LENGTH), '--warmup', String(warmup), '--iters', String(iters)], THREADS);
    const pyRate = BATCH / mean(py.secondsPerStep);
    row['PyTorch segments/s'] = fmt(pyRate);
    row['PyTorch min..max s/step'] = `${fmt(Math.min(...py.secondsPerStep), 3)}..${fmt(Math.max(...py.secondsPerStep), 3)}`;
    row['ratio (ecg-ldm / PyTorch)'] = fmt(BATCH / native.secondsPerStep / pyRate, 2);
  }
  return { row, classifier: native.classifier };
}

async function benchPredict(kind, classifier, torch) {
  const count = PREDICT_COUNT[kind];
  const set = makeSet(count, 3);
  const records = [{ record: 'bench', file: 'bench', data: set.data, shape: set.shape, leads: ['ii'], dropped: { nan: 0, flat: 0 } }];
  const bench = new Bench({ name: `${kind} predict`, iterations: PREDICT_ITERS, time: 0, warmupIterations: 1, warmupTime: 0 });
  bench.add('predict', async () => { await classifier.predict(set.data, set.shape); });
  bench.add('predictRecords + default preprocessing', async () => { await predictRecords(classifier, records); });
  await bench.run();
  const rate = (task) => count / (task.result.latency.mean / 1000);
  const [predict, withPipeline] = bench.tasks;
  const row = {
    model: kind,
    segments: count,
    'ecg-ldm predict segments/s': fmt(rate(predict)),
    'ecg-ldm predictRecords (+preprocessing) segments/s': fmt(rate(withPipeline)),
  };
  if (torch) {
    const py = runTorchScript('classifier_torch.py', ['predict', '--model', kind, '--count', String(count), '--batch', '256', '--length', String(LENGTH), '--warmup', '1', '--iters', String(PREDICT_ITERS)], THREADS);
    const pyRate = count / mean(py.seconds);
    row['PyTorch segments/s'] = fmt(pyRate);
    row['ratio (ecg-ldm / PyTorch)'] = fmt(rate(predict) / pyRate, 2);
  }
  return row;
}

async function runClassifierBench() {
  setThreads(THREADS);
  const torch = torchVersion();
  console.log(`classifier: CPU, ${THREADS} threads (native and PyTorch), batch ${BATCH} x ${LENGTH} x 1 lead, PyTorch: ${torch ? `${torch} via ${PYTHON}` : 'none'}, load ${load()}`);
  const training = [];
  const inference = [];
  for (const kind of MODELS) {
    const { row, classifier } = await benchTraining(kind, torch);
    training.push(row);
    console.log(`${kind} training done: ${JSON.stringify(row)}, load ${load()}`);
    try {
      inference.push(await benchPredict(kind, classifier, torch));
    } finally {
      classifier.dispose();
    }
    console.log(`${kind} inference done: ${JSON.stringify(inference[inference.length - 1])}, load ${load()}`);
  }
  console.log(`\n### 1. training throughput (${Object.entries(STEPS).map(([k, s]) => `${k}: ${s.warmup} warm + ${s.iters} timed steps`).join('; ')})`);
  console.table(training);
  console.log(`\n### 2. inference throughput (segments per call as listed, 1 warm-up + ${PREDICT_ITERS} timed calls)`);
  console.table(inference);
  console.log(`(load after: ${load()})`);
  return { training, inference };
}

module.exports = { runClassifierBench };

if (require.main === module) {
  runClassifierBench().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
