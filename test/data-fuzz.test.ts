import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  EcgLdmError, decodeWfdbAnnotationFile, decodeWfdbAnnotations, decodeWfdbRecord, encodeWfdbAnnotations, parseCsv, parseNpy,
  parseNpz, parseWfdbHeader, wfdbSegmentListing, writeNpz,
} from 'ecg-ldm';
import { AFPDB, LUDB, PTBXL, tempDir } from './helpers/data-paths';
import { mutate, seeded } from './helpers/data-fuzz';
import { randomInts, writeMultiSegmentRecord, writeSyntheticRecord } from './helpers/data-wfdb-encode';

const ITERATIONS = 300;
const TIME_LIMIT_MS = 8000;

/** Runs `parse` on mutated inputs; every outcome must be a result or an EcgLdmError. */
function fuzz(t: import('ava').ExecutionContext, name: string, inputs: Uint8Array[], seed: number, parse: (b: Buffer) => unknown): void {
  const rnd = seeded(seed);
  const started = Date.now();
  let ok = 0, rejected = 0;
  for (let i = 0; i < ITERATIONS && Date.now() - started < TIME_LIMIT_MS; i++) {
    const input = mutate(inputs[i % inputs.length]!, rnd);
    try {
      parse(input);
      ok++;
    } catch (err) {
      if (!(err instanceof EcgLdmError) || typeof (err as { code?: unknown }).code !== 'string') {
        t.fail(`${name} iteration ${i}: non-library error ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
        return;
      }
      rejected++;
    }
  }
  t.log(`${name}: ${ok} parsed, ${rejected} rejected with typed errors`);
  t.true(ok + rejected > 0);
}

test('fuzz WFDB header parser', (t) => {
  const inputs = [path.join(LUDB, 'data/1.hea'), path.join(PTBXL, 'records100/00000/00001_lr.hea'), path.join(AFPDB, 'n01.hea')].map((f) => fs.readFileSync(f));
  fuzz(t, 'header', inputs, 1, (b) => parseWfdbHeader(b.toString('latin1'), 'fuzz.hea'));
});

test('fuzz WFDB signal decoding (mutated header and data)', (t) => {
  const hea = fs.readFileSync(path.join(PTBXL, 'records100/00000/00001_lr.hea'));
  const dat = fs.readFileSync(path.join(PTBXL, 'records100/00000/00001_lr.dat'));
  const rnd = seeded(2);
  fuzz(t, 'signal', [dat], 3, (b) => {
    const header = rnd() < 0.3 ? mutate(hea, rnd).toString('latin1') : hea.toString('latin1');
    return decodeWfdbRecord(parseWfdbHeader(header, 'fuzz.hea'), () => b, { checksum: rnd() < 0.5 ? 'strict' : 'lenient' }, 'fuzz.hea');
  });
  // Formats other than 16, through a rewritten format field.
  for (const fmt of ['212', '8', '80', '24', '32', '61', '160', '310', '311']) {
    const h = hea.toString('latin1').replaceAll(' 16 ', ` ${fmt} `);
    fuzz(t, `signal-${fmt}`, [dat], 4, (b) => decodeWfdbRecord(parseWfdbHeader(h), () => b, { checksum: 'off', allowTrailingBytes: true }));
  }
});

test('fuzz multi-segment records: master header, segment headers and data', (t) => {
  const dir = tempDir();
  const sig = (n: number, seed: number): Int32Array => randomInts(n, -500, 500, seed);
  writeMultiSegmentRecord(dir, 'ms', 212, [
    { name: 'ms_1', signals: [sig(40, 1), sig(40, 2)], options: { descriptions: ['II', 'V'] } },
    { gap: 7 },
    { name: 'ms_2', signals: [sig(30, 3)], options: { descriptions: ['V'] } },
  ], { layout: ['II', 'V'] });
  const files = new Map(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f))]));
  const names = [...files.keys()];
  const master = files.get('ms.hea')!;
  fuzz(t, 'multi-segment header', [master], 9, (b) => wfdbSegmentListing(parseWfdbHeader(b.toString('latin1'), 'fuzz.hea'), 'fuzz.hea'));
  const rnd = seeded(10);
  fuzz(t, 'multi-segment record', [...files.values()], 11, (b) => {
    // One file of the record replaced by a mutated one; a random range and output form.
    const victim = names[Math.floor(rnd() * names.length)]!;
    const load = (f: string): Uint8Array => {
      if (f === victim) return b;
      const bytes = files.get(f);
      if (bytes === undefined) throw new Error(`no file ${f}`); // becomes an IoError in the reader
      return bytes;
    };
    const header = victim === 'ms.hea' ? b.toString('latin1') : master.toString('latin1');
    const from = Math.floor(rnd() * 80);
    return decodeWfdbRecord(parseWfdbHeader(header, 'fuzz.hea'), load, { from, to: from + Math.floor(rnd() * 10), physical: rnd() < 0.5, rate: rnd() < 0.5 ? 'native' : 'frame' }, 'fuzz.hea');
  });
});

test('fuzz multi-frequency and skewed signal files with ranged reads', (t) => {
  const dir = tempDir();
  const base = writeSyntheticRecord(dir, 'mf', 212, [randomInts(60, -900, 900, 1), randomInts(120, -900, 900, 2)], { samplesPerFrame: [2, 4], skews: [0, 3], noChecksum: true });
  const hea = fs.readFileSync(`${base}.hea`);
  const dat = fs.readFileSync(`${base}.dat`);
  const rnd = seeded(12);
  fuzz(t, 'multi-frequency', [dat, hea], 13, (b) => {
    const headerText = b === dat || rnd() < 0.5 ? hea.toString('latin1') : mutate(hea, rnd).toString('latin1');
    const from = Math.floor(rnd() * 30);
    const rate = (['native', 'frame', 'highest'] as const)[Math.floor(rnd() * 3)]!;
    return decodeWfdbRecord(parseWfdbHeader(headerText, 'fuzz.hea'), () => b, { from, to: Math.min(30, from + Math.floor(rnd() * 10)), rate, checksum: 'off' }, 'fuzz.hea');
  });
});

test('fuzz annotation definition blocks and the writer round trip', (t) => {
  const definitions = [{ code: 42, symbol: 'Q', description: 'quality' }, { code: 43, symbol: 'Z', description: '' }];
  const bytes = encodeWfdbAnnotations([{ sample: 3, symbol: 'Q' }, { sample: 5000, code: 1, subtype: -2, channel: 7, num: 3, aux: 'x' }, { sample: 6000, symbol: 'Z' }], { definitions });
  fuzz(t, 'annotation definitions', [bytes], 14, (b) => {
    const { annotations, definitions: defs } = decodeWfdbAnnotationFile(b, 'fuzz.atr');
    // Whatever decodes must encode, and decode again to the same annotations.
    const again = decodeWfdbAnnotationFile(encodeWfdbAnnotations(annotations.filter((a) => a.code > 0), { definitions: defs }), 'again.atr');
    if (again.annotations.length !== annotations.filter((a) => a.code > 0).length) t.fail('round trip lost annotations');
  });
});

test('fuzz annotation decoder', (t) => {
  const inputs = ['i', 'ii', 'v6'].map((e) => fs.readFileSync(path.join(LUDB, `data/1.${e}`)));
  fuzz(t, 'annotation', inputs, 5, (b) => decodeWfdbAnnotations(b, 'fuzz.atr'));
});

test('fuzz NPY and NPZ (stored and deflated)', async (t) => {
  const dir = tempDir();
  const arrays = {
    data: { dtype: 'f4' as const, shape: [3, 64, 1], data: Float32Array.from({ length: 192 }, (_, i) => Math.sin(i)) },
    label: { dtype: 'i8' as const, shape: [3], data: new BigInt64Array([0n, 1n, 1n]) },
  };
  await writeNpz(path.join(dir, 's.npz'), arrays);
  await writeNpz(path.join(dir, 'c.npz'), arrays, { compress: true });
  const zips = [fs.readFileSync(path.join(dir, 's.npz')), fs.readFileSync(path.join(dir, 'c.npz'))];
  fuzz(t, 'npz', zips, 6, (b) => parseNpz(b, 'fuzz.npz'));
  const npy = [Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 118, 0]), Buffer.from("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 64, 1), }".padEnd(117) + '\n'), Buffer.from(arrays.data.data.buffer)])];
  fuzz(t, 'npy', npy, 7, (b) => parseNpy(b, 'fuzz.npy'));
});

test('fuzz CSV reader', (t) => {
  const ludb = fs.readFileSync(path.join(LUDB, 'ludb.csv'));
  const ptb = fs.readFileSync(path.join(PTBXL, 'ptbxl_database.csv')).subarray(0, 20000);
  fuzz(t, 'csv', [ludb, ptb], 8, (b) => parseCsv(b.toString('utf8'), 'fuzz.csv'));
});
