/**
 * Test-only WFDB encoders: write synthetic records in formats 8, 16, 24, 32, 61, 80,
 * 160 and 212 so the reader can be checked by round trip.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Encodes interleaved samples (one Int32Array per signal) in a WFDB format. */
export function encodeWfdbSamples(format: number, signals: Int32Array[], initialValues?: number[]): Buffer {
  const nsig = signals.length;
  const n = signals[0]!.length;
  const flat: number[] = [];
  for (let i = 0; i < n; i++) for (let s = 0; s < nsig; s++) flat.push(signals[s]![i]!);
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
        const s = k % nsig;
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

/** Writes `<dir>/<name>.hea` and its signal file(s) and returns the record path. */
export function writeSyntheticRecord(dir: string, name: string, format: number, signals: Int32Array[], opts: { gains?: number[]; baselines?: number[]; fs?: number; crlf?: boolean; filesPerSignal?: boolean } = {}): string {
  fs.mkdirSync(dir, { recursive: true });
  const n = signals[0]!.length;
  const lines = [`${name} ${signals.length} ${opts.fs ?? 250} ${n}`];
  const init = signals.map((s) => s[0]!);
  if (opts.filesPerSignal) {
    signals.forEach((s, k) => fs.writeFileSync(path.join(dir, `${name}_${k}.dat`), encodeWfdbSamples(format, [s], format === 8 ? [init[k]!] : undefined)));
  } else {
    fs.writeFileSync(path.join(dir, `${name}.dat`), encodeWfdbSamples(format, signals, format === 8 ? init : undefined));
  }
  signals.forEach((s, k) => {
    const file = opts.filesPerSignal ? `${name}_${k}.dat` : `${name}.dat`;
    const gain = opts.gains?.[k] ?? 200;
    const base = opts.baselines?.[k] ?? 0;
    lines.push(`${file} ${format} ${gain}(${base})/mV 12 0 ${init[k]} ${checksum16(s)} 0 sig${k}`);
  });
  lines.push('# synthetic test record');
  fs.writeFileSync(path.join(dir, `${name}.hea`), lines.join(opts.crlf ? '\r\n' : '\n') + '\n');
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
