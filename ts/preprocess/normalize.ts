/**
 * Per-segment, per-lead normalisation of [N, L, C] segment arrays.
 * @module
 */
import { ShapeError } from '../errors';

/** 'range': (x - mean) / (max - min), the seed's recipe; 'zscore': (x - mean) / std. */
export type NormalizeMethod = 'range' | 'zscore';

/**
 * Throws unless every dimension is a positive integer and `data.length` equals N * L * C.
 * @throws {ShapeError} naming both sizes
 * @example
 * checkSegmentShape(new Float32Array(4096), [2, 2048, 1]);
 */
export function checkSegmentShape(data: ArrayLike<number>, shape: readonly [number, number, number]): void {
  const [n, l, c] = shape;
  if (![n, l, c].every((d) => Number.isInteger(d) && d > 0) || data.length !== n * l * c) {
    throw new ShapeError(`data has ${data.length} values but shape [${shape.join(', ')}] needs ${n * l * c}`);
  }
}

/**
 * Normalises every lead of every segment on its own. A constant lead (zero range or
 * zero std) becomes all zeros instead of NaN.
 * @param data - segments, C order [N, L, C]; not modified
 * @param shape - [N, L, C]
 * @param method - 'range' (default) or 'zscore'
 * @returns a new array of the same shape
 * @throws {ShapeError} when data and shape disagree
 * @example
 * const x = normalizeSegments(data, [n, 2048, 1]); // (x - mean) / (max - min)
 */
export function normalizeSegments(data: Float32Array, shape: readonly [number, number, number], method: NormalizeMethod = 'range'): Float32Array {
  checkSegmentShape(data, shape);
  const [n, l, c] = shape;
  const out = new Float32Array(data.length);
  for (let s = 0; s < n; s++) {
    const base = s * l * c;
    for (let ch = 0; ch < c; ch++) {
      let sum = 0, min = Infinity, max = -Infinity;
      for (let i = 0; i < l; i++) {
        const v = data[base + i * c + ch]!;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const mean = sum / l;
      let scale: number;
      if (method === 'range') scale = max - min;
      else {
        let ss = 0;
        for (let i = 0; i < l; i++) ss += (data[base + i * c + ch]! - mean) ** 2;
        scale = Math.sqrt(ss / l);
      }
      const inv = scale > 0 ? 1 / scale : 0;
      for (let i = 0; i < l; i++) out[base + i * c + ch] = (data[base + i * c + ch]! - mean) * inv;
    }
  }
  return out;
}
