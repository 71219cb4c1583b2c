// Hostile safetensors headers and checkpoint metadata (native/train/strict_json.h on top of
// nlohmann/json): duplicate keys, deep nesting, non-integer shapes and offsets, a byte-order
// mark and broken configs each raise FormatError naming the file; doubles in the stored
// config survive a save/load exactly. A tiny generator checkpoint is the starting point.
import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FormatError, Generator, type GeneratorConfig } from 'ecg-ldm';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-ldm-checkpoint-header-test-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const TINY: GeneratorConfig = {
  model: { kind: 'unet1d', length: 64, baseChannels: 4, channelMults: [1, 2], numResBlocks: 1, attentionLevels: [], numHeads: 1, normGroups: 2, dropout: 1 / 3 },
  diffusion: { numTrainSteps: 10, betaStart: 0.1 + 0.2, betaEnd: 0.5 },
};
const base = path.join(tmp, 'base.safetensors');
Generator.create(TINY, { seed: 1 }).save(base);

const blob = fs.readFileSync(base);
const headerLength = Number(blob.readBigUInt64LE(0));
const headerText = blob.subarray(8, 8 + headerLength).toString('utf8');
const data = blob.subarray(8 + headerLength);
const header = JSON.parse(headerText) as Record<string, Record<string, unknown>>;
const first = Object.keys(header).find((k) => k !== '__metadata__')!;
const entry = header[first]!;

/** `base` with its header replaced by `text` (same data section). */
function withHeader(name: string, text: string | Buffer): string {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(bytes.length));
  const file = path.join(tmp, `${name}.safetensors`);
  fs.writeFileSync(file, Buffer.concat([length, bytes, data]));
  return file;
}
/** The header with the first tensor's entry written as `raw` JSON text (placed first). */
const replaceEntry = (raw: string): string => {
  const rest = { ...header };
  delete rest[first];
  return `{${JSON.stringify(first)}:${raw},${JSON.stringify(rest).slice(1)}`;
};
const entryWith = (field: string, raw: string): string => {
  const others = Object.entries(entry).filter(([k]) => k !== field).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  return `{${[...others, `${JSON.stringify(field)}:${raw}`].join(',')}}`;
};
const withMetadata = (values: Record<string, string>): string => JSON.stringify({ ...header, __metadata__: { ...header.__metadata__, ...values } });

test('an unchanged or re-spaced header loads; doubles of the config round-trip exactly', (t) => {
  for (const file of [base, withHeader('spaced', ` \n${JSON.stringify(header, null, 2)}\t `)]) {
    const gen = Generator.load(file);
    const { model, diffusion } = gen.config();
    t.is(model.kind === 'unet1d' ? model.dropout : NaN, 1 / 3);
    t.is(diffusion.betaStart, 0.1 + 0.2);
    gen.dispose();
  }
});

test('malformed headers raise FormatError naming the file', (t) => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['duplicate-tensor', `{${JSON.stringify(first)}:${JSON.stringify(entry)},${headerText.slice(1)}`, /duplicate key "model\./],
    ['duplicate-metadata-key', headerText.replace('"__metadata__":{', '"__metadata__":{"step":"1",'), /duplicate key "step"/],
    ['duplicate-field', replaceEntry(entryWith('dtype', '"F32","dtype":"F32"')), /duplicate key "dtype"/],
    ['nested-100', replaceEntry(entryWith('x', `${'['.repeat(100)}${']'.repeat(100)}`)), /nesting deeper than 64/],
    ['nested-100000', replaceEntry(`{"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), /nesting deeper than 64/],
    ['shape-fraction', replaceEntry(entryWith('shape', `[${(entry.shape as number[]).map((s) => `${s}.0`).join(',')}]`)), /integer in int64 range/],
    ['shape-negative', replaceEntry(entryWith('shape', '[-1]')), /negative shape entry/],
    ['shape-overflow', replaceEntry(entryWith('shape', '[1e400]')), /number overflow/],
    ['offsets-beyond-int64', replaceEntry(entryWith('data_offsets', '[0,18446744073709551615]')), /integer in int64 range/],
    ['offsets-null', replaceEntry(entryWith('data_offsets', '[null,4]')), /expected number for .* but found null/],
    ['byte-order-mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(headerText)]), /byte-order mark/],
    ['not-utf8', Buffer.concat([Buffer.from('{"'), Buffer.from([0xff]), Buffer.from(`":1,${headerText.slice(1)}`)]), /UTF-8/],
    ['trailing', `${headerText} x`, /invalid JSON/],
    ['not-an-object', '[1,2]', /not a JSON object/],
    ['model-config-invalid', withMetadata({ model_config: '{"model":1,}' }), /model_config: invalid JSON/],
    ['model-config-duplicate', withMetadata({ model_config: '{"model":{},"model":{}}' }), /model_config: invalid JSON: duplicate key "model"/],
    ['step-fraction', withMetadata({ step: '1.5' }), /metadata step but found 1\.5/],
  ];
  for (const [name, text, message] of cases) {
    const file = withHeader(name, text);
    const error = t.throws(() => Generator.load(file), { instanceOf: FormatError, message }, name);
    t.true(error?.message.includes(`${name}.safetensors`), `${name}: ${error?.message}`);
  }
});
