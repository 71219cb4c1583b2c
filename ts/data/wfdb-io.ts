/**
 * File access for the WFDB readers, written once for three callers. A reader is a
 * generator that yields the file requests it needs (header text, a file's size, a byte
 * range) and receives each answer; {@link runWfdbSync}, {@link runWfdbAsync} and
 * {@link runWfdbInMemory} answer them from the file system (blocking or not) or from
 * bytes already loaded. The decoding logic thus exists once, and a ranged read asks
 * only for the bytes it decodes.
 * @module
 */
import * as fs from 'node:fs';
import { IoError } from '../errors';
import { readFullyAt } from './read-at';

/** One file request of a WFDB reader. */
export type WfdbIoRequest =
  | { op: 'text'; file: string }
  | { op: 'size'; file: string }
  | { op: 'read'; file: string; position: number; length: number };

/** A reader: yields requests, receives their answers, returns `T`. */
export type WfdbIoSteps<T> = Generator<WfdbIoRequest, T, unknown>;

/** Yields a request for the whole file as latin1 text (headers). */
export function* requestText(file: string): WfdbIoSteps<string> {
  return (yield { op: 'text', file }) as string;
}

/** Yields a request for the size of a file in bytes. */
export function* requestSize(file: string): WfdbIoSteps<number> {
  return (yield { op: 'size', file }) as number;
}

/** Yields a request for `length` bytes at `position`; the answer is shorter at end of file. */
export function* requestBytes(file: string, position: number, length: number): WfdbIoSteps<Uint8Array> {
  return (yield { op: 'read', file, position, length }) as Uint8Array;
}

function ioError(file: string, err: unknown): IoError {
  return err instanceof IoError ? err : new IoError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
}

/** Drives `steps` to the end, answering each request with `answer` (which may throw). */
function drive<T>(steps: WfdbIoSteps<T>, answer: (request: WfdbIoRequest) => unknown): T {
  let next = steps.next();
  while (!next.done) {
    let value: unknown;
    let failure: unknown;
    let failed = false;
    try {
      value = answer(next.value);
    } catch (err) {
      failed = true;
      failure = ioError(next.value.file, err);
    }
    // A failed request is thrown into the reader, which may name the header line that
    // referred to the file (a missing segment) before passing it on.
    next = failed ? steps.throw(failure) : steps.next(value);
  }
  return next.value;
}

function readRangeSync(file: string, position: number, length: number): Uint8Array {
  const fd = fs.openSync(file, 'r');
  try {
    return readFullyAt(fd, position, length);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Runs a reader against the file system, blocking.
 * @throws {IoError} for a file that cannot be read, unless the reader handles it
 */
export function runWfdbSync<T>(steps: WfdbIoSteps<T>): T {
  return drive(steps, (r) => {
    if (r.op === 'text') return fs.readFileSync(r.file).toString('latin1');
    if (r.op === 'size') return fs.statSync(r.file).size;
    return readRangeSync(r.file, r.position, r.length);
  });
}

async function readRange(file: string, position: number, length: number): Promise<Uint8Array> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const out = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await handle.read(out, got, length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return out.subarray(0, got);
  } finally {
    await handle.close();
  }
}

/**
 * Runs a reader against the file system without blocking the event loop.
 * @throws {IoError} for a file that cannot be read, unless the reader handles it
 */
export async function runWfdbAsync<T>(steps: WfdbIoSteps<T>): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    const r = next.value;
    let value: unknown;
    try {
      if (r.op === 'text') value = (await fs.promises.readFile(r.file)).toString('latin1');
      else if (r.op === 'size') value = (await fs.promises.stat(r.file)).size;
      else value = await readRange(r.file, r.position, r.length);
    } catch (err) {
      next = steps.throw(ioError(r.file, err));
      continue;
    }
    next = steps.next(value);
  }
  return next.value;
}

/**
 * Runs a reader against files already in memory.
 * @param load - returns the whole content of a named file (may throw)
 */
export function runWfdbInMemory<T>(steps: WfdbIoSteps<T>, load: (file: string) => Uint8Array): T {
  return drive(steps, (r) => {
    const bytes = load(r.file);
    if (r.op === 'text') return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    if (r.op === 'size') return bytes.length;
    return bytes.subarray(Math.min(r.position, bytes.length), Math.min(r.position + r.length, bytes.length));
  });
}
