import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ArgumentRangeError, FormatError, decodeWfdbAnnotationFile, decodeWfdbAnnotations, encodeWfdbAnnotations,
  readWfdbAnnotationFile, readWfdbAnnotations, writeWfdbAnnotations, type WfdbAnnotation,
} from 'ecg-ldm';
import { LUDB, tempDir } from './helpers/data-paths';

/** Builds an annotation file from 16-bit words and raw byte runs. */
function file(...parts: (number | number[])[]): Buffer {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') out.push(p & 0xff, p >> 8);
    else out.push(...p);
  }
  return Buffer.from(out);
}
const w = (code: number, data: number): number => (code << 10) | (data & 0x3ff);
const auxRun = (text: string): number[] => {
  const b = [...Buffer.from(text, 'latin1')];
  const word = w(63, b.length);
  return [word & 0xff, word >> 8, ...b, ...(b.length & 1 ? [0] : [])];
};

test('LUDB lead II: write then read gives the same annotations', async (t) => {
  const anns = await readWfdbAnnotations(path.join(LUDB, 'data/1'), 'ii');
  const dir = tempDir();
  await writeWfdbAnnotations(path.join(dir, '1.ii'), anns);
  const back = await readWfdbAnnotations(path.join(dir, '1'), 'ii');
  t.deepEqual(back, anns);
  // The same bytes as the original file, which WFDB wrote.
  t.deepEqual(Buffer.from(encodeWfdbAnnotations(anns)), fs.readFileSync(path.join(LUDB, 'data/1.ii')));
});

test('round trip: SKIP for large and backward gaps, SUB/CHN/NUM signed and unsigned bytes, AUX text and bytes', (t) => {
  const input = [
    { sample: 5, code: 1 },
    { sample: 100_000, code: 5, subtype: -56, channel: 255, num: -3, aux: '(AFIB' }, // > 1023: SKIP
    { sample: 100_010, symbol: '+', channel: 255, num: -3, aux: '(N' }, // unchanged: no CHN/NUM written
    { sample: 99_000, code: 28, channel: 0, num: 0 }, // backward: a negative SKIP
    { sample: 99_001, code: 22, auxBytes: Uint8Array.from([1, 0, 2, 255]) },
  ];
  const bytes = encodeWfdbAnnotations(input);
  const anns = decodeWfdbAnnotations(bytes, 'rt.atr');
  t.is(anns.length, 5);
  // CHN (62) and NUM (60) words: written once for annotation 1 and once when they return to 0.
  const words = Array.from({ length: bytes.length >> 1 }, (_, k) => bytes[2 * k]! | (bytes[2 * k + 1]! << 8));
  t.is(words.filter((x) => x >> 10 === 62).length, 2);
  t.like(anns[1], { sample: 100_000, code: 5, symbol: 'V', subtype: -56, channel: 255, num: -3, aux: '(AFIB' });
  t.like(anns[2], { sample: 100_010, code: 28, symbol: '+', subtype: 0, channel: 255, num: -3, aux: '(N' });
  t.deepEqual([...anns[2]!.auxBytes], [...Buffer.from('(N')]);
  t.like(anns[3], { sample: 99_000, channel: 0, num: 0 });
  t.is(anns[4]!.aux, '\x01'); // text stops at the NUL
  t.deepEqual([...anns[4]!.auxBytes], [1, 0, 2, 255]);
  // Reading what was read and writing it again changes nothing.
  t.deepEqual(decodeWfdbAnnotations(encodeWfdbAnnotations(anns)), anns);
});

test('definition block: consumed, applied as custom mnemonics, written back', async (t) => {
  // As wfdb-python's wrann writes it: NOTE at 0 with the start text, one NOTE per
  // definition, NOTE with the end text, then SKIP -1 and a code-0 word of interval 1.
  const bytes = file(
    w(22, 0), auxRun('## annotation type definitions'),
    w(22, 0), auxRun('42 Q quality change'),
    w(22, 0), auxRun('43 Z'),
    w(22, 0), auxRun('## end of definitions'),
    w(59, 0), [0xff, 0xff, 0xff, 0xff], w(0, 1),
    w(42, 250), w(1, 10), w(43, 1000), 0,
  );
  const { annotations, definitions } = decodeWfdbAnnotationFile(bytes, 'def.atr');
  t.deepEqual(definitions, [{ code: 42, symbol: 'Q', description: 'quality change' }, { code: 43, symbol: 'Z', description: '' }]);
  t.deepEqual(annotations.map((a) => [a.sample, a.code, a.symbol]), [[250, 42, 'Q'], [260, 1, 'N'], [1260, 43, 'Z']]);
  // The writer produces the same bytes, and custom symbols resolve to their codes.
  t.deepEqual(Buffer.from(encodeWfdbAnnotations(annotations, { definitions })), bytes);
  t.deepEqual(Buffer.from(encodeWfdbAnnotations([{ sample: 250, symbol: 'Q' }, { sample: 260, symbol: 'N' }, { sample: 1260, symbol: 'Z' }], { definitions })), bytes);
  const dir = tempDir();
  await writeWfdbAnnotations(path.join(dir, 'r.atr'), annotations, { definitions });
  t.deepEqual((await readWfdbAnnotationFile(path.join(dir, 'r'), 'atr')).definitions, definitions);
});

test('bad input: malformed definition lines, unterminated block, out-of-range fields', (t) => {
  const start = [w(22, 0), auxRun('## annotation type definitions')];
  const bad = t.throws(() => decodeWfdbAnnotationFile(file(...start, w(22, 0), auxRun('42 Q ok'), w(22, 0), auxRun('Q 42'), 0), 'bad.atr'), { instanceOf: FormatError })!;
  t.like(bad, { file: 'bad.atr', line: 2, field: 'definition' });
  t.regex(bad.message, /bad\.atr, line 2, byte \d+, field definition/);
  t.throws(() => decodeWfdbAnnotationFile(file(...start, w(22, 0), auxRun('77 Q out of range'), 0), 'b.atr'), { instanceOf: FormatError, message: /outside 1\.\.49/ });
  t.throws(() => decodeWfdbAnnotationFile(file(...start, w(22, 0), auxRun('42 Q'), 0), 'b.atr'), { instanceOf: FormatError, message: /no "## end of definitions"/ });
  t.throws(() => decodeWfdbAnnotationFile(file(...start, w(1, 5), 0), 'b.atr'), { instanceOf: FormatError, message: /only NOTE annotations at sample 0/ });
  const range = t.throws(() => encodeWfdbAnnotations([{ sample: 1, code: 1 }, { sample: 2, code: 1, subtype: 200 }]), { instanceOf: ArgumentRangeError })!;
  t.regex(range.message, /annotations\[1\]\.subtype/);
  t.throws(() => encodeWfdbAnnotations([{ sample: -1, code: 1 }]), { instanceOf: ArgumentRangeError });
  t.throws(() => encodeWfdbAnnotations([{ sample: 1, code: 0 }]), { instanceOf: ArgumentRangeError });
  t.throws(() => encodeWfdbAnnotations([{ sample: 1, symbol: 'no-such' }]), { instanceOf: ArgumentRangeError });
  t.throws(() => encodeWfdbAnnotations([{ sample: 1, code: 1, aux: 'x'.repeat(256) }]), { instanceOf: ArgumentRangeError });
});

test('annotations read by the reader carry their AUX bytes', (t) => {
  const anns: WfdbAnnotation[] = decodeWfdbAnnotations(file(w(1, 3), auxRun('abc'), 0));
  t.deepEqual([...anns[0]!.auxBytes], [97, 98, 99]);
  t.is(anns[0]!.aux, 'abc');
});
