#!/usr/bin/env node
'use strict';
// Keeps a shipped prebuilt binary (prebuilds/<platform>-<arch>/, with libtorch.json saying
// what it was built against) when a compatible LibTorch is found: links that LibTorch at
// .libtorch/lib, the binary's RPATH. Used by the install hook (scripts/install.js) and, run
// as a script, by the addon loader when npm skipped the install hook (npm 11 runs a
// dependency's install scripts only once allowed: npm install-scripts approve ecg-ldm).
// Exit code 0 when the prebuild is linked and loads; 1 with the reason on stderr otherwise.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { findLibTorch, saveFound, incompatibility } = require('./find-libtorch');

const ROOT = path.resolve(__dirname, '..');
const PLATFORM_DIR = path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`);

/** Loads `file` in a child process: a binary whose LibTorch is missing must not count. */
function loads(file) {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stderr.split('\n').find((l) => /Error/.test(l)) ?? `exit ${r.status}`).trim();
}

/** The shipped prebuild and what it was built against, or null. */
function shippedPrebuild() {
  const manifest = path.join(PLATFORM_DIR, 'libtorch.json');
  if (!fs.existsSync(manifest)) return null;
  const binary = fs.readdirSync(PLATFORM_DIR).find((f) => f.endsWith('.node'));
  return binary ? { file: path.join(PLATFORM_DIR, binary), wanted: JSON.parse(fs.readFileSync(manifest, 'utf8')) } : null;
}

/** Links a compatible LibTorch to the prebuild; returns null on success, else why not. */
function usePrebuild(prebuild) {
  let torch;
  try {
    torch = findLibTorch();
  } catch (err) {
    return `no LibTorch was found (${err.message.split('\n')[0]})`;
  }
  const why = incompatibility(prebuild.wanted, torch);
  if (why) return why;
  saveFound(torch);
  const failure = loads(prebuild.file);
  return failure ? `it does not load with LibTorch ${torch.version} from ${torch.source}: ${failure}` : null;
}

module.exports = { loads, shippedPrebuild, usePrebuild };

if (require.main === module) {
  const prebuild = shippedPrebuild();
  const problem = prebuild ? usePrebuild(prebuild) : `no prebuilt binary with libtorch.json in ${PLATFORM_DIR}`;
  if (problem) console.error(`[ecg-ldm] cannot use the prebuilt binary: ${problem}`);
  else console.error(`[ecg-ldm] linked LibTorch for ${path.relative(ROOT, prebuild.file)} at .libtorch/lib`);
  process.exit(problem ? 1 : 0);
}
