// Bad input to the wavelet API: each gives a typed error naming the argument, never a
// crash, whether TS validation or the native layer catches it.
import test from 'ava';
import * as path from 'node:path';
import {
  ArgumentRangeError, ArgumentTypeError, DTypeError, DeviceError, EcgLdmError, NonFiniteError, ShapeError, wavelet,
} from 'ecg-ldm';

const x64 = (n: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(i / 3));

test('wrong element type: DTypeError naming the argument; a non-array is an ArgumentTypeError', async (t) => {
  await t.throwsAsync(wavelet.wavedec(new Int16Array(8) as never, [8], { wavelet: 'haar' }), {
    instanceOf: DTypeError, message: /Float32Array or Float64Array for signal but received Int16Array/,
  });
  await t.throwsAsync(wavelet.denoise([1, 2, 3] as never, [3]), { instanceOf: ArgumentTypeError, message: /signal/ });
  t.throws(() => wavelet.threshold(new Int32Array(3) as never, 1), { instanceOf: DTypeError, message: /data/ });
});

test('empty signal or shape mismatch: ShapeError', async (t) => {
  await t.throwsAsync(wavelet.wavedec(new Float64Array(0), [0], { wavelet: 'haar' }), {
    instanceOf: ShapeError, message: /signal is empty/,
  });
  await t.throwsAsync(wavelet.denoise(x64(10), [2, 1, 4]), {
    instanceOf: ShapeError, message: /signal has 10 elements but shape \[2, 1, 4\] needs 8/,
  });
  await t.throwsAsync(wavelet.denoise(x64(8), [2, 2, 2, 1] as never), { instanceOf: ArgumentTypeError, message: /shape/ });
  await t.throwsAsync(wavelet.denoise(x64(8), [2, -4]), { instanceOf: ArgumentRangeError, message: /shape\[1\]/ });
});

test('NaN or Infinity: NonFiniteError naming the row', async (t) => {
  const x = x64(24);
  x[13] = Number.NaN;
  await t.throwsAsync(wavelet.denoise(x, [3, 1, 8]), { instanceOf: NonFiniteError, message: /signal contains NaN or Inf at row 1/ });
  x[13] = 0;
  x[23] = Number.POSITIVE_INFINITY;
  await t.throwsAsync(wavelet.wavedec(x, [3, 8], { wavelet: 'db2' }), { instanceOf: NonFiniteError, message: /row 2/ });
});

test('unknown wavelet or mode, bad level or device: ArgumentRangeError naming the option', async (t) => {
  await t.throwsAsync(wavelet.wavedec(x64(16), [16], { wavelet: 'sym99' }), {
    instanceOf: ArgumentRangeError, message: /options\.wavelet but received "sym99"/,
  });
  await t.throwsAsync(wavelet.wavedec(x64(16), [16], { wavelet: 'haar', mode: 'mirror' as never }), {
    instanceOf: ArgumentRangeError, message: /options\.mode/,
  });
  await t.throwsAsync(wavelet.wavedec(x64(16), [16], { wavelet: 'haar', level: -1 }), {
    instanceOf: ArgumentRangeError, message: /Expected non-negative integer for options\.level but received -1 of type number|options\.level/,
  });
  await t.throwsAsync(wavelet.denoise(x64(16), [16], { level: 0 }), { instanceOf: ArgumentRangeError, message: /options\.level/ });
  await t.throwsAsync(wavelet.denoise(x64(16), [16], { level: 2.5 }), { instanceOf: ArgumentRangeError, message: /options\.level/ });
  await t.throwsAsync(wavelet.denoise(x64(16), [16], { device: 'gpu' }), { instanceOf: ArgumentRangeError, message: /options\.device/ });
  t.throws(() => wavelet.threshold(x64(4), 1, 'firm' as never), { instanceOf: ArgumentRangeError, message: /mode/ });
  t.throws(() => wavelet.threshold(x64(4), Number.NaN), { instanceOf: ArgumentRangeError, message: /value/ });
  t.throws(() => wavelet.maxLevel(-1, 'db4'), { instanceOf: ArgumentRangeError, message: /length/ });
  t.throws(() => wavelet.filterBank('nope'), { instanceOf: ArgumentRangeError, message: /name/ });
});

test("device 'cuda' without CUDA: DeviceError from native code", async (t) => {
  const { nativeAddon } = require(path.resolve(__dirname, '../../../lib/native.js')) as typeof import('../ts/native');
  if (nativeAddon().info().cuda.available) {
    t.pass('CUDA present: nothing to check');
    return;
  }
  await t.throwsAsync(wavelet.denoise(x64(64), [64], { device: 'cuda' }), { instanceOf: DeviceError });
});

test('where pywt raises ValueError, native code throws a typed error', async (t) => {
  // Reflect needs two samples (pywt: "Input data length must be greater than 1 for [anti]reflect mode").
  await t.throwsAsync(wavelet.wavedec(new Float64Array([1]), [1], { wavelet: 'haar', mode: 'reflect', level: 1 }), {
    instanceOf: ArgumentRangeError, message: /reflect/,
  });
  // Too few coefficients for the filter (pywt: "Invalid coefficient arrays length ...").
  const short = Float64Array.of(1, 2, 3);
  await t.throwsAsync(wavelet.waverec({ coeffs: [short, short], shapes: [[3], [3]] }, { wavelet: 'sym8' }), {
    instanceOf: ArgumentRangeError, message: /Invalid coefficient arrays length/,
  });
  // An approximation neither as long as its detail nor one longer (pywt: "coefficient shape mismatch").
  await t.throwsAsync(
    wavelet.waverec({ coeffs: [x64(10), x64(4)], shapes: [[10], [4]] }, { wavelet: 'haar' }),
    { instanceOf: ShapeError, message: /coefficient shape mismatch/ },
  );
  await t.throwsAsync(
    wavelet.waverec({ coeffs: [x64(4), new Float32Array(4)], shapes: [[4], [4]] }, { wavelet: 'haar' }),
    { instanceOf: DTypeError, message: /coeffs\[1\]/ },
  );
});

test('the native layer checks on its own: bad input that skips TS still gives typed errors', async (t) => {
  const { nativeAddon } = require(path.resolve(__dirname, '../../../lib/native.js')) as typeof import('../ts/native');
  const raw = (nativeAddon() as unknown as { wavelet: Record<string, (...args: unknown[]) => unknown> }).wavelet;
  await t.throwsAsync(raw.wavedec!(Float64Array.of(1, Number.NaN), [2], { wavelet: 'haar' }) as Promise<unknown>, {
    instanceOf: NonFiniteError,
  });
  await t.throwsAsync(raw.wavedec!(Float64Array.of(1, 2), [3], { wavelet: 'haar' }) as Promise<unknown>, { instanceOf: ShapeError });
  await t.throwsAsync(raw.denoise!(new Uint8Array(4), [4], {}) as Promise<unknown>, { instanceOf: DTypeError });
  await t.throwsAsync(raw.wavedec!(Float64Array.of(1, 2), [2], { wavelet: 'x' }) as Promise<unknown>, {
    instanceOf: ArgumentRangeError, message: /unknown wavelet "x"; known: haar, db1/,
  });
  await t.throwsAsync(raw.wavedec!(Float64Array.of(1, 2), [2], { wavelet: 'haar', level: -2 }) as Promise<unknown>, {
    instanceOf: ArgumentRangeError, message: /Level value of -2 is too low/,
  });
  t.throws(() => raw.threshold!(Float64Array.of(1), 1, 'nope', 0), { instanceOf: ArgumentRangeError });
  t.throws(() => raw.filterBank!('nope'), { instanceOf: EcgLdmError });
});

test('a level above the maximum proceeds and emits pywt\'s warning once, as an EcgLdmWarning', async (t) => {
  const seen: Error[] = [];
  const listener = (w: Error) => seen.push(w);
  process.on('warning', listener);
  try {
    t.is(wavelet.maxLevel(64, 'haar'), 6);
    const dec = await wavelet.wavedec(x64(64), [64], { wavelet: 'haar', level: 9 });
    t.is(dec.coeffs.length, 10);  // pywt proceeds: 9 detail arrays + the approximation
    t.deepEqual(dec.shapes.map((s) => s[0]), [1, 1, 1, 1, 1, 2, 4, 8, 16, 32]);
    await wavelet.wavedec(x64(64), [64], { wavelet: 'haar', level: 9 });
    await new Promise((resolve) => setImmediate(resolve));
    // Other tests of this file run concurrently and may warn about their own levels.
    const ours = seen.filter((w) => w.name === 'EcgLdmWarning' && w.message.startsWith('Level value of 9 '));
    t.is(ours.length, 1);
    t.is(ours[0]!.message, 'Level value of 9 is too high: all coefficients will experience boundary effects.');
  } finally {
    process.off('warning', listener);
  }
});

test('level 0 returns the signal itself; maxLevel matches pywt.dwt_max_level', async (t) => {
  const x = x64(10);
  const dec = await wavelet.wavedec(x, [10], { wavelet: 'db2', level: 0 });
  t.deepEqual(dec.coeffs, [x]);
  t.is(wavelet.maxLevel(2048, 'sym8'), 7);
  t.is(wavelet.maxLevel(1000, 'db4'), 7);
  t.is(wavelet.maxLevel(14, 'sym8'), 0);
  t.is(wavelet.maxLevel(0, 'haar'), 0);
  const defaultLevel = await wavelet.wavedec(x64(1000), [1000], { wavelet: 'db4' });
  t.is(defaultLevel.coeffs.length, 8);
});

test('threshold: pywt edge cases (|x| == t, x == 0, substitute)', (t) => {
  const x = Float64Array.of(-2, -1, 0, 0.5, 1, 3);
  t.deepEqual([...wavelet.threshold(x, 1)], [-1, -0, 0, 0, 0, 2]);
  t.deepEqual([...wavelet.threshold(x, 1, 'hard')], [-2, -1, 0, 0, 1, 3]);
  t.deepEqual([...wavelet.threshold(x, 1, 'hard', 9)], [-2, -1, 9, 9, 1, 3]);
  t.deepEqual([...wavelet.threshold(x, 1, 'garrote')], [-1.5, -0, 0, 0, 0, 3 - 1 / 3]);
  t.deepEqual([...wavelet.threshold(x, 1, 'soft', 7)], [-1, -0, 7, 7, 0, 2]);
  t.true(Number.isNaN(wavelet.threshold(Float64Array.of(0), 0)[0]!));  // numpy: 0 * (1 - 0/0)
  t.deepEqual(wavelet.threshold(new Float32Array(0), 1), new Float32Array(0));
});

test('flat rows denoise to themselves instead of NaN (threshold 0)', async (t) => {
  const flat = new Float32Array(2048).fill(0.25);
  const out = await wavelet.denoise(flat, [2048]);
  t.true(out.every((v) => Math.abs(v - 0.25) < 1e-6));
});
