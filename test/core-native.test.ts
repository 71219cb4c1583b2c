import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ArgumentRangeError,
  ArgumentTypeError,
  EcgLdmError,
  info,
  LoadError,
  setThreads,
  ShapeError,
  DTypeError,
} from 'ecg-ldm';
import { ROOT, foundLibTorch } from './helpers/paths';

test('info() reports the addon, LibTorch, CUDA, threads and BLAS', (t) => {
  const i = info();
  t.regex(i.version, /^\d+\.\d+\.\d+/);
  t.is(i.addon.version, i.version);
  t.true(fs.existsSync(i.addon.path));
  t.regex(i.torch.version, /^\d+\.\d+\.\d+$/);
  t.is(typeof i.cuda.available, 'boolean');
  t.true(i.threads >= 1);
  t.true(i.blas.loaded.some((lib) => /libtorch_cpu|libtorch\.so/.test(lib)), i.blas.loaded.join('\n'));
  t.log(`addon ${i.addon.path}; LibTorch ${i.torch.version}; BLAS ${i.blas.compiled}; threads ${i.threads}`);
  t.log(`mapped: ${i.blas.loaded.map((l) => path.basename(l)).join(', ')}`);
});

test('every Torch library comes from the one LibTorch the build chose', (t) => {
  const found = foundLibTorch();
  const file = info().addon.path;
  if (!found) {
    t.log('no .libtorch/found.json (addon not built from this checkout); checking the mapped libraries only');
  }
  const ldd = execFileSync('ldd', [file], { encoding: 'utf8' });
  const torchLibs = ldd.split('\n').filter((l) => /lib(torch|c10)[^ ]*\.so/.test(l));
  t.true(torchLibs.length >= 2, ldd);
  for (const line of torchLibs) {
    t.notRegex(line, /not found/, line);
    const resolved = line.split('=>')[1]?.trim().split(' ')[0] ?? '';
    const dir = path.dirname(fs.realpathSync(resolved));
    if (found) t.is(dir, fs.realpathSync(found.libDir), line);
  }
  const mapped = info().blas.loaded.filter((l) => /lib(torch|c10)/.test(l)).map((l) => path.dirname(l));
  t.is(new Set(mapped).size, 1, `Torch libraries from several folders: ${mapped.join(', ')}`);
  if (found) t.is(info().torch.version, found.version);
});

test('setThreads validates in TypeScript and in C++', (t) => {
  const before = info().threads;
  setThreads(1);
  t.is(info().threads, 1);
  setThreads(before);
  t.throws(() => setThreads(0), { instanceOf: ArgumentRangeError, message: /threads/ });
  t.throws(() => setThreads('2' as unknown as number), { instanceOf: ArgumentTypeError, message: /threads/ });
  // Straight to the addon: the C++ check maps to the same typed error.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { nativeAddon } = require(path.join(ROOT, 'lib', 'native.js')) as typeof import('../ts/native');
  const err = t.throws(() => nativeAddon().setThreads(5000));
  t.true(err instanceof ArgumentRangeError);
  t.is((err as EcgLdmError).code, 'E_ARG_RANGE');
});

test('error classes keep both their built-in base and EcgLdmError', (t) => {
  const shape = new ShapeError('x');
  t.true(shape instanceof RangeError);
  t.true(shape instanceof EcgLdmError);
  t.is(shape.code, 'E_SHAPE');
  t.is(shape.name, 'ShapeError');
  t.true(new DTypeError('y') instanceof TypeError);
  t.false(new TypeError('plain') instanceof EcgLdmError);
  t.true(new LoadError('z') instanceof EcgLdmError);
});

test('a missing addon gives one LoadError listing what was tried', (t) => {
  const empty = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'ecg-ldm-empty-'));
  const r = spawnSync(
    process.execPath,
    ['-e', "try { require('ecg-ldm').info() } catch (e) { console.log(JSON.stringify({name: e.name, code: e.code, message: e.message})) }"],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ECG_LDM_ADDON: path.join(empty, 'none.node'), PREBUILDS_ONLY: '1', ECG_LDM_PREBUILD: empty } },
  );
  const out = JSON.parse(r.stdout.trim());
  t.is(out.code, 'E_LOAD');
  t.regex(out.message, /none\.node/);
  t.regex(out.message, /Possible solutions/);
});

test('loads a prebuilt binary from prebuilds/ (node-gyp-build)', (t) => {
  const dir = path.join(ROOT, 'build-prebuild');
  const platformDir = path.join(dir, 'prebuilds', `${process.platform}-${process.arch}`);
  const built = fs.existsSync(platformDir) && fs.readdirSync(platformDir).some((f) => f.endsWith('.node'));
  if (!built) {
    t.log('NOT RUN HERE: no build-prebuild/prebuilds; `npm run build:prebuild` makes one (.ci/run does, before npm test)');
    t.pass();
    return;
  }
  const r = spawnSync(
    process.execPath,
    // A short ECGNet training: the prebuild's LibTorch (1.13 in CI) runs the caching CPU allocator too.
    ['-e', `const e = require('ecg-ldm'); const all = e.loadDefaultDataset('train'); const l = all.shape[1];
      const part = { data: all.data.slice(0, 64 * l), shape: [64, l, 1], labels: all.labels.slice(0, 64) };
      e.Classifier.train({ model: { kind: 'ecgnet' }, epochs: 1, batchSize: 32, patience: 0 }, part, part)
        .then((c) => { c.dispose(); console.log(JSON.stringify(e.info())); });`],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PREBUILDS_ONLY: '1', ECG_LDM_PREBUILD: dir } },
  );
  t.is(r.status, 0, r.stderr);
  const i = JSON.parse(r.stdout.trim().split('\n').pop()!);
  t.true(i.cpuCache.hits > 0, JSON.stringify(i.cpuCache));
  t.true(i.addon.prebuilt, i.addon.path);
  t.true(i.addon.path.startsWith(path.join(dir, 'prebuilds')), i.addon.path);
  t.log(`prebuild ${i.addon.path} runs on LibTorch ${i.torch.version}, BLAS ${i.blas.compiled}`);
});
