'use strict';
// Data suite: read every PTB-XL 100 Hz record present (1,987 in ../shared/data/ptbxl)
// with its label and patient, decode all 12 leads to mV and cut 1,000-sample segments
// [N, 1000, 12]. Prints records/s and MB/s (of .dat bytes), and — where python3 has
// numpy — runs a plain numpy.fromfile reader of the same files in the same run and
// prints the ratio.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Bench } = require('tinybench');
const { listPtbxlRecords, readWfdbRecordSync, segmentSignals } = require('../lib');

const SOURCE = process.env.ECG_LDM_PTBXL || path.resolve(__dirname, '..', '..', 'shared', 'data', 'ptbxl');
const ITERATIONS = Number(process.env.ECG_LDM_BENCH_ITERATIONS || 3);

/** The same job in Python: header gains, np.fromfile, physical units, segments. */
const NUMPY_READER = String.raw`
import ast, csv, os, sys, time
import numpy as np
src, iterations = sys.argv[1], int(sys.argv[2])
def run():
    rows = list(csv.DictReader(open(os.path.join(src, 'ptbxl_database.csv'), newline='', encoding='utf8')))
    n_seg = 0
    for r in rows:
        codes = ast.literal_eval(r['scp_codes'])
        label = 1 if any(codes.get(c, 0) >= 50 for c in ('LAO/LAE', 'RAO/RAE')) else 0
        base = os.path.join(src, r['filename_lr'])
        lines = [l.split() for l in open(base + '.hea') if l.strip() and not l.startswith('#')]
        nsig, nsamp = int(lines[0][1]), int(lines[0][3])
        gains, baselines = [], []
        for sig in lines[1:1 + nsig]:
            g = sig[2].split('/')[0]
            if '(' in g:
                gv, bv = g[:-1].split('(')
                gains.append(float(gv)); baselines.append(float(bv))
            else:
                gains.append(float(g)); baselines.append(float(sig[4]))
        raw = np.fromfile(base + '.dat', dtype='<i2').reshape(nsamp, nsig)
        x = ((raw - np.array(baselines)) / np.array(gains)).astype(np.float32)
        seg = x[: (nsamp // 1000) * 1000].reshape(-1, 1000, nsig)
        n_seg += seg.shape[0]
    return len(rows), n_seg
times = []
for _ in range(iterations):
    t0 = time.perf_counter(); n, s = run(); times.append(time.perf_counter() - t0)
print(n, s, sum(times) / len(times))
`;

function datBytes(records) {
  let total = 0;
  for (const r of records) total += fs.statSync(`${r.path}.dat`).size;
  return total;
}

function numpyAvailable() {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs the suite and prints its table; returns the measured rates. */
async function runDataBench() {
  if (!fs.existsSync(path.join(SOURCE, 'ptbxl_database.csv'))) {
    console.log(`PTB-XL not found at ${SOURCE} (set ECG_LDM_PTBXL); data bench skipped`);
    return undefined;
  }
  const listing = listPtbxlRecords(SOURCE);
  const bytes = datBytes(listing.records);
  let segments = 0;
  const bench = new Bench({ iterations: ITERATIONS, time: 0, warmupIterations: 1 });
  bench.add('ecg-ldm: list + read + segment (TS)', () => {
    const list = listPtbxlRecords(SOURCE);
    segments = 0;
    for (const rec of list.records) {
      const r = readWfdbRecordSync(rec.path);
      segments += segmentSignals(r.signals, { length: 1000, flatFraction: 0 }).count;
    }
  });
  await bench.run();
  const ms = bench.tasks[0].result.latency.mean;
  const rate = { records: listing.records.length / (ms / 1000), mbs: bytes / 1e6 / (ms / 1000) };
  const rows = [{ reader: 'ecg-ldm (TypeScript)', records: listing.records.length, segments, 'mean s': (ms / 1000).toFixed(3), 'records/s': rate.records.toFixed(0), 'MB/s': rate.mbs.toFixed(1) }];
  let ratio;
  if (numpyAvailable()) {
    const [n, segs, seconds] = execFileSync('python3', ['-c', NUMPY_READER, SOURCE, String(ITERATIONS)], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
    rows.push({ reader: 'numpy.fromfile (Python)', records: n, segments: segs, 'mean s': seconds.toFixed(3), 'records/s': (n / seconds).toFixed(0), 'MB/s': (bytes / 1e6 / seconds).toFixed(1) });
    ratio = seconds / (ms / 1000);
  }
  console.table(rows);
  if (ratio !== undefined) console.log(`ecg-ldm / numpy speed ratio: ${ratio.toFixed(2)}x (above 1 means ecg-ldm is faster)`);
  else console.log('python3 with numpy not found: no side-by-side comparison');
  return { ...rate, ratio };
}

module.exports = { runDataBench };

if (require.main === module) {
  runDataBench().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
