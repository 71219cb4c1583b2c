/**
 * Cuts records into fixed-length windows in the reference layout [L, C], dropping
 * windows that hold NaN or a flat line, and counting each reason.
 * @module
 */
import { z } from 'zod';
import { ShapeError } from '../errors';
import { parseConfig } from './config';

/** Options of {@link segmentSignals}. */
export interface SegmentOptions {
  /** Samples per window, L (default 2048). */
  length?: number;
  /** Samples between window starts (default = length, i.e. no overlap). */
  stride?: number;
  /**
   * A window is "flat" when some lead has a run of equal consecutive samples
   * (|x[i] - x[i-1]| <= flatTolerance) of at least flatFraction * length samples.
   * Default 0.5; 1 only drops leads constant over the whole window; 0 disables.
   */
  flatFraction?: number;
  /** Difference below which consecutive samples count as equal (default 0). */
  flatTolerance?: number;
}

/** Defaults of {@link SegmentOptions}. */
export const SEGMENT_DEFAULTS = { length: 2048, stride: undefined as number | undefined, flatFraction: 0.5, flatTolerance: 0 };

const SegmentSchema = z.object({
  length: z.number().int().positive().default(SEGMENT_DEFAULTS.length),
  stride: z.number().int().positive().optional(),
  flatFraction: z.number().min(0).max(1).default(SEGMENT_DEFAULTS.flatFraction),
  flatTolerance: z.number().min(0).default(SEGMENT_DEFAULTS.flatTolerance),
}).strict();

/** Windows kept and dropped for one or more records. */
export interface SegmentResult {
  /** Kept windows, C order [count, L, C]. */
  data: Float32Array;
  count: number;
  /** Start sample of each kept window. */
  starts: number[];
  /** Windows dropped, by reason. */
  dropped: { nan: number; flat: number };
}

/**
 * Validates segmentation options and fills defaults (stride defaults to length).
 * @throws {ConfigError} listing each invalid option
 * @example
 * resolveSegmentOptions({ length: 1000 }); // { length: 1000, stride: 1000, flatFraction: 0.5, flatTolerance: 0 }
 */
export function resolveSegmentOptions(options?: SegmentOptions): { length: number; stride: number; flatFraction: number; flatTolerance: number } {
  const o = parseConfig('segment options', SegmentSchema, options);
  return { length: o.length, stride: o.stride ?? o.length, flatFraction: o.flatFraction, flatTolerance: o.flatTolerance };
}

/**
 * Cuts equally long leads into windows of `length` samples every `stride` samples.
 * @param leads - one array per lead (all the same length), in the output channel order
 * @param options - see {@link SegmentOptions}
 * @returns kept windows as [count, L, C] plus drop counts per reason
 * @throws {ShapeError} when leads differ in length or none is given
 * @throws {ConfigError} for invalid options
 * @example
 * const { data, count } = segmentSignals([leadII], { length: 2048, stride: 1024 });
 */
export function segmentSignals(leads: readonly ArrayLike<number>[], options?: SegmentOptions): SegmentResult {
  const { length: L, stride, flatFraction, flatTolerance } = resolveSegmentOptions(options);
  if (leads.length === 0) throw new ShapeError('segmentSignals needs at least one lead');
  const n = leads[0]!.length;
  for (const lead of leads) if (lead.length !== n) throw new ShapeError(`leads differ in length: ${lead.length} vs ${n}`);
  const C = leads.length;
  const windows = n >= L ? Math.floor((n - L) / stride) + 1 : 0;
  const data = new Float32Array(windows * L * C);
  const starts: number[] = [];
  const dropped = { nan: 0, flat: 0 };
  const flatRun = flatFraction > 0 ? Math.max(2, Math.ceil(flatFraction * L)) : Infinity;
  let kept = 0;
  for (let w = 0; w < windows; w++) {
    const start = w * stride;
    const stop = start + L;
    let reason: 'nan' | 'flat' | undefined;
    // NaN first over all leads (v - v is NaN for NaN and +-Infinity), so the reason is stable.
    for (let c = 0; c < C && reason === undefined; c++) {
      const x = leads[c]!;
      for (let i = start; i < stop; i++) {
        const v = x[i]!;
        if (v - v !== 0) { reason = 'nan'; break; }
      }
    }
    if (reason === undefined && flatRun !== Infinity) {
      for (let c = 0; c < C && reason === undefined; c++) {
        const x = leads[c]!;
        let run = 1;
        let prev = x[start]!;
        for (let i = start + 1; i < stop; i++) {
          const v = x[i]!;
          if (Math.abs(v - prev) <= flatTolerance) {
            if (++run >= flatRun) { reason = 'flat'; break; }
          } else run = 1;
          prev = v;
        }
      }
    }
    if (reason !== undefined) {
      dropped[reason]++;
      continue;
    }
    const base = kept * L * C;
    for (let c = 0; c < C; c++) {
      const x = leads[c]!;
      for (let i = 0; i < L; i++) data[base + i * C + c] = x[start + i]!;
    }
    starts.push(start);
    kept++;
  }
  return { data: kept === windows ? data : data.slice(0, kept * L * C), count: kept, starts, dropped };
}
