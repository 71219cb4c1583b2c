// The generator's JS surface: construction and parameter counts, a tiny UNet1d training
// run, deterministic sampling, exact resume, cancellation with a loadable checkpoint,
// generate() to NPZ + sidecar, and typed errors for bad input. Fast: tiny models on
// 256-sample crops of the bundled LUDB set, CPU only.
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ArgumentRangeError, BusyError, CancelledError, ConfigError, DeviceError, DisposedError, Generator, NonFiniteError,
  ShapeError, generate, info, loadDefaultDataset, readReferenceNpz,
  type GeneratorConfig, type GeneratorDataset, type TrainProgressEvent, type TrainRunConfig,
} from 'ecg-ldm';
import { readF32Tensors } from './helpers/safetensors';

const L = 256;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-ldm-generator-test-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** n segments of the bundled train set, cropped to their first L samples, both classes. */
function crops(n: number): GeneratorDataset {
  const ds = loadDefaultDataset('train');
  const stride = Math.floor(ds.shape[0] / n);
  const data = new Float32Array(n * L);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = i * stride;
    data.set(ds.data.subarray(j * ds.shape[1], j * ds.shape[1] + L), i * L);
    labels[i] = ds.labels[j]!;
  }
  return { data, shape: [n, L, 1], labels };
}

const TINY: GeneratorConfig = {
  model: { kind: 'unet1d', length: L, baseChannels: 16, channelMults: [1, 2], numResBlocks: 1, attentionLevels: [], numHeads: 2 },
  diffusion: { numTrainSteps: 100, conditionDropProb: 0.1 },
};
// Constant lr (no warm-up, floor = peak) so that a run's schedule does not depend on its length.
const RUN: TrainRunConfig = { batchSize: 16, lr: 2e-3, warmupSteps: 0, minLrFraction: 1, valFraction: 0, emaDecay: 0.9, seed: 3 };
const data = crops(64);

let trained: Generator;
let trainedCheckpoint: string;
const progress: TrainProgressEvent[] = [];

test.before(async () => {
  trained = await Generator.train({ ...TINY, run: { ...RUN, steps: 20, progressEvery: 5 } }, data, {
    validation: crops(16),
    onProgress: (e) => progress.push(e),
  });
  trainedCheckpoint = path.join(tmp, 'tiny.safetensors');
  trained.save(trainedCheckpoint);
});

test.serial('seed U-Net: 86,281,170 parameters of which 85,961,170 trainable; output [count, 2048, 1]', async (t) => {
  const gen = Generator.create({ model: { kind: 'seed' } }, { seed: 1 });
  const c = gen.config();
  t.is(c.parameterCount, 86_281_170);
  t.is(c.trainableParameterCount, 85_961_170);
  t.is(c.model.kind, 'seed');
  t.is(c.diffusion.numTrainSteps, 1000);
  t.is(c.step, 0);
  const out = await gen.sample({ label: 1, count: 1, sampler: 'ddim', steps: 1 });
  t.deepEqual(out.shape, [1, 2048, 1]);
  t.is(out.data.length, 2048);
  t.true(out.data.every(Number.isFinite));
  gen.dispose();
});

test.serial('tiny UNet1d trains 20 steps on CPU: loss decreases, progress events, EMA weights', (t) => {
  const summary = trained.trainingSummary!;
  t.is(summary.steps, 20);
  t.is(summary.losses.length, 20);
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
  const first = mean(summary.losses.subarray(0, 5)), last = mean(summary.losses.subarray(15));
  t.log(`loss first 5 steps ${first.toFixed(4)}, last 5 ${last.toFixed(4)}`);
  t.true(last < first, `loss should decrease: ${first} -> ${last}`);
  const steps = progress.filter((e) => e.stage === 'train').map((e) => e.step);
  t.deepEqual(steps, [5, 10, 15, 20]);
  const epochs = progress.filter((e) => e.stage === 'epoch');
  t.is(epochs.length, 5); // 64 segments / batch 16 = 4 steps per epoch
  t.true(epochs.every((e) => e.stage === 'epoch' && Number.isFinite(e.validationLoss) && Number.isNaN(e.valLoss)));
  t.is(summary.epochs.length, 5);
  const c = trained.config();
  t.is(c.step, 20);
  t.true(c.hasEma);
  t.is(c.model.length, L);
});

test.serial('UNet1d patchSize folds p samples into channels: only input_conv and out_conv grow; shapes stay [N, L, C]', async (t) => {
  const p = 4;
  const plain = Generator.create(TINY, { seed: 1 });
  const folded = Generator.create({ ...TINY, model: { ...TINY.model, patchSize: p } as GeneratorConfig['model'] }, { seed: 1 });
  // input_conv: k3 conv 1 -> 16 becomes p -> 16; out_conv: 16 -> 1 (+bias) becomes 16 -> p (+p biases).
  const base = 16;
  t.is(folded.config().parameterCount - plain.config().parameterCount, 3 * base * (p - 1) + (3 * base * (p - 1) + (p - 1)));
  const summary = await folded.fit(data, { ...RUN, steps: 4 });
  t.true([...summary.losses].every(Number.isFinite));
  const out = await folded.sample({ label: [0, 1], sampler: 'ddim', steps: 2 });
  t.deepEqual(out.shape, [2, L, 1]);
  t.true(out.data.every(Number.isFinite));
  // The length must now be divisible by patchSize * 2^(levels - 1) = 8.
  const odd: GeneratorDataset = { data: new Float32Array(4 * 252), shape: [4, 252, 1], labels: [0, 1, 0, 1] };
  await t.throwsAsync(Generator.train({ ...TINY, model: { ...TINY.model, length: 252, patchSize: p } as GeneratorConfig['model'], run: { steps: 1 } }, odd), {
    instanceOf: ConfigError, message: /divisible by 8/,
  });
  plain.dispose();
  folded.dispose();
});

test.serial('precision bf16: the forward runs under autocast (losses move off the float32 run), weights stay float32', async (t) => {
  const run = { ...RUN, steps: 6 };
  const full = await Generator.train({ ...TINY, run }, data);
  const mixed = await Generator.train({ ...TINY, run: { ...run, precision: 'bf16' } }, data);
  const a = full.trainingSummary!.losses;
  const b = mixed.trainingSummary!.losses;
  t.true([...b].every(Number.isFinite));
  // bfloat16 keeps 8 mantissa bits: the losses differ from float32's, but only by rounding.
  t.notDeepEqual([...a], [...b]);
  for (let i = 0; i < a.length; i++) t.true(Math.abs(a[i]! - b[i]!) < 0.05 * a[i]!, `step ${i}: ${a[i]} vs ${b[i]}`);
  const file = path.join(tmp, 'bf16.safetensors');
  mixed.save(file);
  const tensors = readF32Tensors(file);
  t.true(tensors.has('model.input_conv.weight') || [...tensors.keys()].some((k) => k.endsWith('input_conv.weight')));
  t.true([...tensors.values()].every((v) => v.every(Number.isFinite)));
  await t.throwsAsync(Generator.train({ ...TINY, run: { ...run, precision: 'fp16' as never } }, data), { instanceOf: ConfigError, message: /precision/ });
  full.dispose();
  mixed.dispose();
});

test.serial('a UNet1d attending over more than 512 time steps warns once (its cost is quadratic in them)', (t) => {
  const seen: string[] = [];
  const listener = (w: Error) => w.name === 'EcgLdmWarning' && seen.push(w.message);
  process.on('warning', listener);
  const wide = { model: { kind: 'unet1d', length: 2048, baseChannels: 8, channelMults: [1, 2], numResBlocks: 1, numHeads: 2 } } as GeneratorConfig;
  Generator.create(wide).dispose();
  Generator.create(wide).dispose();
  Generator.create({ ...wide, model: { ...wide.model, patchSize: 4 } as GeneratorConfig['model'] }).dispose();
  return new Promise<void>((resolve) => setImmediate(() => {
    process.off('warning', listener);
    t.is(seen.filter((m) => /attention over 1024 time steps/.test(m)).length, 1);
    t.false(seen.some((m) => /attention over 256 time steps/.test(m)));
    resolve();
  }));
});

test.serial('sampling: same seed -> bit-equal, other seed differs, shape [count, L, C]', async (t) => {
  const a = await trained.sample({ label: [0, 1, 1], sampler: 'dpmpp', steps: 5, seed: 11, batchSize: 2 });
  const b = await trained.sample({ label: [0, 1, 1], sampler: 'dpmpp', steps: 5, seed: 11, batchSize: 2 });
  const c = await trained.sample({ label: [0, 1, 1], sampler: 'dpmpp', steps: 5, seed: 12, batchSize: 2 });
  t.deepEqual(a.shape, [3, L, 1]);
  t.deepEqual([...a.labels], [0, 1, 1]);
  t.deepEqual(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer));
  t.notDeepEqual(Buffer.from(a.data.buffer), Buffer.from(c.data.buffer));
  for (const sampler of ['ddpm', 'ddim'] as const) {
    const s = await trained.sample({ label: 1, count: 2, sampler, steps: 4, guidance: 2 });
    t.deepEqual(s.shape, [2, L, 1]);
    t.true(s.data.every(Number.isFinite), sampler);
  }
});

test.serial('resume: 2N steps straight equals N + save + load/resume + N, bit for bit', async (t) => {
  const N = 6; // 64 segments / batch 16 = 4 steps per epoch: the resume lands mid-epoch
  const straight = await Generator.train({ ...TINY, run: { ...RUN, steps: 2 * N } }, data);
  const half = await Generator.train({ ...TINY, run: { ...RUN, steps: N } }, data);
  const saved = path.join(tmp, 'half.safetensors');
  half.save(saved);
  half.dispose();
  const resumed = await Generator.train({ ...TINY, run: { ...RUN, steps: 2 * N, resumeFrom: saved } }, data);
  t.is(resumed.config().step, 2 * N);
  // Resuming a finished run trains nothing.
  const again = await Generator.train({ ...TINY, run: { ...RUN, steps: N, resumeFrom: saved } }, data);
  t.is(again.trainingSummary!.losses.length, 0);
  t.is(again.config().step, N);
  again.dispose();
  t.deepEqual([...resumed.trainingSummary!.losses], [...straight.trainingSummary!.losses.subarray(N)]);
  for (const useEma of [true, false]) {
    const a = await straight.sample({ label: [0, 1], steps: 3, seed: 5, useEma });
    const b = await resumed.sample({ label: [0, 1], steps: 3, seed: 5, useEma });
    t.deepEqual(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer), `useEma ${useEma}`);
  }
  straight.dispose();
  resumed.dispose();
});

test.serial('AbortSignal stops training at a step boundary and leaves a loadable checkpoint', async (t) => {
  const dir = path.join(tmp, 'aborted');
  const controller = new AbortController();
  const err = await t.throwsAsync(
    Generator.train({ ...TINY, run: { ...RUN, steps: 5000, progressEvery: 1, checkpointDir: dir } }, data, {
      signal: controller.signal,
      onProgress: (e) => { if (e.stage === 'train' && e.step >= 3) controller.abort(); },
    }),
    { instanceOf: CancelledError },
  );
  t.regex(err!.message, /training cancelled at step \d+; resume from .*last\.safetensors/);
  const stoppedAt = Number(/step (\d+)/.exec(err!.message)![1]);
  t.true(stoppedAt >= 3 && stoppedAt < 5000);
  const loaded = Generator.load(path.join(dir, 'last.safetensors'));
  t.is(loaded.config().step, stoppedAt);
  t.true(fs.existsSync(path.join(dir, 'last.json')));
  const s = await loaded.sample({ label: 0, count: 1, steps: 2 });
  t.deepEqual(s.shape, [1, L, 1]);
  loaded.dispose();
  // An already-aborted signal rejects at once.
  await t.throwsAsync(trained.sample({ label: 0, signal: AbortSignal.abort() }), { instanceOf: CancelledError });
});

test.serial('generate(): two batches streamed to NPZ, per-class counts, JSON sidecar with seeds', async (t) => {
  const out = path.join(tmp, 'gen.npz');
  const events: number[] = [];
  const result = await generate({
    checkpoint: trainedCheckpoint, out, label: 1, count: 4, batchSize: 2, steps: 3, seed: 9,
    onProgress: (e) => events.push(e.done),
  });
  t.deepEqual(result.counts, { 1: 4 });
  const back = readReferenceNpz(out);
  t.deepEqual(back.shape, [4, L, 1]);
  t.deepEqual([...back.labels], [1, 1, 1, 1]);
  const sidecar = JSON.parse(fs.readFileSync(`${out}.json`, 'utf8'));
  t.deepEqual(sidecar.batches, [{ label: 1, count: 2, seed: 9 }, { label: 1, count: 2, seed: 10 }]);
  t.is(sidecar.sampler, 'dpmpp');
  t.is(sidecar.steps, 3);
  t.is(events.at(-1), 4);
  // Same as sampling the batches directly.
  const direct = await trained.sample({ label: 1, count: 2, steps: 3, seed: 10 });
  t.deepEqual(Buffer.from(back.data.buffer, back.data.byteOffset + 2 * L * 4, 2 * L * 4), Buffer.from(direct.data.buffer));

  const multi = await generate({ checkpoint: trainedCheckpoint, out: path.join(tmp, 'multi.npz'), labels: { 0: 3, 1: 1 }, batchSize: 2, steps: 2 });
  t.deepEqual(multi.counts, { 0: 3, 1: 1 });
  t.deepEqual([...readReferenceNpz(path.join(tmp, 'multi.npz')).labels], [0, 0, 0, 1]);
  await t.throwsAsync(generate({ checkpoint: trainedCheckpoint, out: path.join(tmp, 'bad.npz'), label: 2, count: 1 }), {
    instanceOf: ArgumentRangeError, message: /options\.label/,
  });
  t.false(fs.existsSync(path.join(tmp, 'bad.npz')));
});

test.serial('bad inputs give typed errors naming the argument', async (t) => {
  const bad = (labels: number[]) => ({ ...data, labels: Int32Array.from({ length: 64 }, (_, i) => labels[i % labels.length]!) });
  await t.throwsAsync(Generator.train({ ...TINY, run: { ...RUN, steps: 1 } }, bad([0, 5])), {
    instanceOf: ArgumentRangeError, message: /labels in 0\.\.1 .*received 5/,
  });
  await t.throwsAsync(trained.sample({ label: 2 }), { instanceOf: ArgumentRangeError, message: /labels in 0\.\.1/ });
  // Length not divisible by the U-Net's factor (2^(levels-1) = 4).
  const odd: GeneratorDataset = { data: new Float32Array(4 * 250), shape: [4, 250, 1], labels: [0, 1, 0, 1] };
  await t.throwsAsync(Generator.train({ model: { kind: 'unet1d', channelMults: [1, 2, 2] }, run: { steps: 1 } }, odd), {
    instanceOf: ConfigError, message: /model\.length: must be divisible by 4/,
  });
  // Data that does not fit an existing model.
  await t.throwsAsync(trained.fit({ data: new Float32Array(4 * 128), shape: [4, 128, 1], labels: [0, 1, 0, 1] }, { steps: 1 }), {
    instanceOf: ShapeError, message: /data of shape \[N, 1, 256\]/,
  });
  await t.throwsAsync(trained.fit({ data: new Float32Array(10), shape: [4, 128, 1], labels: [0, 1, 0, 1] }, { steps: 1 }), {
    instanceOf: ShapeError, message: /dataset\.data has 10 values/,
  });
  const nan = { ...data, data: data.data.slice() };
  nan.data[300] = Number.NaN;
  await t.throwsAsync(Generator.train({ ...TINY, run: { ...RUN, steps: 1 } }, nan), { instanceOf: NonFiniteError, message: /segment 1/ });
  // Invalid configs.
  t.throws(() => Generator.create({ model: { kind: 'transformer' } as never }), { instanceOf: ConfigError });
  await t.throwsAsync(Generator.train({ ...TINY, run: { steps: -1 } }, data), { instanceOf: ConfigError, message: /steps/ });
  t.throws(() => Generator.create({ model: { kind: 'seed' }, diffusion: { conditionDropProb: 0.1 } }), {
    instanceOf: ConfigError, message: /conditionDropProb/,
  });
  await t.throwsAsync(trained.sample({ label: 0, sampler: 'euler' } as never), { instanceOf: ConfigError, message: /sampler/ });
  if (!info().cuda.available) {
    t.throws(() => Generator.create(TINY, { device: 'cuda' }), { instanceOf: DeviceError });
  }
});

test.serial('one job at a time (BusyError); dispose then use (DisposedError)', async (t) => {
  const gen = Generator.load(trainedCheckpoint);
  const running = gen.sample({ label: 0, count: 4, sampler: 'ddpm', steps: 100 });
  await t.throwsAsync(gen.sample({ label: 0 }), { instanceOf: BusyError });
  await t.throwsAsync(gen.fit(data, { steps: 1 }), { instanceOf: BusyError });
  t.throws(() => gen.save(path.join(tmp, 'busy.safetensors')), { instanceOf: BusyError });
  await running;
  await t.notThrowsAsync(gen.sample({ label: 0, steps: 1 }));
  gen.dispose();
  gen.dispose(); // idempotent
  t.true(gen.disposed);
  await t.throwsAsync(gen.sample({ label: 0 }), { instanceOf: DisposedError });
  t.throws(() => gen.save(path.join(tmp, 'x.safetensors')), { instanceOf: DisposedError });
  t.throws(() => gen.config(), { instanceOf: DisposedError });
  await t.throwsAsync(gen.fit(data, { steps: 1 }), { instanceOf: DisposedError });
});

test.serial('exportWeights: the EMA weights alone, as float16 / bfloat16 / float32; loads as float32 and samples like the EMA weights', async (t) => {
  const reference = await trained.sample({ label: [0, 1], steps: 4, seed: 9, useEma: true });
  const sizes: Record<string, number> = {};
  for (const dtype of ['float32', 'float16', 'bfloat16'] as const) {
    const file = path.join(tmp, `export-${dtype}.safetensors`);
    trained.exportWeights(file, { dtype });
    sizes[dtype] = fs.statSync(file).size;
    const loaded = Generator.load(file);
    const c = loaded.config();
    t.false(c.hasEma);
    t.is(c.step, trained.config().step);
    const out = await loaded.sample({ label: [0, 1], steps: 4, seed: 9 });
    let maxDiff = 0;
    for (let i = 0; i < out.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(out.data[i]! - reference.data[i]!));
    // float32 is the same weights; the half formats round each weight to 11 / 8 significant bits.
    if (dtype === 'float32') t.is(maxDiff, 0);
    else t.true(maxDiff > 0 && maxDiff < (dtype === 'float16' ? 0.05 : 0.2), `${dtype}: ${maxDiff}`);
    t.log(`${dtype}: ${sizes[dtype]} bytes, largest sample difference ${maxDiff.toExponential(2)}`);
    loaded.dispose();
  }
  t.true(sizes['float16']! < 0.6 * sizes['float32']!);
  // No optimizer state: the file is for sampling, not for resuming the run.
  const names = [...readF32Tensors(path.join(tmp, 'export-float32.safetensors')).keys()];
  t.true(names.length > 0 && names.every((k) => k.startsWith('model.')), names.join(', '));
  t.throws(() => trained.exportWeights(path.join(tmp, 'x.safetensors'), { dtype: 'int8' as never }), { instanceOf: ArgumentRangeError, message: /dtype/ });
  t.throws(() => trained.exportWeights(''), { code: 'E_ARG_TYPE' } as never);
});
