import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ConfigError, DEFAULT_PIPELINE, ShapeError, loadDefaultDataset, normalizeSegments, parsePipelineConfig, runPipeline,
  smoothEdgeOutliers, type WaveletDenoiser, wavelet,
} from 'ecg-ldm';

test('range normalisation: zero mean, unit range, per lead; constant lead -> zeros', (t) => {
  // 2 segments, L = 4, C = 2
  const x = new Float32Array([1, 5, 2, 5, 3, 5, 4, 5, /**/ 10, 0, 30, 1, 20, 2, 40, 3]);
  const y = normalizeSegments(x, [2, 4, 2]);
  t.deepEqual([y[0], y[2], y[4], y[6]], [-0.5, -1 / 6, 1 / 6, 0.5].map(Math.fround));
  t.deepEqual([y[1], y[3], y[5], y[7]], [0, 0, 0, 0]);
  const z = normalizeSegments(x, [2, 4, 2], 'zscore');
  let ss = 0;
  for (let i = 8; i < 16; i += 2) ss += z[i]! ** 2;
  t.true(Math.abs(ss / 4 - 1) < 1e-6);
  t.throws(() => normalizeSegments(x, [3, 4, 2]), { instanceOf: ShapeError });
});

test('edge smoothing: spikes in the first/last K samples are interpolated or clamped, interior untouched', (t) => {
  const l = 200;
  const x = Float32Array.from({ length: l }, (_, i) => Math.sin(i / 10));
  x[0] = 50; // touches the start: clamped to x[1]
  x[5] = -40; x[6] = -40; // interior run within the edge: interpolated between x[4] and x[7]
  x[100] = 60; // interior spike: kept
  x[l - 3] = 70; // near the end: interpolated between x[l-4] and x[l-2]
  const y = smoothEdgeOutliers(x, [1, l, 1], { edge: 10, threshold: 5 });
  t.is(y[0], x[1]);
  t.true(Math.abs(y[5]! - (x[4]! + (x[7]! - x[4]!) / 3)) < 1e-6);
  t.true(Math.abs(y[6]! - (x[4]! + (2 * (x[7]! - x[4]!)) / 3)) < 1e-6);
  t.is(y[100], 60);
  t.true(Math.abs(y[l - 3]! - (x[l - 4]! + x[l - 2]!) / 2) < 1e-6);
  t.is(y[50], x[50]);
  t.deepEqual(smoothEdgeOutliers(new Float32Array(8).fill(2), [1, 8, 1]), new Float32Array(8).fill(2), 'MAD 0: unchanged');
});

test('pipeline config validation', (t) => {
  const err = t.throws(() => parsePipelineConfig({ steps: [{ op: 'denoise', level: 0 }, { op: 'blur' }] }), { instanceOf: ConfigError })!;
  t.is((err as ConfigError).issues.length, 2);
  t.deepEqual(parsePipelineConfig({ steps: [{ op: 'normalize' }] }).steps[0], { op: 'normalize', method: 'range' });
  t.is(parsePipelineConfig(DEFAULT_PIPELINE).steps.length, 3);
});

test('pipeline runs steps in order and hands the denoiser [N, C, L]', async (t) => {
  const [n, l, c] = [2, 16, 3];
  const x = Float32Array.from({ length: n * l * c }, (_, i) => Math.sin(i) * 3 + 1);
  let seen: [number, number, number] | undefined;
  const fake: WaveletDenoiser = {
    async denoise(signal, shape, options) {
      seen = shape;
      t.is(options?.wavelet, 'sym8');
      t.is(signal[1], x[c]); // row 0 (segment 0, lead 0), sample 1 == [0, 1, 0] in [N, L, C]
      return Float64Array.from(signal, (v) => v * 2);
    },
  };
  const y = await runPipeline(x, [n, l, c], { steps: [{ op: 'denoise' }] }, fake);
  t.deepEqual(seen, [n, c, l]);
  t.true(y.every((v, i) => Math.abs(v - 2 * x[i]!) < 1e-5), 'transposed back to [N, L, C]');
  const full = await runPipeline(x, [n, l, c], DEFAULT_PIPELINE, fake);
  t.true(full.every(Number.isFinite));
});

test('default pipeline with the native wavelet module on the bundled data', async (t) => {
  const { data, shape } = loadDefaultDataset('val');
  const n = 4;
  const x = data.subarray(0, n * shape[1]);
  const y = await runPipeline(x, [n, shape[1], 1]);
  t.is(y.length, n * shape[1]);
  t.true(y.every(Number.isFinite));
  // Denoise alone must equal the native call the pipeline makes.
  const denoisedOnly = await runPipeline(x, [n, shape[1], 1], { steps: [{ op: 'denoise', wavelet: 'sym8', level: 8 }] });
  const direct = await wavelet.denoise(Float32Array.from(x), [n, 1, shape[1]], { wavelet: 'sym8', level: 8 });
  t.deepEqual(Array.from(denoisedOnly), Array.from(direct));
  // Range normalisation after denoising: every segment spans exactly 1 with mean 0.
  const normalized = await runPipeline(x, [n, shape[1], 1], { steps: [{ op: 'denoise' }, { op: 'normalize', method: 'range' }] });
  for (let s = 0; s < n; s++) {
    const seg = normalized.subarray(s * shape[1], (s + 1) * shape[1]);
    t.true(Math.abs(Math.max(...seg) - Math.min(...seg) - 1) < 1e-5);
    t.true(Math.abs(seg.reduce((a, b) => a + b, 0) / seg.length) < 1e-5);
  }
});

test('bundled default dataset: 240/80/80 segments of [2048, 1], labels 0/1', (t) => {
  const train = loadDefaultDataset('train');
  t.deepEqual(train.shape, [240, 2048, 1]);
  t.deepEqual([...new Set(train.labels)].sort(), [0, 1]);
  t.is(loadDefaultDataset('val').shape[0], 80);
  t.is(loadDefaultDataset('test').shape[0], 80);
  t.throws(() => loadDefaultDataset('nope' as never), { code: 'E_ARG_RANGE' } as never);
});
