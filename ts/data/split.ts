/**
 * Patient-level data splits: train/val/test fractions or k folds, stratified by
 * label, seeded, and never putting one patient in two sets. Saved as a JSON split file.
 * @module
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import { ConfigError, IoError, SplitError } from '../errors';
import { parseConfig } from './config';
import { createPrng, shuffleInPlace } from './prng';

/** One labelled item to split (a record or a segment) and its patient. */
export interface SplitItem {
  patient: string;
  label: number;
}

/** A split as stored in a split file: set name -> patient ids. */
export interface SplitFile {
  version: 1;
  /** How the sets were made: by {@link patientSplit} (fractions, kfold) or taken from the source (predefined, e.g. PTB-XL's strat_fold). */
  method: 'fractions' | 'kfold' | 'predefined';
  seed: number;
  stratified: boolean;
  /** Set names in order: ["train", "val", "test"] or ["fold0", ...]. */
  sets: Record<string, string[]>;
  /** Fractions used (method "fractions"). */
  fractions?: { train: number; val: number; test: number } | undefined;
  /** Number of folds (method "kfold"). */
  k?: number | undefined;
}

/** Options of {@link patientSplit}. */
export interface PatientSplitOptions {
  /** Train/val/test fractions (default 0.6/0.2/0.2); ignored when `k` is set. */
  fractions?: { train: number; val: number; test: number };
  /** Number of folds for k-fold splitting (>= 2); omit for train/val/test. */
  k?: number | undefined;
  /** PRNG seed (default 0). */
  seed?: number;
  /** Keep label proportions alike across sets (default true). */
  stratify?: boolean;
}

/** Defaults of {@link PatientSplitOptions}. */
export const SPLIT_DEFAULTS = { fractions: { train: 0.6, val: 0.2, test: 0.2 }, seed: 0, stratify: true };

const FractionsSchema = z.object({ train: z.number().min(0).max(1), val: z.number().min(0).max(1), test: z.number().min(0).max(1) })
  .strict()
  .refine((f) => Math.abs(f.train + f.val + f.test - 1) < 1e-9, { message: 'fractions must add up to 1' });

const OptionsSchema = z.object({
  fractions: FractionsSchema.default(SPLIT_DEFAULTS.fractions),
  k: z.number().int().min(2).optional(),
  seed: z.number().int().default(SPLIT_DEFAULTS.seed),
  stratify: z.boolean().default(SPLIT_DEFAULTS.stratify),
}).strict();

const SplitFileSchema = z.object({
  version: z.literal(1),
  method: z.enum(['fractions', 'kfold', 'predefined']),
  seed: z.number().int(),
  stratified: z.boolean(),
  sets: z.record(z.string(), z.array(z.string())),
  fractions: z.object({ train: z.number(), val: z.number(), test: z.number() }).optional(),
  k: z.number().int().optional(),
});

/** Each patient's stratum: its most frequent label (ties go to the smaller label). */
function patientLabels(items: readonly SplitItem[]): Map<string, number> {
  const counts = new Map<string, Map<number, number>>();
  for (const { patient, label } of items) {
    const c = counts.get(patient) ?? new Map<number, number>();
    c.set(label, (c.get(label) ?? 0) + 1);
    counts.set(patient, c);
  }
  const out = new Map<string, number>();
  for (const [patient, c] of counts) {
    let best = Infinity, bestCount = -1;
    for (const [label, n] of c) if (n > bestCount || (n === bestCount && label < best)) { best = label; bestCount = n; }
    out.set(patient, best);
  }
  return out;
}

/**
 * Splits items by patient.
 * @param items - labelled items with patient ids (several items may share a patient)
 * @param options - `fractions` (default 0.6/0.2/0.2) or `k` folds; `seed` (default 0);
 *   `stratify` by label (default true, using each patient's majority label)
 * @returns a split file object; every patient is in exactly one set
 * @throws {ConfigError} for invalid options
 * @example
 * const split = patientSplit(records, { fractions: { train: 0.6, val: 0.2, test: 0.2 }, seed: 7 });
 */
export function patientSplit(items: readonly SplitItem[], options?: PatientSplitOptions): SplitFile {
  const o = parseConfig('patientSplit options', OptionsSchema, options);
  const labels = patientLabels(items);
  const rng = createPrng(o.seed);
  // Sorted before shuffling so the result does not depend on the input order.
  const strata = new Map<number, string[]>();
  for (const [patient, label] of [...labels].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const key = o.stratify ? label : 0;
    const list = strata.get(key) ?? [];
    list.push(patient);
    strata.set(key, list);
  }
  const strataOrdered = [...strata.keys()].sort((a, b) => a - b).map((k) => shuffleInPlace(strata.get(k)!, rng));
  if (o.k !== undefined) {
    const sets: Record<string, string[]> = {};
    for (let f = 0; f < o.k; f++) sets[`fold${f}`] = [];
    let offset = 0; // continues across strata so fold sizes stay balanced
    for (const list of strataOrdered) list.forEach((p) => sets[`fold${(offset++) % o.k!}`]!.push(p));
    return { version: 1, method: 'kfold', seed: o.seed, stratified: o.stratify, sets, k: o.k };
  }
  const sets: Record<string, string[]> = { train: [], val: [], test: [] };
  for (const list of strataOrdered) {
    const n = list.length;
    const b1 = Math.round(n * o.fractions.train);
    const b2 = Math.round(n * (o.fractions.train + o.fractions.val));
    list.forEach((p, i) => sets[i < b1 ? 'train' : i < b2 ? 'val' : 'test']!.push(p));
  }
  return { version: 1, method: 'fractions', seed: o.seed, stratified: o.stratify, sets, fractions: o.fractions };
}

/**
 * Checks that no patient appears in two sets (or twice in one).
 * @throws {SplitError} naming the patient and both sets
 * @example
 * checkSplit(readSplitFile('split.json'));
 */
export function checkSplit(split: Pick<SplitFile, 'sets'>): void {
  const seen = new Map<string, string>();
  for (const [set, patients] of Object.entries(split.sets)) {
    for (const p of patients) {
      const other = seen.get(p);
      if (other !== undefined) throw new SplitError(`patient "${p}" is in both "${other}" and "${set}"`);
      seen.set(p, set);
    }
  }
}

/**
 * Maps each item to its set.
 * @returns item indices per set name
 * @throws {SplitError} when an item's patient is in no set, or the split is invalid
 * @example
 * const { train, val, test } = assignSplit(records, split);
 */
export function assignSplit(items: readonly { patient: string }[], split: Pick<SplitFile, 'sets'>): Record<string, number[]> {
  checkSplit(split);
  const setOf = new Map<string, string>();
  const out: Record<string, number[]> = {};
  for (const [set, patients] of Object.entries(split.sets)) {
    out[set] = [];
    for (const p of patients) setOf.set(p, set);
  }
  items.forEach((item, i) => {
    const set = setOf.get(item.patient);
    if (set === undefined) throw new SplitError(`patient "${item.patient}" is not in the split`);
    out[set]!.push(i);
  });
  return out;
}

/**
 * Writes a split file (pretty JSON, atomic rename).
 * @throws {SplitError} when the split is invalid; {@link IoError} on write failure
 * @example
 * writeSplitFile('split.json', patientSplit(items));
 */
export function writeSplitFile(file: string, split: SplitFile): void {
  checkSplit(split);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(split, null, 2) + '\n');
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw new IoError(`cannot write ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Reads and validates a split file.
 * @throws {IoError} unreadable; {@link ConfigError} not a valid split file; {@link SplitError} patient in two sets
 * @example
 * const split = readSplitFile('split.json');
 */
export function readSplitFile(file: string): SplitFile {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) throw new ConfigError(`${file} is not valid JSON: ${err.message}`);
    throw new IoError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const split = parseConfig(`split file ${file}`, SplitFileSchema, json) as SplitFile;
  checkSplit(split);
  return split;
}
