// The caching CPU allocator (native/core/caching_cpu_allocator.h): large blocks are reused
// within a native job and handed back when it ends; ECG_LDM_CPU_CACHE_MB sets the limit
// (0 = LibTorch's own allocator) and a bad value stops the addon from loading with a
// message naming the variable. Each case runs in a child process: the allocator is
// installed once per process, when the addon loads.
import test from 'ava';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers/paths';

/** Trains ECGNet for a few steps on bundled segments (2,048 samples: 256 KiB per batch of 32), then predicts. */
const TRAIN_AND_PREDICT = `
const { Classifier, info, loadDefaultDataset } = require('ecg-ldm');
(async () => {
  try {
    const all = loadDefaultDataset('train');
    const n = 64, l = all.shape[1];
    const part = { data: all.data.slice(0, n * l), shape: [n, l, 1], labels: all.labels.slice(0, n) };
    const before = info().cpuCache;
    const c = await Classifier.train({ model: { kind: 'ecgnet' }, epochs: 2, batchSize: 32, patience: 0, seed: 3 }, part, part);
    const p = await c.predict(part.data, part.shape);
    c.dispose();
    console.log(JSON.stringify({ before, after: info().cpuCache, probabilities: Array.from(p) }));
  } catch (e) {
    console.log(JSON.stringify({ error: { name: e.name, code: e.code, message: e.message } }));
  }
})();`;

function runChild(cacheMb: string | undefined): Record<string, any> {
  const env = { ...process.env };
  delete env.ECG_LDM_CPU_CACHE_MB;
  if (cacheMb !== undefined) env.ECG_LDM_CPU_CACHE_MB = cacheMb;
  const r = spawnSync(process.execPath, ['-e', TRAIN_AND_PREDICT], { cwd: ROOT, encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`child exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

test('large blocks are reused within a job and released when it ends; results equal the uncached run', (t) => {
  const cached = runChild(undefined);
  const plain = runChild('0');
  t.falsy(cached.error, JSON.stringify(cached.error));
  t.true(cached.before.limitBytes > 0);
  t.is(cached.before.hits, 0);
  t.true(cached.after.hits > cached.after.misses, JSON.stringify(cached.after));
  t.is(cached.after.cachedBytes, 0, 'each job hands its cached blocks back when it ends');
  t.is(cached.after.openScopes, 0);
  t.is(plain.after.limitBytes, 0);
  t.is(plain.after.hits + plain.after.misses, 0, 'with ECG_LDM_CPU_CACHE_MB=0 LibTorch allocates as usual');
  // Same seed, same kernels: reusing memory must not change a single number.
  t.deepEqual(cached.probabilities, plain.probabilities);
  t.log(`cache: ${cached.after.hits} hits, ${cached.after.misses} misses, limit ${(cached.before.limitBytes / 2 ** 20).toFixed(0)} MiB`);
});

test('a 1 MiB limit bounds the cache and changes no result', (t) => {
  const tiny = runChild('0');
  const oneMb = runChild('1');
  t.falsy(oneMb.error, JSON.stringify(oneMb.error));
  t.is(oneMb.after.limitBytes, 2 ** 20);
  t.deepEqual(oneMb.probabilities, tiny.probabilities);
});

test('an invalid ECG_LDM_CPU_CACHE_MB stops loading with a message naming it', (t) => {
  for (const bad of ['lots', '-5', '12MB', '']) {
    const out = runChild(bad);
    t.is(out.error?.code, 'E_LOAD', `${JSON.stringify(bad)}: ${JSON.stringify(out)}`);
    t.regex(out.error.message, /ECG_LDM_CPU_CACHE_MB/);
  }
});
