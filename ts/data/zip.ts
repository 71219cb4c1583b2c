/**
 * Minimal ZIP container support for NPZ files: a reader for stored and deflated
 * entries (zip64 included) and a streaming writer that never holds an entry in memory.
 * @module
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { once } from 'node:events';
import { ChecksumError, FormatError, IoError } from '../errors';

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
    read(pos, len) {
      const out = Buffer.allocUnsafe(len);
      let done = 0;
      while (done < len) {
        const n = fs.readSync(fd, out, done, len - done, pos + done);
        if (n === 0) break;
        done += n;
      }
      return out.subarray(0, done);
    },
  };
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const U32_MAX = 0xffffffff;

function need(src: ByteSource, pos: number, len: number, file: string, what: string): Buffer {
  if (pos < 0 || pos + len > src.size) throw new FormatError(`corrupt zip: ${what} lies outside the file`, { file, offset: pos });
  const b = src.read(pos, len);
  if (b.length < len) throw new FormatError(`corrupt zip: short read of ${what}`, { file, offset: pos });
  return b;
}

/**
 * Lists the entries of a ZIP file from its central directory.
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
          if (q + 8 > e + 4 + len) throw new FormatError('corrupt zip64 extra field', { file, offset: cdOffset + q });
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

/**
 * Reads, decompresses and CRC-checks one entry.
 * @throws {FormatError} unsupported method, corrupt local header or deflate stream, size mismatch
 * @throws {ChecksumError} CRC-32 mismatch
 * @example
 * const bytes = readZipEntry(src, entries[0], 'a.npz');
 */
export function readZipEntry(src: ByteSource, entry: ZipEntry, file = 'archive.zip'): Buffer {
  const local = need(src, entry.localHeaderOffset, 30, file, `local header of ${entry.name}`);
  if (local.readUInt32LE(0) !== SIG_LOCAL) throw new FormatError(`corrupt zip: bad local header for ${entry.name}`, { file, offset: entry.localHeaderOffset });
  const dataPos = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const raw = need(src, dataPos, entry.compressedSize, file, `data of ${entry.name}`);
  let data: Buffer;
  if (entry.method === 0) {
    data = raw;
  } else if (entry.method === 8) {
    try {
      data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(entry.size, 1) });
    } catch (err) {
      throw new FormatError(`corrupt deflate data in ${entry.name}: ${(err as Error).message}`, { file, offset: dataPos });
    }
  } else {
    throw new FormatError(`zip compression method ${entry.method} is not supported (stored and deflate are)`, { file, offset: entry.localHeaderOffset, field: entry.name });
  }
  if (data.length !== entry.size) throw new FormatError(`${entry.name} unpacks to ${data.length} bytes, the directory says ${entry.size}`, { file, offset: dataPos });
  const crc = zlib.crc32(data);
  if (crc !== entry.crc32) throw new ChecksumError(`CRC-32 mismatch in ${entry.name}: stored ${entry.crc32.toString(16)}, data ${crc.toString(16)}`, { file, offset: dataPos });
  return data;
}

interface WrittenEntry extends ZipEntry { zip64: boolean }

// Fixed DOS timestamp (1980-01-01 00:00) so identical inputs give identical archives.
const DOS_TIME = 0;
const DOS_DATE = 0x21;

/**
 * Writes a ZIP file entry by entry to an open file, streaming each entry's bytes.
 * Offsets and sizes switch to zip64 records when they exceed 32 bits.
 * @example
 * const zip = new ZipWriter(fd);
 * await zip.addEntry('x.npy', [header, body], header.length + body.length, false);
 * zip.finish();
 */
export class ZipWriter {
  private position = 0;
  private readonly entries: WrittenEntry[] = [];
  /**
   * @param fd - file descriptor opened for writing at position 0
   * @param forceZip64 - write zip64 records even for small archives (interop tests); default false
   */
  constructor(private readonly fd: number, private readonly forceZip64 = false) {}

  private write(buf: Uint8Array, at = this.position): void {
    let done = 0;
    while (done < buf.length) done += fs.writeSync(this.fd, buf, done, buf.length - done, at + done);
    if (at === this.position) this.position += buf.length;
  }

  /**
   * Appends one entry.
   * @param name - entry name
   * @param chunks - the entry's bytes, in order (sync or async iterable)
   * @param size - total uncompressed byte count of `chunks`
   * @param compress - deflate (true) or store (false)
   * @throws {IoError} when the chunks do not add up to `size`
   */
  async addEntry(name: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, size: number, compress: boolean): Promise<void> {
    const offset = this.position;
    const nameBytes = Buffer.from(name, 'utf8');
    // A zip64 local header is chosen up front with margin for deflate's worst-case growth.
    const zip64 = this.forceZip64 || size >= 0xfff00000 || offset >= U32_MAX;
    const local = Buffer.alloc(30 + nameBytes.length + (zip64 ? 20 : 0));
    local.writeUInt32LE(SIG_LOCAL, 0);
    local.writeUInt16LE(zip64 ? 45 : 20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(compress ? 8 : 0, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(zip64 ? 20 : 0, 28);
    nameBytes.copy(local, 30);
    if (zip64) {
      local.writeUInt16LE(0x0001, 30 + nameBytes.length);
      local.writeUInt16LE(16, 32 + nameBytes.length);
    }
    this.write(local);
    const dataStart = this.position;
    let crc = 0;
    let seen = 0;
    if (compress) {
      const deflate = zlib.createDeflateRaw({ level: 6 });
      const drained = (async () => {
        for await (const out of deflate) this.write(out as Buffer);
      })();
      for await (const chunk of chunks) {
        crc = zlib.crc32(chunk, crc);
        seen += chunk.length;
        if (!deflate.write(chunk)) await once(deflate, 'drain');
      }
      deflate.end();
      await drained;
    } else {
      for await (const chunk of chunks) {
        crc = zlib.crc32(chunk, crc);
        seen += chunk.length;
        this.write(chunk);
      }
    }
    if (seen !== size) throw new IoError(`zip entry ${name}: expected ${size} bytes but received ${seen}`);
    const compressedSize = this.position - dataStart;
    // Patch CRC and sizes into the local header now that they are known.
    const fix = Buffer.alloc(12);
    fix.writeUInt32LE(crc, 0);
    fix.writeUInt32LE(zip64 ? U32_MAX : compressedSize, 4);
    fix.writeUInt32LE(zip64 ? U32_MAX : size, 8);
    this.write(fix, offset + 14);
    if (zip64) {
      const sizes = Buffer.alloc(16);
      sizes.writeBigUInt64LE(BigInt(size), 0);
      sizes.writeBigUInt64LE(BigInt(compressedSize), 8);
      this.write(sizes, offset + 34 + nameBytes.length);
    }
    this.entries.push({ name, method: compress ? 8 : 0, crc32: crc, compressedSize, size, localHeaderOffset: offset, zip64 });
  }

  /** Writes the central directory and end records. Call once, after the last entry. */
  finish(): void {
    const cdStart = this.position;
    for (const e of this.entries) {
      const nameBytes = Buffer.from(e.name, 'utf8');
      const f = this.forceZip64;
      const big = [f || e.size >= U32_MAX, f || e.compressedSize >= U32_MAX, f || e.localHeaderOffset >= U32_MAX];
      const extraLen = big.some(Boolean) ? 4 + 8 * big.filter(Boolean).length : 0;
      const c = Buffer.alloc(46 + nameBytes.length + extraLen);
      c.writeUInt32LE(SIG_CENTRAL, 0);
      c.writeUInt16LE(45, 4);
      c.writeUInt16LE(extraLen || e.zip64 ? 45 : 20, 6);
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
      this.write(c);
    }
    const cdSize = this.position - cdStart;
    const needs64 = this.forceZip64 || this.entries.length >= 0xffff || cdStart >= U32_MAX || cdSize >= U32_MAX;
    if (needs64) {
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
      this.write(z);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(SIG_EOCD, 0);
    end.writeUInt16LE(needs64 ? 0xffff : this.entries.length, 8);
    end.writeUInt16LE(needs64 ? 0xffff : this.entries.length, 10);
    end.writeUInt32LE(needs64 ? U32_MAX : cdSize, 12);
    end.writeUInt32LE(needs64 ? U32_MAX : cdStart, 16);
    this.write(end);
  }
}
