/**
 * ZIP container support for NPZ files, on the fflate library: fflate's streaming `Zip`,
 * `ZipPassThrough` and `ZipDeflate` write the archive to a file as the bytes arrive, and
 * its `Inflate` stream expands deflated entries. What fflate lacks is kept here by hand:
 * - reading a central directory from a random-access source, so an entry is read (and
 *   inflated) only when asked for, from a file that need not fit in memory (fflate's
 *   `unzipSync` wants the whole archive in one buffer, and does not check CRC-32);
 * - writing ZIP64: fflate writes 32-bit sizes and offsets only. Entries of 4 GiB or more,
 *   entries that start past 4 GiB, and `forceZip64` get a ZIP64 extra field in their
 *   local header, a 64-bit data descriptor and a central directory with ZIP64 end
 *   records, written here in place of fflate's.
 * @module
 */
import * as fs from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import * as zlib from 'node:zlib';
import { Inflate, Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { ChecksumError, FormatError, IoError } from '../errors';
import { readFullyAt } from './read-at';

/** One entry of a ZIP central directory. */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflate. */
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** Random access to the bytes of a ZIP file, in memory or on disk. */
export interface ByteSource {
  readonly size: number;
  read(position: number, length: number): Buffer;
}

/**
 * A {@link ByteSource} over a Buffer.
 * @example
 * listZipEntries(bufferSource(fs.readFileSync('a.npz')));
 */
export function bufferSource(buf: Uint8Array): ByteSource {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return { size: b.length, read: (pos, len) => b.subarray(pos, pos + len) };
}

/**
 * A {@link ByteSource} over an open file descriptor (reads on demand).
 * @example
 * listZipEntries(fileSource(fs.openSync('a.npz', 'r')));
 */
export function fileSource(fd: number): ByteSource {
  const size = fs.fstatSync(fd).size;
  return {
    size,
    read: (pos, len) => readFullyAt(fd, pos, len),
  };
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_DATA_DESCRIPTOR = 0x08074b50;
const U32_MAX = 0xffffffff;
/** Compressed bytes handed to the inflater at a time. */
const READ_CHUNK = 1 << 20;
/** DEFLATE cannot expand data by more than ~1032:1; a directory that claims more is corrupt. */
const MAX_DEFLATE_RATIO = 1032;

function need(src: ByteSource, pos: number, len: number, file: string, what: string): Buffer {
  if (pos < 0 || pos + len > src.size) throw new FormatError(`corrupt zip: ${what} lies outside the file`, { file, offset: pos });
  const b = src.read(pos, len);
  if (b.length < len) throw new FormatError(`corrupt zip: short read of ${what}`, { file, offset: pos });
  return b;
}

/**
 * Lists the entries of a ZIP file from its central directory (nothing is inflated).
 * @param src - the file's bytes
 * @param file - file name for error messages
 * @throws {FormatError} when no end-of-central-directory record is found or a record is corrupt
 * @example
 * const entries = listZipEntries(bufferSource(fs.readFileSync('a.npz')), 'a.npz');
 */
export function listZipEntries(src: ByteSource, file = 'archive.zip'): ZipEntry[] {
  const tailLen = Math.min(src.size, 22 + 0xffff);
  const tail = need(src, src.size - tailLen, tailLen, file, 'end record');
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) if (tail.readUInt32LE(i) === SIG_EOCD) { eocd = i; break; }
  if (eocd < 0) throw new FormatError('not a zip file: end of central directory not found', { file, offset: src.size });
  const eocdPos = src.size - tailLen + eocd;
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
    const loc = need(src, eocdPos - 20, 20, file, 'zip64 locator');
    if (loc.readUInt32LE(0) !== SIG_ZIP64_LOCATOR) throw new FormatError('corrupt zip64: locator missing', { file, offset: eocdPos - 20 });
    const z64pos = Number(loc.readBigUInt64LE(8));
    const z64 = need(src, z64pos, 56, file, 'zip64 end record');
    if (z64.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw new FormatError('corrupt zip64: end record missing', { file, offset: z64pos });
    count = Number(z64.readBigUInt64LE(32));
    cdSize = Number(z64.readBigUInt64LE(40));
    cdOffset = Number(z64.readBigUInt64LE(48));
  }
  const cd = need(src, cdOffset, cdSize, file, 'central directory');
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw new FormatError(`corrupt zip: central directory entry ${k} is damaged`, { file, offset: cdOffset + p });
    const flags = cd.readUInt16LE(p + 8);
    if (flags & 1) throw new FormatError('encrypted zip entries are not supported', { file, offset: cdOffset + p });
    const method = cd.readUInt16LE(p + 10);
    const crc32 = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    if (p + 46 + nameLen + extraLen > cd.length) throw new FormatError(`corrupt zip: central directory entry ${k} is truncated`, { file, offset: cdOffset + p });
    const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
    // zip64 extra field: 64-bit values for each 32-bit field saturated at 0xffffffff, in order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        const next = (): number => {
          if (q + 8 > e + 4 + len || q + 8 > extraEnd) throw new FormatError('corrupt zip64 extra field', { file, offset: cdOffset + q });
          const v = Number(cd.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (size === U32_MAX) size = next();
        if (compressedSize === U32_MAX) compressedSize = next();
        if (localHeaderOffset === U32_MAX) localHeaderOffset = next();
      }
      e += 4 + len;
    }
    entries.push({ name, method, crc32, compressedSize, size, localHeaderOffset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Inflates `compressedSize` bytes at `dataPos` with fflate's streaming `Inflate`, a chunk at a time, into exactly `entry.size` bytes. */
function inflateEntry(src: ByteSource, entry: ZipEntry, dataPos: number, file: string): Buffer {
  const out = Buffer.allocUnsafe(entry.size);
  let produced = 0;
  const inflater = new Inflate((chunk) => {
    if (produced + chunk.length > entry.size) {
      throw new FormatError(`${entry.name} unpacks to more than the ${entry.size} bytes the directory says`, { file, offset: dataPos });
    }
    out.set(chunk, produced);
    produced += chunk.length;
  });
  let pos = 0;
  do {
    const len = Math.min(READ_CHUNK, entry.compressedSize - pos);
    const raw = need(src, dataPos + pos, len, file, `data of ${entry.name}`);
    pos += len;
    try {
      inflater.push(raw, pos >= entry.compressedSize);
    } catch (err) {
      if (err instanceof FormatError) throw err;
      throw new FormatError(`corrupt deflate data in ${entry.name}: ${(err as Error).message}`, { file, offset: dataPos });
    }
  } while (pos < entry.compressedSize);
  if (produced !== entry.size) throw new FormatError(`${entry.name} unpacks to ${produced} bytes, the directory says ${entry.size}`, { file, offset: dataPos });
  return out;
}

/**
 * Reads, decompresses and CRC-checks one entry. Only this entry's bytes are read.
 * @throws {FormatError} unsupported method, corrupt local header or deflate stream, size mismatch
 * @throws {ChecksumError} CRC-32 mismatch
 * @example
 * const bytes = readZipEntry(src, entries[0], 'a.npz');
 */
export function readZipEntry(src: ByteSource, entry: ZipEntry, file = 'archive.zip'): Buffer {
  const local = need(src, entry.localHeaderOffset, 30, file, `local header of ${entry.name}`);
  if (local.readUInt32LE(0) !== SIG_LOCAL) throw new FormatError(`corrupt zip: bad local header for ${entry.name}`, { file, offset: entry.localHeaderOffset });
  const dataPos = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (dataPos + entry.compressedSize > src.size) throw new FormatError(`corrupt zip: data of ${entry.name} lies outside the file`, { file, offset: dataPos });
  if (Math.max(entry.size, entry.compressedSize) > bufferConstants.MAX_LENGTH) {
    throw new FormatError(`${entry.name} holds ${entry.size} bytes, more than one Node.js Buffer can hold`, { file, offset: dataPos, field: entry.name });
  }
  let data: Buffer;
  if (entry.method === 0) {
    data = need(src, dataPos, entry.compressedSize, file, `data of ${entry.name}`);
  } else if (entry.method === 8) {
    if (entry.size > Math.max(entry.compressedSize, 1) * MAX_DEFLATE_RATIO) {
      throw new FormatError(`${entry.name}: the directory claims ${entry.size} bytes from ${entry.compressedSize} deflated bytes, more than DEFLATE can expand to`, { file, offset: dataPos, field: entry.name });
    }
    data = inflateEntry(src, entry, dataPos, file);
  } else {
    throw new FormatError(`zip compression method ${entry.method} is not supported (stored and deflate are)`, { file, offset: entry.localHeaderOffset, field: entry.name });
  }
  if (data.length !== entry.size) throw new FormatError(`${entry.name} unpacks to ${data.length} bytes, the directory says ${entry.size}`, { file, offset: dataPos });
  const crc = zlib.crc32(data);
  if (crc !== entry.crc32) throw new ChecksumError(`CRC-32 mismatch in ${entry.name}: stored ${entry.crc32.toString(16)}, data ${crc.toString(16)}`, { file, offset: dataPos });
  return data;
}

interface WrittenEntry extends ZipEntry { zip64: boolean; utf8: boolean }

/** Fixed timestamp (DOS 1980-01-01 00:00, local time as fflate encodes it) so identical inputs give identical archives. */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const DOS_TIME = 0;
const DOS_DATE = 0x21;
/**
 * Entries at least this large get a ZIP64 local header. The choice is made before the
 * data is seen, so it keeps a 1 MiB margin under 4 GiB for deflate's worst-case growth
 * (fflate falls back to stored blocks: 5 bytes per 64 KiB).
 */
const ZIP64_ENTRY_SIZE = 0xfff00000;
/** General purpose flags fflate's `Zip` sets: bit 3 (sizes in a data descriptor), bit 11 (UTF-8 name). */
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;

/**
 * Writes a ZIP file entry by entry to an open file, streaming each entry's bytes through
 * fflate's `Zip` (`ZipPassThrough` for stored, `ZipDeflate` for deflated entries): memory
 * stays at a chunk however large an entry is. Entries carry their CRC and sizes in a data
 * descriptor after the data. Sizes and offsets switch to ZIP64 records when they need more
 * than 32 bits (or always, with `forceZip64`), written by this class since fflate has none.
 * @example
 * const zip = new ZipWriter(fd);
 * await zip.addEntry('x.npy', [header, body], header.length + body.length, false);
 * zip.finish();
 */
export class ZipWriter {
  private position = 0;
  private readonly entries: WrittenEntry[] = [];
  private readonly zip: Zip;
  /** fflate's central directory and end record, used as-is when no ZIP64 record is needed. */
  private fflateDirectory: Uint8Array | undefined;
  private failure: Error | undefined;
  private finished = false;

  /**
   * @param fd - file descriptor opened for writing at position 0
   * @param forceZip64 - write zip64 records even for small archives (interop tests); default false
   */
  constructor(private readonly fd: number, private readonly forceZip64 = false) {
    this.zip = new Zip((err, chunk, final) => {
      if (err) this.failure ??= err;
      else if (final) this.fflateDirectory = chunk;
      else this.append(chunk);
    });
  }

  private writeAt(buf: Uint8Array, at: number): void {
    let done = 0;
    while (done < buf.length) done += fs.writeSync(this.fd, buf, done, buf.length - done, at + done);
  }

  private append(buf: Uint8Array): void {
    this.writeAt(buf, this.position);
    this.position += buf.length;
  }

  private check(name: string): void {
    if (this.failure) throw new IoError(`zip entry ${name}: ${this.failure.message}`, { cause: this.failure });
  }

  /**
   * Appends one entry.
   * @param name - entry name
   * @param chunks - the entry's bytes, in order (sync or async iterable); each chunk is
   *   consumed before the next is requested
   * @param size - total uncompressed byte count of `chunks`
   * @param compress - deflate (true) or store (false)
   * @throws {IoError} when the chunks do not add up to `size`, or writing fails
   */
  async addEntry(name: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, size: number, compress: boolean): Promise<void> {
    if (this.finished) throw new IoError(`zip entry ${name}: the archive is already finished`);
    const offset = this.position;
    const zip64 = this.forceZip64 || size >= ZIP64_ENTRY_SIZE || offset >= U32_MAX;
    const stream = compress ? new ZipDeflate(name, { level: 6 }) : new ZipPassThrough(name);
    stream.mtime = FIXED_MTIME;
    // ZIP64 local header: the extra field's sizes are zero, the real ones follow in the descriptor.
    if (zip64) stream.extra = { 1: new Uint8Array(16) };
    this.zip.add(stream);
    this.check(name);
    let seen = 0;
    for await (const chunk of chunks) {
      seen += chunk.length;
      stream.push(chunk);
      this.check(name);
    }
    if (seen !== size) throw new IoError(`zip entry ${name}: expected ${size} bytes but received ${seen}`);
    // fflate writes the rest of the data and a 16-byte data descriptor synchronously here.
    stream.push(new Uint8Array(0), true);
    this.check(name);
    const nameBytes = Buffer.byteLength(name, 'utf8');
    const dataStart = offset + 30 + nameBytes + (zip64 ? 20 : 0);
    const compressedSize = this.position - 16 - dataStart;
    const crc32 = stream.crc >>> 0;
    if (zip64) {
      // fflate's header says "version 2.0" and its descriptor has 32-bit sizes: mark the
      // header ZIP64 (4.5) and rewrite the descriptor, still last in the file, with 64-bit sizes.
      const version = Buffer.alloc(2);
      version.writeUInt16LE(45, 0);
      this.writeAt(version, offset + 4);
      const desc = Buffer.alloc(24);
      desc.writeUInt32LE(SIG_DATA_DESCRIPTOR, 0);
      desc.writeUInt32LE(crc32, 4);
      desc.writeBigUInt64LE(BigInt(compressedSize), 8);
      desc.writeBigUInt64LE(BigInt(size), 16);
      this.position -= 16;
      this.append(desc);
    }
    this.entries.push({ name, method: compress ? 8 : 0, crc32, compressedSize, size, localHeaderOffset: offset, zip64, utf8: nameBytes !== name.length });
  }

  /** Writes the central directory and end records. Call once, after the last entry. */
  finish(): void {
    if (this.finished) throw new IoError('zip archive is already finished');
    this.finished = true;
    this.zip.end();
    this.check('(central directory)');
    const cdStart = this.position;
    const needs64 = this.forceZip64 || this.entries.length >= 0xffff || cdStart >= U32_MAX
      || this.entries.some((e) => e.zip64 || e.size >= U32_MAX || e.compressedSize >= U32_MAX || e.localHeaderOffset >= U32_MAX);
    if (!needs64) {
      if (!this.fflateDirectory) throw new IoError('zip archive: fflate wrote no central directory');
      this.append(this.fflateDirectory);
      return;
    }
    this.writeZip64Directory(cdStart);
  }

  /** The central directory with ZIP64 extra fields, the ZIP64 end record and locator, and the end record. */
  private writeZip64Directory(cdStart: number): void {
    for (const e of this.entries) {
      const nameBytes = Buffer.from(e.name, 'utf8');
      const f = this.forceZip64;
      const big = [f || e.size >= U32_MAX, f || e.compressedSize >= U32_MAX, f || e.localHeaderOffset >= U32_MAX];
      const extraLen = big.some(Boolean) ? 4 + 8 * big.filter(Boolean).length : 0;
      const c = Buffer.alloc(46 + nameBytes.length + extraLen);
      c.writeUInt32LE(SIG_CENTRAL, 0);
      c.writeUInt16LE(45, 4);
      c.writeUInt16LE(extraLen || e.zip64 ? 45 : 20, 6);
      c.writeUInt16LE(FLAG_DATA_DESCRIPTOR | (e.utf8 ? FLAG_UTF8 : 0), 8);
      c.writeUInt16LE(e.method, 10);
      c.writeUInt16LE(DOS_TIME, 12);
      c.writeUInt16LE(DOS_DATE, 14);
      c.writeUInt32LE(e.crc32, 16);
      c.writeUInt32LE(big[1] ? U32_MAX : e.compressedSize, 20);
      c.writeUInt32LE(big[0] ? U32_MAX : e.size, 24);
      c.writeUInt16LE(nameBytes.length, 28);
      c.writeUInt16LE(extraLen, 30);
      c.writeUInt32LE(big[2] ? U32_MAX : e.localHeaderOffset, 42);
      nameBytes.copy(c, 46);
      if (extraLen) {
        let q = 46 + nameBytes.length;
        c.writeUInt16LE(0x0001, q);
        c.writeUInt16LE(extraLen - 4, q + 2);
        q += 4;
        if (big[0]) { c.writeBigUInt64LE(BigInt(e.size), q); q += 8; }
        if (big[1]) { c.writeBigUInt64LE(BigInt(e.compressedSize), q); q += 8; }
        if (big[2]) c.writeBigUInt64LE(BigInt(e.localHeaderOffset), q);
      }
      this.append(c);
    }
    const cdSize = this.position - cdStart;
    const z = Buffer.alloc(56 + 20);
    const z64pos = this.position;
    z.writeUInt32LE(SIG_ZIP64_EOCD, 0);
    z.writeBigUInt64LE(44n, 4);
    z.writeUInt16LE(45, 12);
    z.writeUInt16LE(45, 14);
    z.writeBigUInt64LE(BigInt(this.entries.length), 24);
    z.writeBigUInt64LE(BigInt(this.entries.length), 32);
    z.writeBigUInt64LE(BigInt(cdSize), 40);
    z.writeBigUInt64LE(BigInt(cdStart), 48);
    z.writeUInt32LE(SIG_ZIP64_LOCATOR, 56);
    z.writeBigUInt64LE(BigInt(z64pos), 64);
    z.writeUInt32LE(1, 72);
    this.append(z);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(SIG_EOCD, 0);
    end.writeUInt16LE(0xffff, 8);
    end.writeUInt16LE(0xffff, 10);
    end.writeUInt32LE(U32_MAX, 12);
    end.writeUInt32LE(U32_MAX, 16);
    this.append(end);
  }
}
