'use strict';
// Generator suite (CPU, 2 threads), side by side with PyTorch where a comparison exists:
//   1. seed U-Net training step (batch 32 x 2,048 samples x 1 lead): native s/step vs the
//      reference's PyTorch eager step (bench/generator_torch.py train), ratio;
//   2. seed U-Net DDPM sampling: N steps of the 1000-step loop at batch 1 and 8, native vs
//      the reference's per-step Python loop (generator_torch.py sample), per-step time,
//      extrapolated s/segment for 1000 steps, ratio; DDIM / DPM-Solver++ 25 steps with a
//      small UNet1d (segments/s, native only);
//   3. memory: generate() to an NPZ for count 256 and 1024 (same batch size), each in a fresh
//      child process, peak RSS sampled every 50 ms;
//   4. event loop: monitorEventLoopDelay p99 while a tiny UNet1d trains natively for ~10 s.
// PyTorch is ECG_LDM_PYTHON (default python3); without `import torch` the PyTorch side is
// skipped with a message. Environment knobs are listed in bench/README.md.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { fork } = require('node:child_process');
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { Bench } = require('tinybench');
const { Generator, generate, setThreads } = require('../lib');
const { PYTHON, runTorchScript, torchVersion } = require('./torch-side');

const THREADS = 2;
const env = (name, fallback) => Number(process.env[name] || fallback);
const TRAIN_WARMUP = env('ECG_LDM_BENCH_TRAIN_WARMUP', 2);
const TRAIN_ITERS = env('ECG_LDM_BENCH_TRAIN_ITERS', 4);
const TRAIN_BATCH = 32;
const LENGTH = 2048;
const DDPM_T = 1000;
// Steps timed per batch size for the seed U-Net DDPM comparison (of the 1000-step loop).
const DDPM_STEPS = { 1: env('ECG_LDM_BENCH_DDPM_STEPS_B1', 30), 8: env('ECG_LDM_BENCH_DDPM_STEPS_B8', 10) };
const RSS_COUNTS = [256, 1024];
const RSS_BATCH = 64;
const RSS_STEPS = env('ECG_LDM_BENCH_RSS_STEPS', 1);
const EVENT_LOOP_SECONDS = env('ECG_LDM_BENCH_EVENT_LOOP_SECONDS', 10);
/**
 * glibc malloc settings that let PyTorch reuse large freed blocks instead of mapping fresh
 * pages every step: the largest mmap threshold glibc accepts (32 MiB) and no trimming.
 */
const PYTORCH_MALLOC_TUNED = { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=17179869184' };

/** A small UNet1d for the fast samplers (2,048 samples, 1 lead; attention only in the middle, at 512 positions). */
const SMALL_UNET = { kind: 'unet1d', length: LENGTH, channels: 1, baseChannels: 16, channelMults: [1, 2, 2], numResBlocks: 1, attentionLevels: [] };
/** A tiny 12-lead UNet1d for the memory suite (attention only in the middle, at 256
 *  positions): 1,024 segments = 96 MiB of float32 output. */
const RSS_UNET = { kind: 'unet1d', length: LENGTH, channels: 12, baseChannels: 8, channelMults: [1, 2, 2, 2], numResBlocks: 1, attentionLevels: [] };
/** A tiny UNet1d trained while the event loop is watched. */
const LOOP_UNET = { kind: 'unet1d', length: 256, channels: 1, baseChannels: 8, channelMults: [1, 2], numResBlocks: 1, attentionLevels: [] };

const load = () => os.loadavg().map((v) => v.toFixed(2)).join(' ');
const fmt = (v, digits = 3) => +v.toFixed(digits);

/** ECG-like segments [n, length, 1] with alternating labels (seeded LCG noise). */
function makeDataset(n, length, channels = 1) {
  const data = new Float32Array(n * length * channels);
  let seed = 12345;
  const noise = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.1;
  for (let s = 0; s < n; s++) {
    const phase = (s % 97) / 97;
    for (let i = 0; i < length; i++) {
      const t = i / 500 + phase;
      const v = Math.sin(2 * Math.PI * 1.2 * t) ** 15 + 0.2 * Math.sin(2 * Math.PI * 0.3 * t);
      for (let c = 0; c < channels; c++) data[(s * length + i) * channels + c] = v + noise();
    }
  }
  return { data, shape: [n, length, channels], labels: Array.from({ length: n }, (_, i) => i % 2) };
}

/** Runs bench/generator_torch.py with the bench's threads and returns its JSON. */
const runTorch = (args, extraEnv) => runTorchScript('generator_torch.py', args, THREADS, extraEnv);

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

// ---------------------------------------------------------------------------------------
// 1. Seed U-Net training step.
async function benchTrainStep(torch) {
  console.log(`\n### 1. seed U-Net training step: batch ${TRAIN_BATCH} x ${LENGTH} x 1, Adam, MSE on noise (${TRAIN_WARMUP} warm + ${TRAIN_ITERS} timed steps), load ${load()}`);
  const steps = TRAIN_WARMUP + TRAIN_ITERS;
  const dataset = makeDataset(TRAIN_BATCH * steps, LENGTH);
  const stamps = new Map();
  const nativeRates = [];
  const gen = Generator.create({ model: { kind: 'seed' } }, { seed: 0 });
  const params = gen.config().parameterCount;
  try {
    // One run; the step time is read off the progress events (one per step), so model
    // set-up and the first steps (allocation, Adam state) stay out of the figure. Grad
    // clipping is off to match the reference step; the native step still updates the EMA.
    await gen.fit(dataset, {
      steps, batchSize: TRAIN_BATCH, lr: 5e-5, valFraction: 0, gradClip: 0, progressEvery: 1, seed: 0,
      onProgress: (e) => {
        if (e.stage !== 'train') return;
        stamps.set(e.step, performance.now());
        if (e.step > TRAIN_WARMUP) nativeRates.push(e.samplesPerSecond);
      },
    });
  } finally {
    gen.dispose();
  }
  let native;
  if (stamps.has(TRAIN_WARMUP) && stamps.has(steps)) native = (stamps.get(steps) - stamps.get(TRAIN_WARMUP)) / 1000 / TRAIN_ITERS;
  else native = TRAIN_BATCH / mean(nativeRates);  // events coalesced: fall back on the trainer's own rate
  const row = { model: `SeedUNet (${params.toLocaleString('en-US')} params)`, 'ecg-ldm s/step': fmt(native), 'ecg-ldm s/step (trainer rate)': fmt(TRAIN_BATCH / mean(nativeRates)) };
  if (torch) {
    const trainArgs = ['train', '--batch', String(TRAIN_BATCH), '--length', String(LENGTH), '--warmup', String(TRAIN_WARMUP), '--iters', String(TRAIN_ITERS)];
    const py = runTorch(trainArgs);
    const pySec = mean(py.secondsPerStep);
    row['PyTorch s/step'] = fmt(pySec);
    row['PyTorch min..max'] = `${fmt(Math.min(...py.secondsPerStep))}..${fmt(Math.max(...py.secondsPerStep))}`;
    row['speed-up (PyTorch / ecg-ldm)'] = fmt(pySec / native, 2);
    // ecg-ldm's edge here is mostly memory reuse (native/core/caching_cpu_allocator.h);
    // PyTorch gets part of it from glibc settings a user can make, so that row is shown too.
    const tuned = mean(runTorch(trainArgs, PYTORCH_MALLOC_TUNED).secondsPerStep);
    row['PyTorch + GLIBC_TUNABLES s/step'] = fmt(tuned);
    row['speed-up vs tuned PyTorch'] = fmt(tuned / native, 2);
  }
  console.table([row]);
  console.log(`(load after: ${load()})`);
  return row;
}

// ---------------------------------------------------------------------------------------
// 2. Sampling.
async function benchSampling(torch) {
  console.log(`\n### 2a. seed U-Net DDPM (T = ${DDPM_T}): N steps timed, extrapolated to ${DDPM_T} steps, load ${load()}`);
  const gen = Generator.create({ model: { kind: 'seed' } }, { seed: 0 });
  const rows = [];
  try {
    for (const batch of [1, 8]) {
      const steps = DDPM_STEPS[batch];
      // Native 'ddpm' with steps < T walks an evenly spaced subset of the 1000 timesteps:
      // the same network evaluation and per-step arithmetic as one step of the full loop.
      const bench = new Bench({ name: `ddpm b${batch}`, iterations: 1, time: 0, warmupIterations: 0, warmupTime: 0 });
      bench.add(`ecg-ldm ddpm b${batch}`, async () => {
        await gen.sample({ label: 0, count: batch, batchSize: batch, sampler: 'ddpm', steps, seed: 1 });
      });
      // Warm-up: a 2-step call (allocations, first-touch) outside the timing.
      await gen.sample({ label: 0, count: batch, batchSize: batch, sampler: 'ddpm', steps: 2 });
      await bench.run();
      const perStep = bench.tasks[0].result.latency.mean / 1000 / steps;
      const row = {
        batch, 'steps timed': steps,
        'ecg-ldm ms/step': fmt(perStep * 1000, 1),
        'ecg-ldm s/segment (1000 steps)': fmt((perStep * DDPM_T) / batch, 2),
      };
      if (torch) {
        const py = runTorch(['sample', '--batch', String(batch), '--length', String(LENGTH), '--steps', String(steps), '--warmup', '2']);
        row['PyTorch ms/step'] = fmt(py.secondsPerStep * 1000, 1);
        row['PyTorch s/segment (1000 steps)'] = fmt((py.secondsPerStep * DDPM_T) / batch, 2);
        row['speed-up (PyTorch / ecg-ldm)'] = fmt(py.secondsPerStep / perStep, 2);
      }
      rows.push(row);
    }
  } finally {
    gen.dispose();
  }
  console.table(rows);

  console.log(`\n### 2b. small UNet1d ${JSON.stringify(SMALL_UNET)}: 25 steps, load ${load()}`);
  const small = Generator.create({ model: SMALL_UNET }, { seed: 0 });
  const fast = [];
  try {
    const count = 8;
    const bench = new Bench({ name: 'fast samplers', iterations: 2, time: 0, warmupIterations: 1, warmupTime: 0 });
    for (const sampler of ['ddim', 'dpmpp']) {
      bench.add(sampler, async () => {
        await small.sample({ label: 1, count, batchSize: count, sampler, steps: 25, seed: 2 });
      });
    }
    await bench.run();
    for (const task of bench.tasks) {
      const sec = task.result.latency.mean / 1000;
      fast.push({ sampler: task.name, 'batch': count, steps: 25, 'ms/batch': fmt(sec * 1000, 1), 'segments/s': fmt(count / sec, 1), rme: `±${task.result.latency.rme.toFixed(1)}%`, params: small.config().parameterCount });
    }
  } finally {
    small.dispose();
  }
  console.table(fast);
  console.log(`(load after: ${load()})`);
  return { ddpm: rows, fast };
}

// ---------------------------------------------------------------------------------------
// 3. Peak RSS of generate() (streams batches to the NPZ).
function rssChild(checkpoint, count, out, pool) {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--rss-child', checkpoint, String(count), out], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: ['--expose-gc'],
      env: pool ? { ...process.env, UV_THREADPOOL_SIZE: String(pool) } : process.env,
    });
    let result;
    child.on('message', (m) => { result = m; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`rss child exited with ${code}`))));
  });
}

async function rssChildMain([checkpoint, count, out]) {
  setThreads(THREADS);
  const mib = (b) => b / 2 ** 20;
  const before = process.memoryUsage().rss;
  let peak = before;
  let peakBuffers = 0;  // JS-side ArrayBuffers: where the samples would pile up if held
  let ticks = 0;
  const sample = () => {
    // Every 500 ms a full GC first, so output buffers that are already garbage (each batch
    // leaves a few MiB for V8 to collect lazily) cannot pass for growth; RSS itself is read
    // every 50 ms.
    if (++ticks % 10 === 0 && global.gc) global.gc();
    const m = process.memoryUsage();
    peak = Math.max(peak, m.rss);
    peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
  };
  const timer = setInterval(sample, 50);
  const t0 = performance.now();
  await generate({ checkpoint, out, label: 1, count: Number(count), sampler: 'dpmpp', steps: RSS_STEPS, batchSize: RSS_BATCH, seed: 3, useEma: false });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  sample();
  const bytes = fs.statSync(out).size;
  process.send({ beforeMiB: mib(before), peakMiB: mib(peak), afterMiB: mib(process.memoryUsage().rss), peakBuffersMiB: mib(peakBuffers), npzMiB: mib(bytes), seconds });
}

async function benchMemory() {
  console.log(`\n### 3. generate() peak RSS: ${JSON.stringify(RSS_UNET)}, dpmpp ${RSS_STEPS} steps, batchSize ${RSS_BATCH}, fresh process per count, load ${load()}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-ldm-bench-gen-'));
  const rows = [];
  try {
    const checkpoint = path.join(dir, 'tiny.safetensors');
    const gen = Generator.create({ model: RSS_UNET }, { seed: 0 });
    gen.save(checkpoint);
    gen.dispose();
    // Each native job runs on a libuv pool thread, and glibc gives each thread its own
    // malloc arena that keeps its high-water mark: the default pool (4 threads) can hold up
    // to 4 batch workspaces. The second pass pins the pool to 1 thread to show that apart.
    for (const pool of [undefined, 1]) for (const count of RSS_COUNTS) {
      const out = path.join(dir, `gen-${count}.npz`);
      const r = await rssChild(checkpoint, count, out, pool);
      rows.push({
        'libuv pool': pool ?? (process.env.UV_THREADPOOL_SIZE || 'default (4)'), count, batchSize: RSS_BATCH,
        'output MiB (float32)': fmt((count * LENGTH * RSS_UNET.channels * 4) / 2 ** 20, 1),
        'npz MiB': fmt(r.npzMiB, 1),
        'RSS before MiB': fmt(r.beforeMiB, 1),
        'peak RSS MiB': fmt(r.peakMiB, 1),
        'peak - before MiB': fmt(r.peakMiB - r.beforeMiB, 1),
        'RSS after MiB': fmt(r.afterMiB, 1),
        'peak ArrayBuffers MiB': fmt(r.peakBuffersMiB, 1),
        seconds: fmt(r.seconds, 2),
      });
      fs.rmSync(out, { force: true });
      fs.rmSync(`${out}.json`, { force: true });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.table(rows);
  for (let i = 0; i + 1 < rows.length; i += 2) {
    const [a, b] = [rows[i], rows[i + 1]];
    console.log(`libuv pool ${a['libuv pool']}: peak RSS ${b.count} vs ${a.count}: ${fmt(b['peak RSS MiB'] - a['peak RSS MiB'], 1)} MiB difference, while the output grew by ${fmt(b['output MiB (float32)'] - a['output MiB (float32)'], 1)} MiB`);
  }
  console.log(`(load after: ${load()})`);
  return rows;
}

// ---------------------------------------------------------------------------------------
// 4. Event-loop delay during native training.
/** Event-loop delay histogram (resolution 1 ms, so each reading includes ~1 ms of interval). */
function loopRow(label, histogram, extra) {
  const ms = (ns) => fmt(ns / 1e6, 2);
  return {
    phase: label, ...extra,
    'p50 ms': ms(histogram.percentile(50)), 'p99 ms': ms(histogram.percentile(99)), 'max ms': ms(histogram.max), 'mean ms': ms(histogram.mean),
    'p99 < 20 ms': histogram.percentile(99) / 1e6 < 20 ? 'yes' : 'NO',
  };
}

async function benchEventLoop() {
  console.log(`\n### 4. event-loop delay while ${JSON.stringify(LOOP_UNET)} trains natively for ~${EVENT_LOOP_SECONDS} s, load ${load()}`);
  const dataset = makeDataset(512, LOOP_UNET.length);
  const rows = [];
  // Reference: the same process idle for 2 s (timer jitter from the machine's load alone).
  const idle = monitorEventLoopDelay({ resolution: 1 });
  idle.enable();
  await new Promise((resolve) => setTimeout(resolve, 2000));
  idle.disable();
  rows.push(loopRow('idle 2 s', idle, { seconds: 2, steps: 0, 'progress events': 0 }));

  const gen = Generator.create({ model: LOOP_UNET }, { seed: 0 });
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const controller = new AbortController();
  let events = 0;
  let lastStep = 0;
  const t0 = performance.now();
  histogram.enable();
  const timer = setTimeout(() => controller.abort(), EVENT_LOOP_SECONDS * 1000);
  try {
    await gen.fit(dataset, {
      steps: 1e6, batchSize: 32, valFraction: 0, progressEvery: 1, seed: 0, signal: controller.signal,
      onProgress: (e) => { events++; if (e.stage === 'train') lastStep = e.step; },
    });
  } catch (err) {
    if (!controller.signal.aborted) throw err;  // the abort ends the run with CancelledError
  } finally {
    clearTimeout(timer);
    histogram.disable();
    gen.dispose();
  }
  rows.push(loopRow('native training', histogram, { seconds: fmt((performance.now() - t0) / 1000, 1), steps: lastStep, 'progress events': events }));
  console.table(rows);
  console.log(`(monitorEventLoopDelay resolution 1 ms; load after: ${load()})`);
  return rows;
}

async function runGeneratorBench() {
  setThreads(THREADS);
  const torch = torchVersion();
  console.log(`generator: CPU, ${THREADS} threads (native and PyTorch), PyTorch: ${torch ? `${torch} via ${PYTHON}` : 'none'}, load ${load()}`);
  const only = (process.env.ECG_LDM_BENCH_GENERATOR || 'train,sample,memory,loop').split(',');
  const results = {};
  if (only.includes('train')) results.train = await benchTrainStep(torch);
  if (only.includes('sample')) results.sample = await benchSampling(torch);
  if (only.includes('memory')) results.memory = await benchMemory();
  if (only.includes('loop')) results.eventLoop = await benchEventLoop();
  return results;
}

module.exports = { runGeneratorBench };

if (require.main === module) {
  const main = process.argv[2] === '--rss-child' ? () => rssChildMain(process.argv.slice(3)) : runGeneratorBench;
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
