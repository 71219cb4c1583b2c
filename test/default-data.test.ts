// The bundled datasets and their shipped generators: patients never cross sets (checked for
// ptbxl-af against PTB-XL's own strat_fold), labels match scp_codes, and each shipped
// generator is the file its model card describes and samples the segments it was trained on.
import test from 'ava';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ArgumentRangeError, DEFAULT_DATASETS, Generator, defaultDataPath, defaultDatasetInfo, defaultGeneratorPath, loadDefaultDataset, parseCodeDict, readCsv, readSplitFile,
} from 'ecg-ldm';
import { SHARED } from './helpers/paths';

test('ptbxl-af: PTB-XL folds 1-7 / 8 / 9-10, AFIB = 1 and SR = 0, no patient in two sets', (t) => {
  const db = readCsv(path.join(SHARED, 'data', 'ptbxl', 'ptbxl_database.csv'));
  const byPatient = new Map<number, { folds: Set<number>; codes: Map<string, number>[] }>();
  for (const row of db.rows) {
    const p = Number(row['patient_id']);
    const entry = byPatient.get(p) ?? { folds: new Set(), codes: [] };
    entry.folds.add(Number(row['strat_fold']));
    entry.codes.push(parseCodeDict(row['scp_codes']!));
    byPatient.set(p, entry);
  }
  const foldsOf = { train: [1, 2, 3, 4, 5, 6, 7], val: [8], test: [9, 10] };
  const seen = new Set<string>();
  for (const set of ['train', 'val', 'test'] as const) {
    const s = loadDefaultDataset(set, 'ptbxl-af');
    t.deepEqual(s.shape.slice(1), [992, 1]);
    for (let i = 0; i < s.labels.length; i++) {
      const entry = byPatient.get(Number(s.patients[i]))!;
      t.true([...entry.folds].every((f) => foldsOf[set].includes(f)), `patient ${s.patients[i]} in ${set}`);
      const code = s.labels[i] === 1 ? 'AFIB' : 'SR';
      t.true(entry.codes.some((c) => c.has(code)), `patient ${s.patients[i]} has no ${code} record`);
    }
    for (const p of new Set(s.patients)) {
      t.false(seen.has(p), `patient ${p} in two sets`);
      seen.add(p);
    }
  }
  t.is(readSplitFile(path.join(defaultDataPath('ptbxl-af'), 'split.json')).method, 'predefined');
  t.deepEqual([...loadDefaultDataset('test', 'ptbxl-af').labels].filter((l) => l === 1).length, 27);
});

test('defaultDatasetInfo: rate, lead, classes and preprocessing per dataset; unknown names are refused', (t) => {
  t.like(defaultDatasetInfo('ptbxl-af'), { rate: 100, lead: 'II', classes: ['sinus-rhythm', 'atrial-fibrillation'] });
  t.like(defaultDatasetInfo('ludb-atrial'), { rate: 500, lead: 'ii' });
  t.deepEqual(defaultDatasetInfo('ptbxl-af').pipeline.steps.map((s) => s.op), ['normalize', 'smoothEdges']);
  t.throws(() => defaultDatasetInfo('mitdb' as never), { instanceOf: ArgumentRangeError, message: /dataset/ });
  t.throws(() => loadDefaultDataset('train', 'mitdb' as never), { instanceOf: ArgumentRangeError });
});

for (const dataset of DEFAULT_DATASETS) {
  test(`shipped generator ${dataset}: the file its model card describes, float16 EMA weights, sampling segments of the set's shape`, async (t) => {
    const file = defaultGeneratorPath(dataset);
    const card = JSON.parse(fs.readFileSync(path.join(path.dirname(file), 'card.json'), 'utf8')) as {
      weights: { sha256: string; bytes: number; dtype: string }; training: { steps: number }; data: { files: { file: string; sha256: string }[] };
    };
    const bytes = fs.readFileSync(file);
    t.is(crypto.createHash('sha256').update(bytes).digest('hex'), card.weights.sha256);
    t.is(bytes.length, card.weights.bytes);
    t.is(card.weights.dtype, 'float16');
    t.regex(fs.readFileSync(path.join(path.dirname(file), 'README.md'), 'utf8'), /## Quality, measured on this file/);
    for (const f of card.data.files) {
      const data = fs.readFileSync(path.join(defaultDataPath(dataset), path.basename(f.file)));
      t.is(crypto.createHash('sha256').update(data).digest('hex'), f.sha256, `${f.file} changed since the generator was trained`);
    }
    // float16 on disk: half of the float32 weights' bytes, give or take the header.
    const header = Number(bytes.readBigUInt64LE(0));
    const meta = JSON.parse(bytes.subarray(8, 8 + header).toString('utf8')) as Record<string, { dtype?: string }>;
    t.true(Object.entries(meta).filter(([k]) => k.startsWith('model.')).every(([, v]) => v.dtype === 'F16' || v.dtype === 'I64'));
    t.false(Object.keys(meta).some((k) => k.startsWith('optim.') || k.startsWith('ema.')));
    const gen = Generator.load(file);
    t.is(gen.config().step, card.training.steps);
    const { shape } = loadDefaultDataset('val', dataset);
    const out = await gen.sample({ label: [0, 1], steps: 4, sampler: 'dpmpp', seed: 3, clipX0: 1 });
    t.deepEqual(out.shape, [2, shape[1], 1]);
    t.true(out.data.every((v) => Number.isFinite(v)));
    gen.dispose();
  });
}
