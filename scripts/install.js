#!/usr/bin/env node
'use strict';
// npm install hook: keep a native binary that loads (a prebuild in prebuilds/ or an
// earlier source build), otherwise build from source. `npm install --build-from-source`
// or ECG_LDM_BUILD_FROM_SOURCE=1 always builds.
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');

function loadableBinary() {
  let file;
  try {
    file = require('node-gyp-build').resolve(ROOT);
  } catch {
    return null;
  }
  // Load it in a child: a binary whose LibTorch is missing must not count.
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { stdio: 'ignore' });
  return r.status === 0 ? file : null;
}

const fromSource = process.env.npm_config_build_from_source === 'true' || process.env.ECG_LDM_BUILD_FROM_SOURCE === '1';
const existing = fromSource ? null : loadableBinary();
if (existing) {
  console.error(`[ecg-ldm install] using ${existing} (npm install --build-from-source rebuilds)`);
} else {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'build-native.js')], { cwd: ROOT, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
