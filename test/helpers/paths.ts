import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root (tests run from build/test/test/). */
export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
/** ../shared beside the repository: real data and golden files (read-only). */
export const SHARED = process.env.ECG_LDM_SHARED ?? path.resolve(ROOT, '..', 'shared');

/** The LibTorch the build used, as scripts/find-libtorch.js recorded it. */
export function foundLibTorch(): { libDir: string; version: string; source: string } | undefined {
  const file = path.join(ROOT, '.libtorch', 'found.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined;
}
