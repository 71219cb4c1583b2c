/**
 * Patient ids of the real segment sets of a study, from one of two sources:
 *
 * 1. a `patient` integer array in the NPZ (read by `readSegmentNpz`), used whenever
 *    present — `prepareDataset` writes one, and the bundled `data/ludb-atrial` files
 *    carry one;
 * 2. otherwise a split file (`split.json`) naming the patients of each set. The NPZ is
 *    then taken to hold an equal, consecutive block of segments per patient, patients
 *    in natural (numeric-aware) order of their ids: the layout `prepareDataset` writes
 *    for LUDB, whose records are listed in ID order and each give the same number of
 *    windows (the bundled files, read without their patient arrays, get the same
 *    patients this way). The layout is checked as far as the data allow: the segment
 *    count must divide evenly and every block must carry one label.
 * @module
 */
import { ConfigError, SplitError } from '../errors';
import type { ReferenceDataset } from '../data/npz';
import { readSegmentNpz } from '../data/segment-table';
import type { SplitFile } from '../data/split';

/** A real segment set with the patient of each segment. */
export interface StudySet extends ReferenceDataset {
  /** Patient id of each segment. */
  patients: string[];
  /** The NPZ it was read from. */
  file: string;
  /** Where the patient ids came from. */
  patientSource: 'npz' | 'split';
}

const naturalOrder = new Intl.Collator('en', { numeric: true }).compare;

/**
 * Patient id of each segment from a split file, for an NPZ laid out in equal
 * consecutive blocks per patient (see the module note).
 * @param split - the split file
 * @param set - set name in the split file ("train", "val", "test")
 * @param labels - labels of the NPZ's segments (one block must carry one label)
 * @param file - NPZ name for messages
 * @returns one id per segment (empty for an empty set)
 * @throws {SplitError} the set is missing, or the NPZ does not fit the block layout
 * @example
 * patientsFromSplit(readSplitFile('data/ludb-atrial/split.json'), 'test', test.labels, 'test.npz');
 */
export function patientsFromSplit(split: Pick<SplitFile, 'sets'>, set: string, labels: Int32Array, file: string): string[] {
  const listed = split.sets[set];
  if (listed === undefined) throw new SplitError(`the split file has no set "${set}" (sets: ${Object.keys(split.sets).join(', ')}) for ${file}`);
  if (labels.length === 0) return [];
  const patients = [...listed].sort(naturalOrder);
  const perPatient = labels.length / patients.length;
  if (!Number.isInteger(perPatient)) {
    throw new SplitError(
      `${file}: ${labels.length} segments do not divide evenly among the ${patients.length} patients of set "${set}"; ` +
        'the split file does not describe this file — write a "patient" array into the NPZ instead',
    );
  }
  const ids: string[] = [];
  patients.forEach((patient, p) => {
    const first = labels[p * perPatient]!;
    for (let k = 0; k < perPatient; k++) {
      if (labels[p * perPatient + k] !== first) {
        throw new SplitError(
          `${file}: segments ${p * perPatient}-${(p + 1) * perPatient - 1} (patient "${patient}" by the split file) carry different labels; ` +
            'the split file does not describe this file — write a "patient" array into the NPZ instead',
        );
      }
      ids.push(patient);
    }
  });
  return ids;
}

/**
 * Reads one real set of a study with its patient ids: the NPZ's `patient` array, or
 * else the split file's set of the same name.
 * @param file - NPZ in the reference layout
 * @param set - "train", "val" or "test": the set name looked up in the split file
 * @param split - split file, used only when the NPZ has no `patient` array
 * @throws {FormatError} unreadable or malformed NPZ
 * @throws {ConfigError} neither a `patient` array nor a split file
 * @throws {SplitError} see {@link patientsFromSplit}
 * @example
 * const test = readStudySet('test.npz', 'test', readSplitFile('split.json'));
 */
export function readStudySet(file: string, set: string, split?: Pick<SplitFile, 'sets'>): StudySet {
  const { ownPatients, patients, ...data } = readSegmentNpz(file);
  if (!ownPatients) return { ...data, patients, file, patientSource: 'npz' };
  if (split === undefined) {
    throw new ConfigError(
      `${file} has no "patient" array and no split file was given: the study needs the patient of each segment ` +
        '(to refuse patients shared between train and test, and to resample patients for the confidence intervals); ' +
        'pass a split file (split, CLI --split) or write a "patient" array into the NPZ',
    );
  }
  return { ...data, patients: patientsFromSplit(split, set, data.labels, file), file, patientSource: 'split' };
}
