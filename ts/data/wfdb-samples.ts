/**
 * The WFDB signal formats as flat sample streams: how many bytes a run of samples takes,
 * where a sample's packing group starts, and how to decode a run of samples from bytes.
 * Frames, signals and skew are the caller's business ({@link decodeWfdbFrames}).
 * @module
 */
import { ArgumentRangeError } from '../errors';

/** Signal formats this reader decodes. */
export const WFDB_FORMATS = [8, 16, 24, 32, 61, 80, 160, 212, 310, 311] as const;

/**
 * Sample value WFDB writes for "no data" in each format; decoded as invalid. Format 8 has
 * none: it stores first differences, and a running value of -128 is an ordinary sample.
 */
const INVALID_SAMPLE: Readonly<Record<number, number>> = {
  16: -32768, 24: -8388608, 32: -2147483648, 61: -32768, 80: -128, 160: -32768, 212: -2048, 310: -512, 311: -512,
};

/**
 * The stored invalid-sample value of a format, or NaN (which equals no sample) for
 * format 8, which has none.
 */
export function wfdbInvalidSample(format: number): number {
  return INVALID_SAMPLE[format] ?? Number.NaN;
}

/**
 * The value digital output (`physical: false`) gives every invalid sample: the format's
 * stored invalid value, and positions with no data (null segments, a signal absent from a
 * segment, skewed samples past the end of the file). One marker whatever the format.
 */
export const WFDB_DIGITAL_INVALID = -2147483648;

/** Samples per packing group and the bytes a whole group takes. */
const GROUPS: Readonly<Record<number, { samples: number; bytes: number }>> = {
  8: { samples: 1, bytes: 1 }, 80: { samples: 1, bytes: 1 },
  16: { samples: 1, bytes: 2 }, 61: { samples: 1, bytes: 2 }, 160: { samples: 1, bytes: 2 },
  24: { samples: 1, bytes: 3 }, 32: { samples: 1, bytes: 4 },
  212: { samples: 2, bytes: 3 }, 310: { samples: 3, bytes: 4 }, 311: { samples: 3, bytes: 4 },
};

/** Whether this reader decodes `format`. */
export function isWfdbFormat(format: number): boolean {
  return GROUPS[format] !== undefined;
}

/** Whether samples of `format` are first differences (decoding must start at sample 0). */
export function isDifferenceFormat(format: number): boolean {
  return format === 8;
}

/** Bytes used by the first `total` samples, including a final partial group. */
export function bytesForSamples(format: number, total: number): number {
  const g = GROUPS[format]!;
  const whole = Math.floor(total / g.samples);
  const rem = total - whole * g.samples;
  if (rem === 0) return whole * g.bytes;
  // 212: one 12-bit sample needs 2 bytes; 310 stores samples 1 and 2 of a group in
  // separate 16-bit words; 311 packs bits (1 sample: 2 bytes, 2 samples: 3 bytes).
  const partial = format === 212 ? 2 : format === 310 ? 2 * rem : rem === 1 ? 2 : 3;
  return whole * g.bytes + partial;
}

/** Whole samples that `bytes` bytes hold. */
export function samplesInBytes(format: number, bytes: number): number {
  const g = GROUPS[format]!;
  const whole = Math.floor(bytes / g.bytes);
  const rem = bytes - whole * g.bytes;
  let partial = 0;
  for (let k = g.samples - 1; k >= 1; k--) {
    if (bytesForSamples(format, k) <= rem) { partial = k; break; }
  }
  return whole * g.samples + partial;
}

/** Padding a writer may leave after the last sample (packed formats end on whole groups). */
export function trailingSlack(format: number): number {
  return format === 212 ? 2 : format === 310 || format === 311 ? 4 : 0;
}

/** The first sample of the packing group that holds sample `k`, and that group's byte offset. */
export function groupStart(format: number, k: number): { sample: number; byte: number } {
  const g = GROUPS[format]!;
  const group = Math.floor(k / g.samples);
  return { sample: group * g.samples, byte: group * g.bytes };
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes `count` consecutive samples. `bytes` starts at a packing group; the first
 * `skip` samples of it are decoded past and not returned. Format 8 returns the stored
 * differences; the caller accumulates them per signal.
 * @param bytes - at least `bytesForSamples(format, skip + count)` bytes
 */
export function decodeSamples(bytes: Uint8Array, format: number, skip: number, count: number): Int32Array {
  const out = new Int32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (format) {
    case 16: {
      const p0 = 2 * skip;
      if (LITTLE_ENDIAN_HOST && (bytes.byteOffset + p0) % 2 === 0) {
        out.set(new Int16Array(bytes.buffer, bytes.byteOffset + p0, count));
      } else {
        for (let i = 0, p = p0; i < count; i++, p += 2) out[i] = view.getInt16(p, true);
      }
      break;
    }
    case 61:
      for (let i = 0, p = 2 * skip; i < count; i++, p += 2) out[i] = view.getInt16(p, false);
      break;
    case 160:
      for (let i = 0, p = 2 * skip; i < count; i++, p += 2) out[i] = view.getUint16(p, true) - 32768;
      break;
    case 24:
      for (let i = 0, p = 3 * skip; i < count; i++, p += 3) out[i] = ((bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16)) << 8) >> 8;
      break;
    case 32:
      for (let i = 0, p = 4 * skip; i < count; i++, p += 4) out[i] = view.getInt32(p, true);
      break;
    case 80:
      for (let i = 0, p = skip; i < count; i++, p++) out[i] = bytes[p]! - 128;
      break;
    case 8:
      for (let i = 0, p = skip; i < count; i++, p++) out[i] = view.getInt8(p);
      break;
    case 212: {
      // Two 12-bit samples in three bytes, over the flat frame-major sample order.
      const end = skip + count;
      for (let k = 0, p = 0; k < end; k += 2, p += 3) {
        const b1 = bytes[p + 1]!;
        if (k >= skip) out[k - skip] = ((bytes[p]! | ((b1 & 0x0f) << 8)) << 20) >> 20;
        if (k + 1 < end && k + 1 >= skip) out[k + 1 - skip] = ((bytes[p + 2]! | ((b1 & 0xf0) << 4)) << 20) >> 20;
      }
      break;
    }
    case 310:
    case 311: {
      // Three 10-bit samples per 32-bit little-endian word. 311: bits 0-9, 10-19, 20-29.
      // 310: bits 1-10 of each 16-bit half hold samples 0 and 1; sample 2 is split over
      // bits 11-15 of both halves (low five bits first).
      const end = skip + count;
      const n = bytes.length;
      const byte = (q: number): number => (q < n ? bytes[q]! : 0);
      for (let k = 0, p = 0; k < end; k += 3, p += 4) {
        const b0 = byte(p), b1 = byte(p + 1), b2 = byte(p + 2), b3 = byte(p + 3);
        let v0: number, v1: number, v2: number;
        if (format === 311) {
          v0 = b0 | ((b1 & 0x03) << 8);
          v1 = ((b1 & 0xfc) >> 2) | ((b2 & 0x0f) << 6);
          v2 = ((b2 & 0xf0) >> 4) | ((b3 & 0x3f) << 4);
        } else {
          v0 = (b0 >> 1) | ((b1 & 0x07) << 7);
          v1 = (b2 >> 1) | ((b3 & 0x07) << 7);
          v2 = ((b1 & 0xf8) >> 3) | ((b3 & 0xf8) << 2);
        }
        if (k >= skip) out[k - skip] = (v0 << 22) >> 22;
        if (k + 1 < end && k + 1 >= skip) out[k + 1 - skip] = (v1 << 22) >> 22;
        if (k + 2 < end && k + 2 >= skip) out[k + 2 - skip] = (v2 << 22) >> 22;
      }
      break;
    }
    default:
      // Callers check isWfdbFormat first; reaching this is a programming error.
      throw new ArgumentRangeError(`decodeSamples: format ${format} is not a WFDB format`);
  }
  return out;
}
