// Every case of shared/golden/wavelet/*.json (PyWavelets 1.8 outputs), in float64 and
// float32, through the CPU loop kernels and the ATen-op path (the CUDA code, run on CPU).
import test from 'ava';
import { wavelet } from 'ecg-ldm';
import { execFileSync } from 'node:child_process';
import {
  type DenoiseCase, type FilterCase, type ThresholdCase, type WavedecCase, maxAbsError, readGolden, scale, signals,
} from './helpers/wavelet-golden';

/**
 * Tolerances scale with the largest |value| of the reference array (at least 1): the
 * golden JSON prints 12 significant digits, so a coefficient of 343.155052207 (odd_1001,
 * db4, smooth, level 7) carries a printing error up to 5e-10 — pywt itself, run on the
 * printed signal, is 7.2e-10 away from that golden value, as is ecg-ldm.
 */
const F64_TOL = 1e-10;
const F32_TOL = 1e-5;
const BACKENDS = ['loops', 'aten'] as const;
const DTYPES = [
  { name: 'float64', make: (v: number[]) => Float64Array.from(v), tol: (ref: ArrayLike<number>) => F64_TOL * scale(ref) },
  { name: 'float32', make: (v: number[]) => Float32Array.from(v), tol: (ref: ArrayLike<number>) => F32_TOL * scale(ref) },
] as const;

const SIGNALS = signals();
const WAVEDEC = readGolden<WavedecCase[]>('wavedec.json');

// Quiet the "level too high" warnings some golden cases trigger (tested in wavelet-errors).
process.removeAllListeners('warning');

test('filters.json: every filter bank matches PyWavelets (golden printed to 12 digits)', (t) => {
  const golden = readGolden<FilterCase>('filters.json');
  for (const [name, bank] of Object.entries(golden)) {
    const ours = wavelet.filterBank(name);
    for (const [key, ref] of [['decLo', bank.dec_lo], ['decHi', bank.dec_hi], ['recLo', bank.rec_lo], ['recHi', bank.rec_hi]] as const) {
      t.is(ours[key].length, ref.length, `${name} ${key} length`);
      t.true(maxAbsError(ours[key], ref) <= 1e-12, `${name} ${key}: ${maxAbsError(ours[key], ref)}`);
    }
  }
});

let pywtAvailable: boolean | undefined;
function hasPywt(): boolean {
  if (pywtAvailable === undefined) {
    try {
      execFileSync('python3', ['-c', 'import pywt'], { stdio: 'ignore' });
      pywtAvailable = true;
    } catch {
      pywtAvailable = false;
    }
  }
  return pywtAvailable;
}

test('filter banks equal pywt.Wavelet(name).filter_bank bit for bit (where pywt is installed)', (t) => {
  if (!hasPywt()) {
    t.log('python3 pywt not installed: skipped');
    t.pass();
    return;
  }
  const names = wavelet.names();
  const script =
    'import json,sys,pywt\n' +
    'print(json.dumps({n: [list(map(float, f)) for f in pywt.Wavelet(n).filter_bank] for n in sys.argv[1:]}))';
  const ref = JSON.parse(execFileSync('python3', ['-c', script, ...names], { encoding: 'utf8' })) as Record<string, number[][]>;
  for (const name of names) {
    const ours = wavelet.filterBank(name);
    t.deepEqual([...ours.decLo], ref[name]![0], `${name} dec_lo`);
    t.deepEqual([...ours.decHi], ref[name]![1], `${name} dec_hi`);
    t.deepEqual([...ours.recLo], ref[name]![2], `${name} rec_lo`);
    t.deepEqual([...ours.recHi], ref[name]![3], `${name} rec_hi`);
  }
  t.true(names.length >= 70);
});

for (const dtype of DTYPES) {
  for (const backend of BACKENDS) {
    test(`wavedec.json: all ${WAVEDEC.length} cases, ${dtype.name}, ${backend}`, async (t) => {
      let worst = 0;
      for (const c of WAVEDEC) {
        const x = dtype.make(SIGNALS[c.signal]!);
        const label = `${c.signal} ${c.wavelet} ${c.mode} level ${c.level}`;
        const dec = await wavelet.wavedec(x, [x.length], {
          wavelet: c.wavelet, mode: c.mode as wavelet.WaveletMode, level: c.level, backend,
        });
        t.deepEqual(dec.coeffs.map((a) => a.length), c.coeffs.map((a) => a.length), `${label}: lengths`);
        dec.coeffs.forEach((a, j) => {
          t.is(a.constructor, x.constructor);
          const err = maxAbsError(a, c.coeffs[j]!);
          worst = Math.max(worst, err / dtype.tol(c.coeffs[j]!));
          if (err > dtype.tol(c.coeffs[j]!)) t.fail(`${label}: coeffs[${j}] max error ${err}`);
        });
        // waverec from the golden coefficients (isolates the inverse), cut to the input length.
        const golden: Array<Float32Array | Float64Array> = c.coeffs.map((a) => dtype.make(a));
        const rec = await wavelet.waverec(
          { coeffs: golden, shapes: golden.map((a) => [a.length]) },
          { wavelet: c.wavelet, mode: c.mode as wavelet.WaveletMode, backend },
        );
        // pywt.waverec gives L or L + 1 samples (odd L, non-periodization keeps one extra).
        t.true(rec.signal.length === x.length || rec.signal.length === x.length + 1, `${label}: waverec length`);
        const err = maxAbsError(rec.signal.subarray(0, x.length), c.waverec);
        worst = Math.max(worst, err / dtype.tol(c.waverec));
        if (err > dtype.tol(c.waverec)) t.fail(`${label}: waverec max error ${err}`);
      }
      t.log(`worst error / tolerance: ${worst.toExponential(2)}`);
      t.true(worst <= 1);
    });
  }
}

test('threshold.json: soft, hard, garrote (float64 exact to 1e-10, float32 to 1e-5)', (t) => {
  for (const c of readGolden<ThresholdCase[]>('threshold.json')) {
    for (const dtype of DTYPES) {
      const out = wavelet.threshold(dtype.make(c.input), c.value, c.mode);
      t.is(out.length, c.output.length);
      const err = maxAbsError(out, c.output);
      t.log(`${c.mode} ${dtype.name}: max error ${err.toExponential(2)}`);
      t.true(err <= dtype.tol(c.output), `${c.mode} ${dtype.name}: ${err}`);
    }
  }
});

for (const dtype of DTYPES) {
  for (const backend of BACKENDS) {
    test(`seed_denoise.json: the seed recipe, ${dtype.name}, ${backend}`, async (t) => {
      for (const c of readGolden<DenoiseCase[]>('seed_denoise.json')) {
        const x = dtype.make(SIGNALS[c.signal]!);
        const y = await wavelet.denoise(x, [1, 1, x.length], { backend });
        t.is(y.constructor, x.constructor);
        t.is(y.length, x.length);
        // pywt.waverec keeps L + 1 samples for odd L; ecg-ldm cuts to L (see denoise's docs).
        t.true(c.output.length === x.length || c.output.length === x.length + 1);
        const err = maxAbsError(y, c.output);
        t.log(`${c.signal}: max error ${err.toExponential(2)}`);
        t.true(err <= dtype.tol(c.output), `${c.signal}: ${err}`);
      }
    });
  }
}

test('denoise works per row: a batch [N, C, L] equals each row denoised alone', async (t) => {
  const rows = ['ludb1_ii_2048', 'gauss_2048'].map((name) => SIGNALS[name]!);
  const batch = Float64Array.from([...rows[0]!, ...rows[1]!, ...rows[1]!, ...rows[0]!]);
  const out = await wavelet.denoise(batch, [2, 2, 2048]);
  for (let r = 0; r < 4; r++) {
    const alone = await wavelet.denoise(batch.slice(r * 2048, (r + 1) * 2048), [2048]);
    t.deepEqual(out.subarray(r * 2048, (r + 1) * 2048), alone);
  }
});

test('loop kernels and ATen ops agree on random signals, every mode and several wavelets', async (t) => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  let worst = 0;
  for (const name of ['haar', 'db2', 'db7', 'sym5', 'coif2', 'bior3.5', 'rbio2.8']) {
    for (const mode of wavelet.modes()) {
      for (const length of [1, 2, 5, 17, 64, 301]) {
        const x = Float64Array.from({ length: 3 * length }, rand);
        const options = { wavelet: name, mode, level: 3 };
        // Where pywt raises (reflect reaching a single sample), both paths must raise alike.
        const settle = <T>(p: Promise<T>) => p.then((v) => ({ v }), (e: Error) => ({ e }));
        const a = await settle(wavelet.wavedec(x, [3, 1, length], { ...options, backend: 'loops' }));
        const b = await settle(wavelet.wavedec(x, [3, 1, length], { ...options, backend: 'aten' }));
        if ('e' in a || 'e' in b) {
          t.true('e' in a && 'e' in b && a.e.constructor === b.e.constructor, `${name} ${mode} ${length}`);
          continue;
        }
        t.deepEqual(a.v.shapes, b.v.shapes);
        a.v.coeffs.forEach((c, j) => (worst = Math.max(worst, maxAbsError(c, b.v.coeffs[j]!) / scale(c))));
        const ra = await wavelet.waverec(a.v, { ...options, backend: 'loops' });
        const rb = await wavelet.waverec(a.v, { ...options, backend: 'aten' });
        t.deepEqual(ra.shape, rb.shape);
        worst = Math.max(worst, maxAbsError(ra.signal, rb.signal) / scale(ra.signal));
      }
    }
  }
  t.log(`largest loop/ATen difference (relative to max(1, |value|)): ${worst.toExponential(2)}`);
  t.true(worst <= 1e-12);
});

test('a large batch (> 8 MB, copied into huge-page memory and denoised in place) matches rows denoised alone', async (t) => {
  const rows = 2100, length = 512;  // 8.6 MB of float64
  const x = Float64Array.from({ length: rows * length }, (_, i) => Math.sin(i / 11) + ((i * 7919) % 101) / 500);
  const before = x.slice();
  const out = await wavelet.denoise(x, [rows, 1, length], { level: 4 });
  t.deepEqual(x, before);  // the caller's array is not touched
  for (const r of [0, 1234, rows - 1]) {
    const alone = await wavelet.denoise(x.slice(r * length, (r + 1) * length), [length], { level: 4 });
    t.deepEqual(out.subarray(r * length, (r + 1) * length), alone);
  }
});
