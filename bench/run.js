#!/usr/bin/env node
'use strict';
// `npm run bench [-- suite ...]`: runs the tinybench suites in bench/ (all by default).
// Each suite compares implementations side by side in one run and prints ratios.
const SUITES = {
  wavelet: () => require('./wavelet').runWaveletBench(),
  data: () => require('./data-read').runDataBench(),
  generator: () => require('./generator').runGeneratorBench(),
  classifier: () => require('./classifier').runClassifierBench(),
};

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(w in SUITES));
  if (unknown.length) {
    console.error(`unknown suite(s) ${unknown.join(', ')}; known: ${Object.keys(SUITES).join(', ')}`);
    process.exit(2);
  }
  const os = require('node:os');
  const { info } = require('../lib');
  const i = info();
  console.log(`# ecg-ldm bench — ${os.cpus()[0].model}, ${os.cpus().length} cores, node ${process.version}, LibTorch ${i.torch.version}, ${i.threads} threads`);
  for (const name of wanted.length ? wanted : Object.keys(SUITES)) {
    console.log(`\n## ${name}`);
    await SUITES[name]();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
