/**
 * Polyphase rational resampling with a Kaiser-windowed sinc anti-aliasing filter,
 * matching `scipy.signal.resample_poly(x, up, down)` with its defaults
 * (window ('kaiser', 5.0), half length 10 * max(up, down), zero padding).
 * @module
 */
import { assertInteger, assertNumber } from '../is';

/** Greatest common divisor of two non-negative integers. */
function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Designs the low-pass FIR of {@link resamplePoly}: `scipy.signal.firwin(2 * half + 1,
 * 1 / max(up, down), window=('kaiser', beta))`, scaled to unit DC gain, times `up`.
 * @param up - upsampling factor (after reduction by the gcd)
 * @param down - downsampling factor (after reduction by the gcd)
 * @param beta - Kaiser window shape (default 5)
 * @example
 * const h = resampleFilter(1, 5); // 500 Hz -> 100 Hz
 */
export function resampleFilter(up: number, down: number, beta = 5): Float64Array {
  const maxRate = Math.max(up, down);
  const half = 10 * maxRate;
  const taps = 2 * half + 1;
  const cutoff = 1 / maxRate;
  const h = new Float64Array(taps);
  const i0beta = besselI0(beta);
  let sum = 0;
  for (let n = 0; n < taps; n++) {
    const m = n - half;
    const x = cutoff * m;
    const sinc = m === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const r = (2 * n) / (taps - 1) - 1;
    const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0beta;
    h[n] = cutoff * sinc * w;
    sum += h[n]!;
  }
  for (let n = 0; n < taps; n++) h[n] = (h[n]! / sum) * up;
  return h;
}

/**
 * Resamples a signal by the rational factor up/down.
 * @param x - input samples
 * @param up - integer upsampling factor >= 1
 * @param down - integer downsampling factor >= 1
 * @param beta - Kaiser window beta (default 5, as scipy)
 * @returns `ceil(x.length * up / down)` samples (Float64Array)
 * @throws {ArgumentRangeError} for non-positive factors
 * @example
 * const y = resamplePoly(signal500Hz, 1, 5); // to 100 Hz
 */
export function resamplePoly(x: ArrayLike<number>, up: number, down: number, beta = 5): Float64Array {
  assertInteger('up', up, 1);
  assertInteger('down', down, 1);
  assertNumber('beta', beta, 0);
  const g = gcd(up, down);
  up /= g;
  down /= g;
  const nIn = x.length;
  const nOut = Math.ceil((nIn * up) / down);
  if (up === 1 && down === 1) return Float64Array.from(x);
  const h = resampleFilter(up, down, beta);
  const half = (h.length - 1) / 2;
  const y = new Float64Array(nOut);
  // y[m] = sum_n x[n] * h[half + m*down - n*up]: the zero-stuffed input filtered by h,
  // read every `down` samples, with the filter delay `half` removed.
  for (let m = 0; m < nOut; m++) {
    const t = m * down + half;
    let nLo = Math.ceil((t - 2 * half) / up);
    if (nLo < 0) nLo = 0;
    let nHi = Math.floor(t / up);
    if (nHi > nIn - 1) nHi = nIn - 1;
    let acc = 0;
    for (let n = nLo, k = t - nLo * up; n <= nHi; n++, k -= up) acc += x[n]! * h[k]!;
    y[m] = acc;
  }
  return y;
}

/**
 * Reduces two sampling rates to integer resampling factors.
 * @param from - source rate in Hz (> 0)
 * @param to - target rate in Hz (> 0)
 * @returns `{ up, down }` with `to / from = up / down` (rates rounded to 1 mHz)
 * @example
 * rateFactors(500, 100); // { up: 1, down: 5 }
 */
export function rateFactors(from: number, to: number): { up: number; down: number } {
  assertNumber('from', from, Number.MIN_VALUE);
  assertNumber('to', to, Number.MIN_VALUE);
  const a = Math.round(from * 1000);
  const b = Math.round(to * 1000);
  const g = gcd(a, b);
  return { up: b / g, down: a / g };
}
