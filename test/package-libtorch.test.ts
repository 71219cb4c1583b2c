// How a binary finds its LibTorch: the $ORIGIN-relative .libtorch/lib link, the installer's
// compatibility rule for a prebuild, and the error a binary with no LibTorch linked gives.
// (.ci/run installs the packed tarball for real: scripts/check-package.js.)
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { info } from 'ecg-ldm';
import { ROOT, foundLibTorch } from './helpers/paths';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const findLibTorch = require(path.join(ROOT, 'scripts', 'find-libtorch.js')) as {
  incompatibility(wanted: object, found: object): string | null;
};

test('the addon carries one RPATH entry, $ORIGIN/../../.libtorch/lib, and info() names the LibTorch it reaches', (t) => {
  const file = info().addon.path;
  const dynamic = execFileSync('readelf', ['-d', file], { encoding: 'utf8' });
  const rpath = /\((?:RPATH|RUNPATH)\)\s+Library r(?:un)?path: \[(.*)\]/.exec(dynamic)?.[1];
  t.is(rpath, '$ORIGIN/../../.libtorch/lib');
  const found = foundLibTorch();
  const torch = info().torch;
  t.not(torch.libDir, null);
  if (found) {
    t.is(torch.libDir, fs.realpathSync(found.libDir));
    t.is(torch.source, found.source);
  }
  t.log(`LibTorch ${torch.version} from ${torch.libDir} (${torch.source})`);
});

test('a prebuild is kept only on a LibTorch of the same major.minor version, C++ ABI and CUDA-ness', (t) => {
  const built = { version: '2.13.0', cxx11Abi: 1, cuda: false };
  const found = (over: object) => ({ version: '2.13.1', cxx11Abi: 1, cuda: false, source: 'test', ...over });
  t.is(findLibTorch.incompatibility(built, found({})), null);
  t.is(findLibTorch.incompatibility(built, found({ cuda: true })), null);
  t.regex(findLibTorch.incompatibility(built, found({ version: '1.13.1' }))!, /built against LibTorch 2\.13\.0, and LibTorch 1\.13\.1 was found \(test\)/);
  t.regex(findLibTorch.incompatibility(built, found({ cxx11Abi: 0 }))!, /_GLIBCXX_USE_CXX11_ABI=1, and the LibTorch found \(test\) uses 0/);
  t.regex(findLibTorch.incompatibility({ ...built, cuda: true }, found({}))!, /CUDA LibTorch, and the one found \(test\) is CPU-only/);
});

test('a prebuilt binary with no LibTorch linked fails to load with an error naming what it needs and how to fix it', (t) => {
  const pkg = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-ldm-unlinked-'));
  const dir = path.join(pkg, 'prebuilds', `${process.platform}-${process.arch}`);
  fs.mkdirSync(dir, { recursive: true });
  const binary = path.join(dir, 'ecg-ldm.napi.node');
  fs.copyFileSync(info().addon.path, binary);
  fs.writeFileSync(path.join(dir, 'libtorch.json'), JSON.stringify({ version: '9.9.0', cxx11Abi: 1, cuda: false }));
  const r = spawnSync(process.execPath, ['-e', "try { require('ecg-ldm').info() } catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })) }"], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ECG_LDM_ADDON: binary, PREBUILDS_ONLY: '1', ECG_LDM_PREBUILD: pkg },
  });
  const err = JSON.parse(r.stdout.trim().split('\n').pop()!) as { code: string; message: string };
  t.is(err.code, 'E_LOAD');
  // Without the link the loader finds no LibTorch, or (where a system LibTorch such as
  // Debian's is installed, as in CI) another version of it, and then misses a symbol.
  t.regex(err.message, /lib(torch|c10)[\w.]*\.so|undefined symbol/);
  t.regex(err.message, new RegExp(`no LibTorch is linked at ${path.join(pkg, '.libtorch', 'lib').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; this binary needs LibTorch 9\\.9\\.0 \\(CPU\\)`));
  t.regex(err.message, /npm rebuild ecg-ldm/);
  fs.rmSync(pkg, { recursive: true, force: true });
});
