#!/usr/bin/env node
/**
 * Trains the shipped generator of a bundled dataset and writes its model card:
 *
 *   npm run build && node scripts/train-default-model.js ptbxl-af|ludb-atrial [--steps N] [--threads N] [--run DIR]
 *
 * 1. preprocesses the dataset's training set with its pipeline (defaultDatasetInfo);
 * 2. trains CPU_RECIPE for --steps steps, checkpointing in --run (default
 *    runs/default-model-<dataset>; a killed run continues when the command is run again);
 * 3. exports the EMA weights as float16 to data/models/<dataset>/generator.safetensors;
 * 4. samples as many segments per label as the training set has, once from the float32 EMA
 *    weights and once from the float16 export (same seeds), and scores both against the
 *    real training segments (patient-held-out random forest, spread, heart rate);
 * 5. writes data/models/<dataset>/card.json and README.md (the model card).
 */
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  CPU_RECIPE, Generator, defaultDataPath, defaultDatasetInfo, info, loadDefaultDataset, realVsSyntheticAccuracy, runPipeline, segmentStatistics, setThreads,
} = require('../lib/index.js');

const ROOT = path.join(__dirname, '..');

function parseArgs(argv) {
  const args = { dataset: undefined, steps: 8000, threads: 2, run: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      args.dataset = a;
      continue;
    }
    const key = a.slice(2);
    const value = argv[++i];
    if (!(key in args) || value === undefined) throw new Error(`usage: node scripts/train-default-model.js ptbxl-af|ludb-atrial [--steps N] [--threads N] [--run DIR]; got ${a}`);
    args[key] = key === 'run' ? value : Number(value);
  }
  if (!args.dataset) throw new Error('usage: node scripts/train-default-model.js ptbxl-af|ludb-atrial [--steps N] [--threads N] [--run DIR]');
  args.run ??= path.join(ROOT, 'runs', `default-model-${args.dataset}`);
  return args;
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function scores(real, patients, synthetic, length, rate) {
  const rf = realVsSyntheticAccuracy({ real, realPatients: patients, synthetic, length }, { seed: 7 });
  return { forest: { accuracy: rf.value, ci95: [rf.low, rf.high] }, statistics: segmentStatistics(synthetic, length, rate) };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const dataset = defaultDatasetInfo(args.dataset);
  setThreads(args.threads);
  const started = Date.now();
  const { data: raw, shape, labels, patients } = loadDefaultDataset('train', dataset.name);
  const real = await runPipeline(raw, shape, dataset.pipeline);
  const length = shape[1];

  const last = path.join(args.run, 'last.safetensors');
  const resumeFrom = fs.existsSync(last) ? last : undefined;
  const trainStart = Date.now();
  const cpuStart = process.cpuUsage();
  const gen = await Generator.train(
    { ...CPU_RECIPE.network, run: { ...CPU_RECIPE.run, steps: args.steps, progressEvery: 100, checkpointDir: args.run, ...(resumeFrom ? { resumeFrom } : {}) } },
    { data: real, shape, labels },
    { onProgress: (e) => e.stage === 'train' && process.stderr.write(`step ${e.step}/${e.totalSteps} loss ${e.loss.toFixed(4)} ${e.samplesPerSecond.toFixed(1)} seg/s\n`) },
  );
  const cpu = process.cpuUsage(cpuStart);
  const training = { steps: gen.config().step, wallSeconds: (Date.now() - trainStart) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, resumed: resumeFrom !== undefined };

  const outDir = path.join(ROOT, 'data', 'models', dataset.name);
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'generator.safetensors');
  gen.exportWeights(file, { dtype: 'float16' });
  const shipped = Generator.load(file);

  const sample = { ...CPU_RECIPE.sample, label: Array.from(labels) };
  const sampleStart = Date.now();
  const fromFloat16 = await shipped.sample(sample);
  const sampleSeconds = (Date.now() - sampleStart) / 1000;
  const fromFloat32 = await gen.sample(sample);
  let maxDiff = 0;
  for (let i = 0; i < fromFloat16.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(fromFloat16.data[i] - fromFloat32.data[i]));
  gen.dispose();
  shipped.dispose();

  const npz = ['train', 'val', 'test'].map((set) => path.join(defaultDataPath(dataset.name), `${set}.npz`));
  const card = {
    dataset: dataset.name,
    title: dataset.title,
    data: { files: npz.map((f) => ({ file: path.relative(ROOT, f), sha256: sha256(f) })), trainSegments: shape[0], length, rate: dataset.rate, lead: dataset.lead, classes: dataset.classes, pipeline: dataset.pipeline },
    recipe: CPU_RECIPE,
    command: `node scripts/train-default-model.js ${dataset.name} --steps ${args.steps} --threads ${args.threads}`,
    training,
    weights: { file: 'generator.safetensors', dtype: 'float16', source: 'EMA', bytes: fs.statSync(file).size, sha256: sha256(file) },
    date: new Date().toISOString().slice(0, 10),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, threads: args.threads, torch: info().torch.version, loadAverageAfter: os.loadavg() },
    quality: {
      segments: fromFloat16.labels.length,
      sampler: CPU_RECIPE.sample,
      samplingSeconds: sampleSeconds,
      real: segmentStatistics(real, length, dataset.rate),
      float16: scores(real, patients, fromFloat16.data, length, dataset.rate),
      float32: scores(real, patients, fromFloat32.data, length, dataset.rate),
      maxAbsDifferenceFloat16VsFloat32: maxDiff,
    },
    totalSeconds: (Date.now() - started) / 1000,
  };
  fs.writeFileSync(path.join(outDir, 'card.json'), JSON.stringify(card, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'README.md'), modelCard(card));
  console.log(JSON.stringify({ steps: training.steps, forest16: card.quality.float16.forest, forest32: card.quality.float32.forest, maxDiff, bytes: card.weights.bytes }));
}

function fmt(x, digits = 3) {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

function rhythm(s) {
  return s.heartRate.segments === 0
    ? 'no segment with 3 or more detected beats'
    : `median ${fmt(s.heartRate.median, 0)} (IQR ${fmt(s.heartRate.p25, 0)}-${fmt(s.heartRate.p75, 0)}) per min over ${s.heartRate.segments} segments with beats; plausible rhythm ${(100 * s.plausibleRhythmShare).toFixed(1)}%`;
}

function modelCard(c) {
  const q = c.quality;
  return `# Shipped generator: ${c.dataset}

The pretrained label-conditional diffusion generator that \`ecg-ldm demo --set ${c.dataset}\`
loads. ${c.title}.

| | |
|---|---|
| file | \`generator.safetensors\`, ${(c.weights.bytes / 1e6).toFixed(2)} MB, SHA-256 \`${c.weights.sha256}\` |
| weights | the EMA weights of the run, stored as float16 (loaded as float32); an ecg-ldm checkpoint (\`docs/checkpoint.md\`) without optimizer state: it samples and fine-tunes, it does not resume the run |
| data | the bundled \`data/${c.dataset}/train.npz\` (${c.data.trainSegments} segments of ${c.data.length} samples, lead ${c.data.lead}, ${c.data.rate} Hz; classes ${c.data.classes.map((n, i) => `${i} = ${n}`).join(', ')}); preprocessing ${c.data.pipeline.steps.map((s) => s.op).join(' -> ')} |
| data hashes | ${c.data.files.map((f) => `\`${path.basename(f.file)}\` ${f.sha256.slice(0, 16)}…`).join(', ')} (full hashes in \`card.json\`) |
| recipe | \`CPU_RECIPE\` (UNet1d base 32, mults [1, 2, 2, 4], patchSize 4, attention at levels 2-3; cosine schedule, v-prediction, label dropout 0.1; AdamW 2e-4, batch 16, EMA 0.999) |
| training | ${c.training.steps} steps on ${c.machine.threads} thread(s) of a ${c.machine.cpus}-core ${c.machine.model ?? 'CPU'}, LibTorch ${c.machine.torch}; ${c.training.resumed ? 'the run was continued from its run folder, so its time is not recorded here' : `${Math.round(c.training.wallSeconds)} s wall, ${Math.round(c.training.cpuSeconds)} CPU-s`} |
| reproduce | \`npm run build && ${c.command}\` |
| date | ${c.date} |

## Quality, measured on this file

${q.segments} segments sampled (as many per label as the training set has; DPM-Solver++
${q.sampler.steps} steps, seed ${q.sampler.seed}) in ${q.samplingSeconds.toFixed(1)} s, compared with the
${c.data.trainSegments} real training segments after the same preprocessing:

| | real | generated, float16 file | generated, float32 EMA weights |
|---|---|---|---|
| random forest real vs generated, patient-held-out (0.5 = indistinguishable) | — | ${fmt(q.float16.forest.accuracy)} (95% CI ${fmt(q.float16.forest.ci95[0])}-${fmt(q.float16.forest.ci95[1])}) | ${fmt(q.float32.forest.accuracy)} (95% CI ${fmt(q.float32.forest.ci95[0])}-${fmt(q.float32.forest.ci95[1])}) |
| mean per-segment std | ${fmt(q.real.meanStd, 4)} | ${fmt(q.float16.statistics.meanStd, 4)} | ${fmt(q.float32.statistics.meanStd, 4)} |
| heart rate | ${rhythm(q.real)} | ${rhythm(q.float16.statistics)} | ${rhythm(q.float32.statistics)} |

Largest difference between the float16 file's and the float32 weights' samples (same
seeds): ${q.maxAbsDifferenceFloat16VsFloat32.toExponential(2)} (the data span [-1, 1]). The sampler's 25 steps amplify
the rounding of the weights, so a single trajectory can land on a slightly different beat;
the table compares the two sets as sets.

The forest sees raw samples only; it is a weak judge (it is not shift-invariant), so a
score near 0.5 says the generated segments are not crudely wrong, not that no judge could
tell them apart.

## Data licence and attribution

Trained on data derived from PhysioNet; see \`data/${c.dataset}/README.md\` and
\`LICENSE.txt\` there. The weights are released under the same licence as that data.
`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
