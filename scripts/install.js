#!/usr/bin/env node
'use strict';
// npm install hook. In order:
//   1. a prebuilt binary shipped in prebuilds/<platform>-<arch>/ (with libtorch.json, what it
//      was built against): find LibTorch (scripts/find-libtorch.js), and when it is
//      compatible link it (.libtorch/lib, the binary's RPATH) and keep the prebuild;
//   2. an earlier source build in build/Release that still loads;
//   3. otherwise build from source with cmake-js.
// `npm install --build-from-source` or ECG_LDM_BUILD_FROM_SOURCE=1 always builds.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { loads, shippedPrebuild, usePrebuild } = require('./link-prebuild');

const ROOT = path.resolve(__dirname, '..');

function log(message) {
  console.error(`[ecg-ldm install] ${message}`);
}

function buildFromSource() {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'build-native.js')], { cwd: ROOT, stdio: 'inherit' });
  return r.status ?? 1;
}

function main() {
  const fromSource = process.env.npm_config_build_from_source === 'true' || process.env.ECG_LDM_BUILD_FROM_SOURCE === '1';
  const prebuild = fromSource ? null : shippedPrebuild();
  let prebuildProblem = null;
  if (prebuild) {
    prebuildProblem = usePrebuild(prebuild);
    if (!prebuildProblem) {
      log(`using the prebuilt ${path.relative(ROOT, prebuild.file)} (built against LibTorch ${prebuild.wanted.version}) with the LibTorch linked at .libtorch/lib`);
      return 0;
    }
    log(`not using the prebuilt binary: ${prebuildProblem}; building from source`);
  } else if (!fromSource) {
    const earlier = path.join(ROOT, 'build', 'Release', 'ecg_ldm.node');
    if (fs.existsSync(earlier) && !loads(earlier)) {
      log(`using ${earlier} (npm install --build-from-source rebuilds)`);
      return 0;
    }
  }
  const status = buildFromSource();
  if (status !== 0 && prebuild) {
    log(`the source build failed too. The prebuilt binary needs LibTorch ${prebuild.wanted.version} (${prebuild.wanted.cuda ? 'CUDA' : 'CPU'}, ` +
      `_GLIBCXX_USE_CXX11_ABI=${prebuild.wanted.cxx11Abi}), and ${prebuildProblem}. Install that LibTorch (e.g. LIBTORCH=/path/to/libtorch, ` +
      'or python3 -m pip install torch), then npm rebuild ecg-ldm.');
  }
  return status;
}

process.exit(main());
