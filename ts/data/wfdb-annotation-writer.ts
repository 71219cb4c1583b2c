/**
 * Writer for WFDB annotation files in MIT format, the inverse of
 * {@link decodeWfdbAnnotationFile}: it writes what WFDB's putann writes (a SKIP for an
 * interval over 1023 samples or a step back in time, SUB when non-zero, CHN and NUM when
 * they change, AUX padded to an even length, a 0 word at the end) and, when given custom
 * annotation types, the definition block that opens the file.
 * @module
 */
import * as fs from 'node:fs';
import { IoError } from '../errors';
import { assertInteger, invalidParameterError } from '../is';
import {
  ANNOTATION_SYMBOLS, WFDB_DEFINITIONS_END, WFDB_DEFINITIONS_START, WFDB_MAX_ANNOTATION_CODE, WFDB_NOTE_CODE,
  WFDB_PSEUDO_CODES, type WfdbAnnotationDefinition,
} from './wfdb-annotation';

/** An annotation to write; a {@link WfdbAnnotation} as read is one. */
export interface WfdbAnnotationInput {
  /** Sample index, 0 .. 2^31 - 1. */
  sample: number;
  /** Annotation code 1..49; when absent, looked up from `symbol` (custom definitions first). */
  code?: number;
  /** Mnemonic, used when `code` is absent, e.g. "N", "(", ")". */
  symbol?: string;
  /** Subtype, a signed byte (-128..127); default 0. */
  subtype?: number;
  /** Channel, an unsigned byte (0..255); default 0. */
  channel?: number;
  /** Annotator number, a signed byte (-128..127); default 0. */
  num?: number;
  /** Auxiliary text, written as latin1 (at most 255 bytes). */
  aux?: string;
  /** Auxiliary bytes, written as given instead of `aux` when non-empty (at most 255). */
  auxBytes?: Uint8Array;
}

/** Options of {@link encodeWfdbAnnotations}. */
export interface EncodeWfdbAnnotationsOptions {
  /** Custom annotation types, written as the definition block at the start of the file. */
  definitions?: readonly WfdbAnnotationDefinition[];
}

/** The largest interval one annotation word holds; longer ones need a SKIP. */
const MAX_INTERVAL = 1023;
const MAX_AUX = 255;

/** Appends little-endian 16-bit words and byte runs. */
class ByteSink {
  private bytes: number[] = [];
  word(code: number, data: number): void {
    const w = (code << 10) | (data & 0x3ff);
    this.bytes.push(w & 0xff, w >> 8);
  }
  skip(interval: number): void {
    this.word(WFDB_PSEUDO_CODES.SKIP, 0);
    // Two 16-bit words, high word first (PDP-11 order), each little-endian.
    const u = interval >>> 0;
    this.bytes.push((u >>> 16) & 0xff, (u >>> 24) & 0xff, u & 0xff, (u >>> 8) & 0xff);
  }
  aux(data: Uint8Array): void {
    this.word(WFDB_PSEUDO_CODES.AUX, data.length);
    this.bytes.push(...data);
    if (data.length & 1) this.bytes.push(0);
  }
  done(): Uint8Array {
    this.word(0, 0);
    return Uint8Array.from(this.bytes);
  }
}

function auxOf(a: WfdbAnnotationInput, name: string): Uint8Array {
  const bytes = a.auxBytes !== undefined && a.auxBytes.length > 0 ? a.auxBytes : Buffer.from(a.aux ?? '', 'latin1');
  if (bytes.length > MAX_AUX) throw invalidParameterError(`${name}.aux`, `at most ${MAX_AUX} bytes`, `${bytes.length} bytes`);
  return bytes;
}

function codeOf(a: WfdbAnnotationInput, name: string, custom: ReadonlyMap<string, number>): number {
  if (a.code !== undefined) return assertInteger(`${name}.code`, a.code, 1, WFDB_MAX_ANNOTATION_CODE);
  if (typeof a.symbol !== 'string') throw invalidParameterError(`${name}.code`, 'an annotation code or a symbol', a.code, 'type');
  const code = custom.get(a.symbol) ?? ANNOTATION_SYMBOLS.indexOf(a.symbol);
  if (code < 1) throw invalidParameterError(`${name}.symbol`, 'a WFDB annotation mnemonic or a defined custom one', a.symbol);
  return code;
}

/** Writes the definition block and the SKIP back to sample 0 that WFDB readers expect. */
function writeDefinitions(sink: ByteSink, definitions: readonly WfdbAnnotationDefinition[]): void {
  const note = (text: string): void => {
    sink.word(WFDB_NOTE_CODE, 0);
    sink.aux(Buffer.from(text, 'latin1'));
  };
  note(WFDB_DEFINITIONS_START);
  definitions.forEach((d, k) => {
    const name = `definitions[${k}]`;
    assertInteger(`${name}.code`, d.code, 1, WFDB_MAX_ANNOTATION_CODE);
    if (!/^\S+$/.test(d.symbol)) throw invalidParameterError(`${name}.symbol`, 'a mnemonic without spaces', d.symbol);
    const text = d.description ? `${d.code} ${d.symbol} ${d.description}` : `${d.code} ${d.symbol}`;
    if (text.length > MAX_AUX || text.includes('\0')) throw invalidParameterError(`${name}.description`, `a definition line of at most ${MAX_AUX} bytes without NUL`, d.description);
    note(text);
  });
  note(WFDB_DEFINITIONS_END);
  // Back to sample -1, then a code-0 word one sample on: time is 0 again for the annotations.
  sink.skip(-1);
  sink.word(0, 1);
}

/**
 * Encodes annotations as an MIT-format annotation file.
 * @param annotations - in the order to store them (normally by sample)
 * @param options - `definitions`: custom annotation types to declare
 * @returns the file's bytes
 * @throws {ArgumentRangeError} {@link ArgumentTypeError} naming the annotation and field
 *   (e.g. "annotations[3].subtype") for a value outside its range
 * @example
 * const bytes = encodeWfdbAnnotations([{ sample: 662, symbol: 'N' }, { sample: 700, code: 1, aux: 'x' }]);
 */
export function encodeWfdbAnnotations(annotations: readonly WfdbAnnotationInput[], options: EncodeWfdbAnnotationsOptions = {}): Uint8Array {
  const sink = new ByteSink();
  const definitions = options.definitions ?? [];
  if (definitions.length > 0) writeDefinitions(sink, definitions);
  const custom = new Map(definitions.map((d) => [d.symbol, d.code]));
  let time = 0;
  let channel = 0;
  let num = 0;
  annotations.forEach((a, k) => {
    const name = `annotations[${k}]`;
    const sample = assertInteger(`${name}.sample`, a.sample, 0, 2 ** 31 - 1);
    const code = codeOf(a, name, custom);
    const subtype = assertInteger(`${name}.subtype`, a.subtype ?? 0, -128, 127);
    const chan = assertInteger(`${name}.channel`, a.channel ?? 0, 0, 255);
    const n = assertInteger(`${name}.num`, a.num ?? 0, -128, 127);
    const aux = auxOf(a, name);
    let delta = sample - time;
    if (delta > MAX_INTERVAL || delta < 0) {
      sink.skip(delta);
      delta = 0;
    }
    sink.word(code, delta);
    if (subtype !== 0) sink.word(WFDB_PSEUDO_CODES.SUB, subtype);
    if (chan !== channel) sink.word(WFDB_PSEUDO_CODES.CHN, chan);
    if (n !== num) sink.word(WFDB_PSEUDO_CODES.NUM, n);
    if (aux.length > 0) sink.aux(aux);
    time = sample;
    channel = chan;
    num = n;
  });
  return sink.done();
}

/**
 * Writes annotations to an MIT-format annotation file (e.g. `rec.atr`); reading it back
 * with {@link readWfdbAnnotations} gives the same annotations.
 * @param file - destination path, e.g. "out/1.qrs"
 * @param annotations - see {@link encodeWfdbAnnotations}
 * @param options - `definitions`: custom annotation types
 * @throws {IoError} when the file cannot be written
 * @throws {ArgumentRangeError} see {@link encodeWfdbAnnotations}
 * @example
 * await writeWfdbAnnotations('out/1.ii', waves.flatMap((w) => [
 *   { sample: w.onset, symbol: '(' }, { sample: w.peak, symbol: w.wave }, { sample: w.offset, symbol: ')' }]));
 */
export async function writeWfdbAnnotations(file: string, annotations: readonly WfdbAnnotationInput[], options?: EncodeWfdbAnnotationsOptions): Promise<void> {
  const bytes = encodeWfdbAnnotations(annotations, options);
  try {
    await fs.promises.writeFile(file, bytes);
  } catch (err) {
    throw new IoError(`cannot write ${file}: ${(err as Error).message}`, { cause: err });
  }
}
