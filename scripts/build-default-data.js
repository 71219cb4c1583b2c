#!/usr/bin/env node
/**
 * Rebuilds the bundled default dataset, data/ludb-atrial/, from LUDB 1.0.1:
 * lead II, raw physical units (mV, not preprocessed), two non-overlapping 2,048-sample
 * windows per record (samples 0-2047 and 2048-4095 of 5,000 at 500 Hz), label 1 when
 * LUDB's "Hypertrophies" column names left or right atrial enlargement / overload /
 * hypertrophy, else 0; split by patient 120/40/40 (seed 2048, stratified).
 *
 * Usage: npm run build && node scripts/build-default-data.js [LUDB_DIR] [--fresh-split]
 * LUDB_DIR defaults to ../shared/data/ludb. The existing split.json is reused unless
 * --fresh-split is given, so rebuilding gives byte-identical NPZ files.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { listLudbRecords, prepareDataset } = require('../lib/index.js');

async function main() {
  const args = process.argv.slice(2);
  const source = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(__dirname, '..', '..', 'shared', 'data', 'ludb'));
  const out = path.join(__dirname, '..', 'data', 'ludb-atrial');
  fs.mkdirSync(out, { recursive: true });
  if (args.includes('--fresh-split')) fs.rmSync(path.join(out, 'split.json'), { force: true });
  const summary = await prepareDataset(listLudbRecords(source), {
    out,
    length: 2048,
    stride: 2048,
    leads: ['ii'],
    seed: 2048,
    fractions: { train: 0.6, val: 0.2, test: 0.2 },
    compress: true,
  });
  fs.copyFileSync(path.join(source, 'LICENSE.txt'), path.join(out, 'LICENSE.txt'));
  fs.chmodSync(path.join(out, 'LICENSE.txt'), 0o644);
  fs.writeFileSync(path.join(out, 'summary.json'), JSON.stringify({ ...summary, files: Object.fromEntries(Object.entries(summary.files).map(([k, v]) => [k, path.basename(v)])), splitFile: path.basename(summary.splitFile) }, null, 2) + '\n');
  console.log(JSON.stringify(summary.counts), JSON.stringify(summary.patients), JSON.stringify(summary.droppedWindows));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
