#!/usr/bin/env node
'use strict';
// Builds the addon from source: finds LibTorch (scripts/find-libtorch.js), then runs
// cmake-js (default) or node-gyp (--gyp). Concurrent builds in one checkout wait for
// each other through a lock file.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { findLibTorch, saveFound } = require('./find-libtorch');
const { packageBin } = require('./package-bin');

const ROOT = path.resolve(__dirname, '..');

function main() {
  const useGyp = process.argv.includes('--gyp');
  const torch = findLibTorch();
  saveFound(torch);
  console.error(
    `[ecg-ldm build] LibTorch ${torch.version} (${torch.cuda ? 'CUDA' : 'CPU'}) from ${torch.source}\n` +
      `[ecg-ldm build]   prefix ${torch.prefix}\n[ecg-ldm build]   route ${useGyp ? 'node-gyp (binding.gyp)' : 'cmake-js (CMakeLists.txt)'}`,
  );
  const command = useGyp
    ? [process.execPath, packageBin('node-gyp'), 'rebuild']
    : [process.execPath, packageBin('cmake-js'), 'compile', '--out', 'build',
        `--CDTorch_DIR=${torch.cmakeDir}`, `--CDECG_LDM_TORCH_LIBDIR=${torch.libDir}`];
  fs.mkdirSync(path.join(ROOT, 'build'), { recursive: true });
  // Build against the running Node's own headers (no header download: installs work offline).
  const nodePrefix = path.resolve(process.execPath, '..', '..');
  const nodedir = process.env.npm_config_nodedir ||
    (fs.existsSync(path.join(nodePrefix, 'include', 'node', 'node.h')) ? nodePrefix : undefined);
  const env = { ...process.env, ...(nodedir ? { npm_config_nodedir: nodedir } : {}), CMAKE_BUILD_PARALLEL_LEVEL: process.env.CMAKE_BUILD_PARALLEL_LEVEL || '2', JOBS: process.env.JOBS || '2' };
  const hasFlock = spawnSync('flock', ['--version']).status === 0;
  const argv = hasFlock ? ['flock', path.join(ROOT, 'build', '.lock'), ...command] : command;
  const r = spawnSync(argv[0], argv.slice(1), { cwd: ROOT, stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`[ecg-ldm build] failed (${argv.join(' ')})`);
    process.exit(r.status || 1);
  }
  console.error(`[ecg-ldm build] built ${path.join(ROOT, 'build', 'Release', 'ecg_ldm.node')}`);
}

main();
