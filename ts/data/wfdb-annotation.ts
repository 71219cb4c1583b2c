/**
 * Reader for WFDB annotation files in MIT format (`.atr`, and LUDB's per-lead
 * `.i`, `.ii`, ... files with `(` / `)` wave boundaries and `p`, `N`, `t` peaks).
 * @module
 */
import * as fs from 'node:fs';
import { FormatError, IoError } from '../errors';

/** One annotation. */
export interface WfdbAnnotation {
  /** Sample index (time) of the annotation. */
  sample: number;
  /** Annotation code (1..49). */
  code: number;
  /** Mnemonic of the code, e.g. "N", "p", "(" . */
  symbol: string;
  /** Subtype (SUB pseudo-annotation, a signed byte as WFDB reads it), 0 when absent. */
  subtype: number;
  /** Channel (CHN pseudo-annotation, an unsigned byte); carried over from the previous annotation as WFDB does. */
  channel: number;
  /** Annotator number (NUM pseudo-annotation, a signed byte); carried over as WFDB does. */
  num: number;
  /** Auxiliary text (AUX pseudo-annotation), '' when absent. */
  aux: string;
}

/** Mnemonics of the standard WFDB annotation codes (ecgcodes.h), indexed by code. */
export const ANNOTATION_SYMBOLS: readonly string[] = [
  ' ', 'N', 'L', 'R', 'a', 'V', 'F', 'J', 'A', 'S', 'E', 'j', '/', 'Q', '~', '[15]', '|', '[17]', 's', 'T',
  '*', 'D', '"', '=', 'p', 'B', '^', 't', '+', 'u', '?', '!', '[', ']', 'e', 'n', '@', 'x', 'f', '(',
  ')', 'r', '[42]', '[43]', '[44]', '[45]', '[46]', '[47]', '[48]', '[49]',
];

// Pseudo-annotation codes of the MIT format (the top 6 bits of a 16-bit word).
const SKIP = 59;
const NUM = 60;
const SUB = 61;
const CHN = 62;
const AUX = 63;

// WFDB's getann() keeps the low byte of a modifier's 10-bit data field: CHN as an unsigned
// char, SUB and NUM as signed chars (so 200 reads as -56, and CHN 255 as 255, not 1023).
const lowByte = (v: number): number => v & 0xff;
const signedByte = (v: number): number => ((v & 0xff) ^ 0x80) - 0x80;

/**
 * Decodes the bytes of an MIT-format annotation file.
 * @param bytes - the whole file
 * @param file - file name for error messages
 * @returns annotations in file order
 * @throws {FormatError} when a pseudo-annotation runs past the end of the file or a
 *   modifier appears before any annotation
 * @example
 * const anns = decodeWfdbAnnotations(fs.readFileSync('ludb/data/1.ii'), '1.ii');
 */
export function decodeWfdbAnnotations(bytes: Uint8Array, file = 'annotations'): WfdbAnnotation[] {
  const out: WfdbAnnotation[] = [];
  let time = 0;
  let num = 0;
  let channel = 0;
  let p = 0;
  const current = (what: string): WfdbAnnotation => {
    const last = out[out.length - 1];
    if (last === undefined) throw new FormatError(`${what} before any annotation`, { file, offset: p });
    return last;
  };
  while (p + 1 < bytes.length) {
    const word = bytes[p]! | (bytes[p + 1]! << 8);
    const a = word >> 10;
    const i = word & 0x3ff;
    if (a === 0 && i === 0) return out; // end of file marker
    p += 2;
    if (a === SKIP) {
      if (p + 4 > bytes.length) throw new FormatError('SKIP interval runs past the end of the file', { file, offset: p });
      // 32-bit interval stored as two little-endian 16-bit words, high word first (PDP-11 order).
      const hi = bytes[p]! | (bytes[p + 1]! << 8);
      const lo = bytes[p + 2]! | (bytes[p + 3]! << 8);
      time += ((hi << 16) | lo) | 0;
      p += 4;
    } else if (a === NUM) {
      num = signedByte(i);
      current('NUM').num = num;
    } else if (a === SUB) {
      current('SUB').subtype = signedByte(i);
    } else if (a === CHN) {
      channel = lowByte(i);
      current('CHN').channel = channel;
    } else if (a === AUX) {
      const ann = current('AUX');
      if (p + i > bytes.length) throw new FormatError(`AUX field of ${i} bytes runs past the end of the file`, { file, offset: p });
      let end = p;
      while (end < p + i && bytes[end] !== 0) end++;
      ann.aux = Buffer.from(bytes.buffer, bytes.byteOffset + p, end - p).toString('latin1');
      p += i + (i & 1); // padded to an even length
    } else if (a >= 50) {
      // Codes 50..58 are unused pseudo-annotations; skip them as WFDB does.
    } else {
      time += i;
      out.push({ sample: time, code: a, symbol: ANNOTATION_SYMBOLS[a] ?? `[${a}]`, subtype: 0, channel, num, aux: '' });
    }
  }
  if (p < bytes.length) throw new FormatError('odd trailing byte in annotation file', { file, offset: p });
  return out;
}

/**
 * Reads a WFDB annotation file.
 * @param recordPath - record path without extension, e.g. "ludb/data/1"
 * @param extension - annotator extension without the dot: "atr", or a LUDB lead "ii"
 * @returns the annotations, sorted as stored (by time)
 * @throws {IoError} when the file cannot be read
 * @throws {FormatError} see {@link decodeWfdbAnnotations}
 * @example
 * const waves = await readWfdbAnnotations('ludb/data/1', 'ii');
 * waves.filter((a) => a.symbol === 'N').length; // QRS peaks in lead II
 */
export async function readWfdbAnnotations(recordPath: string, extension: string): Promise<WfdbAnnotation[]> {
  const file = `${recordPath}.${extension}`;
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    throw new IoError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return decodeWfdbAnnotations(bytes, file);
}

/** A wave delineated by `(`, peak, `)` annotations, as in LUDB. */
export interface WaveBoundary {
  /** Peak symbol: "p" (P wave), "N" (QRS complex) or "t" (T wave). */
  wave: string;
  onset: number;
  peak: number;
  offset: number;
}

/**
 * Groups `(` peak `)` triples into waves (LUDB's delineation layout). Unpaired
 * boundaries are skipped.
 * @param annotations - as returned by {@link readWfdbAnnotations}
 * @example
 * const waves = groupWaveBoundaries(await readWfdbAnnotations('ludb/data/1', 'ii'));
 */
export function groupWaveBoundaries(annotations: readonly WfdbAnnotation[]): WaveBoundary[] {
  const waves: WaveBoundary[] = [];
  for (let k = 0; k + 2 < annotations.length; k++) {
    const on = annotations[k]!, peak = annotations[k + 1]!, off = annotations[k + 2]!;
    if (on.symbol === '(' && off.symbol === ')' && peak.symbol !== '(' && peak.symbol !== ')') {
      waves.push({ wave: peak.symbol, onset: on.sample, peak: peak.sample, offset: off.sample });
      k += 2;
    }
  }
  return waves;
}
