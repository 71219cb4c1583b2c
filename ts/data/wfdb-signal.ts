/**
 * Reader for whole WFDB records (header + signal files): single- or multi-segment,
 * multi-file, multi-frequency and skewed signals, a frame range (`from`/`to`) read
 * without decoding the rest, channel selection, header checksums, and physical (float32
 * or float64) or digital (int32) output.
 * @module
 */
import * as path from 'node:path';
import { z } from 'zod';
import { FormatError } from '../errors';
import { parseConfig } from './config';
import { parseWfdbHeader, type WfdbHeader, type WfdbSignalSpec } from './wfdb-header';
import { requestText, runWfdbAsync, runWfdbInMemory, runWfdbSync, type WfdbIoSteps } from './wfdb-io';
import { readWfdbFileFrames, wfdbFileFrames, wfdbFileLayouts } from './wfdb-frames';
import { readMultiSegmentRecord, type WfdbSegmentInfo } from './wfdb-multi-segment';
import {
  allocateWfdbOutput, outputSamplesPerFrame, type WfdbRate, type WfdbSampleArray,
} from './wfdb-output';
import {
  checkWfdbRange, openWfdbSegment, readWfdbSegmentInto, selectWfdbChannels, type ChecksumMismatch, type WfdbSignalTarget,
} from './wfdb-single-segment';

export { WFDB_FORMATS, WFDB_DIGITAL_INVALID } from './wfdb-samples';
export type { ChecksumMismatch } from './wfdb-single-segment';
export type { WfdbRate, WfdbSampleArray } from './wfdb-output';

/** Options of {@link readWfdbRecord}. */
export interface ReadWfdbOptions {
  /** Signals to return, by index or description (case-insensitive); default all. */
  channels?: (number | string)[] | undefined;
  /**
   * What to do when a header checksum does not match: 'strict' throws ChecksumError,
   * 'lenient' records it in `checksumMismatches`, 'off' skips the check. Default 'strict'.
   * Checksums cover whole signals, so they are verified only when the whole record (or
   * segment) is read.
   */
  checksum?: 'strict' | 'lenient' | 'off';
  /** Allow a signal file longer than the header says (extra bytes ignored). Default false. */
  allowTrailingBytes?: boolean;
  /** First frame to return (record time, at the frame rate); default 0. */
  from?: number;
  /** Frame after the last to return; default the record's length. */
  to?: number;
  /** Physical units (true, default) or digital ADC values as Int32Array (false). */
  physical?: boolean;
  /** Element type of physical output: 'float32' (default) or 'float64'. */
  dtype?: 'float32' | 'float64';
  /** Rate of signals with several samples per frame; see {@link WfdbRate}. Default 'native'. */
  rate?: WfdbRate;
}

type OptionOf<O, K extends string> = K extends keyof O ? O[K] : undefined;
type PhysicalArrayFor<O> =
  [OptionOf<O, 'dtype'>] extends [undefined | 'float32'] ? Float32Array
  : [OptionOf<O, 'dtype'>] extends ['float64' | undefined] ? Float64Array
  : Float32Array | Float64Array;

/**
 * The array type {@link readWfdbRecord} returns for options of type `O`: Int32Array for
 * `physical: false`, Float64Array for `dtype: 'float64'`, else Float32Array; a union when
 * the options' type leaves it open.
 */
export type WfdbSignalArrayFor<O> =
  [OptionOf<O, 'physical'>] extends [undefined | true] ? PhysicalArrayFor<O>
  : [OptionOf<O, 'physical'>] extends [false] ? Int32Array
  : WfdbSampleArray;

/** Options with every default filled in. */
export interface ResolvedReadWfdbOptions {
  channels: (number | string)[] | undefined;
  checksum: 'strict' | 'lenient' | 'off';
  allowTrailingBytes: boolean;
  from: number;
  to: number | undefined;
  physical: boolean;
  dtype: 'float32' | 'float64';
  rate: WfdbRate;
}

const DEFAULTS: ResolvedReadWfdbOptions = {
  channels: undefined,
  checksum: 'strict',
  allowTrailingBytes: false,
  from: 0,
  to: undefined,
  physical: true,
  dtype: 'float32',
  rate: 'native',
};

const OptionsSchema = z.object({
  channels: z.array(z.union([z.number().int().min(0), z.string().min(1)])).min(1).optional(),
  checksum: z.enum(['strict', 'lenient', 'off']).default(DEFAULTS.checksum),
  allowTrailingBytes: z.boolean().default(DEFAULTS.allowTrailingBytes),
  from: z.number().int().min(0).default(DEFAULTS.from),
  to: z.number().int().min(0).optional(),
  physical: z.boolean().default(DEFAULTS.physical),
  dtype: z.enum(['float32', 'float64']).default(DEFAULTS.dtype),
  rate: z.enum(['native', 'frame', 'highest']).default(DEFAULTS.rate),
}).strict();

function resolveOptions(options: ReadWfdbOptions | undefined): ResolvedReadWfdbOptions {
  // The defaults need no validation; this keeps per-record overhead low in bulk reads.
  if (options === undefined) return { ...DEFAULTS };
  return { channels: undefined, to: undefined, ...parseConfig('readWfdbRecord options', OptionsSchema, options) };
}

/** A decoded WFDB record. */
export interface WfdbRecord<S extends WfdbSampleArray = Float32Array> {
  /** Record name from the header. */
  name: string;
  /** The parsed header (for a multi-segment record, the segment list). */
  header: WfdbHeader;
  /** Frame rate in Hz; signal `i` is sampled at `samplingFrequency * samplesPerFrame[i]`. */
  samplingFrequency: number;
  /** Frames returned (`to - from`); signal `i` holds `sampleCount * samplesPerFrame[i]` samples. */
  sampleCount: number;
  /** First frame returned (the `from` option). */
  from: number;
  /** Description of each returned lead (e.g. "II"). */
  leads: string[];
  /** Units of each returned lead (e.g. "mV"). */
  units: string[];
  /** Samples per frame of each returned lead, after the `rate` option (all 1 for 'frame'). */
  samplesPerFrame: number[];
  /**
   * Signal line of each returned lead (gain, baseline, format): from the header, or for a
   * multi-segment record from the first segment read that holds the lead (else the layout).
   */
  signalSpecs: WfdbSignalSpec[];
  /**
   * Each returned lead: physical units `(sample - baseline) / gain` (invalid samples NaN),
   * or with `physical: false` ADC values (invalid samples {@link WFDB_DIGITAL_INVALID}).
   */
  signals: S[];
  /** Header `#` comment lines. */
  comments: string[];
  /** Checksums that did not match (only filled in 'lenient' mode). */
  checksumMismatches: ChecksumMismatch[];
  /** Segments of a multi-segment record with their frame ranges; undefined otherwise. */
  segments: WfdbSegmentInfo[] | undefined;
}

/** Reads a single-segment record: size the files, allocate the output, decode the range. */
function* readSingleSegmentRecord(header: WfdbHeader, dir: string, headerFile: string, opts: ResolvedReadWfdbOptions): WfdbIoSteps<WfdbRecord<WfdbSampleArray>> {
  const wanted = selectWfdbChannels(header.signals, opts.channels, headerFile);
  const seg = yield* openWfdbSegment(header, dir, headerFile, wanted, opts.checksum !== 'off', opts.allowTrailingBytes);
  const to = checkWfdbRange(opts, seg.frames, headerFile);
  const frames = to - opts.from;
  const specs = wanted.map((i) => header.signals[i]!);
  const highest = Math.max(1, ...specs.map((s) => s.samplesPerFrame));
  const samplesPerFrame = specs.map((s) => outputSamplesPerFrame(opts.rate, s.samplesPerFrame, highest));
  const targets: WfdbSignalTarget[] = wanted.map((signal, k) => ({ signal, outSpf: samplesPerFrame[k]!, out: allocateWfdbOutput(opts, frames * samplesPerFrame[k]!) }));
  const checksumMismatches = yield* readWfdbSegmentInto(seg, targets, opts.from, to, 0, opts.checksum);
  return {
    name: header.recordName,
    header,
    samplingFrequency: header.samplingFrequency,
    sampleCount: frames,
    from: opts.from,
    leads: specs.map((s) => s.description),
    units: specs.map((s) => s.units),
    samplesPerFrame,
    signalSpecs: specs,
    signals: targets.map((t) => t.out),
    comments: header.comments,
    checksumMismatches,
    segments: undefined,
  };
}

/** Reads a record from its parsed header (or from the header file when not given). */
function* readRecord(headerFile: string, dir: string, parsed: WfdbHeader | undefined, options: ReadWfdbOptions | undefined): WfdbIoSteps<WfdbRecord<WfdbSampleArray>> {
  const opts = resolveOptions(options);
  const header = parsed ?? parseWfdbHeader(yield* requestText(headerFile), headerFile);
  if (header.segments !== undefined) return yield* readMultiSegmentRecord(header, dir, headerFile, opts);
  return yield* readSingleSegmentRecord(header, dir, headerFile, opts);
}

/**
 * Decodes the interleaved samples of the signals stored in one signal file (at their own
 * rate, without skew correction).
 * @param bytes - the whole signal file
 * @param specs - the header lines of the signals in this file, in file order
 * @param sampleCount - frames, or undefined to infer them from the file size
 * @param file - file name for error messages
 * @param allowTrailingBytes - tolerate bytes past the last frame
 * @returns raw ADC values per signal and the frame count used
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
  const layouts = wfdbFileLayouts(specs.map((s) => ({ ...s, fileName: file, skew: 0 })), file);
  if (layouts.length !== 1) throw new FormatError('decodeWfdbSignals takes the signals of one file', { file });
  const layout = layouts[0]!;
  const frames = wfdbFileFrames(layout, bytes.length, sampleCount, file, allowTrailingBytes);
  const decoded = runWfdbInMemory(readWfdbFileFrames(file, layout, frames, 0, frames, specs.map(() => true), false), () => bytes);
  return { raw: decoded.raw.map((r) => r!), sampleCount: frames };
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

/**
 * Decodes a record from its parsed header and signal files already in memory.
 * @param header - parsed header (a multi-segment header reads its segment headers through `loadFile`)
 * @param loadFile - returns the bytes of a file named in the header
 * @param options - see {@link ReadWfdbOptions}
 * @param headerFile - header path for error messages
 * @throws {FormatError} {@link ChecksumError} {@link ArgumentRangeError}, see {@link readWfdbRecord}
 * @example
 * const rec = decodeWfdbRecord(parseWfdbHeader(text), (f) => files[f], {});
 */
export function decodeWfdbRecord<O extends ReadWfdbOptions = Record<never, never>>(
  header: WfdbHeader,
  loadFile: (fileName: string) => Uint8Array,
  options?: O,
  headerFile = 'header',
): WfdbRecord<WfdbSignalArrayFor<O>> {
  return runWfdbInMemory(readRecord(headerFile, '', header, options), loadFile) as WfdbRecord<WfdbSignalArrayFor<O>>;
}

function recordPaths(recordPath: string): { headerFile: string; dir: string } {
  const base = recordPath.endsWith('.hea') ? recordPath.slice(0, -4) : recordPath;
  return { headerFile: `${base}.hea`, dir: path.dirname(base) };
}

/**
 * Reads a WFDB record synchronously. See {@link readWfdbRecord}.
 * @param recordPath - path without extension (a trailing ".hea" is accepted)
 * @param options - see {@link ReadWfdbOptions}
 * @throws {IoError} {@link FormatError} {@link ChecksumError} {@link ArgumentRangeError}
 * @example
 * const rec = readWfdbRecordSync('ludb/data/1', { channels: ['ii'], from: 1000, to: 2000 });
 */
export function readWfdbRecordSync<O extends ReadWfdbOptions = Record<never, never>>(recordPath: string, options?: O): WfdbRecord<WfdbSignalArrayFor<O>> {
  const { headerFile, dir } = recordPaths(recordPath);
  return runWfdbSync(readRecord(headerFile, dir, undefined, options)) as WfdbRecord<WfdbSignalArrayFor<O>>;
}

/**
 * Reads a WFDB record: its `.hea` header and the signal files it names (for a
 * multi-segment record, the segment headers and files that overlap the range). A range
 * reads only the bytes of its frames, except for format 8 (first differences), which is
 * decoded from the start of the file.
 * @param recordPath - path without extension, e.g. "ptbxl/records100/00000/00001_lr"
 * @param options - `channels` (default all), `from` / `to` (frames, default the whole
 *   record), `physical` (default true; false gives Int32Array ADC values), `dtype`
 *   ('float32' default | 'float64'), `rate` ('native' default | 'frame' | 'highest'),
 *   `checksum` ('strict' default | 'lenient' | 'off'), `allowTrailingBytes` (default false)
 * @returns leads in physical units, `(sample - baseline) / gain`, or ADC values, plus header metadata
 * @throws {IoError} when a file cannot be read
 * @throws {FormatError} for a malformed header (file, line and field named), a truncated
 *   or over-long signal file, an unsupported format, a skew not shorter than the record,
 *   a missing segment or a segment whose length disagrees with the record's header
 * @throws {ChecksumError} when a checksum does not match in 'strict' mode
 * @throws {ArgumentRangeError} for a range outside the record
 * @throws {ConfigError} for unknown or mistyped options
 * @example
 * const rec = await readWfdbRecord('/data/afpdb/n01');
 * rec.signals[0][rec.sampleCount - 1]; // -10.285 (mV)
 * const digital = await readWfdbRecord('/data/afpdb/n01', { from: 1000, to: 2000, physical: false });
 * digital.signals[0]; // Int32Array of 1000 ADC values
 */
export async function readWfdbRecord<O extends ReadWfdbOptions = Record<never, never>>(recordPath: string, options?: O): Promise<WfdbRecord<WfdbSignalArrayFor<O>>> {
  const { headerFile, dir } = recordPaths(recordPath);
  return (await runWfdbAsync(readRecord(headerFile, dir, undefined, options))) as WfdbRecord<WfdbSignalArrayFor<O>>;
}
