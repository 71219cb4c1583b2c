/**
 * Turns an adapter's record listing into NPZ files in the reference layout: reads each
 * WFDB record, selects leads, resamples, cuts windows, splits by patient and streams the
 * segments of each set to its own NPZ.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { ChecksumError, FormatError, IoError } from '../errors';
import type { DatasetListing } from './adapters/types';
import { parseConfig } from './config';
import { NpzWriter } from './npz';
import { rateFactors, resamplePoly } from './resample';
import { segmentSignals } from './segment';
import { assignSplit, patientSplit, readSplitFile, writeSplitFile, type SplitFile, type SplitItem } from './split';
import { readWfdbRecordSync } from './wfdb-signal';
import type { PatientSegments } from './segment-table';

/** Options of {@link prepareDataset}. */
export interface PrepareOptions {
  /** Output: a folder (one `<set>.npz` per split set) or a single `.npz` file. */
  out: string;
  /** Split file: read when it exists, else created there (default `<out folder>/split.json`). */
  splitFile?: string | undefined;
  /** Samples per segment (default 2048). */
  length?: number;
  /** Samples between segment starts (default = length). */
  stride?: number | undefined;
  /** Leads by name or index (default: the adapter's default lead). */
  leads?: (string | number)[] | undefined;
  /** Target sampling rate in Hz (default: keep each record's rate). */
  rate?: number | undefined;
  /** Flat-line rule, see {@link SegmentOptions} (default 0.5). */
  flatFraction?: number;
  /** Split fractions when a split is created (default 0.6/0.2/0.2). */
  fractions?: { train: number; val: number; test: number };
  /** k folds instead of fractions when a split is created. */
  k?: number | undefined;
  /** Split seed (default 0). */
  seed?: number;
  /** Deflate the NPZ files (default false). */
  compress?: boolean;
  /** Skip records with bad checksums or unreadable files, counting them (default false). */
  lenient?: boolean;
  /** Called after each record. */
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** Defaults of {@link PrepareOptions}. */
export const PREPARE_DEFAULTS = { length: 2048, flatFraction: 0.5, seed: 0, compress: false, lenient: false };

const PrepareSchema = z.object({
  out: z.string().min(1),
  splitFile: z.string().min(1).optional(),
  length: z.number().int().positive().default(PREPARE_DEFAULTS.length),
  stride: z.number().int().positive().optional(),
  leads: z.array(z.union([z.string().min(1), z.number().int().min(0)])).min(1).optional(),
  rate: z.number().positive().optional(),
  flatFraction: z.number().min(0).max(1).default(PREPARE_DEFAULTS.flatFraction),
  fractions: z.object({ train: z.number(), val: z.number(), test: z.number() }).optional(),
  k: z.number().int().min(2).optional(),
  seed: z.number().int().default(PREPARE_DEFAULTS.seed),
  compress: z.boolean().default(PREPARE_DEFAULTS.compress),
  lenient: z.boolean().default(PREPARE_DEFAULTS.lenient),
  onProgress: z.custom<(done: number, total: number) => void>((v) => typeof v === 'function', { message: 'expected a function' }).optional(),
}).strict();

/** Counts of what {@link prepareDataset} wrote and dropped. */
export interface PrepareSummary {
  /** Files written, by set name. */
  files: Record<string, string>;
  splitFile: string;
  /** Segments per set per label: counts[set][label]. */
  counts: Record<string, Record<number, number>>;
  /** Patients per set. */
  patients: Record<string, number>;
  /** Windows dropped, by reason (nan, flat). */
  droppedWindows: Record<string, number>;
  /** Records skipped, by reason (adapter skips plus checksum / read errors in lenient mode). */
  skippedRecords: Record<string, number>;
  classes: string[];
}

/**
 * Integer patient ids for the NPZ `patient` array (NPY has no portable string type): the
 * trailing number of each id ("ludb-161" -> 161) when every id has one and they are
 * distinct, else the id's index in the sorted list of ids.
 */
export function numericPatientIds(ids: Iterable<string>): Map<string, number> {
  const distinct = [...new Set(ids)].sort();
  const trailing = distinct.map((id) => /(\d{1,15})$/.exec(id)?.[1]);
  const numbers = trailing.map(Number);
  const usable = trailing.every((t) => t !== undefined) && new Set(numbers).size === distinct.length;
  return new Map(distinct.map((id, i) => [id, usable ? numbers[i]! : i]));
}

/**
 * Resolves the output layout (a folder of per-set files, or one .npz) and loads the
 * split file, or creates and writes it when absent.
 */
function resolveOutput(
  o: { out: string; splitFile?: string | undefined; fractions?: { train: number; val: number; test: number } | undefined; k?: number | undefined; seed: number },
  items: readonly SplitItem[],
): { single: boolean; outDir: string; splitFile: string; split: SplitFile } {
  const single = o.out.endsWith('.npz');
  const outDir = single ? path.dirname(o.out) : o.out;
  fs.mkdirSync(outDir, { recursive: true });
  const splitFile = o.splitFile ?? path.join(outDir, single ? `${path.basename(o.out, '.npz')}.split.json` : 'split.json');
  if (fs.existsSync(splitFile)) return { single, outDir, splitFile, split: readSplitFile(splitFile) };
  const split = patientSplit(items, { ...(o.fractions ? { fractions: o.fractions } : {}), k: o.k, seed: o.seed });
  writeSplitFile(splitFile, split);
  return { single, outDir, splitFile, split };
}

/**
 * Prepares NPZ files from a dataset listing.
 * @param listing - from an adapter (listPtbxlRecords, listLudbRecords, ...)
 * @param options - see {@link PrepareOptions}
 * @returns per-set files and counts
 * @throws {ConfigError} invalid options; {@link SplitError} a split file that misses patients;
 *   {@link FormatError} / {@link IoError} for unreadable records in strict mode
 * @example
 * const summary = await prepareDataset(listLudbRecords('/data/ludb'), { out: 'out/', stride: 1024 });
 */
export async function prepareDataset(listing: DatasetListing, options: PrepareOptions): Promise<PrepareSummary> {
  const o = parseConfig('prepareDataset options', PrepareSchema, options);
  const { single, outDir, splitFile, split } = resolveOutput(o, listing.records);
  const assignment = assignSplit(listing.records, split);
  const setOfRecord = new Map<number, string>();
  for (const [set, idx] of Object.entries(assignment)) for (const i of idx) setOfRecord.set(i, set);

  const leads = o.leads ?? listing.defaultLeads;
  const writerOpts = { length: o.length, channels: leads.length, compress: o.compress };
  const writers = new Map<string, NpzWriter>();
  const files: Record<string, string> = {};
  const writerFor = (set: string): NpzWriter => {
    const key = single ? 'all' : set;
    let w = writers.get(key);
    if (!w) {
      const file = single ? o.out : path.join(outDir, `${set}.npz`);
      w = new NpzWriter(file, writerOpts);
      writers.set(key, w);
      files[key] = file;
    }
    return w;
  };
  if (single) writerFor('all');
  else for (const set of Object.keys(split.sets)) writerFor(set);

  const patientId = numericPatientIds(listing.records.map((r) => r.patient));
  const counts: Record<string, Record<number, number>> = {};
  const droppedWindows: Record<string, number> = { nan: 0, flat: 0 };
  const skippedRecords: Record<string, number> = { ...listing.skipped };
  try {
    for (let i = 0; i < listing.records.length; i++) {
      const rec = listing.records[i]!;
      const set = setOfRecord.get(i)!;
      let signals: Float32Array[];
      let fs0: number;
      try {
        const r = readWfdbRecordSync(rec.path, { channels: leads, checksum: o.lenient ? 'lenient' : 'strict' });
        if (r.checksumMismatches.length) throw new ChecksumError(`${r.checksumMismatches.length} checksum mismatches`, { file: `${rec.path}.hea` });
        signals = r.signals;
        fs0 = r.samplingFrequency;
      } catch (err) {
        if (!o.lenient || !(err instanceof FormatError || err instanceof IoError)) throw err;
        const reason = err instanceof ChecksumError ? 'checksum' : err instanceof IoError ? 'unreadable' : 'format';
        skippedRecords[reason] = (skippedRecords[reason] ?? 0) + 1;
        o.onProgress?.(i + 1, listing.records.length);
        continue;
      }
      if (o.rate !== undefined && Math.abs(o.rate - fs0) > 1e-9) {
        const { up, down } = rateFactors(fs0, o.rate);
        signals = signals.map((s) => Float32Array.from(resamplePoly(s, up, down)));
      }
      const seg = segmentSignals(signals, { length: o.length, stride: o.stride, flatFraction: o.flatFraction });
      droppedWindows['nan']! += seg.dropped.nan;
      droppedWindows['flat']! += seg.dropped.flat;
      if (seg.count > 0) {
        writerFor(set).append(seg.data, new Array<number>(seg.count).fill(rec.label), new Array<number>(seg.count).fill(patientId.get(rec.patient)!));
      }
      const c = (counts[set] ??= {});
      c[rec.label] = (c[rec.label] ?? 0) + seg.count;
      o.onProgress?.(i + 1, listing.records.length);
    }
    for (const w of writers.values()) await w.close();
  } catch (err) {
    for (const w of writers.values()) w.abort();
    throw err;
  }
  const patients: Record<string, number> = {};
  for (const [set, list] of Object.entries(split.sets)) patients[set] = list.length;
  return { files, splitFile, counts, patients, droppedWindows, skippedRecords, classes: listing.classes };
}

/** Options of {@link prepareSegments}: the split and output parts of {@link PrepareOptions}. */
export type PrepareSegmentsOptions = Pick<PrepareOptions, 'out' | 'splitFile' | 'fractions' | 'k' | 'seed' | 'compress'>;

/**
 * Splits ready-cut segments (from {@link readSegmentCsv} or {@link readSegmentNpz}) by
 * patient and writes one NPZ per set (or one file when `out` ends in ".npz").
 * @param segments - data [N, L, C], labels and one patient id per segment
 * @param options - `out`, `splitFile`, `fractions`, `k`, `seed`, `compress`
 * @param classes - class names for the summary (default class0, class1, ...)
 * @throws {ConfigError} {@link SplitError} {@link IoError}
 * @example
 * await prepareSegments(readSegmentCsv('segments.csv'), { out: 'out/' });
 */
export async function prepareSegments(segments: PatientSegments, options: PrepareSegmentsOptions, classes?: string[]): Promise<PrepareSummary> {
  const o = parseConfig('prepareSegments options', PrepareSchema.pick({ out: true, splitFile: true, fractions: true, k: true, seed: true, compress: true }), options);
  const [, l, c] = segments.shape;
  const items = segments.patients.map((patient, i) => ({ patient, label: segments.labels[i]! }));
  const { single, outDir, splitFile, split } = resolveOutput(o, items);
  const assignment = single ? { all: items.map((_, i) => i) } : assignSplit(items, split);
  if (single) assignSplit(items, split); // still validates that every patient is in the split
  const files: Record<string, string> = {};
  const counts: Record<string, Record<number, number>> = {};
  const patientId = numericPatientIds(segments.patients);
  const per = l * c;
  for (const [set, idx] of Object.entries(assignment)) {
    const file = single ? o.out : path.join(outDir, `${set}.npz`);
    const w = new NpzWriter(file, { length: l, channels: c, compress: o.compress });
    try {
      for (const i of idx) w.append(segments.data.subarray(i * per, (i + 1) * per), [segments.labels[i]!], [patientId.get(segments.patients[i]!)!]);
      await w.close();
    } catch (err) {
      w.abort();
      throw err;
    }
    files[set] = file;
  }
  for (const [set, idx] of Object.entries(assignSplit(items, split))) {
    const cnt = (counts[set] = {} as Record<number, number>);
    for (const i of idx) cnt[segments.labels[i]!] = (cnt[segments.labels[i]!] ?? 0) + 1;
  }
  const patients: Record<string, number> = {};
  for (const [set, list] of Object.entries(split.sets)) patients[set] = list.length;
  const maxLabel = segments.labels.reduce((a, b) => Math.max(a, b), 1);
  return {
    files, splitFile, counts, patients, droppedWindows: { nan: 0, flat: 0 }, skippedRecords: {},
    classes: classes ?? Array.from({ length: maxLabel + 1 }, (_, k) => `class${k}`),
  };
}
