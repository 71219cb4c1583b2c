/**
 * NumPy `.npz` archives: reading (stored or deflated, zip64) and writing, including
 * {@link NpzWriter}, which streams the reference layout (`data` float32 [N, L, C],
 * `label` int64 [N]) to disk batch by batch. Writes are atomic: a temp file is renamed
 * into place on close.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FormatError, IoError, ShapeError } from '../errors';
import { assertInteger, assertOptions, invalidParameterError } from '../is';
import { encodeNpy, encodeNpyHeader, parseNpy, shapeSize, type NpyArray } from './npy';
import { bufferSource, fileSource, listZipEntries, readZipEntry, ZipWriter, type ByteSource } from './zip';

/**
 * Parses the archive's arrays; with `wanted`, only the entries it accepts are read and
 * inflated (the central directory lists them all without touching their data).
 */
function readArchive(src: ByteSource, file: string, wanted?: (key: string) => boolean): Record<string, NpyArray> {
  const out: Record<string, NpyArray> = {};
  for (const entry of listZipEntries(src, file)) {
    const key = entry.name.endsWith('.npy') ? entry.name.slice(0, -4) : entry.name;
    if (wanted && !wanted(key)) continue;
    out[key] = parseNpy(readZipEntry(src, entry, file), `${file}:${entry.name}`);
  }
  return out;
}

/**
 * Parses an NPZ archive held in memory.
 * @param bytes - archive contents
 * @param file - name for error messages
 * @returns arrays by name (without the ".npy" suffix)
 * @throws {FormatError} for a corrupt archive or array; {@link ChecksumError} for a CRC mismatch
 * @example
 * const { data, label } = parseNpz(fs.readFileSync('train.npz'));
 */
export function parseNpz(bytes: Uint8Array, file = 'archive.npz'): Record<string, NpyArray> {
  return readArchive(bufferSource(bytes), file);
}

/**
 * Reads an NPZ file (as written by `np.savez` or `np.savez_compressed`).
 * @param file - path to the archive
 * @returns arrays by name
 * @throws {IoError} when the file cannot be opened
 * @throws {FormatError} for a corrupt archive or array; {@link ChecksumError} for a CRC mismatch
 * @example
 * const arrays = readNpz('train.npz'); arrays.data.shape; // [N, 2048, 1]
 */
export function readNpz(file: string): Record<string, NpyArray> {
  return readNpzFile(file);
}

function readNpzFile(file: string, wanted?: (key: string) => boolean): Record<string, NpyArray> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new IoError(`cannot open ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return readArchive(fileSource(fd), file, wanted);
  } finally {
    fs.closeSync(fd);
  }
}

/** The arrays {@link toReferenceDataset} looks at. */
const REFERENCE_ARRAYS = new Set(['data', 'label', 'labels']);

/** A labelled segment set in the reference layout. */
export interface ReferenceDataset {
  /** Segments, C order [N, L, C]. */
  data: Float32Array;
  shape: [number, number, number];
  /** One integer label per segment. */
  labels: Int32Array;
}

/**
 * Reads an NPZ in the reference layout: `data` float32 (or float64) [N, L, C] or
 * [N, L], and `label` integer [N].
 * @param file - path to the archive
 * @throws {FormatError} when an array is missing, has the wrong rank or dtype, or
 *   the counts of segments and labels differ
 * @example
 * const { data, shape, labels } = readReferenceNpz('data/ludb-atrial/train.npz');
 */
export function readReferenceNpz(file: string): ReferenceDataset {
  // Other arrays in the archive are neither read nor inflated.
  const arrays = readNpzFile(file, (key) => REFERENCE_ARRAYS.has(key));
  // When an array is missing, the error lists every array in the file.
  return toReferenceDataset(arrays['data'] && (arrays['label'] ?? arrays['labels']) ? arrays : readNpz(file), file);
}

/**
 * Validates and converts parsed arrays to a {@link ReferenceDataset}.
 * @param arrays - from {@link readNpz} / {@link parseNpz}
 * @param file - name for error messages
 * @throws {FormatError} see {@link readReferenceNpz}
 * @example
 * const ds = toReferenceDataset(parseNpz(bytes));
 */
export function toReferenceDataset(arrays: Record<string, NpyArray>, file = 'archive.npz'): ReferenceDataset {
  const data = arrays['data'];
  const label = arrays['label'] ?? arrays['labels'];
  if (!data) throw new FormatError(`no "data" array (arrays: ${Object.keys(arrays).join(', ')})`, { file, field: 'data' });
  if (!label) throw new FormatError(`no "label" array (arrays: ${Object.keys(arrays).join(', ')})`, { file, field: 'label' });
  if (data.shape.length !== 2 && data.shape.length !== 3) throw new FormatError(`"data" must be [N, L, C] or [N, L], got (${data.shape.join(', ')})`, { file, field: 'data' });
  if (data.dtype !== 'f4' && data.dtype !== 'f8') throw new FormatError(`"data" must be float32 or float64, got ${data.dtype}`, { file, field: 'data' });
  if (label.shape.length !== 1 || label.shape[0] !== data.shape[0]) {
    throw new FormatError(`"label" must be [N] with N = ${data.shape[0]}, got (${label.shape.join(', ')})`, { file, field: 'label' });
  }
  if (label.dtype === 'f4' || label.dtype === 'f8') throw new FormatError(`"label" must be integer, got ${label.dtype}`, { file, field: 'label' });
  const labels = Int32Array.from(label.data as ArrayLike<number | bigint>, (v) => Number(v));
  const shape: [number, number, number] = [data.shape[0]!, data.shape[1]!, data.shape[2] ?? 1];
  const values = data.data instanceof Float32Array ? data.data : Float32Array.from(data.data as Float64Array);
  return { data: values, shape, labels };
}

/** Writes a file through a temp file and rename, so readers never see a partial file. */
async function atomicWrite(file: string, body: (fd: number) => Promise<void>): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'w');
  } catch (err) {
    throw new IoError(`cannot create ${tmp}: ${(err as Error).message}`, { cause: err });
  }
  try {
    await body(fd);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  } catch (err) {
    try { fs.closeSync(fd); } catch { /* already closed */ }
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Writes arrays to an NPZ file atomically.
 * @param file - destination path
 * @param arrays - arrays by name (".npy" is appended to each entry name)
 * @param options - `compress`: deflate entries like `np.savez_compressed` (default false);
 *   `zip64`: always write zip64 records (default false: only when sizes need them)
 * @throws {ShapeError} when an array's data does not match its shape; {@link IoError} on write failure
 * @example
 * await writeNpz('x.npz', { data: { dtype: 'f4', shape: [1, 4, 1], data: new Float32Array(4) } });
 */
export async function writeNpz(file: string, arrays: Record<string, NpyArray>, options?: { compress?: boolean; zip64?: boolean }): Promise<void> {
  const o = assertOptions('options', options);
  const compress = o['compress'] === true;
  await atomicWrite(file, async (fd) => {
    const zip = new ZipWriter(fd, o['zip64'] === true);
    for (const [name, array] of Object.entries(arrays)) {
      const bytes = encodeNpy(array);
      await zip.addEntry(`${name}.npy`, [bytes], bytes.length, compress);
    }
    zip.finish();
  });
}

/** Options of {@link NpzWriter}. */
export interface NpzWriterOptions {
  /** Samples per segment, L (default 2048). */
  length?: number;
  /** Leads per segment, C (default 1). */
  channels?: number;
  /** Deflate the archive like `np.savez_compressed` (default false). */
  compress?: boolean;
}

const WRITER_DEFAULTS: Required<NpzWriterOptions> = { length: 2048, channels: 1, compress: false };

/** Bytes copied per chunk when assembling the archive. */
const COPY_CHUNK = 1 << 20;

/**
 * Streams segments to an NPZ in the reference layout. Segment bytes go to a side
 * file as they arrive; `close()` assembles the archive (NPY header with the final N,
 * then a chunked copy) into a temp file and renames it into place, so memory use stays
 * at one chunk however many segments are written.
 * @example
 * const w = new NpzWriter('train.npz', { length: 2048, channels: 1 });
 * w.append(batchData, batchLabels); // batchData: Float32Array [n, 2048, 1]
 * const { count } = await w.close();
 */
export class NpzWriter {
  readonly file: string;
  readonly options: Required<NpzWriterOptions>;
  private readonly sidePath: string;
  private sideFd: number | undefined;
  private readonly labels: number[] = [];
  /** Patient ids, when every append gave them (an optional `patient` int64 array). */
  private readonly patients: number[] = [];
  private sideBytes = 0;

  /**
   * @param file - destination .npz path
   * @param options - `length` (default 2048), `channels` (default 1), `compress` (default false)
   * @throws {ArgumentRangeError} for a non-positive length or channel count; {@link IoError}
   */
  constructor(file: string, options?: NpzWriterOptions) {
    const o = { ...WRITER_DEFAULTS, ...assertOptions('options', options) } as Required<NpzWriterOptions>;
    assertInteger('options.length', o.length, 1);
    assertInteger('options.channels', o.channels, 1);
    this.file = file;
    this.options = o;
    this.sidePath = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.data`);
    try {
      this.sideFd = fs.openSync(this.sidePath, 'w+');
    } catch (err) {
      throw new IoError(`cannot create ${this.sidePath}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Segments appended so far. */
  get count(): number {
    return this.labels.length;
  }

  /**
   * Appends a batch of segments.
   * @param data - n segments, C order [n, L, C]
   * @param labels - n integer labels
   * @param patients - n integer patient ids, written as a `patient` array; give them with
   *   every batch or with none
   * @throws {ShapeError} when `data.length` is not n * L * C or `patients` has another length;
   *   {@link ArgumentTypeError} when patients are given for some batches only; {@link IoError} after close
   */
  append(data: Float32Array, labels: ArrayLike<number>, patients?: ArrayLike<number>): void {
    if (this.sideFd === undefined) throw new IoError('NpzWriter is closed');
    const per = this.options.length * this.options.channels;
    if (data.length !== labels.length * per) {
      throw new ShapeError(`batch has ${data.length} values but ${labels.length} labels x ${this.options.length} x ${this.options.channels} needs ${labels.length * per}`);
    }
    if (patients !== undefined && patients.length !== labels.length) {
      throw new ShapeError(`batch has ${labels.length} labels but ${patients.length} patient ids`);
    }
    const withPatients = patients !== undefined;
    if (this.labels.length > 0 && withPatients !== (this.patients.length > 0)) {
      throw invalidParameterError('patients', 'given with every batch or with none', patients);
    }
    if (patients !== undefined) for (let i = 0; i < patients.length; i++) this.patients.push(patients[i]!);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(this.sideFd, bytes, done, bytes.length - done, this.sideBytes + done);
    this.sideBytes += bytes.length;
    for (let i = 0; i < labels.length; i++) this.labels.push(labels[i]!);
  }

  /**
   * Assembles and atomically renames the archive; removes the side file.
   * @returns the number of segments written
   * @throws {IoError} when writing fails (the destination is left untouched)
   */
  async close(): Promise<{ count: number; file: string }> {
    if (this.sideFd === undefined) throw new IoError('NpzWriter is already closed');
    const fd: number = this.sideFd;
    this.sideFd = undefined;
    const { length, channels, compress } = this.options;
    const n = this.labels.length;
    try {
      await atomicWrite(this.file, async (out) => {
        const zip = new ZipWriter(out);
        const header = encodeNpyHeader('f4', [n, length, channels]);
        const total = this.sideBytes;
        function* dataChunks(): Generator<Uint8Array> {
          yield header;
          for (let pos = 0; pos < total;) {
            // A fresh buffer per chunk: the deflate stream may still hold the previous one.
            const buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK, total - pos));
            const got = fs.readSync(fd, buf, 0, buf.length, pos);
            if (got === 0) throw new IoError('side file ended early');
            pos += got;
            yield buf.subarray(0, got);
          }
        }
        await zip.addEntry('data.npy', dataChunks(), header.length + total, compress);
        const labelBytes = encodeNpy({ dtype: 'i8', shape: [n], data: BigInt64Array.from(this.labels, (v) => BigInt(v)) });
        await zip.addEntry('label.npy', [labelBytes], labelBytes.length, compress);
        if (this.patients.length > 0) {
          const patientBytes = encodeNpy({ dtype: 'i8', shape: [n], data: BigInt64Array.from(this.patients, (v) => BigInt(v)) });
          await zip.addEntry('patient.npy', [patientBytes], patientBytes.length, compress);
        }
        zip.finish();
      });
    } finally {
      fs.closeSync(fd);
      fs.rmSync(this.sidePath, { force: true });
    }
    if (shapeSize([n, length, channels]) * 4 !== this.sideBytes) throw new IoError('internal size mismatch');
    return { count: n, file: this.file };
  }

  /** Discards everything written; the destination is not touched. */
  abort(): void {
    if (this.sideFd !== undefined) fs.closeSync(this.sideFd);
    this.sideFd = undefined;
    fs.rmSync(this.sidePath, { force: true });
  }
}
