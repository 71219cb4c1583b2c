/**
 * Positional reads that keep reading until the range is filled or the file ends
 * (`fs.readSync` may return fewer bytes than asked for).
 * @module
 */
import * as fs from 'node:fs';

/**
 * Reads `length` bytes of an open file from `position`.
 * @returns the bytes read: shorter than `length` only when the file ends first
 */
export function readFullyAt(fd: number, position: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, out, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return out.subarray(0, done);
}
