/**
 * Atomic writes of small text files (sidecars, results, reports): a temp file beside the
 * target, then a rename, so a killed process leaves the old file or the new one, never
 * a torn one.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IoError } from '../errors';

/**
 * Writes `text` to `file` through a temp file and rename.
 * @param file - destination path (its folder must exist)
 * @param text - the contents
 * @throws {IoError} the file cannot be written (the destination is left as it was)
 * @example
 * writeFileAtomic('study/results.json', JSON.stringify(results));
 */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new IoError(`cannot write ${file}: ${(err as Error).message}`, { cause: err });
  }
}
