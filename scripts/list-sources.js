#!/usr/bin/env node
'use strict';
// Prints every native/**/*.cpp (relative paths), for binding.gyp: the same set that
// CMakeLists.txt globs, so the two build routes can never drift apart.
const fs = require('node:fs');
const path = require('node:path');

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.name.endsWith('.cpp') ? [p] : [];
  });
}

const root = path.resolve(__dirname, '..');
process.stdout.write(walk(path.join(root, 'native')).map((p) => path.relative(root, p)).sort().join(' '));
