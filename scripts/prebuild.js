#!/usr/bin/env node
'use strict';
// Builds a prebuilt binary with prebuildify through the node-gyp route (binding.gyp),
// in a staging folder (build-prebuild/) so the cmake-js build in build/ stays as it is.
// Result: build-prebuild/prebuilds/<platform>-<arch>/*.node; copy that prebuilds/ folder
// into the package to ship it. ECG_LDM_LIBTORCH_FROM picks the LibTorch (e.g. debian).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { findLibTorch, builtAgainst } = require('./find-libtorch');
const { packageBin } = require('./package-bin');

const ROOT = path.resolve(__dirname, '..');
const STAGE = path.join(ROOT, 'build-prebuild');

function stage() {
  fs.rmSync(STAGE, { recursive: true, force: true });
  fs.mkdirSync(STAGE, { recursive: true });
  for (const entry of ['package.json', 'binding.gyp', 'native', 'scripts']) {
    fs.cpSync(path.join(ROOT, entry), path.join(STAGE, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(STAGE, 'node_modules'), 'dir');
}

function main() {
  stage();
  const torch = findLibTorch();
  // binding.gyp reads the staged copy's .libtorch/found.json through its own scripts/.
  const stagedFind = require(path.join(STAGE, 'scripts', 'find-libtorch.js'));
  stagedFind.saveFound(torch);
  const nodePrefix = path.resolve(process.execPath, '..', '..');
  const env = {
    ...process.env,
    JOBS: process.env.JOBS || '2',
    npm_config_nodedir: process.env.npm_config_nodedir || nodePrefix,
  };
  const r = spawnSync(process.execPath, [packageBin('prebuildify'), '--napi', '--strip', '--target', `node@${process.versions.node}`], {
    cwd: STAGE,
    stdio: 'inherit',
    env,
  });
  if (r.status !== 0) process.exit(r.status || 1);
  // The installer (scripts/install.js) checks a prebuild against the LibTorch it finds.
  const platformDir = path.join(STAGE, 'prebuilds', `${process.platform}-${process.arch}`);
  fs.writeFileSync(path.join(platformDir, 'libtorch.json'), JSON.stringify(builtAgainst(torch), null, 2) + '\n');
  console.error(`[ecg-ldm prebuild] LibTorch ${torch.version} from ${torch.source}; prebuilds in ${path.join(STAGE, 'prebuilds')}`);
}

main();
