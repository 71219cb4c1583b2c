/**
 * Reading a frame range of a single-segment WFDB record (one header with signal lines):
 * which files to open, how many frames they hold, and the decoding of the chosen
 * signals into output arrays. A multi-segment record calls this once per segment.
 * @module
 */
import * as path from 'node:path';
import { ArgumentRangeError, ChecksumError, FormatError } from '../errors';
import type { WfdbHeader, WfdbSignalSpec } from './wfdb-header';
import type { WfdbIoSteps } from './wfdb-io';
import { countWfdbFileFrames, readWfdbFileFrames, wfdbFileLayouts, type WfdbFileLayout } from './wfdb-frames';
import { writeWfdbSignal, type WfdbSampleArray } from './wfdb-output';

/** A checksum that did not match, reported in lenient mode. */
export interface ChecksumMismatch {
  signal: number;
  description: string;
  expected: number;
  actual: number;
  /** Header file of the segment (multi-segment records) or record. */
  file?: string;
}

/** Where one returned signal goes: its header index, the target array and its rate there. */
export interface WfdbSignalTarget {
  signal: number;
  out: WfdbSampleArray;
  /** Samples per frame in `out`. */
  outSpf: number;
}

/** A single-segment record's header with its files sized. */
export interface OpenedWfdbSegment {
  header: WfdbHeader;
  headerFile: string;
  dir: string;
  /** Frames in the record. */
  frames: number;
  layouts: WfdbFileLayout[];
}

/** A file next to the header; `dir` '' keeps the bare name (files held in memory). */
export function wfdbSiblingPath(dir: string, name: string): string {
  return dir === '' ? name : path.join(dir, name);
}

/**
 * Resolves requested channels (index or description, case-insensitive) to indices.
 * @throws {FormatError} for an index past the signals or an unknown name
 */
export function selectWfdbChannels(specs: readonly WfdbSignalSpec[], channels: readonly (number | string)[] | undefined, file: string): number[] {
  if (channels === undefined) return specs.map((_, i) => i);
  return channels.map((c) => {
    if (typeof c === 'number') {
      if (c >= specs.length) throw new FormatError(`channel ${c} requested but the record has ${specs.length} signals`, { file, field: 'channels' });
      return c;
    }
    const idx = specs.findIndex((s) => s.description.toLowerCase() === c.toLowerCase());
    if (idx < 0) throw new FormatError(`no signal named "${c}" (signals: ${specs.map((s) => s.description).join(', ')})`, { file, field: 'channels' });
    return idx;
  });
}

/**
 * Checks `[from, to)` against a record of `frames` frames and returns the resolved `to`.
 * @throws {ArgumentRangeError} naming the header, for a range outside the record
 */
export function checkWfdbRange(opts: { from: number; to: number | undefined }, frames: number, headerFile: string): number {
  const to = opts.to ?? frames;
  if (to > frames) throw new ArgumentRangeError(`Expected to <= ${frames} (the sample count of ${headerFile}, line 1) for options.to but received ${to}`);
  if (opts.from > to) throw new ArgumentRangeError(`Expected from <= to (${to}) for options.from but received ${opts.from} (${headerFile} has ${frames} frames)`);
  return to;
}

/**
 * Sizes the signal files holding `signals` (all files when `allFiles`) and returns the
 * record's frame count, checking files against each other and skews against the length.
 * @throws {FormatError} for truncated or over-long files, files that disagree, a skew
 *   not shorter than the record
 */
export function* openWfdbSegment(
  header: WfdbHeader,
  dir: string,
  headerFile: string,
  signals: readonly number[],
  allFiles: boolean,
  allowTrailingBytes: boolean,
): WfdbIoSteps<OpenedWfdbSegment> {
  const layouts = wfdbFileLayouts(header.signals, headerFile);
  let frames = header.sampleCount;
  for (const layout of layouts) {
    if (!allFiles && !layout.signals.some((s) => signals.includes(s))) continue;
    const file = wfdbSiblingPath(dir, layout.fileName);
    const n = yield* countWfdbFileFrames(file, layout, header.sampleCount, allowTrailingBytes);
    if (frames === undefined) frames = n;
    else if (n !== frames) throw new FormatError(`signal files disagree on length: ${n} vs ${frames} frames`, { file });
  }
  frames ??= 0;
  for (const spec of header.signals) {
    if (spec.skew > 0 && spec.skew >= frames) {
      throw new FormatError(`skew of ${spec.skew} frames is not shorter than the record (${frames} frames)`, { file: headerFile, line: spec.line, field: 'skew' });
    }
  }
  return { header, headerFile, dir, frames, layouts };
}

/**
 * Decodes frames `[from, to)` of the target signals into their arrays, starting at frame
 * `outFrame` of the output. Checksums are verified only when the whole record is read.
 * @returns checksum mismatches (lenient mode)
 * @throws {ChecksumError} in strict mode
 */
export function* readWfdbSegmentInto(
  seg: OpenedWfdbSegment,
  targets: readonly WfdbSignalTarget[],
  from: number,
  to: number,
  outFrame: number,
  checksum: 'strict' | 'lenient' | 'off',
): WfdbIoSteps<ChecksumMismatch[]> {
  const verify = checksum !== 'off' && from === 0 && to === seg.frames;
  const mismatches: ChecksumMismatch[] = [];
  for (const layout of seg.layouts) {
    const wanted = layout.signals.map((s) => targets.some((t) => t.signal === s));
    if (!wanted.some(Boolean) && !verify) continue;
    const decoded = yield* readWfdbFileFrames(wfdbSiblingPath(seg.dir, layout.fileName), layout, seg.frames, from, to, wanted, verify);
    layout.signals.forEach((signal, k) => {
      const raw = decoded.raw[k];
      if (raw !== undefined) {
        for (const t of targets) if (t.signal === signal) writeWfdbSignal(raw, layout.specs[k]!, t.outSpf, t.out, outFrame * t.outSpf);
      }
      const spec = layout.specs[k]!;
      const actual = decoded.checksums[k];
      if (actual === undefined || spec.checksum === undefined) return;
      // LUDB/afpdb write the checksum signed, PTB-XL unsigned; compare modulo 2^16.
      const expected = spec.checksum & 0xffff;
      if (actual === expected) return;
      if (checksum === 'strict') {
        throw new ChecksumError(`checksum mismatch for signal ${signal} (${spec.description}): header ${spec.checksum}, data ${actual} (mod 65536)`, { file: seg.headerFile, line: spec.line, field: 'checksum' });
      }
      mismatches.push({ signal, description: spec.description, expected, actual, file: seg.headerFile });
    });
  }
  return mismatches;
}
