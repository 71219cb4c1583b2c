import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ChecksumError, FormatError, IoError, ZipWriter, bufferSource, fileSource, listZipEntries, readNpz, readReferenceNpz,
  readZipEntry, writeNpz,
} from 'ecg-ldm';
import { hasNumpy, python, tempDir } from './helpers/data-paths';

const arrays = {
  data: { dtype: 'f4' as const, shape: [2, 3, 1], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
  label: { dtype: 'i8' as const, shape: [2], data: new BigInt64Array([0n, 1n]) },
  'extra-é': { dtype: 'f8' as const, shape: [64], data: Float64Array.from({ length: 64 }, (_, i) => i / 3) },
};

test('archives are deterministic, and readable by Python zipfile in every mode (stored, deflated, forced ZIP64)', async (t) => {
  const dir = tempDir();
  const modes = [{}, { compress: true }, { zip64: true }, { zip64: true, compress: true }];
  for (const [i, m] of modes.entries()) {
    const a = path.join(dir, `a${i}.npz`);
    const b = path.join(dir, `b${i}.npz`);
    await writeNpz(a, arrays, m);
    await writeNpz(b, arrays, m);
    t.deepEqual(fs.readFileSync(a), fs.readFileSync(b), `mode ${JSON.stringify(m)} is deterministic`);
    const back = readNpz(a);
    t.deepEqual(Object.keys(back), ['data', 'label', 'extra-é']);
    t.deepEqual([...back['extra-é']!.data], [...arrays['extra-é'].data]);
    const entries = listZipEntries(bufferSource(fs.readFileSync(a)), a);
    t.deepEqual(entries.map((e) => e.method), entries.map(() => (m.compress ? 8 : 0)));
  }
  if (!hasNumpy()) return t.log('python3 absent: zipfile cross-check skipped');
  const out = python(`import zipfile
for i in range(4):
    z = zipfile.ZipFile(${JSON.stringify(dir)} + '/a%d.npz' % i)
    print(z.testzip(), sorted({info.extract_version for info in z.infolist()}), [info.filename for info in z.infolist()])`);
  t.is(out.trim(), [
    "None [20] ['data.npy', 'label.npy', 'extra-é.npy']",
    "None [20] ['data.npy', 'label.npy', 'extra-é.npy']",
    "None [45] ['data.npy', 'label.npy', 'extra-é.npy']",
    "None [45] ['data.npy', 'label.npy', 'extra-é.npy']",
  ].join('\n'));
});

test('forced ZIP64 entries carry 64-bit sizes in the local header extra field and data descriptor', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'z.npz');
  await writeNpz(file, { data: arrays.data }, { zip64: true });
  const bytes = fs.readFileSync(file);
  const [entry] = listZipEntries(bufferSource(bytes), file);
  t.is(bytes.readUInt32LE(0), 0x04034b50);
  t.is(bytes.readUInt16LE(4), 45, 'version needed 4.5');
  t.is(bytes.readUInt16LE(6) & 8, 8, 'sizes in a data descriptor');
  const nameLen = bytes.readUInt16LE(26);
  t.is(bytes.readUInt16LE(28), 20);
  t.is(bytes.readUInt16LE(30 + nameLen), 1, 'ZIP64 extra field id');
  const desc = 30 + nameLen + 20 + entry!.compressedSize;
  t.is(bytes.readUInt32LE(desc), 0x08074b50);
  t.is(bytes.readUInt32LE(desc + 4), entry!.crc32);
  t.is(Number(bytes.readBigUInt64LE(desc + 8)), entry!.compressedSize);
  t.is(Number(bytes.readBigUInt64LE(desc + 16)), entry!.size);
  t.is(bytes.readUInt32LE(desc + 24), 0x02014b50, 'central directory follows the 24-byte descriptor');
});

test('entries are read lazily: readReferenceNpz skips a damaged array it does not need', async (t) => {
  const dir = tempDir();
  for (const compress of [false, true]) {
    const file = path.join(dir, `lazy${compress}.npz`);
    await writeNpz(file, arrays, { compress });
    const bytes = fs.readFileSync(file);
    const extra = listZipEntries(bufferSource(bytes), file).find((e) => e.name === 'extra-é.npy')!;
    const dataPos = extra.localHeaderOffset + 30 + bytes.readUInt16LE(extra.localHeaderOffset + 26) + bytes.readUInt16LE(extra.localHeaderOffset + 28);
    bytes[dataPos + extra.compressedSize - 3]! ^= 0x55;
    fs.writeFileSync(file, bytes);
    t.throws(() => readNpz(file), { instanceOf: FormatError });
    const ds = readReferenceNpz(file);
    t.deepEqual([...ds.data], [1, 2, 3, 4, 5, 6]);
    t.deepEqual([...ds.labels], [0, 1]);
  }
});

test('reading from a file descriptor; typed errors for corrupt deflate data, size claims and CRC', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'c.npz');
  await writeNpz(file, arrays, { compress: true });
  const fd = fs.openSync(file, 'r');
  try {
    const src = fileSource(fd);
    const entries = listZipEntries(src, file);
    t.is(readZipEntry(src, entries[1]!, file).length, entries[1]!.size);
    // A directory claiming more bytes than DEFLATE can produce is rejected before inflating.
    const bomb = { ...entries[0]!, size: entries[0]!.compressedSize * 2000 };
    const e1 = t.throws(() => readZipEntry(src, bomb, file), { instanceOf: FormatError });
    t.is(e1?.file, file);
    t.is(typeof e1?.offset, 'number');
    // A directory size that disagrees with the stream.
    t.throws(() => readZipEntry(src, { ...entries[0]!, size: entries[0]!.size - 1 }, file), { instanceOf: FormatError, message: /more than|unpacks to/ });
    t.throws(() => readZipEntry(src, { ...entries[0]!, size: entries[0]!.size + 1 }, file), { instanceOf: FormatError, message: /unpacks to/ });
    t.throws(() => readZipEntry(src, { ...entries[0]!, crc32: (entries[0]!.crc32 + 1) >>> 0 }, file), { instanceOf: ChecksumError });
    t.throws(() => readZipEntry(src, { ...entries[0]!, method: 12 }, file), { instanceOf: FormatError, message: /method 12/ });
    t.throws(() => readZipEntry(src, { ...entries[0]!, compressedSize: src.size }, file), { instanceOf: FormatError, message: /outside the file/ });
  } finally {
    fs.closeSync(fd);
  }
  const bytes = fs.readFileSync(file);
  const first = listZipEntries(bufferSource(bytes))[0]!;
  const garbled = Buffer.from(bytes);
  garbled.fill(0xff, 60, 70);
  t.throws(() => readZipEntry(bufferSource(garbled), first, 'g.npz'), { instanceOf: FormatError });
});

test('ZipWriter: chunks that do not add up to the size are an IoError; finish twice is refused', async (t) => {
  const dir = tempDir();
  const fd = fs.openSync(path.join(dir, 'w.zip'), 'w');
  const bad = fs.openSync(path.join(dir, 'bad.zip'), 'w');
  try {
    const zip = new ZipWriter(fd);
    async function* chunks(): AsyncGenerator<Uint8Array> { yield new Uint8Array(3); yield new Uint8Array(2); }
    await zip.addEntry('a.bin', chunks(), 5, true);
    await zip.addEntry('b.bin', [new Uint8Array(10), new Uint8Array(5)], 15, false);
    zip.finish();
    t.throws(() => zip.finish(), { instanceOf: IoError });
    const src = bufferSource(fs.readFileSync(path.join(dir, 'w.zip')));
    t.deepEqual(listZipEntries(src).map((e) => [e.name, readZipEntry(src, e).length]), [['a.bin', 5], ['b.bin', 15]]);
    await t.throwsAsync(new ZipWriter(bad).addEntry('c.bin', [new Uint8Array(3)], 4, true), { instanceOf: IoError, message: /expected 4 bytes but received 3/ });
  } finally {
    fs.closeSync(fd);
    fs.closeSync(bad);
  }
});
