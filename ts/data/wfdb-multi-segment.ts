/**
 * Multi-segment WFDB records (record line `name/nseg`): the segment list with each
 * segment's frame range, and reading a range of the record as one, stitching the
 * segments it overlaps. Fixed layout: every segment has the record's signals, in order.
 * Variable layout: a first segment of length 0 (the layout header) lists the signals,
 * and each segment's signals are matched to them by description. Null segments (`~`)
 * and signals a segment lacks read as invalid (NaN).
 * @module
 */
import { ArgumentRangeError, FormatError, IoError } from '../errors';
import { parseWfdbHeader, type WfdbHeader, type WfdbSignalSpec } from './wfdb-header';
import { requestText, runWfdbAsync, runWfdbSync, type WfdbIoSteps } from './wfdb-io';
import { allocateWfdbOutput, fillWfdbNoData, outputSamplesPerFrame } from './wfdb-output';
import {
  checkWfdbRange, openWfdbSegment, readWfdbSegmentInto, selectWfdbChannels, wfdbSiblingPath, type ChecksumMismatch, type WfdbSignalTarget,
} from './wfdb-single-segment';
import type { ResolvedReadWfdbOptions, WfdbRecord } from './wfdb-signal';
import type { WfdbSampleArray } from './wfdb-output';

/** One segment of a multi-segment record. */
export interface WfdbSegmentInfo {
  /** Segment record name (its header is `<name>.hea` next to the record's); `~` for a null segment. */
  name: string;
  /** 'signals': a segment record; 'null': a gap without data; 'layout': the variable-layout header. */
  kind: 'signals' | 'null' | 'layout';
  /** First frame of the segment in the record. */
  start: number;
  /** Frame after the segment's last. */
  end: number;
  /** Frames in the segment (`end - start`). */
  sampleCount: number;
  /** Line of the segment in the record's header. */
  line: number;
}

/** The segments of a record, from its header alone. */
export interface WfdbSegmentListing {
  recordName: string;
  /** Frame rate in Hz. */
  samplingFrequency: number;
  /** Frames in the record; for a single-segment record without a length, undefined. */
  sampleCount: number | undefined;
  /** 'single' (no segments), 'fixed' or 'variable' (the first segment is a layout). */
  layout: 'single' | 'fixed' | 'variable';
  /** Segments in order, with their frame ranges; empty for a single-segment record. */
  segments: WfdbSegmentInfo[];
}

/**
 * Lists the segments of a parsed header with their frame ranges.
 * @param headerFile - header path, named in errors
 * @throws {FormatError} when the segment lengths do not add up to the record's length
 * @example
 * wfdbSegmentListing(parseWfdbHeader(text, 'rec.hea'), 'rec.hea').segments[1].start;
 */
export function wfdbSegmentListing(header: WfdbHeader, headerFile: string): WfdbSegmentListing {
  const base = { recordName: header.recordName, samplingFrequency: header.samplingFrequency };
  if (header.segments === undefined) return { ...base, sampleCount: header.sampleCount, layout: 'single', segments: [] };
  const variable = header.segments[0]!.sampleCount === 0 && header.segments[0]!.name !== '~';
  let start = 0;
  const segments = header.segments.map((s, k): WfdbSegmentInfo => {
    const kind = k === 0 && variable ? 'layout' : s.name === '~' ? 'null' : 'signals';
    const info = { name: s.name, kind, start, end: start + s.sampleCount, sampleCount: s.sampleCount, line: s.line } as const;
    start += s.sampleCount;
    return info;
  });
  if (header.sampleCount !== undefined && header.sampleCount !== start) {
    throw new FormatError(`the record declares ${header.sampleCount} frames but its segments add up to ${start}`, { file: headerFile, line: 1, field: 'sample count' });
  }
  return { ...base, sampleCount: start, layout: variable ? 'variable' : 'fixed', segments };
}

/** Reads and parses a segment's header; a missing one names the record header's line. */
function* readSegmentHeader(dir: string, segment: WfdbSegmentInfo, headerFile: string): WfdbIoSteps<{ header: WfdbHeader; file: string }> {
  const file = wfdbSiblingPath(dir, `${segment.name}.hea`);
  let text: string;
  try {
    text = yield* requestText(file);
  } catch (err) {
    if (!(err instanceof IoError)) throw err;
    throw new FormatError(`segment "${segment.name}" has no readable header ${file}: ${err.message}`, { file: headerFile, line: segment.line, field: 'segment name' });
  }
  const header = parseWfdbHeader(text, file);
  if (header.segments !== undefined) throw new FormatError('a segment must be a single-segment record', { file, line: 1, field: 'record name' });
  if (segment.kind !== 'layout' && header.sampleCount !== undefined && header.sampleCount !== segment.sampleCount) {
    throw new FormatError(`segment has ${header.sampleCount} frames but ${headerFile} line ${segment.line} says ${segment.sampleCount}`, { file, line: 1, field: 'sample count' });
  }
  return { header, file };
}

/**
 * Reads frames `[from, to)` of a multi-segment record, touching only the segments that
 * overlap the range.
 * @throws {FormatError} for a missing segment, a segment whose length, frequency, signal
 *   count or samples per frame disagree with the record
 * @throws {ArgumentRangeError} for a range outside the record, or digital output of a
 *   lead whose gain or baseline changes between segments
 */
export function* readMultiSegmentRecord(header: WfdbHeader, dir: string, headerFile: string, opts: ResolvedReadWfdbOptions): WfdbIoSteps<WfdbRecord<WfdbSampleArray>> {
  const listing = wfdbSegmentListing(header, headerFile);
  const frames = listing.sampleCount!;
  // The record's signals: the layout header's, or (fixed layout) the first segment's.
  const reference = listing.segments.find((s) => s.kind === 'layout') ?? listing.segments.find((s) => s.kind === 'signals');
  const refSpecs: WfdbSignalSpec[] = reference === undefined ? [] : (yield* readSegmentHeader(dir, reference, headerFile)).header.signals;
  const wanted = selectWfdbChannels(refSpecs, opts.channels, headerFile);
  const to = checkWfdbRange(opts, frames, headerFile);
  const count = to - opts.from;
  const ref = wanted.map((i) => refSpecs[i]!);
  const highest = Math.max(1, ...ref.map((s) => s.samplesPerFrame));
  const samplesPerFrame = ref.map((s) => outputSamplesPerFrame(opts.rate, s.samplesPerFrame, highest));
  const outputs = samplesPerFrame.map((spf) => allocateWfdbOutput(opts, count * spf));
  const seen: (WfdbSignalSpec | undefined)[] = ref.map(() => undefined);
  const checksumMismatches: ChecksumMismatch[] = [];

  for (const segment of listing.segments) {
    const s = Math.max(opts.from, segment.start);
    const e = Math.min(to, segment.end);
    if (segment.kind === 'layout' || s >= e) continue;
    const noData = (k: number): void => fillWfdbNoData(outputs[k]!, (s - opts.from) * samplesPerFrame[k]!, (e - opts.from) * samplesPerFrame[k]!);
    if (segment.kind === 'null') { ref.forEach((_, k) => noData(k)); continue; }
    const { header: segHeader, file: segFile } = yield* readSegmentHeader(dir, segment, headerFile);
    if (segHeader.samplingFrequency !== header.samplingFrequency) {
      throw new FormatError(`segment sampled at ${segHeader.samplingFrequency} Hz, the record at ${header.samplingFrequency} Hz`, { file: segFile, line: 1, field: 'sampling frequency' });
    }
    if (listing.layout === 'fixed' && segHeader.signalCount !== refSpecs.length) {
      throw new FormatError(`segment has ${segHeader.signalCount} signals but the fixed-layout record ${refSpecs.length}`, { file: segFile, line: 1, field: 'signal count' });
    }
    const targets: WfdbSignalTarget[] = [];
    ref.forEach((r, k) => {
      const local = listing.layout === 'fixed' ? wanted[k]! : segHeader.signals.findIndex((x) => x.description === r.description);
      if (local < 0) { noData(k); return; }
      const spec = segHeader.signals[local]!;
      if (opts.rate === 'native' && spec.samplesPerFrame !== r.samplesPerFrame) {
        throw new FormatError(`signal "${spec.description}" has ${spec.samplesPerFrame} samples per frame here but ${r.samplesPerFrame} in the record; read with rate 'frame' or 'highest'`, { file: segFile, line: spec.line, field: 'samples per frame' });
      }
      const first = seen[k];
      if (!opts.physical && first !== undefined && (first.gain !== spec.gain || first.baseline !== spec.baseline)) {
        throw new ArgumentRangeError(`Expected one gain and baseline per lead for physical: false, but "${spec.description}" has gain ${first.gain}(${first.baseline}) and ${spec.gain}(${spec.baseline}) (${segFile} line ${spec.line}); read physical values`);
      }
      seen[k] ??= spec;
      targets.push({ signal: local, out: outputs[k]!, outSpf: samplesPerFrame[k]! });
    });
    const whole = s === segment.start && e === segment.end;
    const opened = yield* openWfdbSegment(segHeader, dir, segFile, targets.map((t) => t.signal), whole && opts.checksum !== 'off', opts.allowTrailingBytes);
    if (opened.frames !== segment.sampleCount) {
      throw new FormatError(`segment signal files hold ${opened.frames} frames but ${headerFile} line ${segment.line} says ${segment.sampleCount}`, { file: segFile, line: 1, field: 'sample count' });
    }
    checksumMismatches.push(...(yield* readWfdbSegmentInto(opened, targets, s - segment.start, e - segment.start, s - opts.from, opts.checksum)));
  }
  return {
    name: header.recordName,
    header,
    samplingFrequency: header.samplingFrequency,
    sampleCount: count,
    from: opts.from,
    leads: ref.map((r) => r.description),
    units: ref.map((r, k) => seen[k]?.units ?? r.units),
    samplesPerFrame,
    signalSpecs: ref.map((r, k) => seen[k] ?? r),
    signals: outputs,
    comments: header.comments,
    checksumMismatches,
    segments: listing.segments,
  };
}

function headerPath(recordPath: string): string {
  return recordPath.endsWith('.hea') ? recordPath : `${recordPath}.hea`;
}

function* listSegments(headerFile: string): WfdbIoSteps<WfdbSegmentListing> {
  return wfdbSegmentListing(parseWfdbHeader(yield* requestText(headerFile), headerFile), headerFile);
}

/**
 * Lists a record's segments and their frame ranges from its header alone (no segment
 * header or signal file is read).
 * @param recordPath - path without extension (a trailing ".hea" is accepted)
 * @throws {IoError} when the header cannot be read
 * @throws {FormatError} for a malformed header or segment lengths that do not add up
 * @example
 * const { segments } = await listWfdbSegments('mimic3wdb/30/3000003/3000003');
 * segments.filter((s) => s.kind === 'signals').map((s) => [s.start, s.end]);
 */
export function listWfdbSegments(recordPath: string): Promise<WfdbSegmentListing> {
  return runWfdbAsync(listSegments(headerPath(recordPath)));
}

/**
 * Synchronous {@link listWfdbSegments}.
 * @throws {IoError} {@link FormatError}
 * @example
 * listWfdbSegmentsSync('rec').layout; // 'variable'
 */
export function listWfdbSegmentsSync(recordPath: string): WfdbSegmentListing {
  return runWfdbSync(listSegments(headerPath(recordPath)));
}
