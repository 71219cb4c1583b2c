/**
 * Parser for WFDB header (`.hea`) files: the record line, then either one line per
 * signal (single-segment record) or one line per segment (multi-segment record,
 * `name/nseg`), and `#` comment lines.
 * @module
 */
import { FormatError } from '../errors';

/** One signal (lead) line of a WFDB header. */
export interface WfdbSignalSpec {
  /** Signal file name, relative to the header's folder. */
  fileName: string;
  /** Storage format code: 8, 16, 24, 32, 61, 80, 160, 212, 310, 311 (0 in a layout header). */
  format: number;
  /** Samples of this signal in each frame (the `xN` suffix); 1 when absent. */
  samplesPerFrame: number;
  /**
   * Skew in frames (the `:N` suffix); 0 when absent. Sample `t` of this signal is stored
   * in frame `t + skew` of its file, as WFDB's getframe reads it.
   */
  skew: number;
  /** Byte offset of the first sample in the signal file (the `+offset` suffix). */
  byteOffset: number;
  /** ADC units per physical unit; WFDB's default of 200 when the header gives 0 or nothing. */
  gain: number;
  /** ADC value that maps to 0 physical units; defaults to `adcZero`. */
  baseline: number;
  /** Physical units, e.g. "mV". */
  units: string;
  /** ADC resolution in bits (0 when unknown). */
  adcResolution: number;
  /** ADC zero. */
  adcZero: number;
  /** Value of the first sample; the starting point of first-difference format 8. */
  initialValue: number;
  /** 16-bit checksum of all samples, or `undefined` when the header gives none. */
  checksum: number | undefined;
  /** Block size (0 for ordinary files). */
  blockSize: number;
  /** Signal description, e.g. "II" or "ECG0". */
  description: string;
  /** 1-based line number of this signal line in the header. */
  line: number;
}

/** One segment line of a multi-segment header. */
export interface WfdbSegmentSpec {
  /** Segment record name; `~` for a null segment (a gap with no data). */
  name: string;
  /** Frames in the segment; 0 for the layout segment of a variable-layout record. */
  sampleCount: number;
  /** 1-based line number of this segment line in the header. */
  line: number;
}

/** A parsed WFDB header. */
export interface WfdbHeader {
  /** Record name, without the `/nseg` of a multi-segment record. */
  recordName: string;
  signalCount: number;
  /** Sampling frequency in Hz (WFDB default 250 when absent). */
  samplingFrequency: number;
  /** Samples per signal, or `undefined` when the header leaves it to the signal file size. */
  sampleCount: number | undefined;
  baseTime: string | undefined;
  baseDate: string | undefined;
  /** Signal lines; empty for a multi-segment record (its segments carry them). */
  signals: WfdbSignalSpec[];
  /** Segment lines of a multi-segment record, in order; `undefined` for a single-segment record. */
  segments: WfdbSegmentSpec[] | undefined;
  /** Text of the `#` comment lines, without the `#`. */
  comments: string[];
}

/** Default ADC gain (WFDB `DEFGAIN`) used when a header gives 0 or no gain. */
export const WFDB_DEFAULT_GAIN = 200;
/** Default sampling frequency (WFDB `DEFFREQ`) used when a header gives none. */
export const WFDB_DEFAULT_FREQUENCY = 250;

const FORMAT_FIELD = /^(\d+)(?:x(\d+))?(?::(-?\d+))?(?:\+(\d+))?$/;
const GAIN_FIELD = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(?:\(([+-]?\d+)\))?(?:\/(\S+))?$/;

function integerField(text: string, file: string, line: number, field: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw new FormatError(`expected an integer but found "${text}"`, { file, line, field });
  return Number(text);
}

function numberField(text: string, file: string, line: number, field: string): number {
  const v = Number(text);
  if (text === '' || !Number.isFinite(v)) throw new FormatError(`expected a number but found "${text}"`, { file, line, field });
  return v;
}

function parseSignalLine(tokens: string[], rest: string, file: string, line: number): WfdbSignalSpec {
  if (tokens.length < 2) throw new FormatError('signal line needs at least a file name and a format', { file, line, field: 'format' });
  const fileName = tokens[0]!;
  const fmt = FORMAT_FIELD.exec(tokens[1]!);
  if (!fmt) throw new FormatError(`unreadable format "${tokens[1]}"`, { file, line, field: 'format' });
  const format = Number(fmt[1]);
  const samplesPerFrame = fmt[2] !== undefined ? Number(fmt[2]) : 1;
  // A frame holding no sample of a signal would make the signal empty at any length.
  if (samplesPerFrame < 1) throw new FormatError(`samples per frame must be at least 1 but format "${tokens[1]}" gives ${samplesPerFrame}`, { file, line, field: 'samples per frame' });
  const skew = fmt[3] !== undefined ? Number(fmt[3]) : 0;
  if (skew < 0) throw new FormatError(`skew must not be negative but format "${tokens[1]}" gives ${skew}`, { file, line, field: 'skew' });
  const byteOffset = fmt[4] !== undefined ? Number(fmt[4]) : 0;

  let gain = WFDB_DEFAULT_GAIN;
  let baseline: number | undefined;
  let units = 'mV';
  if (tokens.length > 2) {
    const g = GAIN_FIELD.exec(tokens[2]!);
    if (!g) throw new FormatError(`unreadable gain "${tokens[2]}"`, { file, line, field: 'gain' });
    const parsedGain = Number(g[1]);
    if (!Number.isFinite(parsedGain) || parsedGain < 0) throw new FormatError(`unreadable gain "${tokens[2]}"`, { file, line, field: 'gain' });
    gain = parsedGain === 0 ? WFDB_DEFAULT_GAIN : parsedGain;
    if (g[2] !== undefined) baseline = Number(g[2]);
    if (g[3] !== undefined) units = g[3];
  }
  const adcResolution = tokens.length > 3 ? integerField(tokens[3]!, file, line, 'adc resolution') : 0;
  const adcZero = tokens.length > 4 ? integerField(tokens[4]!, file, line, 'adc zero') : 0;
  const initialValue = tokens.length > 5 ? integerField(tokens[5]!, file, line, 'initial value') : adcZero;
  const checksum = tokens.length > 6 ? integerField(tokens[6]!, file, line, 'checksum') : undefined;
  const blockSize = tokens.length > 7 ? integerField(tokens[7]!, file, line, 'block size') : 0;
  return {
    fileName, format, samplesPerFrame, skew, byteOffset, gain, baseline: baseline ?? adcZero, units, adcResolution, adcZero,
    initialValue, checksum, blockSize, description: rest, line,
  };
}

/** Parses a segment line, `name nsamp` (`~` names a null segment). */
function parseSegmentLine(content: string, file: string, line: number): WfdbSegmentSpec {
  const { tokens } = splitTokens(content, 2);
  if (tokens.length < 2) throw new FormatError('segment line needs a segment name and a sample count', { file, line, field: 'segment sample count' });
  const sampleCount = integerField(tokens[1]!, file, line, 'segment sample count');
  if (sampleCount < 0) throw new FormatError(`negative segment sample count ${sampleCount}`, { file, line, field: 'segment sample count' });
  const name = tokens[0]!;
  // Segment names become file names next to the header; a path would escape the folder.
  if (name.includes('/') || name.includes('\\') || name === '..' || name === '.') {
    throw new FormatError(`segment name "${name}" must be a plain record name`, { file, line, field: 'segment name' });
  }
  return { name, sampleCount, line };
}

/** Splits off the first `n` whitespace-separated tokens and returns them with the remainder. */
function splitTokens(text: string, n: number): { tokens: string[]; rest: string } {
  const tokens: string[] = [];
  let i = 0;
  while (tokens.length < n) {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
    if (i >= text.length) break;
    const start = i;
    while (i < text.length && text[i] !== ' ' && text[i] !== '\t') i++;
    tokens.push(text.slice(start, i));
  }
  return { tokens, rest: text.slice(i).trim() };
}

/**
 * Parses the text of a WFDB header file.
 * @param text - header text; LF or CRLF line endings
 * @param file - file name used in error messages (default "header")
 * @returns the record line, the signal (or segment) specifications and the comment lines
 * @throws {FormatError} naming the file, line and field for a malformed record, signal or
 *   segment line (e.g. `samples per frame` 0), or fewer signal or segment lines than declared
 * @example
 * const header = parseWfdbHeader(fs.readFileSync('100.hea', 'latin1'), '100.hea');
 * header.signals[0].gain; // 200
 */
export function parseWfdbHeader(text: string, file = 'header'): WfdbHeader {
  const lines = text.split(/\r?\n|\r/);
  const comments: string[] = [];
  const signals: WfdbSignalSpec[] = [];
  let segments: WfdbSegmentSpec[] | undefined;
  let segmentCount = 0;
  let header: Omit<WfdbHeader, 'signals' | 'segments' | 'comments'> | undefined;
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('#')) {
      comments.push(trimmed.slice(1));
      continue;
    }
    // A '#' after fields starts a trailing comment (WFDB allows it on any line).
    const hash = trimmed.indexOf('#');
    const content = hash >= 0 ? trimmed.slice(0, hash).trim() : trimmed;
    if (hash >= 0) comments.push(trimmed.slice(hash + 1));
    if (header === undefined) {
      const { tokens } = splitTokens(content, 6);
      let name = tokens[0]!;
      const slash = name.indexOf('/');
      if (slash >= 0) {
        segmentCount = integerField(name.slice(slash + 1), file, lineNo, 'segment count');
        if (segmentCount < 1) throw new FormatError(`a multi-segment record needs at least one segment, got ${segmentCount}`, { file, line: lineNo, field: 'segment count' });
        name = name.slice(0, slash);
        segments = [];
      }
      if (tokens.length < 2) throw new FormatError('record line needs a name and a signal count', { file, line: lineNo, field: 'signal count' });
      const signalCount = integerField(tokens[1]!, file, lineNo, 'signal count');
      if (signalCount < 0) throw new FormatError(`negative signal count ${signalCount}`, { file, line: lineNo, field: 'signal count' });
      let samplingFrequency = WFDB_DEFAULT_FREQUENCY;
      if (tokens.length > 2) {
        // fs may carry "/counter_freq(base_counter)"; only the frame rate matters here.
        samplingFrequency = numberField(tokens[2]!.split('/')[0]!, file, lineNo, 'sampling frequency');
        if (samplingFrequency <= 0) throw new FormatError(`sampling frequency must be positive, got ${samplingFrequency}`, { file, line: lineNo, field: 'sampling frequency' });
      }
      let sampleCount: number | undefined;
      if (tokens.length > 3) {
        sampleCount = integerField(tokens[3]!, file, lineNo, 'sample count');
        if (sampleCount < 0) throw new FormatError(`negative sample count ${sampleCount}`, { file, line: lineNo, field: 'sample count' });
        if (sampleCount === 0) sampleCount = undefined;
      }
      header = { recordName: name, signalCount, samplingFrequency, sampleCount, baseTime: tokens[4], baseDate: tokens[5] };
      continue;
    }
    if (segments !== undefined) {
      if (segments.length < segmentCount) segments.push(parseSegmentLine(content, file, lineNo));
    } else if (signals.length < header.signalCount) {
      const { tokens, rest } = splitTokens(content, 8);
      signals.push(parseSignalLine(tokens, rest, file, lineNo));
    }
    // Lines after the declared signals or segments (other than comments) are ignored, as WFDB does.
  }
  if (header === undefined) throw new FormatError('no record line found', { file, line: 1 });
  if (segments !== undefined) {
    if (segments.length < segmentCount) {
      throw new FormatError(`header declares ${segmentCount} segments but has ${segments.length} segment lines`, { file, line: lines.length, field: 'segment count' });
    }
  } else if (signals.length < header.signalCount) {
    throw new FormatError(`header declares ${header.signalCount} signals but has ${signals.length} signal lines`, { file, line: lines.length, field: 'signal count' });
  }
  return { ...header, signals, segments, comments };
}
