'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

/**
 * A build tool's executable, found as Node finds modules from this package (hoisted into an
 * app's node_modules, nested, or in a pnpm-style store), not by a fixed path.
 */
function packageBin(name) {
  let manifest;
  try {
    manifest = require.resolve(`${name}/package.json`, { paths: [ROOT] });
  } catch {
    throw new Error(`[ecg-ldm build] ${name} is not installed where ${ROOT} can require it; npm install ${name}`);
  }
  const { bin } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  const rel = typeof bin === 'string' ? bin : bin[name];
  return path.join(path.dirname(manifest), rel);
}

module.exports = { packageBin };
