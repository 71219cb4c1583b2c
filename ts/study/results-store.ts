/**
 * The study's results file, `results.json`, rewritten atomically after every finished
 * run so that an interrupted study resumes where it stopped. The file is tied to a run
 * hash: the SHA-256 of every input file's contents and of every option that changes a
 * run's result or its intervals (training options, seeds, forest, bootstrap). The grid
 * (models, ratios, repeats, TSTR) is not part of it, so a study can be widened and
 * reuse its finished runs; any other change needs a new output folder.
 * @module
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { ConfidenceInterval } from '../evaluate/bootstrap';
import { ConfigError, FormatError, IoError } from '../errors';
import { writeFileAtomic } from '../data/write-file';
import type { ResolvedStudyConfig, StudyModel } from './config';
import type { StudyMetricName } from './scoring';
import type { StudySummary } from './summary';
import type { StudyArm } from './training-set';

/** Which run: model, arm and repeat; `id` is unique in a study. */
export interface StudyRunKey {
  id: string;
  model: StudyModel;
  arm: StudyArm;
  repeat: number;
}

/** One finished run as stored. */
export interface StudyRunRecord extends StudyRunKey {
  /** Seed of the model. */
  seed: number;
  /** Seed of the synthetic draw (shared by the arms of a repeat). */
  drawSeed: number;
  /** Composition of the training set. */
  trainSegments: { real: number; synthetic: number; syntheticPerClass: Record<number, number>; syntheticReused: number };
  /** Wall time of training + prediction. */
  seconds: number;
  bestEpoch?: number;
  stoppedEarly?: boolean;
  /** Test metrics of this run with patient-bootstrap intervals. */
  metrics: Partial<Record<StudyMetricName, ConfidenceInterval>>;
  /** Class probabilities of the test segments, row-major [N, numClasses]. */
  probabilities: number[];
}

/** One set of the study as described in the results. */
export interface StudyInputSummary {
  file: string;
  segments: number;
  /** Distinct patients (absent for the synthetic set). */
  patients?: number;
  patientSource?: 'npz' | 'split';
  /** Segments per label. */
  perClass: Record<number, number>;
}

/** Contents of `results.json`. */
export interface StudyResults {
  version: 1;
  runHash: string;
  updatedAt: string;
  config: ResolvedStudyConfig;
  inputs: { train: StudyInputSummary; val: StudyInputSummary; test: StudyInputSummary; synthetic: StudyInputSummary; length: number; leads: number; numClasses: number };
  /** The test segments' labels and patients, so the results can be re-scored alone. */
  test: { labels: number[]; patients: string[] };
  runs: StudyRunRecord[];
  /** Written when every planned run has finished. */
  summary: StudySummary | null;
}

/** SHA-256 of a file's contents (the study holds every input in memory anyway). */
function fileDigest(file: string): string {
  try {
    return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch (err) {
    throw new IoError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The run hash of a config (see the module note).
 * @param config - a resolved study config
 * @throws {IoError} an input file cannot be read
 * @example
 * studyRunHash(cfg); // 'c0ffee...'
 */
export function studyRunHash(config: ResolvedStudyConfig): string {
  const digest = (file: string | undefined) => (file === undefined ? null : fileDigest(file));
  const identity = {
    files: {
      real: digest(config.real),
      val: digest(config.val),
      test: digest(config.test),
      synthetic: digest(config.synthetic),
      split: digest(config.split),
      generator: digest(config.generatorCheckpoint),
    },
    training: [config.epochs, config.batchSize, config.lr, config.patience, config.classWeighting, config.device, config.seed],
    forest: [config.forestTrees, config.forestMaxDepth ?? null, config.samplingRate],
    bootstrap: [config.bootstrapIterations, config.confidence],
  };
  return crypto.createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

/** The results file of one study: finished runs, resumable. */
export class StudyResultsStore {
  readonly file: string;
  private readonly results: StudyResults;

  private constructor(file: string, results: StudyResults) {
    this.file = file;
    this.results = results;
  }

  /**
   * Opens `file`, keeping its finished runs when its run hash matches, or starts it.
   * @param file - path of results.json
   * @param header - everything but runs, summary and time stamp
   * @throws {ConfigError} the file belongs to a study with another run hash
   * @throws {FormatError} the file is not a study results file
   * @example
   * const store = StudyResultsStore.open('study/results.json', header);
   */
  static open(file: string, header: Omit<StudyResults, 'runs' | 'summary' | 'updatedAt'>): StudyResultsStore {
    let runs: StudyRunRecord[] = [];
    if (fs.existsSync(file)) {
      let previous: Partial<StudyResults>;
      try {
        previous = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<StudyResults>;
      } catch (err) {
        throw new FormatError(`not a study results file: ${(err as Error).message}`, { file });
      }
      if (previous.version !== 1 || !Array.isArray(previous.runs)) throw new FormatError('not a study results file (version 1 with runs)', { file });
      if (previous.runHash !== header.runHash) {
        throw new ConfigError(
          `${file} holds a study with other inputs or options (run hash ${String(previous.runHash).slice(0, 12)}, ` +
            `now ${header.runHash.slice(0, 12)}); choose another output folder, or remove the file to start over`,
        );
      }
      runs = previous.runs;
    }
    return new StudyResultsStore(file, { ...header, updatedAt: new Date().toISOString(), runs, summary: null });
  }

  /** Whether the run with this id has finished. */
  has(id: string): boolean {
    return this.results.runs.some((r) => r.id === id);
  }

  /** The finished runs, in the order they finished. */
  get runs(): readonly StudyRunRecord[] {
    return this.results.runs;
  }

  /** The results as last written. */
  get contents(): Readonly<StudyResults> {
    return this.results;
  }

  /**
   * Records a finished run and rewrites the file.
   * @throws {IoError} the file cannot be written
   */
  add(run: StudyRunRecord): void {
    this.results.runs.push(run);
    this.write();
  }

  /**
   * Stores the summary of the complete study and rewrites the file.
   * @throws {IoError} the file cannot be written
   */
  complete(summary: StudySummary): void {
    this.results.summary = summary;
    this.write();
  }

  private write(): void {
    this.results.updatedAt = new Date().toISOString();
    writeFileAtomic(this.file, JSON.stringify(this.results, null, 1) + '\n');
  }
}
