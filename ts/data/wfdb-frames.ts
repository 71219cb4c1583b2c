/**
 * Frames of one WFDB signal file: the signals a file interleaves (each with its samples
 * per frame and skew), how many frames the file holds, and the decoding of a frame range
 * into one array per signal at the signal's own rate. Reads only the bytes of the frames
 * asked for, except for the difference format 8, which must be decoded from frame 0.
 * @module
 */
import { FormatError } from '../errors';
import type { WfdbSignalSpec } from './wfdb-header';
import { requestBytes, requestSize, type WfdbIoSteps } from './wfdb-io';
import {
  WFDB_DIGITAL_INVALID, WFDB_FORMATS, bytesForSamples, decodeSamples, groupStart, isDifferenceFormat,
  isWfdbFormat, samplesInBytes, trailingSlack,
} from './wfdb-samples';

/** The signals stored in one file, in file order. */
export interface WfdbFileLayout {
  fileName: string;
  /** Indices (in the header's signal list) of the signals in this file. */
  signals: number[];
  specs: WfdbSignalSpec[];
  format: number;
  byteOffset: number;
  /** Samples in one frame of this file: the sum of the signals' samples per frame. */
  frameSize: number;
  /** Position of each signal's first sample within a frame. */
  offsets: number[];
}

/**
 * Groups a header's signals by file and checks what WFDB requires of one file: one
 * format, one byte offset, a format this reader decodes.
 * @param headerFile - header path, named in errors
 * @throws {FormatError} naming the header line and field
 */
export function wfdbFileLayouts(signals: readonly WfdbSignalSpec[], headerFile: string): WfdbFileLayout[] {
  const byFile = new Map<string, number[]>();
  signals.forEach((s, i) => {
    const list = byFile.get(s.fileName) ?? [];
    list.push(i);
    byFile.set(s.fileName, list);
  });
  return [...byFile].map(([fileName, indices]) => {
    const specs = indices.map((i) => signals[i]!);
    const first = specs[0]!;
    for (const s of specs) {
      if (s.format !== first.format) throw new FormatError(`signals in ${fileName} use formats ${first.format} and ${s.format}; one format per file is required`, { file: headerFile, line: s.line, field: 'format' });
      if (s.byteOffset !== first.byteOffset) throw new FormatError(`signals in ${fileName} have different byte offsets`, { file: headerFile, line: s.line, field: 'byte offset' });
    }
    if (!isWfdbFormat(first.format)) {
      throw new FormatError(`signal format ${first.format} is not supported (supported: ${WFDB_FORMATS.join(', ')})`, { file: headerFile, line: first.line, field: 'format' });
    }
    const offsets: number[] = [];
    let frameSize = 0;
    for (const s of specs) { offsets.push(frameSize); frameSize += s.samplesPerFrame; }
    return { fileName, signals: indices, specs, format: first.format, byteOffset: first.byteOffset, frameSize, offsets };
  });
}

/**
 * Frames a file holds, checked against the header's count.
 * @param size - file size in bytes
 * @param declared - frames the header declares, or undefined to infer them from `size`
 * @param file - signal file path, named in errors
 * @throws {FormatError} for a truncated file, or one longer than declared (unless allowed)
 */
export function wfdbFileFrames(layout: WfdbFileLayout, size: number, declared: number | undefined, file: string, allowTrailingBytes: boolean): number {
  const { format, frameSize, byteOffset } = layout;
  const available = Math.max(0, size - byteOffset);
  const frames = declared ?? Math.floor(samplesInBytes(format, available) / frameSize);
  const needed = bytesForSamples(format, frames * frameSize);
  if (available < needed) {
    throw new FormatError(`truncated signal file: ${available} data bytes, the header needs ${needed} (${frames} frames x ${frameSize} samples, format ${format})`, { file, offset: size });
  }
  if (!allowTrailingBytes && declared !== undefined && available > needed + trailingSlack(format)) {
    throw new FormatError(`signal file has ${available} data bytes but the header needs ${needed} (${frames} frames x ${frameSize} samples); header and data disagree`, { file, offset: byteOffset + needed });
  }
  return frames;
}

/** Decoded signals of one file over a frame range. */
export interface WfdbFileSamples {
  /** Per signal of the file: its samples over the range at its own rate, or undefined if not wanted. */
  raw: (Int32Array | undefined)[];
  /** Per signal: WFDB's 16-bit checksum of all its samples, when the whole file was decoded. */
  checksums: (number | undefined)[];
}

/**
 * Reads and decodes frames `[from, to)` (record time) of the wanted signals of one file.
 * A signal with skew `k` takes record frame `t` from file frame `t + k`; frames past the
 * end of the file give {@link WFDB_DIGITAL_INVALID}. Format 8 is read from frame 0
 * because each sample is a difference from the previous one.
 * @param filePath - path of the signal file
 * @param frames - frames the file holds ({@link wfdbFileFrames})
 * @param wanted - per signal of the file, whether to return it
 * @param checksums - also compute checksums when the whole file is decoded
 */
export function* readWfdbFileFrames(
  filePath: string,
  layout: WfdbFileLayout,
  frames: number,
  from: number,
  to: number,
  wanted: readonly boolean[],
  checksums: boolean,
): WfdbIoSteps<WfdbFileSamples> {
  const { format, frameSize, offsets, specs } = layout;
  const maxSkew = Math.max(0, ...specs.map((s, k) => (wanted[k] ? s.skew : 0)));
  const difference = isDifferenceFormat(format);
  const f0 = difference ? 0 : Math.min(from, frames);
  const f1 = Math.min(to + maxSkew, frames);
  const whole = f0 === 0 && f1 === frames;
  const k0 = f0 * frameSize;
  const k1 = f1 * frameSize;
  const start = groupStart(format, k0);
  const length = bytesForSamples(format, k1) - start.byte;
  const bytes = length > 0 ? yield* requestBytes(filePath, layout.byteOffset + start.byte, length) : new Uint8Array(0);
  if (bytes.length < length) {
    // The size was checked; a shorter read means the file changed while being read.
    throw new FormatError(`truncated signal file: read ${bytes.length} of ${length} bytes at byte ${layout.byteOffset + start.byte}`, { file: filePath, offset: layout.byteOffset + start.byte + bytes.length });
  }
  // flat[i] is sample k0 + i of the file's frame-major sample stream.
  const flat = decodeSamples(bytes, format, k0 - start.sample, k1 - k0);
  if (difference) {
    specs.forEach((s, k) => {
      let acc = s.initialValue;
      for (let f = 0; f < f1; f++) {
        for (let j = 0, i = f * frameSize + offsets[k]!; j < s.samplesPerFrame; j++, i++) flat[i] = acc += flat[i]!;
      }
    });
  }
  const raw = specs.map((s, k) => (wanted[k] ? gatherSignal(flat, frameSize, offsets[k]!, s.samplesPerFrame, s.skew, f0, f1, from, to) : undefined));
  const sums = specs.map((s, k) => (checksums && whole ? checksum16(flat, frameSize, offsets[k]!, s.samplesPerFrame, frames) : undefined));
  return { raw, checksums: sums };
}

/**
 * One signal's samples for record frames `[from, to)` out of the decoded file frames
 * `[f0, f1)` (`flat` starts at frame f0); frames past f1 are invalid.
 */
function gatherSignal(flat: Int32Array, frameSize: number, offset: number, spf: number, skew: number, f0: number, f1: number, from: number, to: number): Int32Array {
  const out = new Int32Array((to - from) * spf);
  // Record frames whose skewed file frame lies in the decoded range.
  const last = Math.max(from, Math.min(to, f1 - skew));
  if (spf === 1) {
    for (let t = from, o = 0, i = (from + skew - f0) * frameSize + offset; t < last; t++, o++, i += frameSize) out[o] = flat[i]!;
  } else {
    for (let t = from, o = 0, i = (from + skew - f0) * frameSize + offset; t < last; t++, o += spf, i += frameSize) out.set(flat.subarray(i, i + spf), o);
  }
  out.fill(WFDB_DIGITAL_INVALID, (last - from) * spf);
  return out;
}

/** WFDB's 16-bit checksum of one signal over the first `frames` frames of `flat`. */
function checksum16(flat: Int32Array, frameSize: number, offset: number, spf: number, frames: number): number {
  let sum = 0;
  for (let f = 0, i = offset; f < frames; f++, i += frameSize) {
    for (let j = 0; j < spf; j++) sum = (sum + flat[i + j]!) | 0;
  }
  return sum & 0xffff;
}

/** Yields the size request of a signal file and returns its frame count. See {@link wfdbFileFrames}. */
export function* countWfdbFileFrames(filePath: string, layout: WfdbFileLayout, declared: number | undefined, allowTrailingBytes: boolean): WfdbIoSteps<number> {
  const size = yield* requestSize(filePath);
  return wfdbFileFrames(layout, size, declared, filePath, allowTrailingBytes);
}
