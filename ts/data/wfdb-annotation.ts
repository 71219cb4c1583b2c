/**
 * Reader for WFDB annotation files in MIT format (`.atr`, and LUDB's per-lead
 * `.i`, `.ii`, ... files with `(` / `)` wave boundaries and `p`, `N`, `t` peaks),
 * including the annotation-type definition block some files carry at sample 0.
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
  /** Auxiliary text (AUX pseudo-annotation) as latin1, up to the first NUL; '' when absent. */
  aux: string;
  /** The AUX field's bytes as stored (empty when absent). */
  auxBytes: Uint8Array;
}

/** A custom annotation type from a file's definition block. */
export interface WfdbAnnotationDefinition {
  /** Annotation code (1..49) the definition names. */
  code: number;
  /** Its mnemonic, used as `symbol` for annotations of that code. */
  symbol: string;
  /** Its description ('' when none). */
  description: string;
}

/** A decoded annotation file: its annotations and the types its definition block declares. */
export interface WfdbAnnotationFile {
  annotations: WfdbAnnotation[];
  definitions: WfdbAnnotationDefinition[];
}

/** Mnemonics of the standard WFDB annotation codes (ecgcodes.h), indexed by code. */
export const ANNOTATION_SYMBOLS: readonly string[] = [
  ' ', 'N', 'L', 'R', 'a', 'V', 'F', 'J', 'A', 'S', 'E', 'j', '/', 'Q', '~', '[15]', '|', '[17]', 's', 'T',
  '*', 'D', '"', '=', 'p', 'B', '^', 't', '+', 'u', '?', '!', '[', ']', 'e', 'n', '@', 'x', 'f', '(',
  ')', 'r', '[42]', '[43]', '[44]', '[45]', '[46]', '[47]', '[48]', '[49]',
];

/** Highest annotation code (WFDB ACMAX); 50..63 are pseudo-annotations. */
export const WFDB_MAX_ANNOTATION_CODE = 49;

/** Pseudo-annotation codes of the MIT format (the top 6 bits of a 16-bit word). */
export const WFDB_PSEUDO_CODES = { SKIP: 59, NUM: 60, SUB: 61, CHN: 62, AUX: 63 } as const;
const { SKIP, NUM, SUB, CHN, AUX } = WFDB_PSEUDO_CODES;

/** NOTE (code 22): the type WFDB gives the lines of a definition block. */
export const WFDB_NOTE_CODE = 22;
/** AUX text of the annotation that opens a definition block. */
export const WFDB_DEFINITIONS_START = '## annotation type definitions';
/** AUX text of the annotation that closes a definition block. */
export const WFDB_DEFINITIONS_END = '## end of definitions';

// WFDB's getann() keeps the low byte of a modifier's 10-bit data field: CHN as an unsigned
// char, SUB and NUM as signed chars (so 200 reads as -56, and CHN 255 as 255, not 1023).
const lowByte = (v: number): number => v & 0xff;
const signedByte = (v: number): number => ((v & 0xff) ^ 0x80) - 0x80;

/** Decodes every annotation word, keeping each annotation's byte offset for errors. */
function decodeAll(bytes: Uint8Array, file: string): { list: WfdbAnnotation[]; offsets: number[] } {
  const list: WfdbAnnotation[] = [];
  const offsets: number[] = [];
  let time = 0;
  let num = 0;
  let channel = 0;
  let p = 0;
  const current = (what: string): WfdbAnnotation => {
    const last = list[list.length - 1];
    if (last === undefined) throw new FormatError(`${what} before any annotation`, { file, offset: p });
    return last;
  };
  while (p + 1 < bytes.length) {
    const word = bytes[p]! | (bytes[p + 1]! << 8);
    const a = word >> 10;
    const i = word & 0x3ff;
    if (a === 0 && i === 0) return { list, offsets }; // end of file marker
    const at = p;
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
      ann.auxBytes = Uint8Array.prototype.slice.call(bytes, p, p + i);
      p += i + (i & 1); // padded to an even length
    } else if (a > WFDB_MAX_ANNOTATION_CODE) {
      // Codes 50..58 are unused pseudo-annotations; skip them as WFDB does.
    } else {
      time += i;
      list.push({ sample: time, code: a, symbol: ANNOTATION_SYMBOLS[a] ?? `[${a}]`, subtype: 0, channel, num, aux: '', auxBytes: new Uint8Array(0) });
      offsets.push(at);
    }
  }
  if (p < bytes.length) throw new FormatError('odd trailing byte in annotation file', { file, offset: p });
  return { list, offsets };
}

const DEFINITION_LINE = /^\s*(\d+)\s+(\S+)(?:\s+(.*?))?\s*$/;

/**
 * Decodes the bytes of an MIT-format annotation file with its definition block: NOTE
 * annotations at sample 0 between {@link WFDB_DEFINITIONS_START} and
 * {@link WFDB_DEFINITIONS_END}, each AUX reading `code mnemonic [description]`, and the
 * code-0 entry at sample 0 a writer puts after them (a SKIP back to 0). The block is
 * consumed, not returned, and its mnemonics become the `symbol` of their codes.
 * @param bytes - the whole file
 * @param file - file name for error messages
 * @throws {FormatError} naming the file, byte offset, definition line (`line`, 1-based
 *   within the block) and field for a malformed definition or an unterminated block;
 *   and as {@link decodeWfdbAnnotations}
 * @example
 * const { annotations, definitions } = decodeWfdbAnnotationFile(fs.readFileSync('100.atr'), '100.atr');
 */
export function decodeWfdbAnnotationFile(bytes: Uint8Array, file = 'annotations'): WfdbAnnotationFile {
  const { list, offsets } = decodeAll(bytes, file);
  const definitions: WfdbAnnotationDefinition[] = [];
  const isNoteAtZero = (a: WfdbAnnotation | undefined): boolean => a !== undefined && a.code === WFDB_NOTE_CODE && a.sample === 0;
  let k = 0;
  if (isNoteAtZero(list[0]) && list[0]!.aux === WFDB_DEFINITIONS_START) {
    for (k = 1; ; k++) {
      const a = list[k];
      const where = { file, offset: offsets[k] ?? bytes.length, line: k, field: 'definition' };
      if (a === undefined) throw new FormatError(`definition block has no "${WFDB_DEFINITIONS_END}"`, where);
      if (!isNoteAtZero(a)) throw new FormatError(`definition block holds a "${a.symbol}" annotation at sample ${a.sample}; only NOTE annotations at sample 0 may`, where);
      if (a.aux === WFDB_DEFINITIONS_END) { k++; break; }
      const m = DEFINITION_LINE.exec(a.aux);
      if (!m) throw new FormatError(`definition "${a.aux}" is not "code mnemonic [description]"`, where);
      const code = Number(m[1]);
      if (code < 1 || code > WFDB_MAX_ANNOTATION_CODE) throw new FormatError(`definition code ${code} is outside 1..${WFDB_MAX_ANNOTATION_CODE}`, where);
      definitions.push({ code, symbol: m[2]!, description: m[3] ?? '' });
    }
    // The writer's SKIP back to sample 0 leaves a code-0 entry there; it is no annotation.
    if (list[k] !== undefined && list[k]!.code === 0 && list[k]!.sample === 0) k++;
  }
  const annotations = k === 0 ? list : list.slice(k);
  if (definitions.length > 0) {
    const custom = new Map(definitions.map((d) => [d.code, d.symbol]));
    for (const a of annotations) a.symbol = custom.get(a.code) ?? a.symbol;
  }
  return { annotations, definitions };
}

/**
 * Decodes the bytes of an MIT-format annotation file. A definition block is applied and
 * left out (see {@link decodeWfdbAnnotationFile}, which also returns the definitions).
 * @param bytes - the whole file
 * @param file - file name for error messages
 * @returns annotations in file order
 * @throws {FormatError} when a pseudo-annotation runs past the end of the file, a
 *   modifier appears before any annotation, or a definition block is malformed
 * @example
 * const anns = decodeWfdbAnnotations(fs.readFileSync('ludb/data/1.ii'), '1.ii');
 */
export function decodeWfdbAnnotations(bytes: Uint8Array, file = 'annotations'): WfdbAnnotation[] {
  return decodeWfdbAnnotationFile(bytes, file).annotations;
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
  return (await readWfdbAnnotationFile(recordPath, extension)).annotations;
}

/**
 * Reads a WFDB annotation file with the definitions of its custom annotation types.
 * @param recordPath - record path without extension
 * @param extension - annotator extension without the dot, e.g. "atr"
 * @throws {IoError} when the file cannot be read
 * @throws {FormatError} see {@link decodeWfdbAnnotationFile}
 * @example
 * const { annotations, definitions } = await readWfdbAnnotationFile('rec', 'atr');
 */
export async function readWfdbAnnotationFile(recordPath: string, extension: string): Promise<WfdbAnnotationFile> {
  const file = `${recordPath}.${extension}`;
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(file);
  } catch (err) {
    throw new IoError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return decodeWfdbAnnotationFile(bytes, file);
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
