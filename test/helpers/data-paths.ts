/** Paths of the shared datasets and a per-test temp folder. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

export const SHARED_DATA = process.env['ECG_LDM_SHARED_DATA'] ?? path.resolve(__dirname, '../../../../../shared/data');
export const LUDB = path.join(SHARED_DATA, 'ludb');
export const PTBXL = path.join(SHARED_DATA, 'ptbxl');
export const AFPDB = path.join(SHARED_DATA, 'afpdb');

/** A fresh temp folder. */
export function tempDir(prefix = 'ecg-ldm-data-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

let numpyChecked: boolean | undefined;
/** Whether `python3 -c "import numpy"` works here. */
export function hasNumpy(): boolean {
  if (numpyChecked === undefined) {
    try {
      execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
      numpyChecked = true;
    } catch {
      numpyChecked = false;
    }
  }
  return numpyChecked;
}

/** Runs a Python snippet and returns its stdout. */
export function python(code: string): string {
  return execFileSync('python3', ['-c', code], { encoding: 'utf8' });
}
