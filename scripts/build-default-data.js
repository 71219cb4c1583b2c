#!/usr/bin/env node
/**
 * Rebuilds a bundled default dataset from its PhysioNet source.
 *
 * ludb-atrial (from LUDB 1.0.1): lead II, raw physical units (mV, not preprocessed), two
 *   non-overlapping 2,048-sample windows per record (samples 0-2047 and 2048-4095 of 5,000
 *   at 500 Hz), label 1 when LUDB's "Hypertrophies" column names left or right atrial
 *   enlargement / overload / hypertrophy, else 0; split by patient 120/40/40 (seed 2048,
 *   stratified).
 * ptbxl-af (from PTB-XL 1.0.3, 100 Hz records): lead II, mV, one 992-sample window per
 *   10 s record (samples 0-991: 992 = 31 x 32, a length the CPU recipe's U-Net accepts),
 *   label 1 = AFIB in scp_codes, 0 = SR; split by PTB-XL's strat_fold (1-7 train, 8 val,
 *   9-10 test; patients never cross folds). Every AF record is kept; sinus-rhythm records
 *   are thinned to whole patients, drawn with a seeded shuffle, up to twice the AF records
 *   in train and val and four times in test (a small set with a test set that can show a
 *   difference).
 *
 * Usage: npm run build && node scripts/build-default-data.js ludb-atrial|ptbxl-af [SOURCE_DIR] [--fresh-split]
 * SOURCE_DIR defaults to ../shared/data/ludb or ../shared/data/ptbxl. An existing split.json
 * is reused unless --fresh-split is given, so rebuilding gives byte-identical NPZ files.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { listLudbRecords, listPtbxlRecords, prepareDataset, writeSplitFile, PTBXL_AF_LABELS } = require('../lib/index.js');
const { createPrng, shuffleInPlace } = require('../lib/data/prng.js');

const SHARED = path.join(__dirname, '..', '..', 'shared', 'data');

/** PTB-XL strat_fold -> set. */
function ptbxlSet(fold) {
  return fold <= 7 ? 'train' : fold === 8 ? 'val' : 'test';
}

/** Keeps every AF record and whole sinus-rhythm patients up to `ratio` x the AF records per set. */
function thinPtbxl(listing, splitFile) {
  const ratio = { train: 2, val: 4, test: 4 };
  const bySet = { train: [], val: [], test: [] };
  for (const r of listing.records) bySet[ptbxlSet(Number(r.meta.strat_fold))].push(r);
  const keep = [];
  const sets = {};
  const random = createPrng(992);
  for (const [set, records] of Object.entries(bySet)) {
    const af = records.filter((r) => r.label === 1);
    const srByPatient = new Map();
    for (const r of records) if (r.label === 0) srByPatient.set(r.patient, [...(srByPatient.get(r.patient) ?? []), r]);
    // A patient with an AF record keeps only its AF records (its label must be one class).
    const afPatients = new Set(af.map((r) => r.patient));
    const candidates = [...srByPatient.keys()].filter((p) => !afPatients.has(p)).sort((a, b) => Number(a) - Number(b));
    shuffleInPlace(candidates, random);
    const sr = [];
    for (const p of candidates) {
      if (sr.length >= ratio[set] * af.length) break;
      sr.push(...srByPatient.get(p));
    }
    keep.push(...af, ...sr);
    sets[set] = [...new Set([...af, ...sr].map((r) => r.patient))].sort((a, b) => Number(a) - Number(b));
  }
  if (!fs.existsSync(splitFile)) writeSplitFile(splitFile, { version: 1, method: 'predefined', seed: 992, stratified: false, sets });
  keep.sort((a, b) => Number(a.id) - Number(b.id));
  return { ...listing, records: keep };
}

const DATASETS = {
  'ludb-atrial': {
    source: path.join(SHARED, 'ludb'),
    list: (source) => listLudbRecords(source),
    prepare: { length: 2048, stride: 2048, leads: ['ii'], seed: 2048, fractions: { train: 0.6, val: 0.2, test: 0.2 } },
  },
  'ptbxl-af': {
    source: path.join(SHARED, 'ptbxl'),
    list: (source, splitFile) => thinPtbxl(listPtbxlRecords(source, { rate: 100, labelMap: PTBXL_AF_LABELS, lenient: true }), splitFile),
    prepare: { length: 992, stride: 1000, leads: ['II'] },
  },
};

async function main() {
  const args = process.argv.slice(2);
  const positional = args.filter((a) => !a.startsWith('--'));
  const name = positional[0];
  const dataset = DATASETS[name];
  if (!dataset) throw new Error(`usage: node scripts/build-default-data.js ${Object.keys(DATASETS).join('|')} [SOURCE_DIR] [--fresh-split]`);
  const source = path.resolve(positional[1] ?? dataset.source);
  const out = path.join(__dirname, '..', 'data', name);
  const splitFile = path.join(out, 'split.json');
  fs.mkdirSync(out, { recursive: true });
  if (args.includes('--fresh-split')) fs.rmSync(splitFile, { force: true });
  const summary = await prepareDataset(dataset.list(source, splitFile), { out, ...dataset.prepare, compress: true });
  fs.copyFileSync(path.join(source, 'LICENSE.txt'), path.join(out, 'LICENSE.txt'));
  fs.chmodSync(path.join(out, 'LICENSE.txt'), 0o644);
  fs.writeFileSync(path.join(out, 'summary.json'), JSON.stringify({ ...summary, files: Object.fromEntries(Object.entries(summary.files).map(([k, v]) => [k, path.basename(v)])), splitFile: path.basename(summary.splitFile) }, null, 2) + '\n');
  console.log(JSON.stringify(summary.counts), JSON.stringify(summary.patients), JSON.stringify(summary.droppedWindows), JSON.stringify(summary.skippedRecords));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
