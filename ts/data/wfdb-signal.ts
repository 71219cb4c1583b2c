/**
 * Reader for WFDB signal files (`.dat`) and whole WFDB records (header + signals).
 * Decodes formats 8, 16, 24, 32, 61, 80, 160 and 212, single- or multi-file, checks the
 * header checksums, and returns each lead as a Float32Array in physical units.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ChecksumError, FormatError, IoError } from '../errors';
import { parseConfig } from './config';
import { parseWfdbHeader, type WfdbHeader, type WfdbSignalSpec } from './wfdb-header';

/** Signal formats this reader decodes. */
export const WFDB_FORMATS = [8, 16, 24, 32, 61, 80, 160, 212, 310, 311] as const;

/**
 * Sample value WFDB writes for "no data" in each format; decoded as NaN. Format 8 has none:
 * it stores first differences, and a running value of -128 is an ordinary sample.
 */
const INVALID_SAMPLE: Readonly<Record<number, number>> = {
  16: -32768, 24: -8388608, 32: -2147483648, 61: -32768, 80: -128, 160: -32768, 212: -2048, 310: -512, 311: -512,
};

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bits each sample takes in the file. */
const BITS_PER_SAMPLE: Readonly<Record<number, number>> = {
  8: 8, 16: 16, 24: 24, 32: 32, 61: 16, 80: 8, 160: 16, 212: 12, 310: 32 / 3, 311: 32 / 3,
};

/** Bytes used by `total` samples, including a final partial group of the packed formats. */
function packedBytes(format: number, total: number): number {
  if (format === 212) return Math.ceil((total * 3) / 2);
  if (format === 310 || format === 311) {
    const rem = total % 3;
    // 310 stores samples 1 and 2 of a group in separate 16-bit words; 311 packs bits.
    return Math.floor(total / 3) * 4 + (rem === 0 ? 0 : format === 310 ? 2 * rem : rem === 1 ? 2 : 3);
  }
  return (total * BITS_PER_SAMPLE[format]!) / 8;
}

/** Options of {@link readWfdbRecord}. */
export interface ReadWfdbOptions {
  /** Signals to return, by index or description (case-insensitive); default all. */
  channels?: (number | string)[] | undefined;
  /**
   * What to do when a header checksum does not match: 'strict' throws ChecksumError,
   * 'lenient' records it in `checksumMismatches`, 'off' skips the check. Default 'strict'.
   */
  checksum?: 'strict' | 'lenient' | 'off';
  /** Allow a signal file longer than the header says (extra bytes ignored). Default false. */
  allowTrailingBytes?: boolean;
}

const DEFAULTS: Required<Omit<ReadWfdbOptions, 'channels'>> & { channels: undefined } = {
  channels: undefined,
  checksum: 'strict',
  allowTrailingBytes: false,
};

const OptionsSchema = z.object({
  channels: z.array(z.union([z.number().int().min(0), z.string().min(1)])).min(1).optional(),
  checksum: z.enum(['strict', 'lenient', 'off']).default(DEFAULTS.checksum),
  allowTrailingBytes: z.boolean().default(DEFAULTS.allowTrailingBytes),
}).strict();

/** A checksum that did not match, reported in lenient mode. */
export interface ChecksumMismatch {
  signal: number;
  description: string;
  expected: number;
  actual: number;
}

/** A decoded WFDB record. */
export interface WfdbRecord {
  /** Record name from the header. */
  name: string;
  /** The parsed header. */
  header: WfdbHeader;
  samplingFrequency: number;
  /** Samples per lead. */
  sampleCount: number;
  /** Description of each returned lead (e.g. "II"). */
  leads: string[];
  /** Units of each returned lead (e.g. "mV"). */
  units: string[];
  /** Each returned lead in physical units, (sample - baseline) / gain; invalid samples are NaN. */
  signals: Float32Array[];
  /** Header `#` comment lines. */
  comments: string[];
  /** Checksums that did not match (only filled in 'lenient' mode). */
  checksumMismatches: ChecksumMismatch[];
}

/**
 * Decodes the interleaved samples of the `specs.length` signals stored in one signal file.
 * @param bytes - the whole signal file
 * @param specs - the header lines of the signals in this file, in file order
 * @param sampleCount - samples per signal, or undefined to infer it from the file size
 * @param file - file name for error messages
 * @param allowTrailingBytes - tolerate bytes past the last frame
 * @returns raw ADC values per signal and the sample count used
 * @throws {FormatError} for an unknown or mixed format, a truncated file, or a length mismatch
 * @example
 * const { raw } = decodeWfdbSignals(fs.readFileSync('1.dat'), header.signals, 5000, '1.dat', false);
 */
export function decodeWfdbSignals(
  bytes: Uint8Array,
  specs: readonly WfdbSignalSpec[],
  sampleCount: number | undefined,
  file: string,
  allowTrailingBytes: boolean,
): { raw: Int32Array[]; sampleCount: number } {
  const first = specs[0]!;
  const format = first.format;
  for (const s of specs) {
    if (s.format !== format) throw new FormatError(`signals in one file use formats ${format} and ${s.format}; one format per file is required`, { file, line: s.line, field: 'format' });
    if (s.byteOffset !== first.byteOffset) throw new FormatError('signals in one file have different byte offsets', { file, line: s.line, field: 'format' });
  }
  const bits = BITS_PER_SAMPLE[format];
  if (bits === undefined) {
    throw new FormatError(`signal format ${format} is not supported (supported: ${WFDB_FORMATS.join(', ')})`, { file, line: first.line, field: 'format' });
  }
  const nsig = specs.length;
  const start = first.byteOffset;
  const available = Math.max(0, bytes.length - start);
  const n = sampleCount ?? Math.floor((available * 8) / bits / nsig);
  const needed = packedBytes(format, n * nsig);
  if (available < needed) {
    throw new FormatError(`truncated signal file: ${available} data bytes, the header needs ${needed} (${n} samples x ${nsig} signals, format ${format})`, { file, offset: bytes.length });
  }
  // Packed formats may pad the last group to whole bytes or words.
  const slack = format === 212 ? 2 : format === 310 || format === 311 ? 4 : 0;
  if (!allowTrailingBytes && sampleCount !== undefined && available > needed + slack) {
    throw new FormatError(`signal file has ${available} data bytes but the header needs ${needed} (${n} samples x ${nsig} signals); header and data disagree`, { file, offset: start + needed });
  }
  const raw: Int32Array[] = specs.map(() => new Int32Array(n));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Each loop walks one signal with a fixed frame stride, so V8 keeps it monomorphic.
  switch (format) {
    case 16: {
      if (LITTLE_ENDIAN_HOST) {
        // Aligned Int16Array view (copying once when the file's buffer is misaligned).
        const count = n * nsig;
        const aligned = (bytes.byteOffset + start) % 2 === 0
          ? new Int16Array(bytes.buffer, bytes.byteOffset + start, count)
          : new Int16Array(Uint8Array.prototype.slice.call(bytes, start, start + 2 * count).buffer);
        for (let s = 0; s < nsig; s++) {
          const out = raw[s]!;
          for (let i = 0, k = s; i < n; i++, k += nsig) out[i] = aligned[k]!;
        }
      } else {
        for (let s = 0; s < nsig; s++) {
          const out = raw[s]!;
          for (let i = 0, p = start + 2 * s; i < n; i++, p += 2 * nsig) out[i] = view.getInt16(p, true);
        }
      }
      break;
    }
    case 61:
      for (let s = 0; s < nsig; s++) {
        const out = raw[s]!;
        for (let i = 0, p = start + 2 * s; i < n; i++, p += 2 * nsig) out[i] = view.getInt16(p, false);
      }
      break;
    case 160:
      for (let s = 0; s < nsig; s++) {
        const out = raw[s]!;
        for (let i = 0, p = start + 2 * s; i < n; i++, p += 2 * nsig) out[i] = view.getUint16(p, true) - 32768;
      }
      break;
    case 24:
      for (let s = 0; s < nsig; s++) {
        const out = raw[s]!;
        for (let i = 0, p = start + 3 * s; i < n; i++, p += 3 * nsig) out[i] = ((bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16)) << 8) >> 8;
      }
      break;
    case 32:
      for (let s = 0; s < nsig; s++) {
        const out = raw[s]!;
        for (let i = 0, p = start + 4 * s; i < n; i++, p += 4 * nsig) out[i] = view.getInt32(p, true);
      }
      break;
    case 80:
      for (let s = 0; s < nsig; s++) {
        const out = raw[s]!;
        for (let i = 0, p = start + s; i < n; i++, p += nsig) out[i] = bytes[p]! - 128;
      }
      break;
    case 8:
      // First differences: each byte is the change from the previous sample of that signal.
      for (let s = 0; s < nsig; s++) {
        const out = raw[s]!;
        let acc = specs[s]!.initialValue;
        for (let i = 0, p = start + s; i < n; i++, p += nsig) out[i] = acc += view.getInt8(p);
      }
      break;
    case 310:
    case 311: {
      // Three 10-bit samples per 32-bit little-endian word. 311: bits 0-9, 10-19, 20-29.
      // 310: bits 1-10 of each 16-bit half hold samples 0 and 1; sample 2 is split over
      // bits 11-15 of both halves (low five bits first).
      const total = n * nsig;
      const end = bytes.length;
      const byte = (q: number): number => (q < end ? bytes[q]! : 0);
      for (let k = 0, p = start; k < total; k += 3, p += 4) {
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
        const vals = [v0, v1, v2];
        for (let j = 0; j < 3 && k + j < total; j++) raw[(k + j) % nsig]![Math.floor((k + j) / nsig)] = (vals[j]! << 22) >> 22;
      }
      break;
    }
    case 212: {
      // Two 12-bit samples in three bytes, counted over the flat frame-major sample order.
      const total = n * nsig;
      for (let k = 0, p = start; k < total; k += 2, p += 3) {
        const b0 = bytes[p]!, b1 = bytes[p + 1]!;
        raw[k % nsig]![Math.floor(k / nsig)] = ((b0 | ((b1 & 0x0f) << 8)) << 20) >> 20;
        if (k + 1 < total) {
          const b2 = bytes[p + 2]!;
          raw[(k + 1) % nsig]![Math.floor((k + 1) / nsig)] = ((b2 | ((b1 & 0xf0) << 4)) << 20) >> 20;
        }
      }
      break;
    }
  }
  return { raw, sampleCount: n };
}

/**
 * The 16-bit checksum WFDB stores: the sum of all samples, modulo 2^16 (unsigned).
 * @param raw - ADC values of one signal
 * @example
 * wfdbChecksum(Int32Array.of(-1, 2)); // 1
 */
export function wfdbChecksum(raw: Int32Array): number {
  let sum = 0;
  for (let i = 0; i < raw.length; i++) sum = (sum + raw[i]!) | 0;
  return sum & 0xffff;
}

/** Converts raw ADC values to physical units; WFDB's invalid-sample marker becomes NaN. */
function toPhysical(raw: Int32Array, spec: WfdbSignalSpec): Float32Array {
  const out = new Float32Array(raw.length);
  const invalid = INVALID_SAMPLE[spec.format] ?? Number.NaN; // NaN matches no sample
  const { baseline, gain } = spec;
  // Division (not multiplication by 1/gain) so values equal (sample - baseline) / gain exactly.
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i]!;
    out[i] = v === invalid ? NaN : (v - baseline) / gain;
  }
  return out;
}

function selectChannels(header: WfdbHeader, channels: (number | string)[] | undefined, file: string): number[] {
  if (channels === undefined) return header.signals.map((_, i) => i);
  return channels.map((c) => {
    if (typeof c === 'number') {
      if (c >= header.signalCount) throw new FormatError(`channel ${c} requested but the record has ${header.signalCount} signals`, { file });
      return c;
    }
    const idx = header.signals.findIndex((s) => s.description.toLowerCase() === c.toLowerCase());
    if (idx < 0) throw new FormatError(`no signal named "${c}" (signals: ${header.signals.map((s) => s.description).join(', ')})`, { file });
    return idx;
  });
}

/**
 * Decodes a record from its already-loaded header text and signal files.
 * @param header - parsed header
 * @param loadFile - returns the bytes of a signal file named in the header
 * @param options - see {@link ReadWfdbOptions}
 * @param headerFile - header path for error messages
 * @throws {FormatError} {@link ChecksumError}, see {@link readWfdbRecord}
 * @example
 * const rec = decodeWfdbRecord(parseWfdbHeader(text), (f) => files[f], {});
 */
export function decodeWfdbRecord(
  header: WfdbHeader,
  loadFile: (fileName: string) => Uint8Array,
  options: ReadWfdbOptions | undefined,
  headerFile = 'header',
): WfdbRecord {
  // The defaults need no validation; this keeps per-record overhead low in bulk reads.
  const opts = options === undefined ? { ...DEFAULTS } : parseConfig('readWfdbRecord options', OptionsSchema, options);
  const wanted = selectChannels(header, opts.channels, headerFile);
  const byFile = new Map<string, number[]>();
  header.signals.forEach((s, i) => {
    const list = byFile.get(s.fileName) ?? [];
    list.push(i);
    byFile.set(s.fileName, list);
  });
  const raw: Int32Array[] = new Array(header.signalCount);
  let sampleCount = header.sampleCount;
  for (const [fileName, indices] of byFile) {
    if (!indices.some((i) => wanted.includes(i)) && opts.checksum === 'off') continue;
    const decoded = decodeWfdbSignals(loadFile(fileName), indices.map((i) => header.signals[i]!), header.sampleCount, fileName, opts.allowTrailingBytes);
    if (sampleCount === undefined) sampleCount = decoded.sampleCount;
    else if (decoded.sampleCount !== sampleCount) throw new FormatError(`signal files disagree on length: ${decoded.sampleCount} vs ${sampleCount} samples`, { file: fileName });
    indices.forEach((sig, k) => (raw[sig] = decoded.raw[k]!));
  }
  const checksumMismatches: ChecksumMismatch[] = [];
  if (opts.checksum !== 'off') {
    header.signals.forEach((spec, i) => {
      if (spec.checksum === undefined || raw[i] === undefined) return;
      const actual = wfdbChecksum(raw[i]!);
      // LUDB/afpdb write the checksum signed, PTB-XL unsigned; compare modulo 2^16.
      const expected = spec.checksum & 0xffff;
      if (actual === expected) return;
      if (opts.checksum === 'strict') {
        throw new ChecksumError(`checksum mismatch for signal ${i} (${spec.description}): header ${spec.checksum}, data ${actual} (mod 65536)`, { file: headerFile, line: spec.line, field: 'checksum' });
      }
      checksumMismatches.push({ signal: i, description: spec.description, expected, actual });
    });
  }
  return {
    name: header.recordName,
    header,
    samplingFrequency: header.samplingFrequency,
    sampleCount: sampleCount ?? 0,
    leads: wanted.map((i) => header.signals[i]!.description),
    units: wanted.map((i) => header.signals[i]!.units),
    signals: wanted.map((i) => toPhysical(raw[i]!, header.signals[i]!)),
    comments: header.comments,
    checksumMismatches,
  };
}

function readOrThrow(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new IoError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function stripExtension(recordPath: string): string {
  return recordPath.endsWith('.hea') ? recordPath.slice(0, -4) : recordPath;
}

/**
 * Reads a WFDB record synchronously. See {@link readWfdbRecord}.
 * @param recordPath - path without extension (a trailing ".hea" is accepted)
 * @param options - see {@link ReadWfdbOptions}
 * @throws {IoError} {@link FormatError} {@link ChecksumError}
 * @example
 * const rec = readWfdbRecordSync('ludb/data/1', { channels: ['ii'] });
 */
export function readWfdbRecordSync(recordPath: string, options?: ReadWfdbOptions): WfdbRecord {
  const base = stripExtension(recordPath);
  const headerFile = `${base}.hea`;
  const header = parseWfdbHeader(readOrThrow(headerFile).toString('latin1'), headerFile);
  const dir = path.dirname(base);
  return decodeWfdbRecord(header, (f) => readOrThrow(path.join(dir, f)), options, headerFile);
}

/**
 * Reads a WFDB record: its `.hea` header and every signal file it names.
 * @param recordPath - path without extension, e.g. "ptbxl/records100/00000/00001_lr"
 * @param options - `channels` (default all), `checksum` ('strict' default | 'lenient' | 'off'),
 *   `allowTrailingBytes` (default false)
 * @returns leads in physical units, `(sample - baseline) / gain`, plus header metadata
 * @throws {IoError} when a file cannot be read
 * @throws {FormatError} for a malformed header (file, line and field named), a truncated
 *   or over-long signal file, an unsupported format or a multi-segment record
 * @throws {ChecksumError} when a checksum does not match in 'strict' mode
 * @example
 * const rec = await readWfdbRecord('/data/afpdb/n01');
 * rec.signals[0][rec.sampleCount - 1]; // -10.285 (mV)
 */
export async function readWfdbRecord(recordPath: string, options?: ReadWfdbOptions): Promise<WfdbRecord> {
  const base = stripExtension(recordPath);
  const headerFile = `${base}.hea`;
  const read = async (f: string): Promise<Buffer> => {
    try {
      return await fs.promises.readFile(f);
    } catch (err) {
      throw new IoError(`cannot read ${f}: ${(err as Error).message}`, { cause: err });
    }
  };
  const header = parseWfdbHeader((await read(headerFile)).toString('latin1'), headerFile);
  const dir = path.dirname(base);
  const files = new Map<string, Buffer>();
  for (const s of header.signals) if (!files.has(s.fileName)) files.set(s.fileName, await read(path.join(dir, s.fileName)));
  return decodeWfdbRecord(header, (f) => files.get(f)!, options, headerFile);
}
