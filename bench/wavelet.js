'use strict';
// Wavelet suite: the seed's denoise recipe (sym8, level 8) on 10,000 segments x 2,048
// samples, float32 and float64, CPU, 2 threads — side by side with PyWavelets running
// the same recipe on the same data (bench/wavelet_pywt.py) when python3 has pywt.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Bench } = require('tinybench');
const { wavelet, setThreads } = require('../lib');

const SEGMENTS = Number(process.env.ECG_LDM_BENCH_SEGMENTS || 10000);
const LENGTH = 2048;
const THREADS = 2;
const PYWT_REPEATS = Number(process.env.ECG_LDM_BENCH_PYWT_REPEATS || 1);

/** ECG-like test data: a 1.2 Hz "beat" of harmonics at 500 Hz plus seeded noise. */
function makeSegments(ArrayType) {
  const data = new ArrayType(SEGMENTS * LENGTH);
  let seed = 12345;
  const noise = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.1;
  for (let s = 0; s < SEGMENTS; s++) {
    const phase = (s % 97) / 97;
    for (let i = 0; i < LENGTH; i++) {
      const t = i / 500 + phase;
      data[s * LENGTH + i] = Math.sin(2 * Math.PI * 1.2 * t) ** 15 + 0.2 * Math.sin(2 * Math.PI * 0.3 * t) + noise();
    }
  }
  return data;
}

function hasPywt() {
  try {
    execFileSync('python3', ['-c', 'import pywt'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** {wall, cpu} seconds per run of PyWavelets over the same segments (best of PYWT_REPEATS). */
function timePywt(data, dtype) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ecg-ldm-bench-')), `segments.${dtype}`);
  fs.writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  try {
    const out = execFileSync(
      'python3',
      [path.join(__dirname, 'wavelet_pywt.py'), file, dtype, String(SEGMENTS), String(LENGTH), String(PYWT_REPEATS)],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    const { seconds, cpuSeconds } = JSON.parse(out);
    return { wall: Math.min(...seconds), cpu: Math.min(...cpuSeconds) };
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

async function runWaveletBench() {
  setThreads(THREADS);
  process.removeAllListeners('warning');  // the seed's level 8 > max level 7 warns once
  const withPywt = hasPywt();
  console.log(`denoise (sym8, level 8, symmetric): ${SEGMENTS} segments x ${LENGTH} samples, CPU, ${THREADS} threads`);
  const rows = [];
  for (const [dtype, ArrayType] of [['float32', Float32Array], ['float64', Float64Array]]) {
    const data = makeSegments(ArrayType);
    const bench = new Bench({ name: `denoise ${dtype}`, iterations: 5, time: 0, warmupIterations: 1 });
    bench.add(`ecg-ldm ${dtype}`, async () => {
      await wavelet.denoise(data, [SEGMENTS, 1, LENGTH]);
    });
    await bench.run();
    const task = bench.tasks[0];
    const seconds = task.result.latency.mean / 1000;
    const ours = SEGMENTS / seconds;
    // CPU time as well as wall time: on a shared, loaded machine segments per CPU-second
    // compare the two implementations' work even when their share of the cores differs.
    const cpuStart = process.cpuUsage();
    await wavelet.denoise(data, [SEGMENTS, 1, LENGTH]);
    const cpu = process.cpuUsage(cpuStart);
    const oursPerCpuSecond = SEGMENTS / ((cpu.user + cpu.system) / 1e6);
    const row = {
      dtype,
      'ecg-ldm seg/s': Math.round(ours),
      'ecg-ldm ms/run': +(seconds * 1000).toFixed(1),
      rme: `±${task.result.latency.rme.toFixed(1)}%`,
      'ecg-ldm seg/CPU-s': Math.round(oursPerCpuSecond),
    };
    if (withPywt) {
      const pywt = timePywt(data, dtype);
      row['PyWavelets seg/s'] = Math.round(SEGMENTS / pywt.wall);
      row['PyWavelets seg/CPU-s'] = Math.round(SEGMENTS / pywt.cpu);
      row['ratio (wall)'] = +(ours / (SEGMENTS / pywt.wall)).toFixed(1);
      row['ratio (CPU)'] = +(oursPerCpuSecond / (SEGMENTS / pywt.cpu)).toFixed(1);
    }
    rows.push(row);
  }
  console.table(rows);
  console.log(`load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  if (!withPywt) console.log('(python3 -c "import pywt" failed: PyWavelets side skipped)');
  return rows;
}

module.exports = { runWaveletBench };

if (require.main === module) {
  runWaveletBench().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
