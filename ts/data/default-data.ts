/**
 * The bundled default datasets and their shipped generators:
 * - `ludb-atrial` (LUDB lead II, 2,048-sample segments at 500 Hz, atrial enlargement vs
 *   none, split by patient 120/40/40);
 * - `ptbxl-af` (PTB-XL lead II, 992-sample segments at 100 Hz, atrial fibrillation vs sinus
 *   rhythm, split by PTB-XL's own `strat_fold`: folds 1-7 train, 8 val, 9-10 test).
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertOneOf } from '../is';
import { IoError } from '../errors';
import { DEFAULT_PIPELINE, type PipelineConfig } from '../preprocess/pipeline';
import { EDGE_SMOOTHING_DEFAULTS } from '../preprocess/edge-smoothing';
import { LUDB_ATRIAL_LABELS, PTBXL_AF_LABELS } from './label-map';
import { readSegmentNpz, type PatientSegments } from './segment-table';

/** Split sets of a bundled dataset. */
export const DEFAULT_DATA_SETS = ['train', 'val', 'test'] as const;

/** Names of the bundled datasets. */
export const DEFAULT_DATASETS = ['ptbxl-af', 'ludb-atrial'] as const;

/** A bundled dataset's name. */
export type DefaultDatasetName = (typeof DEFAULT_DATASETS)[number];

/** What the library knows about a bundled dataset without reading it. */
export interface DefaultDatasetInfo {
  name: DefaultDatasetName;
  /** One line for people. */
  title: string;
  /** Sampling rate of the segments, Hz. */
  rate: number;
  /** Lead of the single channel. */
  lead: string;
  /** Class names by label. */
  classes: [string, string];
  /**
   * The preprocessing the shipped generator was trained on (and the demo applies). The
   * 500 Hz set uses the seed's recipe; at 100 Hz the seed's denoise would zero the two
   * finest detail bands, 12.5-50 Hz, where the QRS complex lives, so that set is only
   * range-normalised and edge-smoothed.
   */
  pipeline: PipelineConfig;
}

const INFO: Record<DefaultDatasetName, DefaultDatasetInfo> = {
  'ptbxl-af': {
    name: 'ptbxl-af',
    title: 'PTB-XL lead II at 100 Hz, atrial fibrillation vs sinus rhythm (folds 1-7 / 8 / 9-10)',
    rate: 100,
    lead: 'II',
    classes: PTBXL_AF_LABELS.classes as [string, string],
    pipeline: {
      steps: [
        { op: 'normalize', method: 'range' },
        { op: 'smoothEdges', edge: EDGE_SMOOTHING_DEFAULTS.edge, threshold: EDGE_SMOOTHING_DEFAULTS.threshold },
      ],
    },
  },
  'ludb-atrial': {
    name: 'ludb-atrial',
    title: 'LUDB lead II at 500 Hz, atrial enlargement vs none (120/40/40 patients)',
    rate: 500,
    lead: 'ii',
    classes: LUDB_ATRIAL_LABELS.classes as [string, string],
    pipeline: DEFAULT_PIPELINE,
  },
};

/** Facts about a bundled dataset (rate, lead, classes, preprocessing). */
export function defaultDatasetInfo(dataset: DefaultDatasetName = 'ludb-atrial'): DefaultDatasetInfo {
  return INFO[assertOneOf('dataset', dataset, DEFAULT_DATASETS)];
}

/** The package root (compiled to lib/data/default-data.js). */
function packageRoot(): string {
  return path.resolve(__dirname, '..', '..');
}

/**
 * Folder of a bundled dataset (inside the installed package).
 * @param dataset - default "ludb-atrial"
 * @example
 * fs.readdirSync(defaultDataPath()); // train.npz, val.npz, test.npz, split.json, ...
 */
export function defaultDataPath(dataset: DefaultDatasetName = 'ludb-atrial'): string {
  return path.join(packageRoot(), 'data', assertOneOf('dataset', dataset, DEFAULT_DATASETS));
}

/**
 * The shipped pretrained generator of a bundled dataset: EMA weights of the CPU recipe
 * trained on its preprocessed training set (model card: README.md beside it).
 * @throws {IoError} when the file is missing (a damaged install)
 * @example
 * const gen = Generator.load(defaultGeneratorPath('ptbxl-af'));
 */
export function defaultGeneratorPath(dataset: DefaultDatasetName = 'ludb-atrial'): string {
  const file = path.join(packageRoot(), 'data', 'models', assertOneOf('dataset', dataset, DEFAULT_DATASETS), 'generator.safetensors');
  if (!fs.existsSync(file)) {
    throw new IoError(`the shipped generator ${file} is missing: reinstall ecg-ldm (npm install ecg-ldm), or train one (ecg-ldm demo --train)`);
  }
  return file;
}

/**
 * Loads one set of a bundled dataset.
 * @param set - "train", "val" or "test"; default "train"
 * @param dataset - default "ludb-atrial" (240 / 80 / 80 segments); "ptbxl-af" is the
 *   100 Hz atrial fibrillation set
 * @returns segments [N, L, 1] in mV (raw, not preprocessed), labels and each segment's
 *   patient id
 * @throws {ArgumentRangeError} for an unknown set or dataset; {@link IoError} when the files are missing
 * @example
 * const { data, shape, labels, patients } = loadDefaultDataset('train', 'ptbxl-af');
 */
export function loadDefaultDataset(set: (typeof DEFAULT_DATA_SETS)[number] = 'train', dataset: DefaultDatasetName = 'ludb-atrial'): PatientSegments {
  assertOneOf('set', set, DEFAULT_DATA_SETS);
  const { ownPatients, ...segments } = readSegmentNpz(path.join(defaultDataPath(dataset), `${set}.npz`));
  if (ownPatients) throw new IoError(`the bundled ${dataset} ${set}.npz has no patient array; rebuild it with scripts/build-default-data.js`);
  return segments;
}
