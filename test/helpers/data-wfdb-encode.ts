/**
 * Test-only WFDB encoders: write synthetic records in formats 8, 16, 24, 32, 61, 80,
 * 160, 212, 310 and 311, with several samples per frame, skew, and multi-segment
 * (fixed or variable layout) records, so the reader can be checked by round trip. The
 * layouts follow the WFDB header specification (header(5)): signal format
 * `format[xspf][:skew][+offset]`; record line `name/nseg`, segment lines `name nsamp`,
 * a first segment `name_layout 0` for a variable layout, `~ nsamp` for a null segment.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** How signals share frames: samples per frame and skew (in frames) of each. */
export interface FrameLayout { samplesPerFrame: number[]; skews: number[]; frames: number }

/**
 * Interleaves signals frame by frame. Signal s puts samplesPerFrame[s] consecutive samples
 * in each frame; with skew k, file frame f holds its record frame f - k (0 before time 0),
 * so its last k samples are not stored, as WFDB writes skewed signals.
 */
function interleave(signals: Int32Array[], layout: FrameLayout): { flat: number[]; owner: number[] } {
  const flat: number[] = [];
  const owner: number[] = [];
  for (let f = 0; f < layout.frames; f++) {
    signals.forEach((sig, s) => {
      const spf = layout.samplesPerFrame[s]!;
      const t = f - layout.skews[s]!;
      for (let j = 0; j < spf; j++) { flat.push(t >= 0 ? sig[t * spf + j]! : 0); owner.push(s); }
    });
  }
  return { flat, owner };
}

/** Encodes interleaved samples (one Int32Array per signal) in a WFDB format. */
export function encodeWfdbSamples(format: number, signals: Int32Array[], initialValues?: number[], layout?: FrameLayout): Buffer {
  const frames = layout ?? { samplesPerFrame: signals.map(() => 1), skews: signals.map(() => 0), frames: signals[0]!.length };
  const { flat, owner } = interleave(signals, frames);
  switch (format) {
    case 16: case 61: case 160: {
      const b = Buffer.alloc(flat.length * 2);
      flat.forEach((v, k) => (format === 16 ? b.writeInt16LE(v, 2 * k) : format === 61 ? b.writeInt16BE(v, 2 * k) : b.writeUInt16LE(v + 32768, 2 * k)));
      return b;
    }
    case 24: {
      const b = Buffer.alloc(flat.length * 3);
      flat.forEach((v, k) => b.writeIntLE(v, 3 * k, 3));
      return b;
    }
    case 32: {
      const b = Buffer.alloc(flat.length * 4);
      flat.forEach((v, k) => b.writeInt32LE(v, 4 * k));
      return b;
    }
    case 80:
      return Buffer.from(flat.map((v) => (v + 128) & 0xff));
    case 8: {
      const prev = initialValues ? [...initialValues] : signals.map(() => 0);
      const b = Buffer.alloc(flat.length);
      flat.forEach((v, k) => {
        const s = owner[k]!;
        b.writeInt8(v - prev[s]!, k);
        prev[s] = v;
      });
      return b;
    }
    case 212: {
      const b = Buffer.alloc(Math.ceil((flat.length * 3) / 2));
      for (let k = 0, p = 0; k < flat.length; k += 2, p += 3) {
        const a = flat[k]! & 0xfff;
        const c = k + 1 < flat.length ? flat[k + 1]! & 0xfff : 0;
        b[p] = a & 0xff;
        b[p + 1] = ((a >> 8) & 0x0f) | ((c >> 4) & 0xf0);
        b[p + 2] = c & 0xff;
      }
      return b;
    }
    case 310:
    case 311: {
      const groups = Math.ceil(flat.length / 3);
      const b = Buffer.alloc(groups * 4);
      for (let g = 0; g < groups; g++) {
        const [a, c, d] = [0, 1, 2].map((j) => (flat[3 * g + j] ?? 0) & 0x3ff) as [number, number, number];
        if (format === 311) b.writeUInt32LE((a | (c << 10) | (d << 20)) >>> 0, 4 * g);
        else {
          b.writeUInt16LE(((a << 1) | ((d & 0x1f) << 11)) & 0xffff, 4 * g);
          b.writeUInt16LE(((c << 1) | ((d >> 5) << 11)) & 0xffff, 4 * g + 2);
        }
      }
      const rem = flat.length % 3;
      const used = Math.floor(flat.length / 3) * 4 + (rem === 0 ? 0 : format === 310 ? 2 * rem : rem === 1 ? 2 : 3);
      return b.subarray(0, used);
    }
    default:
      throw new Error(`test encoder has no format ${format}`);
  }
}

/** 16-bit checksum of samples, as written by WFDB (signed form). */
export function checksum16(x: Int32Array): number {
  let s = 0;
  for (const v of x) s = (s + v) | 0;
  const u = s & 0xffff;
  return u >= 0x8000 ? u - 0x10000 : u;
}

/** Options of {@link writeSyntheticRecord}. */
export interface SyntheticRecordOptions {
  gains?: number[];
  baselines?: number[];
  fs?: number;
  crlf?: boolean;
  filesPerSignal?: boolean;
  /** Signal descriptions (default sig0, sig1, ...). */
  descriptions?: string[];
  /** Samples per frame of each signal (default 1); each signal then holds frames x spf samples. */
  samplesPerFrame?: number[];
  /** Skew of each signal in frames (default 0). */
  skews?: number[];
  /** Write no checksum field (skewed records: WFDB sums what was written). */
  noChecksum?: boolean;
}

/** Writes `<dir>/<name>.hea` and its signal file(s) and returns the record path. */
export function writeSyntheticRecord(dir: string, name: string, format: number, signals: Int32Array[], opts: SyntheticRecordOptions = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const spf = opts.samplesPerFrame ?? signals.map(() => 1);
  const skews = opts.skews ?? signals.map(() => 0);
  const n = signals[0]!.length / spf[0]!;
  const lines = [`${name} ${signals.length} ${opts.fs ?? 250} ${n}`];
  const init = signals.map((s, k) => (skews[k]! > 0 ? 0 : s[0]!));
  const layoutOf = (ks: number[]): FrameLayout => ({ samplesPerFrame: ks.map((k) => spf[k]!), skews: ks.map((k) => skews[k]!), frames: n });
  if (opts.filesPerSignal) {
    signals.forEach((s, k) => fs.writeFileSync(path.join(dir, `${name}_${k}.dat`), encodeWfdbSamples(format, [s], [init[k]!], layoutOf([k]))));
  } else {
    fs.writeFileSync(path.join(dir, `${name}.dat`), encodeWfdbSamples(format, signals, init, layoutOf(signals.map((_, k) => k))));
  }
  signals.forEach((s, k) => {
    const file = opts.filesPerSignal ? `${name}_${k}.dat` : `${name}.dat`;
    const gain = opts.gains?.[k] ?? 200;
    const base = opts.baselines?.[k] ?? 0;
    const fmt = `${format}${spf[k] !== 1 ? `x${spf[k]}` : ''}${skews[k] !== 0 ? `:${skews[k]}` : ''}`;
    const sum = opts.noChecksum ? 0 : checksum16(s);
    lines.push(`${file} ${fmt} ${gain}(${base})/mV 12 0 ${init[k]} ${sum} 0 ${opts.descriptions?.[k] ?? `sig${k}`}`);
  });
  lines.push('# synthetic test record');
  fs.writeFileSync(path.join(dir, `${name}.hea`), lines.join(opts.crlf ? '\r\n' : '\n') + '\n');
  return path.join(dir, name);
}

/** One segment of {@link writeMultiSegmentRecord}: signals with their options, or a null gap. */
export type SyntheticSegment =
  | { name: string; signals: Int32Array[]; options?: SyntheticRecordOptions }
  | { gap: number };

/**
 * Writes a multi-segment record: each segment as its own record, then the master header.
 * With `layout` (signal descriptions), writes `<name>_layout.hea` and a variable layout.
 * @returns the record path
 */
export function writeMultiSegmentRecord(dir: string, name: string, format: number, segments: SyntheticSegment[], opts: { fs?: number; layout?: string[]; totalOverride?: number } = {}): string {
  const lines: string[] = [];
  let total = 0;
  if (opts.layout) {
    const layoutLines = [`${name}_layout ${opts.layout.length} ${opts.fs ?? 250} 0`, ...opts.layout.map((d) => `~ 0 200/mV 12 0 0 0 0 ${d}`)];
    fs.writeFileSync(path.join(dir, `${name}_layout.hea`), layoutLines.join('\n') + '\n');
    lines.push(`${name}_layout 0`);
  }
  for (const seg of segments) {
    if ('gap' in seg) {
      lines.push(`~ ${seg.gap}`);
      total += seg.gap;
      continue;
    }
    writeSyntheticRecord(dir, seg.name, format, seg.signals, { fs: opts.fs, ...seg.options });
    const n = seg.signals[0]!.length / (seg.options?.samplesPerFrame?.[0] ?? 1);
    lines.push(`${seg.name} ${n}`);
    total += n;
  }
  const head = `${name}/${lines.length} ${opts.layout?.length ?? ('signals' in segments[0]! ? segments[0].signals.length : 0)} ${opts.fs ?? 250} ${opts.totalOverride ?? total}`;
  fs.writeFileSync(path.join(dir, `${name}.hea`), [head, ...lines].join('\n') + '\n');
  return path.join(dir, name);
}

/** Deterministic pseudo-random integers in [lo, hi]. */
export function randomInts(n: number, lo: number, hi: number, seed: number): Int32Array {
  let a = seed >>> 0;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (a % (hi - lo + 1));
  }
  return out;
}
