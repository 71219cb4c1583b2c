/**
 * The bundled default dataset, `data/ludb-atrial/` (LUDB lead II, 2,048-sample
 * segments, atrial enlargement vs none, split by patient 120/40/40).
 * @module
 */
import * as path from 'node:path';
import { assertOneOf } from '../is';
import { IoError } from '../errors';
import { readSegmentNpz, type PatientSegments } from './segment-table';

/** Split sets of the bundled dataset. */
export const DEFAULT_DATA_SETS = ['train', 'val', 'test'] as const;

/**
 * Folder of the bundled dataset (inside the installed package).
 * @example
 * fs.readdirSync(defaultDataPath()); // train.npz, val.npz, test.npz, split.json, ...
 */
export function defaultDataPath(): string {
  // Compiled to lib/data/default-data.js; the data folder sits at the package root.
  return path.resolve(__dirname, '..', '..', 'data', 'ludb-atrial');
}

/**
 * Loads one set of the bundled dataset.
 * @param set - "train" (240 segments), "val" (80) or "test" (80); default "train"
 * @returns segments [N, 2048, 1] in mV (raw, not preprocessed), labels (1 = atrial
 *   enlargement) and the LUDB record number of each segment as its patient id (LUDB has one
 *   subject per record; each record gives two segments)
 * @throws {ArgumentRangeError} for an unknown set; {@link IoError} when the files are missing
 * @example
 * const { data, shape, labels, patients } = loadDefaultDataset('train');
 */
export function loadDefaultDataset(set: (typeof DEFAULT_DATA_SETS)[number] = 'train'): PatientSegments {
  assertOneOf('set', set, DEFAULT_DATA_SETS);
  const { ownPatients, ...segments } = readSegmentNpz(path.join(defaultDataPath(), `${set}.npz`));
  if (ownPatients) throw new IoError(`the bundled ${set}.npz has no patient array; rebuild it with scripts/build-default-data.js`);
  return segments;
}
