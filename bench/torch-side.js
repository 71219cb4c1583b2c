'use strict';
// The PyTorch side of a bench: which torch ECG_LDM_PYTHON imports, and running a
// bench/*_torch.py script with the bench's thread count. PyTorch is ECG_LDM_PYTHON
// (default python3); without `import torch` a suite prints a message and runs native only.
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const PYTHON = process.env.ECG_LDM_PYTHON || 'python3';

/** The torch version ECG_LDM_PYTHON imports, or null (message printed). */
function torchVersion() {
  try {
    return execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    console.log(`PyTorch not importable by ${PYTHON}: no side-by-side comparison (set ECG_LDM_PYTHON to a python with torch)`);
    return null;
  }
}

/**
 * Runs bench/<script> with `--threads threads` (and OMP/MKL pinned to the same count) and
 * returns the JSON object on its last stdout line; stderr (NNPACK warnings) is dropped.
 * `extraEnv` adds variables (GLIBC_TUNABLES for the malloc-tuned PyTorch row).
 */
function runTorchScript(script, args, threads, extraEnv = {}) {
  const out = execFileSync(PYTHON, [path.join(__dirname, script), ...args, '--threads', String(threads)], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads), ...extraEnv },
  });
  return JSON.parse(out.trim().split('\n').pop());
}

module.exports = { PYTHON, torchVersion, runTorchScript };
