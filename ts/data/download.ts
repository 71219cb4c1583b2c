/**
 * Downloads a PhysioNet dataset: reads the project's SHA256SUMS.txt listing (or, when
 * absent, its RECORDS file and each record's header), fetches each file with retries
 * and exponential backoff, resumes partial files with HTTP Range requests, and checks
 * every file against its published SHA-256.
 * @module
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ChecksumError, ConfigError, IoError } from '../errors';
import { parseConfig } from './config';
import { parseWfdbHeader } from './wfdb-header';

/** PhysioNet projects known by name. */
export const PHYSIONET_DATASETS = {
  ptbxl: { url: 'https://physionet.org/files/ptb-xl/1.0.3/', exclude: '^records500/' },
  ludb: { url: 'https://physionet.org/files/ludb/1.0.1/', exclude: undefined },
  afpdb: { url: 'https://physionet.org/files/afpdb/1.0.0/', exclude: undefined },
} as const;

/** Progress of a download, reported after each chunk and each file. */
export interface DownloadProgress {
  file: string;
  /** Bytes of this file on disk so far. */
  fileBytes: number;
  /** Size of this file when the server said, else undefined. */
  fileTotal: number | undefined;
  /** Files finished (downloaded or already present). */
  filesDone: number;
  filesTotal: number;
}

/** Options of {@link downloadDataset}. */
export interface DownloadOptions {
  /** Destination folder (created). */
  to: string;
  /** Project base URL, ending in "/"; default the PhysioNet URL of the dataset. */
  baseUrl?: string | undefined;
  /** Only files whose path matches this regular expression. */
  include?: string | undefined;
  /** Skip files whose path matches this regular expression (ptbxl default: records500). */
  exclude?: string | undefined;
  /** Attempts per file (default 5). */
  retries?: number;
  /** First backoff delay in ms, doubled after each failed attempt (default 500). */
  backoffMs?: number;
  onProgress?: ((p: DownloadProgress) => void) | undefined;
}

/** Defaults of {@link DownloadOptions}. */
export const DOWNLOAD_DEFAULTS = { retries: 5, backoffMs: 500 };

const OptionsSchema = z.object({
  to: z.string().min(1),
  baseUrl: z.url().optional(),
  include: z.string().optional(),
  exclude: z.string().optional(),
  retries: z.number().int().min(1).max(100).default(DOWNLOAD_DEFAULTS.retries),
  backoffMs: z.number().min(0).default(DOWNLOAD_DEFAULTS.backoffMs),
  onProgress: z.custom<(p: DownloadProgress) => void>((v) => typeof v === 'function', { message: 'expected a function' }).optional(),
}).strict();

/** What {@link downloadDataset} did. */
export interface DownloadSummary {
  files: number;
  downloaded: number;
  /** Files already present with the right checksum. */
  skipped: number;
  /** Files resumed from a partial download. */
  resumed: number;
  bytes: number;
  /** Whether SHA-256 checksums were available and checked. */
  verified: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function fetchText(url: string, retries: number, backoffMs: number): Promise<string | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url);
      if (res.status === 404) return undefined;
      if (!res.ok) throw new IoError(`GET ${url}: HTTP ${res.status}`);
      return await res.text();
    } catch (err) {
      if (attempt >= retries) throw err instanceof IoError ? err : new IoError(`GET ${url} failed: ${(err as Error).message}`, { cause: err });
      await sleep(backoffMs * 2 ** (attempt - 1));
    }
  }
}

/**
 * Parses a SHA256SUMS listing ("<hex>  <path>" or "<hex> *<path>" per line).
 * @example
 * parseSha256Sums('ab12...  RECORDS\n').get('RECORDS');
 */
export function parseSha256Sums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{64})\s+\*?(.+)$/.exec(line.trim());
    if (m) out.set(m[2]!.trim(), m[1]!.toLowerCase());
  }
  return out;
}

/** Downloads one file to `dest`, resuming `dest.part` with a Range request. */
async function downloadFile(
  url: string, dest: string, retries: number, backoffMs: number, report: (bytes: number, total: number | undefined) => void,
): Promise<{ resumed: boolean; bytes: number }> {
  const part = `${dest}.part`;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  let resumed = false;
  let received = 0;
  for (let attempt = 1; ; attempt++) {
    const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
    try {
      const res = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {} });
      if (res.status === 416) {
        // The part file is already complete (or longer than the file): start over to be safe.
        fs.rmSync(part, { force: true });
        throw new IoError(`GET ${url}: HTTP 416, restarting`);
      }
      if (!res.ok || !res.body) throw new IoError(`GET ${url}: HTTP ${res.status}`);
      const append = res.status === 206 && have > 0;
      if (append) resumed = true;
      const length = Number(res.headers.get('content-length') ?? NaN);
      const total = Number.isFinite(length) ? length + (append ? have : 0) : undefined;
      const fd = fs.openSync(part, append ? 'a' : 'w');
      let size = append ? have : 0;
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          fs.writeSync(fd, chunk);
          size += chunk.length;
          received += chunk.length;
          report(size, total);
        }
      } finally {
        fs.closeSync(fd);
      }
      if (total !== undefined && size !== total) throw new IoError(`GET ${url}: connection closed after ${size} of ${total} bytes`);
      fs.renameSync(part, dest);
      return { resumed, bytes: received };
    } catch (err) {
      if (attempt >= retries) throw err instanceof IoError ? err : new IoError(`GET ${url} failed after ${attempt} attempts: ${(err as Error).message}`, { cause: err });
      await sleep(backoffMs * 2 ** (attempt - 1));
    }
  }
}

/** Lists a project's files from RECORDS and the headers it names (no checksums). */
async function listFromRecords(base: string, to: string, retries: number, backoffMs: number): Promise<string[] | undefined> {
  const records = await fetchText(new URL('RECORDS', base).href, retries, backoffMs);
  if (records === undefined) return undefined;
  const files = ['RECORDS'];
  fs.mkdirSync(to, { recursive: true });
  fs.writeFileSync(path.join(to, 'RECORDS'), records);
  // A record's header and signal files; a multi-segment record's segments (and its
  // layout segment) are records of their own in the same folder.
  const addRecord = async (rec: string, listedBy: string): Promise<void> => {
    const hea = `${rec}.hea`;
    const text = await fetchText(new URL(hea, base).href, retries, backoffMs);
    if (text === undefined) throw new IoError(`${listedBy} lists ${rec} but ${hea} is missing`);
    files.push(hea);
    const dir = path.posix.dirname(rec);
    const inDir = (name: string) => (dir === '.' ? name : `${dir}/${name}`);
    const header = parseWfdbHeader(text, hea);
    for (const f of new Set(header.signals.map((s) => s.fileName))) files.push(inDir(f));
    for (const segment of header.segments ?? []) if (segment.name !== '~') await addRecord(inDir(segment.name), hea);
  };
  for (const rec of records.split(/\r?\n/).map((r) => r.trim()).filter(Boolean)) await addRecord(rec, 'RECORDS');
  return files;
}

/**
 * Downloads a PhysioNet dataset into a folder, verifying SHA-256 checksums.
 * @param dataset - "ptbxl", "ludb" or "afpdb" (or any name when `baseUrl` is given)
 * @param options - `to` (required), `baseUrl`, `include` / `exclude` path patterns,
 *   `retries` (default 5), `backoffMs` (default 500), `onProgress`
 * @returns counts of files downloaded, skipped (already verified) and resumed
 * @throws {ConfigError} invalid options or unknown dataset without baseUrl
 * @throws {IoError} a file could not be fetched after all retries, or no listing exists
 * @throws {ChecksumError} a downloaded file does not match its published SHA-256
 *   (the bad file is removed)
 * @example
 * await downloadDataset('ludb', { to: 'data/ludb', onProgress: (p) => console.error(p.file) });
 */
export async function downloadDataset(dataset: string, options: DownloadOptions): Promise<DownloadSummary> {
  const o = parseConfig('downloadDataset options', OptionsSchema, options);
  const known = PHYSIONET_DATASETS[dataset as keyof typeof PHYSIONET_DATASETS];
  const base = o.baseUrl ?? known?.url;
  if (base === undefined) throw new ConfigError(`Unknown dataset "${dataset}"`, [`dataset: expected one of ${Object.keys(PHYSIONET_DATASETS).join(', ')}, or give baseUrl`]);
  const baseUrl = base.endsWith('/') ? base : `${base}/`;
  const exclude = o.exclude ?? known?.exclude;
  const sumsText = await fetchText(new URL('SHA256SUMS.txt', baseUrl).href, o.retries, o.backoffMs);
  const sums = sumsText !== undefined ? parseSha256Sums(sumsText) : undefined;
  let files = sums ? [...sums.keys()] : await listFromRecords(baseUrl, o.to, o.retries, o.backoffMs);
  if (files === undefined) throw new IoError(`${baseUrl} has neither SHA256SUMS.txt nor RECORDS`);
  if (o.include !== undefined) files = files.filter((f) => new RegExp(o.include!).test(f));
  if (exclude !== undefined) files = files.filter((f) => !new RegExp(exclude).test(f));
  fs.mkdirSync(o.to, { recursive: true });
  if (sumsText !== undefined) fs.writeFileSync(path.join(o.to, 'SHA256SUMS.txt'), sumsText);
  const summary: DownloadSummary = { files: files.length, downloaded: 0, skipped: 0, resumed: 0, bytes: 0, verified: sums !== undefined };
  for (const [k, rel] of files.entries()) {
    if (rel.split('/').includes('..') || path.isAbsolute(rel)) throw new IoError(`refusing unsafe path "${rel}" in the listing`);
    const dest = path.join(o.to, ...rel.split('/'));
    const expected = sums?.get(rel);
    // A present file is kept when it matches its checksum (or, without checksums, always).
    if (fs.existsSync(dest) && (expected === undefined || (await sha256File(dest)) === expected)) {
      summary.skipped++;
      o.onProgress?.({ file: rel, fileBytes: fs.statSync(dest).size, fileTotal: fs.statSync(dest).size, filesDone: k + 1, filesTotal: files.length });
      continue;
    }
    const url = new URL(rel.split('/').map(encodeURIComponent).join('/'), baseUrl).href;
    const { resumed, bytes } = await downloadFile(url, dest, o.retries, o.backoffMs, (fileBytes, fileTotal) =>
      o.onProgress?.({ file: rel, fileBytes, fileTotal, filesDone: k, filesTotal: files!.length }));
    if (expected !== undefined) {
      const actual = await sha256File(dest);
      if (actual !== expected) {
        fs.rmSync(dest, { force: true });
        throw new ChecksumError(`SHA-256 mismatch: published ${expected}, downloaded ${actual}; the file was removed`, { file: dest });
      }
    }
    summary.downloaded++;
    summary.bytes += bytes;
    if (resumed) summary.resumed++;
    o.onProgress?.({ file: rel, fileBytes: fs.statSync(dest).size, fileTotal: fs.statSync(dest).size, filesDone: k + 1, filesTotal: files.length });
  }
  return summary;
}
