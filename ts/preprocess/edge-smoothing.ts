/**
 * Edge-outlier smoothing. Filtering and windowing leave spikes at segment ends; this
 * replaces outlying samples near each end with values continuous with the interior.
 *
 * Definition, per segment and lead (x of length L):
 * 1. m = median(x), s = 1.4826 * median(|x - m|) (the MAD scaled to a normal std).
 * 2. Within the first `edge` and the last `edge` samples, a sample is an outlier when
 *    |x[i] - m| > threshold * s. Interior samples are never changed. When s = 0 nothing
 *    is changed.
 * 3. Each run of consecutive outliers is replaced by linear interpolation between the
 *    nearest non-outlier samples on either side; a run that touches the segment's end
 *    has a neighbour on one side only and takes that neighbour's value (clamping).
 * @module
 */
import { checkSegmentShape } from './normalize';

/** Options of {@link smoothEdgeOutliers}. */
export interface EdgeSmoothingOptions {
  /** Samples at each end that may be changed (default 32). */
  edge?: number;
  /** Outlier threshold in scaled-MAD units (default 5). */
  threshold?: number;
}

/** Defaults of {@link EdgeSmoothingOptions}. */
export const EDGE_SMOOTHING_DEFAULTS: Required<EdgeSmoothingOptions> = { edge: 32, threshold: 5 };

function median(sorted: Float64Array): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}

/**
 * Smooths outliers at both ends of every lead of every segment (see the module
 * description for the exact rule).
 * @param data - segments, C order [N, L, C]; not modified
 * @param shape - [N, L, C]
 * @param options - `edge` (default 32, clipped to L / 2), `threshold` (default 5)
 * @returns a new array of the same shape
 * @throws {ShapeError} when data and shape disagree
 * @example
 * const y = smoothEdgeOutliers(x, [n, 2048, 1], { edge: 32, threshold: 5 });
 */
export function smoothEdgeOutliers(data: Float32Array, shape: readonly [number, number, number], options: EdgeSmoothingOptions = {}): Float32Array {
  checkSegmentShape(data, shape);
  const { edge, threshold } = { ...EDGE_SMOOTHING_DEFAULTS, ...options };
  const [n, l, c] = shape;
  const k = Math.min(Math.floor(l / 2), Math.max(0, Math.floor(edge)));
  const out = Float32Array.from(data);
  const x = new Float64Array(l);
  const work = new Float64Array(l);
  const outlier = new Uint8Array(l);
  for (let s = 0; s < n; s++) {
    const base = s * l * c;
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < l; i++) x[i] = data[base + i * c + ch]!;
      work.set(x);
      work.sort();
      const m = median(work);
      for (let i = 0; i < l; i++) work[i] = Math.abs(x[i]! - m);
      work.sort();
      const scale = 1.4826 * median(work);
      if (!(scale > 0) || k === 0) continue;
      const limit = threshold * scale;
      outlier.fill(0);
      let any = false;
      for (let i = 0; i < l; i++) {
        if ((i < k || i >= l - k) && Math.abs(x[i]! - m) > limit) { outlier[i] = 1; any = true; }
      }
      if (!any) continue;
      for (let i = 0; i < l; i++) {
        if (!outlier[i]) continue;
        let j = i;
        while (j < l && outlier[j]) j++;
        const left = i - 1; // last good sample before the run, or -1
        const right = j; // first good sample after the run, or l
        for (let q = i; q < j; q++) {
          let v: number;
          if (left >= 0 && right < l) v = x[left]! + ((x[right]! - x[left]!) * (q - left)) / (right - left);
          else if (left >= 0) v = x[left]!;
          else if (right < l) v = x[right]!;
          else v = m;
          out[base + q * c + ch] = v;
        }
        i = j - 1;
      }
    }
  }
  return out;
}
