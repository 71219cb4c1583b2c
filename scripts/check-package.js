#!/usr/bin/env node
'use strict';
// The package as a downstream app gets it (run by .ci/run after the tests):
//   npm pack, then in empty folders `npm install ./ecg-ldm-<v>.tgz` with npm's three
//   layouts — hoisted (the default; npm 11 skips the install hook until approved, so the
//   addon links LibTorch on first use), nested with the install hook allowed (allowScripts
//   in the app's package.json), and linked
//   (pnpm-style store) — and `npx ecg-ldm info` in each; in the default layout also
//   `npx ecg-ldm demo`, as README tells a new user.
// Usage: node scripts/check-package.js [--keep]   (exit 0 when every check passes)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..');

function run(command, args, cwd) {
  const started = Date.now();
  process.stderr.write(`\n[check-package] ${path.relative(ROOT, cwd) || '.'}$ ${[command, ...args].join(' ')}\n`);
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, npm_config_update_notifier: 'false' } });
  process.stderr.write(r.stdout);
  if (r.status !== 0) throw new Error(`${[command, ...args].join(' ')} failed with exit ${r.status} in ${cwd}`);
  process.stderr.write(`[check-package] ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return r.stdout;
}

function check(condition, message) {
  if (!condition) throw new Error(`[check-package] ${message}`);
}

function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-ldm-package-'));
  const tarball = path.join(work, run('npm', ['pack', '--pack-destination', work, '--silent'], ROOT).trim().split('\n').pop());
  const listing = spawnSync('tar', ['tzf', tarball], { encoding: 'utf8' }).stdout;
  for (const file of ['package/lib/cli.js', 'package/lib/index.d.ts', 'package/prebuilds/linux-x64/libtorch.json', 'package/data/models/ptbxl-af/generator.safetensors']) {
    check(listing.includes(file), `${path.basename(tarball)} lacks ${file}`);
  }
  const layouts = [
    { name: 'hoisted', args: [], demo: true },
    { name: 'nested', args: ['--install-strategy=nested'], allowScripts: true, demo: false },
    { name: 'linked', args: ['--install-strategy=linked'], demo: false },
  ];
  for (const layout of layouts) {
    const app = path.join(work, `app-${layout.name}`);
    fs.mkdirSync(app);
    run('npm', ['init', '-y'], app);
    if (layout.allowScripts) {
      // npm 11 runs a dependency's install hook only when the app allows it.
      const manifest = path.join(app, 'package.json');
      fs.writeFileSync(manifest, JSON.stringify({ ...JSON.parse(fs.readFileSync(manifest, 'utf8')), allowScripts: { 'ecg-ldm': true } }, null, 2));
    }
    run('npm', ['install', tarball, '--no-audit', '--no-fund', ...layout.args], app);
    const info = JSON.parse(run('npx', ['ecg-ldm', 'info', '--json'], app));
    check(info.addon.prebuilt, `${layout.name}: the addon is not the shipped prebuild: ${info.addon.path}`);
    check(info.torch.libDir !== null, `${layout.name}: no LibTorch linked`);
    check(info.torch.builtAgainst && info.torch.builtAgainst.version.split('.').slice(0, 2).join('.') === info.torch.version.split('.').slice(0, 2).join('.'),
      `${layout.name}: prebuild built against ${JSON.stringify(info.torch.builtAgainst)}, running on ${info.torch.version}`);
    process.stderr.write(`[check-package] ${layout.name}: prebuild ${info.addon.path} on LibTorch ${info.torch.version} from ${info.torch.libDir}\n`);
    if (layout.demo) {
      const out = run('npx', ['ecg-ldm', 'demo'], app);
      const report = /report: (.*report\.html)/.exec(out);
      check(report && fs.existsSync(report[1]), `${layout.name}: demo printed no report path`);
    }
  }
  if (!process.argv.includes('--keep')) fs.rmSync(work, { recursive: true, force: true });
  process.stderr.write('[check-package] every layout installs and runs\n');
}

try {
  main();
} catch (err) {
  console.error(err.message);
  process.exit(1);
}
