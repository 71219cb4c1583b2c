// The fusion classifier (the seed's "Option B") from a generator checkpoint: a tiny UNet1d
// generator trained for a few steps on 256-sample crops of the bundled LUDB set, then the
// fusion model built from its checkpoint: trainable parameters, the frozen down path,
// checkpoints that load without the generator, and typed errors for bad generators.
// Serial: trainings share LibTorch's global CPU generator (see classifier_trainer.h).
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ArgumentRangeError, Classifier, ConfigError, FormatError, Generator, IoError, ShapeError,
  loadDefaultDataset, type ClassifierConfig, type ReferenceDataset, type UNet1dConfig,
} from 'ecg-ldm';
import { readF32Tensors } from './helpers/safetensors';

const L = 256;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-ldm-fusion-test-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** n segments spread over a bundled set (both classes), cropped to their first L samples. */
function crops(ds: ReferenceDataset, n: number): ReferenceDataset {
  const stride = Math.floor(ds.shape[0] / n);
  const data = new Float32Array(n * L);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    data.set(ds.data.subarray(i * stride * ds.shape[1], i * stride * ds.shape[1] + L), i * L);
    labels[i] = ds.labels[i * stride]!;
  }
  return { data, shape: [n, L, 1], labels };
}

function sameBytes(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const train = crops(loadDefaultDataset('train'), 48);
const val = crops(loadDefaultDataset('val'), 16);

// The generator: UNet1d, 2 levels, no attention, base width B.
const B = 8;
const UNET: UNet1dConfig = { kind: 'unet1d', length: L, baseChannels: B, channelMults: [1, 2], numResBlocks: 1, attentionLevels: [], numHeads: 2 };
const NUM_TRAIN_STEPS = 100;
const HEAD_HIDDEN = 16;
let generatorCheckpoint: string;
let generatorParameters: number;
/** The fusion model of fusionConfig(), trained for 2 epochs with its checkpoints in FUSION_DIR. */
let fusion: Classifier;
const FUSION_DIR = path.join(tmp, 'fusion');

test.before(async () => {
  const generator = await Generator.train(
    {
      model: UNET,
      diffusion: { numTrainSteps: NUM_TRAIN_STEPS },
      run: { steps: 6, batchSize: 8, lr: 2e-3, warmupSteps: 0, valFraction: 0, emaDecay: 0.9, seed: 1 },
    },
    train,
  );
  generatorCheckpoint = path.join(tmp, 'generator.safetensors');
  generator.save(generatorCheckpoint);
  generatorParameters = generator.config().parameterCount;
  generator.dispose();
  fusion = await Classifier.train(fusionConfig({ checkpointDir: FUSION_DIR }), train, val);
});
test.after.always(() => fusion?.dispose());

function fusionConfig(extra: Partial<ClassifierConfig> = {}, model: Record<string, unknown> = {}): ClassifierConfig {
  return {
    model: { kind: 'fusion', generatorCheckpoint, headHidden: HEAD_HIDDEN, ...model } as ClassifierConfig['model'],
    epochs: 2,
    batchSize: 16,
    lr: 3e-3,
    seed: 5,
    patience: 0,
    ...extra,
  };
}

// ---- parameter counts of the UNet1d above, from its structure (see native/nn/unet1d.h) ----
const E = 4 * B; // embedding width
const linear = (i: number, o: number): number => i * o + o;
const conv3 = (i: number, o: number): number => 3 * i * o + o;
const groupNorm = (c: number): number => 2 * c;
const resBlock = (i: number, o: number): number =>
  groupNorm(i) + conv3(i, o) + linear(E, 2 * o) + groupNorm(o) + conv3(o, o) + (i === o ? 0 : i * o + o);
/** time_mlp, class_embedding (2 classes + null), input_conv, down.0 (block + stride-2 conv), down.1 (block). */
const DOWN_PATH = linear(B, E) + linear(E, E) + 3 * E + conv3(1, B) + resBlock(B, B) + conv3(B, B) + resBlock(B, 2 * B);
/** out_norm + out_conv, which the new head replaces. */
const OLD_HEAD = groupNorm(B) + conv3(B, 1);
/** pool -> Linear(B, HEAD_HIDDEN) -> Mish -> Linear(HEAD_HIDDEN, 2). */
const NEW_HEAD = linear(B, HEAD_HIDDEN) + linear(HEAD_HIDDEN, 2);

/** Runs `fn` with the generator checkpoint moved away, so nothing can read it. */
async function withoutGenerator<T>(fn: () => Promise<T>): Promise<T> {
  const hidden = path.join(tmp, 'hidden');
  fs.mkdirSync(hidden, { recursive: true });
  const files = [generatorCheckpoint, generatorCheckpoint.replace(/\.safetensors$/, '.json')];
  for (const f of files) fs.renameSync(f, path.join(hidden, path.basename(f)));
  try {
    return await fn();
  } finally {
    for (const f of files) fs.renameSync(path.join(hidden, path.basename(f)), f);
  }
}

test.serial('fusion from a UNet1d checkpoint: trainable parameters exclude the frozen down path', async (t) => {
  const config = fusion.config();
  const ecgnetOptions = config.options['ecgnet'] as Record<string, number>;
  t.is(ecgnetOptions['f1'], 8, 'the fusion ECGNet defaults to the seed WeightModel (F1 8)');
  t.is(ecgnetOptions['dropout'], 0);
  // ECGNet's own count (19,040 for its defaults on 2,048 samples, tested elsewhere) with the same options.
  const ecgnet = await Classifier.train({ model: { kind: 'ecgnet', ...ecgnetOptions }, epochs: 1 }, train, val);
  const ecgnetParameters = ecgnet.parameterCount;
  ecgnet.dispose();

  const expected = generatorParameters - DOWN_PATH - OLD_HEAD + NEW_HEAD + ecgnetParameters + 2; // + the 2 fusion weights
  t.log(`generator ${generatorParameters}, frozen down path ${DOWN_PATH}, fusion trainable ${fusion.parameterCount}`);
  t.is(fusion.parameterCount, expected);

  const unfrozen = await Classifier.train(fusionConfig({ epochs: 1 }, { freezeDownBlocks: false }), train, val);
  t.is(unfrozen.parameterCount, expected + DOWN_PATH);
  unfrozen.dispose();
});

test.serial('training leaves the frozen down path at the generator\'s EMA weights and changes the rest', async (t) => {
  // last.safetensors after 1 and after 2 epochs of the same seeded run (the first epoch is identical in both).
  const oneDir = path.join(tmp, 'one-epoch');
  (await Classifier.train(fusionConfig({ epochs: 1, checkpointDir: oneDir }), train, val)).dispose();
  const one = readF32Tensors(path.join(oneDir, 'last.safetensors'));
  const two = readF32Tensors(path.join(FUSION_DIR, 'last.safetensors'));
  const generator = readF32Tensors(generatorCheckpoint);

  // Frozen: time_mlp, class_embedding, input_conv, down.* equal the generator's EMA weights bit for bit.
  const downNames = [...generator.keys()]
    .filter((n) => /^ema\.(time_mlp|class_embedding|input_conv|down)\./.test(n))
    .map((n) => n.slice('ema.'.length));
  t.true(downNames.length > 10);
  for (const name of downNames) {
    t.true(sameBytes(two.get(`model.unet.${name}`)!, generator.get(`ema.${name}`)!), name);
    t.true(sameBytes(one.get(`model.unet.${name}`)!, generator.get(`ema.${name}`)!), name);
  }
  t.true(downNames.some((n) => !sameBytes(generator.get(`ema.${n}`)!, generator.get(`model.${n}`)!)),
    'the EMA weights differ from the raw ones, so the check above tells them apart');

  // Trained: the new head, ECGNet and the fusion weights moved during the second epoch; the
  // up path left the generator's weights; the fusion weights left their 0.5 / 0.5 start.
  for (const name of ['model.unet.out_conv.2.weight', 'model.unet.out_conv.4.weight', 'model.ecgnet.classifierBlock.0.weight', 'model.weights']) {
    t.false(sameBytes(two.get(name)!, one.get(name)!), `${name} changed`);
  }
  t.false(sameBytes(one.get('model.unet.up.0.blocks.0.conv1.weight')!, generator.get('ema.up.0.blocks.0.conv1.weight')!));
  t.notDeepEqual([...one.get('model.weights')!], [0.5, 0.5]);
  t.false(one.has('model.unet.out_norm.weight'), 'the old output head is gone');
});

test.serial('predict gives probabilities; a saved fusion model loads and predicts without the generator checkpoint', async (t) => {
  const p = await fusion.predict(val.data, val.shape);
  t.is(p.length, val.shape[0] * 2);
  for (let i = 0; i < val.shape[0]; i++) t.true(Math.abs(p[2 * i]! + p[2 * i + 1]! - 1) < 1e-5);
  const saved = path.join(tmp, 'fusion.safetensors');
  fusion.save(saved);

  const config = fusion.config();
  t.is(config.kind, 'fusion');
  t.false('generatorCheckpoint' in config.options, 'the config records the architecture, not the path');
  const generatorConfig = config.options['generator'] as { model: Record<string, unknown>; diffusion: Record<string, unknown> };
  t.like(generatorConfig.model, { kind: 'unet1d', length: L, baseChannels: B, channelMults: [1, 2] });
  t.is(generatorConfig.diffusion['numTrainSteps'], NUM_TRAIN_STEPS);

  await withoutGenerator(async () => {
    const loaded = Classifier.load(saved);
    t.deepEqual(loaded.config(), config);
    t.is(loaded.parameterCount, fusion.parameterCount);
    t.true(sameBytes(await loaded.predict(val.data, val.shape), p), 'identical predictions after the round trip');
    loaded.dispose();
  });
});

test.serial('bad generator checkpoints: missing, corrupt, not a generator, built for other segments', async (t) => {
  const withCheckpoint = (file: string) => fusionConfig({}, { generatorCheckpoint: file });
  await t.throwsAsync(Classifier.train(withCheckpoint(path.join(tmp, 'absent.safetensors')), train, val), {
    instanceOf: IoError,
    message: /absent\.safetensors/,
  });

  const truncated = path.join(tmp, 'truncated.safetensors');
  fs.writeFileSync(truncated, fs.readFileSync(generatorCheckpoint).subarray(0, 2000));
  await t.throwsAsync(Classifier.train(withCheckpoint(truncated), train, val), { instanceOf: FormatError });
  const garbage = path.join(tmp, 'garbage.safetensors');
  fs.writeFileSync(garbage, 'not a checkpoint at all');
  await t.throwsAsync(Classifier.train(withCheckpoint(garbage), train, val), { instanceOf: FormatError });

  // A classifier checkpoint is a valid ecg-ldm checkpoint, but not a generator's.
  const ecgnet = await Classifier.train({ epochs: 1 }, train, val);
  const classifierFile = path.join(tmp, 'ecgnet.safetensors');
  ecgnet.save(classifierFile);
  ecgnet.dispose();
  await t.throwsAsync(Classifier.train(withCheckpoint(classifierFile), train, val), {
    instanceOf: FormatError,
    message: /not a generator checkpoint/,
  });

  // The generator was built for 256 x 1 segments (the labels only need two classes here).
  const full = loadDefaultDataset('train');
  const fullLength: ReferenceDataset = { data: full.data.slice(0, 8 * 2048), shape: [8, 2048, 1], labels: Int32Array.from([0, 1, 0, 1, 0, 1, 0, 1]) };
  await t.throwsAsync(Classifier.train(fusionConfig(), fullLength, fullLength), {
    instanceOf: ShapeError,
    message: /built for segments of 256 samples x 1 leads, but the classifier's data has 2048 samples x 1 leads/,
  });
  const twoLeads = (ds: ReferenceDataset): ReferenceDataset => {
    const data = new Float32Array(ds.data.length * 2);
    ds.data.forEach((v, i) => data.set([v, v], 2 * i));
    return { data, shape: [ds.shape[0], L, 2], labels: ds.labels };
  };
  await t.throwsAsync(Classifier.train(fusionConfig(), twoLeads(train), twoLeads(val)), {
    instanceOf: ShapeError,
    message: /256 samples x 1 leads, but the classifier's data has 256 samples x 2 leads/,
  });

  await t.throwsAsync(Classifier.train(fusionConfig({}, { diffusionStep: NUM_TRAIN_STEPS }), train, val), {
    instanceOf: ArgumentRangeError,
    message: /diffusionStep below the generator's 100 diffusion steps/,
  });
  await t.throwsAsync(Classifier.train({ model: { kind: 'fusion' } as ClassifierConfig['model'] }, train, val), { instanceOf: ConfigError });
  await t.throwsAsync(Classifier.train(fusionConfig({}, { ecgnet: { f3: 1 } }), train, val), { instanceOf: ConfigError });
});

// Slow (ECG_LDM_SLOW=1; ~20 s and 1.4 GB here): the seed U-Net (86M parameters) route, from a
// checkpoint saved right after Generator.create (no EMA, so its raw weights are used).
(process.env['ECG_LDM_SLOW'] ? test.serial : test.skip)('fusion from a seed U-Net checkpoint: reference keys, raw weights frozen, round trip', async (t) => {
  const seedCheckpoint = path.join(tmp, 'seed.safetensors');
  const generator = Generator.create({ model: { kind: 'seed' } }, { seed: 1 });
  generator.save(seedCheckpoint);
  generator.dispose();
  const full = loadDefaultDataset('train');
  const segments: ReferenceDataset = { data: full.data.slice(0, 4 * 2048), shape: [4, 2048, 1], labels: Int32Array.from([0, 1, 0, 1]) };
  const fusion = await Classifier.train({ model: { kind: 'fusion', generatorCheckpoint: seedCheckpoint }, epochs: 1, batchSize: 4 }, segments, segments);
  t.is((fusion.config().options['generator'] as { model: { kind: string } }).model.kind, 'seed');
  const p = await fusion.predict(segments.data, segments.shape);
  for (let i = 0; i < 4; i++) t.true(Math.abs(p[2 * i]! + p[2 * i + 1]! - 1) < 1e-5);
  const saved = path.join(tmp, 'seed-fusion.safetensors');
  fusion.save(saved);
  fusion.dispose();

  // The reference WeightModel's keys: the head in place of output_conv, Linear(1, 64) and Linear(64, 2).
  const weights = readF32Tensors(saved);
  t.is(weights.get('model.unet.output_conv.2.weight')!.length, 64);
  t.is(weights.get('model.unet.output_conv.4.weight')!.length, 128);
  const raw = readF32Tensors(seedCheckpoint);
  const down = [...raw.keys()].filter((n) => n.startsWith('model.downsampling_blocks.'));
  t.true(down.length > 10);
  for (const name of down) t.true(sameBytes(weights.get(`model.unet.${name.slice('model.'.length)}`)!, raw.get(name)!), name);

  fs.rmSync(seedCheckpoint);
  const loaded = Classifier.load(saved);
  t.true(sameBytes(await loaded.predict(segments.data, segments.shape), p));
  loaded.dispose();
});
