import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ArgumentRangeError, ChecksumError, FormatError, NpzWriter, ShapeError, encodeNpy, encodeNpyHeader, loadDefaultDataset,
  numericPatientIds, parseNpy, parseNpz, readNpz, readReferenceNpz, readSegmentNpz, writeNpz,
} from 'ecg-ldm';
import { hasNumpy, python, tempDir } from './helpers/data-paths';

test('NPY round trip for every dtype', (t) => {
  const cases = [
    { dtype: 'f4', data: new Float32Array([1.5, -2, 3]) },
    { dtype: 'f8', data: new Float64Array([1e300, -2, 3]) },
    { dtype: 'i8', data: new BigInt64Array([1n, -2n, 3n]) },
    { dtype: 'i4', data: new Int32Array([1, -2, 3]) },
    { dtype: 'u1', data: new Uint8Array([1, 2, 255]) },
    { dtype: 'b1', data: new Uint8Array([1, 0, 1]) },
  ] as const;
  for (const c of cases) {
    const back = parseNpy(encodeNpy({ dtype: c.dtype, shape: [3], data: c.data }));
    t.is(back.dtype, c.dtype);
    t.deepEqual(back.shape, [3]);
    t.deepEqual([...back.data], [...c.data]);
  }
  t.deepEqual(parseNpy(encodeNpy({ dtype: 'f4', shape: [], data: new Float32Array([7]) })).shape, []);
  t.is(encodeNpyHeader('f4', [10, 2048, 1]).length % 64, 0);
  t.throws(() => encodeNpy({ dtype: 'f4', shape: [2, 2], data: new Float32Array(3) }), { instanceOf: ShapeError });
});

test('NPY rejects Fortran order, big-endian, bad magic, unknown version, truncation', (t) => {
  const header = (dict: string, major = 1): Buffer => {
    const b = Buffer.alloc(128, 0x20);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(b);
    b.writeUInt16LE(118, 8);
    b.write(dict, 10);
    b[127] = 0x0a;
    return Buffer.concat([b, Buffer.alloc(8)]);
  };
  t.throws(() => parseNpy(header("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }")), { instanceOf: FormatError, message: /Fortran/ });
  t.throws(() => parseNpy(header("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }")), { instanceOf: FormatError, message: /big-endian/ });
  t.throws(() => parseNpy(header("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }")), { instanceOf: FormatError, message: /unsupported NPY dtype/ });
  t.throws(() => parseNpy(header("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 9)), { instanceOf: FormatError, message: /version 9/ });
  t.throws(() => parseNpy(header("{'descr': '<f4', 'fortran_order': False, 'shape': (20,), }")), { instanceOf: FormatError, message: /truncated/ });
  t.throws(() => parseNpy(Buffer.from('hello world!')), { instanceOf: FormatError, message: /magic/ });
  // v2 header (uint32 length) parses.
  const v2 = Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]), Buffer.alloc(4), Buffer.from("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }\n"), Buffer.from([5, 0, 0, 0])]);
  v2.writeUInt32LE(v2.length - 12 - 4, 8);
  t.deepEqual([...parseNpy(v2).data], [5]);
});

test('NpzWriter streams batches; stored and deflated archives read back', async (t) => {
  const dir = tempDir();
  for (const compress of [false, true]) {
    const file = path.join(dir, `w${compress}.npz`);
    const w = new NpzWriter(file, { length: 8, channels: 2, compress });
    for (let b = 0; b < 5; b++) {
      const data = new Float32Array(3 * 8 * 2).map((_, i) => b * 1000 + i);
      w.append(data, [b, b, b + 1]);
    }
    t.throws(() => w.append(new Float32Array(5), [0]), { instanceOf: ShapeError });
    const { count } = await w.close();
    t.is(count, 15);
    const ds = readReferenceNpz(file);
    t.deepEqual(ds.shape, [15, 8, 2]);
    t.is(ds.data[3 * 16 + 5], 1005);
    t.deepEqual([...ds.labels.slice(0, 4)], [0, 0, 1, 1]);
    t.deepEqual(fs.readdirSync(dir).filter((f) => f.startsWith('.')), [], 'no temp files left');
  }
});

test('aborted NpzWriter leaves nothing behind', (t) => {
  const dir = tempDir();
  const w = new NpzWriter(path.join(dir, 'x.npz'), { length: 4 });
  w.append(new Float32Array(4), [1]);
  w.abort();
  t.deepEqual(fs.readdirSync(dir), []);
});

test('corrupt zip: no end record, flipped data byte (CRC), truncated', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'a.npz');
  await writeNpz(file, { x: { dtype: 'f4', shape: [100], data: new Float32Array(100).fill(1) } });
  const bytes = fs.readFileSync(file);
  t.throws(() => parseNpz(Buffer.from('PK not really a zip')), { instanceOf: FormatError, message: /end of central directory/ });
  const flipped = Buffer.from(bytes);
  flipped[200] = flipped[200]! ^ 0xff;
  t.throws(() => parseNpz(flipped), { instanceOf: ChecksumError });
  t.throws(() => parseNpz(bytes.subarray(0, bytes.length - 30)), { instanceOf: FormatError });
  t.throws(() => readNpz(path.join(dir, 'missing.npz')), { code: 'E_IO' } as never);
});

test('zip64 records round trip (forced)', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'z64.npz');
  await writeNpz(file, { data: { dtype: 'f4', shape: [2, 3, 1], data: new Float32Array([1, 2, 3, 4, 5, 6]) }, label: { dtype: 'i8', shape: [2], data: new BigInt64Array([0n, 1n]) } }, { zip64: true });
  const ds = readReferenceNpz(file);
  t.deepEqual([...ds.data], [1, 2, 3, 4, 5, 6]);
  if (!hasNumpy()) return t.log('python3/numpy absent: numpy zip64 cross-check skipped');
  t.is(python(`import numpy as np; z=np.load(${JSON.stringify(file)}); print(z['data'].ravel().tolist(), z['label'].tolist())`).trim(), '[1.0, 2.0, 3.0, 4.0, 5.0, 6.0] [0, 1]');
});

test('numpy loads our NPZ files; we load numpy savez and savez_compressed', async (t) => {
  if (!hasNumpy()) {
    t.log('python3/numpy absent: numpy cross-checks skipped');
    t.pass();
    return;
  }
  const dir = tempDir();
  for (const compress of [false, true]) {
    const file = path.join(dir, `ours${compress}.npz`);
    const w = new NpzWriter(file, { length: 4, channels: 3, compress });
    w.append(new Float32Array(24).map((_, i) => i / 2), [3, 4]);
    await w.close();
    const out = python(`import numpy as np; z=np.load(${JSON.stringify(file)}); d=z['data']; l=z['label']; print(d.dtype, d.shape, float(d[1,3,2]), l.dtype, l.tolist())`).trim();
    t.is(out, 'float32 (2, 4, 3) 11.5 int64 [3, 4]');
  }
  const theirs = path.join(dir, 'theirs.npz');
  const theirsC = path.join(dir, 'theirsc.npz');
  python(`import numpy as np
d=np.arange(2*5*3, dtype='f4').reshape(2,5,3)
np.savez(${JSON.stringify(theirs)}, data=d, label=np.array([1,0]), flag=np.array([True,False]), big=np.arange(3,dtype='<f8'))
np.savez_compressed(${JSON.stringify(theirsC)}, data=d, label=np.array([1,0], dtype='i4'))`);
  for (const f of [theirs, theirsC]) {
    const ds = readReferenceNpz(f);
    t.deepEqual(ds.shape, [2, 5, 3]);
    t.is(ds.data[29], 29);
    t.deepEqual([...ds.labels], [1, 0]);
  }
  const all = readNpz(theirs);
  t.is(all['flag']!.dtype, 'b1');
  t.deepEqual([...all['big']!.data], [0, 1, 2]);
  // Fortran-ordered arrays from numpy are rejected clearly.
  const fort = path.join(dir, 'fort.npz');
  python(`import numpy as np; np.savez(${JSON.stringify(fort)}, data=np.asfortranarray(np.zeros((3,4),dtype='f4')))`);
  t.throws(() => readNpz(fort), { instanceOf: FormatError, message: /Fortran/ });
});

// Slow (ECG_LDM_SLOW=1): 40,000 x 2,048 floats (328 MB) stream through NpzWriter while
// memory stays far below the data size.
(process.env['ECG_LDM_SLOW'] ? test : test.skip)('NpzWriter streams 328 MB without holding it in memory', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'big.npz');
  const w = new NpzWriter(file, { length: 2048, channels: 1 });
  const batch = new Float32Array(1000 * 2048).map((_, i) => i % 2048);
  const labels = new Array<number>(1000).fill(1);
  const before = process.memoryUsage();
  let peak = 0;
  for (let b = 0; b < 40; b++) {
    w.append(batch, labels);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  await w.close();
  peak = Math.max(peak, process.memoryUsage().rss);
  t.true(peak - before.rss < 150e6, `rss grew by ${((peak - before.rss) / 1e6).toFixed(0)} MB`);
  t.is(fs.statSync(file).size > 40000 * 2048 * 4, true);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('NpzWriter writes a patient array when every batch gives patient ids, and refuses a mix', async (t) => {
  const dir = tempDir();
  const file = path.join(dir, 'patients.npz');
  const w = new NpzWriter(file, { length: 2, channels: 1 });
  w.append(new Float32Array([1, 2, 3, 4]), [0, 1], [7, 7]);
  t.throws(() => w.append(new Float32Array([5, 6]), [1]), { instanceOf: ArgumentRangeError, message: /every batch or with none/ });
  t.throws(() => w.append(new Float32Array([5, 6]), [1], [8, 9]), { instanceOf: ShapeError });
  w.append(new Float32Array([5, 6]), [1], [9]);
  await w.close();
  const arrays = readNpz(file);
  t.deepEqual([...arrays['patient']!.data as BigInt64Array], [7n, 7n, 9n]);
  t.deepEqual(readSegmentNpz(file).patients, ['7', '7', '9']);

  const plain = new NpzWriter(path.join(dir, 'plain.npz'), { length: 2, channels: 1 });
  plain.append(new Float32Array([1, 2]), [0]);
  t.throws(() => plain.append(new Float32Array([1, 2]), [0], [3]), { instanceOf: ArgumentRangeError });
  await plain.close();
  t.false('patient' in readNpz(path.join(dir, 'plain.npz')));
});

test('numericPatientIds keeps trailing record numbers when they are distinct, else indexes the sorted ids', (t) => {
  t.deepEqual([...numericPatientIds(['ludb-161', 'ludb-3', 'ludb-161'])], [['ludb-161', 161], ['ludb-3', 3]]);
  t.deepEqual([...numericPatientIds(['a-1', 'b-1', 'c'])], [['a-1', 0], ['b-1', 1], ['c', 2]]);
});

test('the bundled sets carry one patient id per LUDB record, two segments each, disjoint across sets', (t) => {
  const seen = new Map<string, string>();
  for (const set of ['train', 'val', 'test'] as const) {
    const { patients, labels } = loadDefaultDataset(set);
    t.is(patients.length, labels.length);
    const counts = new Map<string, number>();
    for (const p of patients) counts.set(p, (counts.get(p) ?? 0) + 1);
    t.true([...counts.values()].every((c) => c === 2));
    for (const p of counts.keys()) {
      t.false(seen.has(p), `patient ${p} in ${set} and ${seen.get(p)}`);
      seen.set(p, set);
    }
  }
  t.is(seen.size, 200);
});
