#!/usr/bin/env node
'use strict';
// npm pack / publish hooks. prepack: ship this checkout's source build as the package's
// prebuilt binary, prebuilds/<platform>-<arch>/ecg-ldm.napi.node (N-API, so any Node >= 20
// loads it), with libtorch.json saying which LibTorch it was built against; the installer
// (scripts/install.js) keeps it where a compatible LibTorch is found and builds from source
// elsewhere. postpack (--clean): removes what prepack added.
const fs = require('node:fs');
const path = require('node:path');
const { FOUND_FILE, builtAgainst } = require('./find-libtorch');

const ROOT = path.resolve(__dirname, '..');
const PLATFORM_DIR = path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`);
const SHIPPED = ['ecg-ldm.napi.node', 'libtorch.json'].map((f) => path.join(PLATFORM_DIR, f));

function clean() {
  for (const file of SHIPPED) fs.rmSync(file, { force: true });
  for (const dir of [PLATFORM_DIR, path.dirname(PLATFORM_DIR)]) {
    if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  }
}

function pack() {
  const binary = path.join(ROOT, 'build', 'Release', 'ecg_ldm.node');
  if (!fs.existsSync(binary) || !fs.existsSync(FOUND_FILE)) {
    console.error('[ecg-ldm pack] no source build in build/Release: the package ships without a prebuilt binary and builds from source when installed');
    return;
  }
  fs.mkdirSync(PLATFORM_DIR, { recursive: true });
  fs.copyFileSync(binary, SHIPPED[0]);
  const found = JSON.parse(fs.readFileSync(FOUND_FILE, 'utf8'));
  fs.writeFileSync(SHIPPED[1], JSON.stringify(builtAgainst(found), null, 2) + '\n');
  console.error(`[ecg-ldm pack] shipping ${path.relative(ROOT, SHIPPED[0])}, built against LibTorch ${found.version} (${found.cuda ? 'CUDA' : 'CPU'})`);
}

if (process.argv.includes('--clean')) clean();
else pack();
