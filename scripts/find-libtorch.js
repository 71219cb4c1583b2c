#!/usr/bin/env node
'use strict';
// Locates a LibTorch installation without a person's help, in this order:
//   1. LIBTORCH (install prefix) or Torch_DIR (its cmake folder) from the environment;
//   2. the `torch` package of python3, when `import torch` works;
//   3. a torch wheel in pip's configured local sources (find-links, file:// indexes),
//      or one `pip download` can fetch, unpacked into <project>/.libtorch/;
//   4. Debian's libtorch-dev (installed with apt-get when running as root under CI
//      or with ECG_LDM_APT=1).
// Prints what it found. Used by scripts/build-native.js (cmake-js) and binding.gyp.
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { execFileSync, spawnSync } = require('node:child_process');

const PROJECT = path.resolve(__dirname, '..');
const CACHE = path.join(PROJECT, '.libtorch');
const DEBIAN_CMAKE = '/usr/lib/x86_64-linux-gnu/cmake/Torch';

function log(msg) {
  process.stderr.write(`[ecg-ldm libtorch] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  return r.status === 0 ? r.stdout : null;
}

function hasGpu() {
  return fs.existsSync('/dev/nvidia0') || run('nvidia-smi', ['-L']) !== null;
}

/** Describes a LibTorch prefix (folder holding include/, lib/, share/cmake/Torch). */
function describePrefix(prefix, source) {
  const cmakeDir = [path.join(prefix, 'share/cmake/Torch'), DEBIAN_CMAKE].find((d) =>
    fs.existsSync(path.join(d, 'TorchConfig.cmake')) && (d !== DEBIAN_CMAKE || prefix === '/usr'));
  if (!cmakeDir) return null;
  const libDir = prefix === '/usr' ? '/usr/lib/x86_64-linux-gnu' : path.join(prefix, 'lib');
  const includeRoot = path.join(prefix, 'include');
  let version = 'unknown';
  for (const rel of ['torch/headeronly/version.h', 'torch/csrc/api/include/torch/version.h']) {
    const file = path.join(includeRoot, rel);
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    const part = (k) => (new RegExp(`TORCH_VERSION_${k}\\s+(\\d+)`).exec(text) || [])[1];
    if (part('MAJOR')) {
      version = `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
      break;
    }
  }
  let abi = 1;
  const cfg = fs.readFileSync(path.join(cmakeDir, 'TorchConfig.cmake'), 'utf8');
  const abiMatch = /_GLIBCXX_USE_CXX11_ABI=(\d)/.exec(cfg);
  if (abiMatch) abi = Number(abiMatch[1]);
  const cuda = fs.existsSync(path.join(libDir, 'libtorch_cuda.so'));
  return {
    source,
    prefix,
    cmakeDir,
    libDir,
    includeDirs: [includeRoot, path.join(includeRoot, 'torch/csrc/api/include')],
    version,
    cxx11Abi: abi,
    cuda,
  };
}

function fromEnv() {
  if (process.env.LIBTORCH) {
    const d = describePrefix(path.resolve(process.env.LIBTORCH), 'env LIBTORCH');
    if (!d) throw new Error(`LIBTORCH=${process.env.LIBTORCH} has no share/cmake/Torch/TorchConfig.cmake`);
    return d;
  }
  if (process.env.Torch_DIR) {
    const dir = path.resolve(process.env.Torch_DIR);
    const prefix = dir === DEBIAN_CMAKE ? '/usr' : path.resolve(dir, '../../..');
    const d = describePrefix(prefix, 'env Torch_DIR');
    if (!d) throw new Error(`Torch_DIR=${process.env.Torch_DIR} does not hold TorchConfig.cmake`);
    return d;
  }
  return null;
}

function fromPython() {
  const out = run('python3', ['-c', 'import torch, os; print(os.path.dirname(torch.__file__))']);
  if (!out) return null;
  return describePrefix(out.trim(), 'python3 torch');
}

/** Local folders pip is configured to read wheels from. */
function pipLocalSources() {
  const out = run('python3', ['-m', 'pip', 'config', 'list']) || '';
  const dirs = [];
  for (const line of out.split('\n')) {
    const m = /^[^=]*\.(find-links|index-url|extra-index-url)='(.*)'$/.exec(line.trim());
    if (!m) continue;
    for (const item of m[2].split(/\s+/)) {
      const p = item.startsWith('file://') ? item.slice(7) : item;
      if (!p.startsWith('/')) continue;
      if (m[1] === 'find-links') dirs.push(p);
      else dirs.push(path.join(p, 'torch'), path.join(p, '..', 'files'));
    }
  }
  return [...new Set(dirs)].filter((d) => fs.existsSync(d));
}

function parseWheel(file) {
  const m = /^torch-([0-9][^-]*)-[^-]+-[^-]+-([^-]+)\.whl$/.exec(path.basename(file));
  if (!m || !/linux.*x86_64/.test(m[2])) return null;
  const [release, local = ''] = m[1].split('+');
  return { file, release: release.split('.').map(Number), cpu: local === 'cpu' };
}

function compareRelease(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] || 0) - (b[i] || 0);
    if (d !== 0) return d;
  }
  return 0;
}

function unpackWheel(wheel) {
  const name = path.basename(wheel, '.whl');
  const dest = path.join(CACHE, name);
  const prefix = path.join(dest, 'torch');
  if (fs.existsSync(path.join(dest, '.complete'))) return describePrefix(prefix, `wheel ${wheel} (cached)`);
  log(`unpacking ${wheel} into ${dest}`);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  // Only the C++ parts: lib/, include/, share/ (skips the Python modules).
  const py = [
    'import sys, zipfile',
    'z = zipfile.ZipFile(sys.argv[1])',
    'for n in z.namelist():',
    "    if n.startswith(('torch/lib/', 'torch/include/', 'torch/share/')): z.extract(n, sys.argv[2])",
  ].join('\n');
  execFileSync('python3', ['-c', py, wheel, dest], { stdio: 'inherit' });
  for (const f of fs.readdirSync(path.join(prefix, 'lib'))) {
    fs.chmodSync(path.join(prefix, 'lib', f), 0o755);
  }
  fs.writeFileSync(path.join(dest, '.complete'), wheel + '\n');
  return describePrefix(prefix, `wheel ${wheel}`);
}

function fromWheel() {
  const gpu = hasGpu();
  let wheels = pipLocalSources()
    .flatMap((d) => fs.readdirSync(d).map((f) => path.join(d, f)))
    .map(parseWheel)
    .filter(Boolean);
  if (wheels.length === 0) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-ldm-wheel-'));
    log('no torch wheel in local pip sources; trying `pip download --no-deps torch`');
    if (run('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', tmp, 'torch'], { timeout: 600000 }) !== null) {
      wheels = fs.readdirSync(tmp).map((f) => parseWheel(path.join(tmp, f))).filter(Boolean);
    }
  }
  if (wheels.length === 0) return null;
  // Without a GPU a CUDA wheel's LibTorch cannot load (its CUDA runtime comes from other
  // wheels), so prefer +cpu builds there; with a GPU prefer the CUDA builds.
  wheels.sort((a, b) => (a.cpu === b.cpu ? compareRelease(b.release, a.release) : (a.cpu === !gpu ? -1 : 1)));
  return unpackWheel(wheels[0].file);
}

function fromDebian() {
  if (!fs.existsSync(path.join(DEBIAN_CMAKE, 'TorchConfig.cmake'))) {
    const mayInstall = process.getuid && process.getuid() === 0 && (process.env.CI || process.env.ECG_LDM_APT === '1');
    if (!mayInstall) return null;
    log('installing Debian libtorch-dev and OpenBLAS with apt-get');
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'libtorch-dev', 'libopenblas0-pthread'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  return describePrefix('/usr', 'Debian libtorch-dev');
}

const ROUTES = { env: fromEnv, python: fromPython, wheel: fromWheel, debian: fromDebian };

/** Finds LibTorch; ECG_LDM_LIBTORCH_FROM=env,python,wheel,debian restricts the routes. */
function findLibTorch() {
  const order = (process.env.ECG_LDM_LIBTORCH_FROM || 'env,python,wheel,debian').split(',');
  const tried = [];
  for (const name of order) {
    const route = ROUTES[name.trim()];
    if (!route) throw new Error(`unknown LibTorch route "${name}" (known: ${Object.keys(ROUTES).join(', ')})`);
    const found = route();
    if (found) return found;
    tried.push(name);
  }
  throw new Error(
    `LibTorch not found (tried: ${tried.join(', ')}). Fixes: set LIBTORCH=/path/to/libtorch, ` +
      'or pip install torch, or apt-get install libtorch-dev libopenblas0-pthread.',
  );
}

const FOUND_FILE = path.join(CACHE, 'found.json');
/**
 * The addon's only RPATH entry is $ORIGIN/../../.libtorch/lib (build/Release/x.node and
 * prebuilds/<platform>-<arch>/x.node both sit two folders below the package root): this
 * link, made when LibTorch is chosen, decides which LibTorch a binary loads, so a prebuilt
 * binary works wherever a compatible LibTorch is found at install time.
 */
const LIB_LINK = path.join(CACHE, 'lib');

/** Records the chosen LibTorch (for binding.gyp, info() and the tests) and links its lib folder. */
function saveFound(found) {
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(FOUND_FILE, JSON.stringify(found, null, 2) + '\n');
  fs.rmSync(LIB_LINK, { force: true, recursive: true });
  fs.symlinkSync(found.libDir, LIB_LINK, 'dir');
  log(`using LibTorch ${found.version} (${found.cuda ? 'CUDA' : 'CPU'}) from ${found.source}: ${found.prefix}`);
}

/** What a binary was built against; shipped beside a prebuild as libtorch.json. */
function builtAgainst(found) {
  return { version: found.version, cxx11Abi: found.cxx11Abi, cuda: found.cuda, source: found.source };
}

/**
 * Why a binary built against `wanted` (a builtAgainst() record) cannot run on `found`, or
 * null when it can: LibTorch's C++ ABI holds within a major.minor release only, and the
 * C++11 string ABI must match.
 */
function incompatibility(wanted, found) {
  const minor = (v) => String(v).split('.').slice(0, 2).join('.');
  if (minor(wanted.version) !== minor(found.version)) return `it was built against LibTorch ${wanted.version}, and LibTorch ${found.version} was found (${found.source})`;
  if (Number(wanted.cxx11Abi) !== Number(found.cxx11Abi)) return `it was built with _GLIBCXX_USE_CXX11_ABI=${wanted.cxx11Abi}, and the LibTorch found (${found.source}) uses ${found.cxx11Abi}`;
  if (wanted.cuda && !found.cuda) return `it was built against a CUDA LibTorch, and the one found (${found.source}) is CPU-only`;
  return null;
}

module.exports = { findLibTorch, saveFound, builtAgainst, incompatibility, FOUND_FILE, LIB_LINK };

if (require.main === module) {
  // `--gyp <field>` prints one field for binding.gyp's <!(...) expansions, from the
  // LibTorch that scripts/build-native.js chose (or a fresh search without one).
  const gypField = process.argv[2] === '--gyp' ? process.argv[3] : null;
  let found;
  if (gypField && fs.existsSync(FOUND_FILE)) found = JSON.parse(fs.readFileSync(FOUND_FILE, 'utf8'));
  else {
    found = findLibTorch();
    saveFound(found);
  }
  if (!gypField) process.stdout.write(JSON.stringify(found, null, 2) + '\n');
  else if (gypField === 'include') process.stdout.write(found.includeDirs.join(' '));
  else if (gypField === 'libdir') process.stdout.write(found.libDir);
  else if (gypField === 'abi') process.stdout.write(String(found.cxx11Abi));
  else if (gypField === 'libs') {
    const names = ['torch', 'torch_cpu', 'c10', ...(found.cuda ? ['torch_cuda', 'c10_cuda'] : [])];
    process.stdout.write(names.map((n) => `-l${n}`).join(' '));
  }
  else throw new Error(`unknown --gyp field ${gypField}`);
}
