/**
 * Loads the inputs of an augmentation study and refuses, before any training, the
 * inputs that would make its figures meaningless: empty sets, segments of other
 * lengths or lead counts, NaN data, patients shared between sets, synthetic labels the
 * real data lacks, and single-class training sets.
 * @module
 */
import { ArgumentRangeError, NonFiniteError, ShapeError } from '../errors';
import { invalidParameterError } from '../is';
import { readReferenceNpz, type ReferenceDataset } from '../data/npz';
import { checkSplit, readSplitFile } from '../data/split';
import type { ResolvedStudyConfig } from './config';
import { readStudySet, type StudySet } from './patients';

/** The synthetic segments of a study. */
export interface SyntheticSet extends ReferenceDataset {
  file: string;
}

/** Everything a study trains and tests on, checked. */
export interface StudyInputs {
  train: StudySet;
  val: StudySet;
  test: StudySet;
  synthetic: SyntheticSet;
  /** Samples per segment, L. */
  length: number;
  /** Leads per segment, C. */
  leads: number;
  /** 1 + the largest label of any set (at least 2): the width of every probability row. */
  numClasses: number;
}

function distinctLabels(labels: Int32Array): number[] {
  return [...new Set(labels)].sort((a, b) => a - b);
}

function assertFinite(name: string, data: Float32Array): void {
  const bad = data.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new NonFiniteError(`Expected finite samples in ${name} but value ${bad} is ${data[bad]}`);
}

/**
 * Applies the refusals to loaded sets (exported for callers that build sets in memory).
 * @param sets - the four sets, keyed by role
 * @param options - `tstr`: a TSTR arm will train on synthetic data alone
 * @returns L, C and the number of classes
 * @throws {ShapeError} an empty set, or segments whose length or lead count differ from the real training set
 * @throws {NonFiniteError} NaN or infinite samples
 * @throws {SplitError} a patient in two of train / val / test
 * @throws {ArgumentRangeError} a single-class real training set; synthetic labels absent
 *   from the real training set; a single-class synthetic set with TSTR on
 * @example
 * checkStudyInputs({ train, val, test, synthetic }, { tstr: true });
 */
export function checkStudyInputs(
  sets: { train: StudySet; val: StudySet; test: StudySet; synthetic: SyntheticSet },
  options: { tstr: boolean },
): { length: number; leads: number; numClasses: number } {
  const named = Object.entries(sets) as [string, ReferenceDataset & { file: string }][];
  // 1. Every set holds segments.
  for (const [role, set] of named) {
    if (set.shape[0] === 0) throw new ShapeError(`Expected segments in the ${role} set but ${set.file} holds none`);
  }
  // 2. One segment shape [L, C] everywhere (the models are built for the training shape).
  const [, length, leads] = sets.train.shape;
  for (const [role, set] of named) {
    if (set.shape[1] !== length || set.shape[2] !== leads) {
      throw new ShapeError(
        `Expected ${role} segments of ${length} samples x ${leads} leads like the real training set but ${set.file} has ` +
          `${set.shape[1]} samples x ${set.shape[2]} leads`,
      );
    }
    assertFinite(set.file, set.data);
  }
  // 3. No patient in two real sets: the test patients must be untouched by training and early stopping.
  checkSplit({ sets: { train: [...new Set(sets.train.patients)], val: [...new Set(sets.val.patients)], test: [...new Set(sets.test.patients)] } });
  // 4. Labels: two classes to train on; synthetic classes must exist in the real data.
  const realClasses = distinctLabels(sets.train.labels);
  if (realClasses.length < 2) {
    throw invalidParameterError('real training labels', 'at least two classes', `only label ${realClasses[0]} in ${sets.train.file}`);
  }
  const syntheticClasses = distinctLabels(sets.synthetic.labels);
  const foreign = syntheticClasses.filter((c) => !realClasses.includes(c));
  if (foreign.length > 0) {
    throw new ArgumentRangeError(
      `Expected synthetic labels among the real training labels (${realClasses.join(', ')}) but ${sets.synthetic.file} has label ${foreign.join(', ')}`,
    );
  }
  if (options.tstr && syntheticClasses.length < 2) {
    throw invalidParameterError(
      'synthetic labels (TSTR trains on them alone)',
      'at least two classes',
      `only label ${syntheticClasses[0]} in ${sets.synthetic.file}; turn TSTR off (tstr: false, CLI --no-tstr) to augment one class`,
    );
  }
  const maxLabel = Math.max(...named.map(([, set]) => set.labels.reduce((a, b) => Math.max(a, b), 0)));
  return { length, leads, numClasses: Math.max(2, maxLabel + 1) };
}

/**
 * Reads the study's NPZ files (and split file) and checks them with {@link checkStudyInputs}.
 * @param config - a resolved study config
 * @throws {FormatError | IoError | ConfigError | SplitError} unreadable files or missing patient ids
 * @throws as {@link checkStudyInputs}
 * @example
 * const inputs = loadStudyInputs(parseStudyConfig({ synthetic: 'gen.npz', out: 'study/' }));
 */
export function loadStudyInputs(config: ResolvedStudyConfig): StudyInputs {
  const split = config.split !== undefined ? readSplitFile(config.split) : undefined;
  const sets = {
    train: readStudySet(config.real, 'train', split),
    val: readStudySet(config.val, 'val', split),
    test: readStudySet(config.test, 'test', split),
    synthetic: { ...readReferenceNpz(config.synthetic), file: config.synthetic },
  };
  return { ...sets, ...checkStudyInputs(sets, { tstr: config.tstr }) };
}
