/**
 * Trains one study model and returns its class probabilities on the test segments.
 * Neural models go through {@link Classifier.train} (early stopping and best-epoch
 * selection on the real validation set); the fusion model gets the generator
 * checkpoint as its `generatorCheckpoint` option. Random forests have no epochs: they
 * fit the training set and never see the validation set.
 * @module
 */
import { Classifier, type ClassifierConfig, type ClassifierModelOptions, type ClassifierProgress } from '../classify/classifier';
import { ecgFeatureRows } from '../classify/features';
import { RandomForestClassifier } from '../classify/random-forest';
import type { ReferenceDataset } from '../data/npz';
import type { ResolvedStudyConfig, StudyModel } from './config';

/** What one trained model gives the study. */
export interface ModelPrediction {
  /** Class probabilities of the test segments, row-major [N, numClasses]. */
  probabilities: Float32Array;
  /** Best epoch by validation loss (neural models). */
  bestEpoch?: number;
  /** Whether early stopping ended training (neural models). */
  stoppedEarly?: boolean;
}

/** Options of {@link trainAndPredict}. */
export interface TrainAndPredictOptions {
  config: ResolvedStudyConfig;
  /** Seed of the model's initialisation, shuffling and trees. */
  seed: number;
  /** Width of every probability row (classes of all sets). */
  numClasses: number;
  signal?: AbortSignal | undefined;
  onEpoch?: ((event: ClassifierProgress) => void) | undefined;
}

/**
 * The {@link Classifier.train} config of a neural study model. 'fusion' becomes
 * `{ kind: 'fusion', generatorCheckpoint }`.
 * @param model - a neural entry of {@link STUDY_MODELS}
 * @param config - the resolved study config (training options, generator checkpoint)
 * @param seed - the run's seed
 * @param numClasses - classes of the study
 * @example
 * classifierConfigFor('fusion', cfg, 3, 2).model; // { kind: 'fusion', generatorCheckpoint: 'gen/best.safetensors' }
 */
export function classifierConfigFor(
  model: Exclude<StudyModel, 'rf' | 'rf-features'>,
  config: ResolvedStudyConfig,
  seed: number,
  numClasses: number,
): ClassifierConfig {
  // parseStudyConfig refuses 'fusion' without a generator checkpoint.
  const network: ClassifierModelOptions = model === 'fusion' ? { kind: model, generatorCheckpoint: config.generatorCheckpoint! } : { kind: model };
  return {
    model: network,
    numClasses,
    epochs: config.epochs,
    batchSize: config.batchSize,
    lr: config.lr,
    patience: config.patience,
    classWeighting: config.classWeighting,
    device: config.device,
    seed,
  };
}

/** One row per segment: its samples (`raw`) or its ECG features, lead after lead (`features`). */
function forestRows(set: ReferenceDataset, kind: 'raw' | 'features', samplingRate: number): Float32Array[] {
  const [n, length, leads] = set.shape;
  const per = length * leads;
  const segments = Array.from({ length: n }, (_, i) => set.data.subarray(i * per, (i + 1) * per));
  if (kind === 'raw') return segments;
  const perLead = Array.from({ length: leads }, (_, lead) =>
    ecgFeatureRows(segments.map((s) => s.filter((_, k) => k % leads === lead)), { samplingRate }),
  );
  return segments.map((_, i) => Float32Array.from(perLead.flatMap((rows) => Array.from(rows[i]!))));
}

function forestPrediction(model: 'rf' | 'rf-features', train: ReferenceDataset, test: ReferenceDataset, o: TrainAndPredictOptions): ModelPrediction {
  const kind = model === 'rf' ? 'raw' : 'features';
  const forest = new RandomForestClassifier({
    trees: o.config.forestTrees,
    ...(o.config.forestMaxDepth !== undefined ? { maxDepth: o.config.forestMaxDepth } : {}),
    seed: o.seed,
  }).fit(forestRows(train, kind, o.config.samplingRate), train.labels);
  const rows = forest.predictProba(forestRows(test, kind, o.config.samplingRate));
  // The forest knows the classes of its training set; pad its rows to the study's width.
  const probabilities = new Float32Array(rows.length * o.numClasses);
  rows.forEach((p, i) => probabilities.set(p, i * o.numClasses));
  return { probabilities };
}

/**
 * Trains `model` on `train` (early stopping on `val` for neural models) and predicts
 * class probabilities for `test`.
 * @param model - an entry of {@link STUDY_MODELS}
 * @param train - the arm's training set
 * @param val - the real validation set
 * @param test - the real test set
 * @param options - see {@link TrainAndPredictOptions}
 * @throws as {@link Classifier.train} (e.g. {@link CancelledError} when the signal aborts)
 * @example
 * const { probabilities } = await trainAndPredict('ecgnet', train, val, test, { config, seed: 0, numClasses: 2 });
 */
export async function trainAndPredict(
  model: StudyModel,
  train: ReferenceDataset,
  val: ReferenceDataset,
  test: ReferenceDataset,
  options: TrainAndPredictOptions,
): Promise<ModelPrediction> {
  if (model === 'rf' || model === 'rf-features') return forestPrediction(model, train, test, options);
  const classifier = await Classifier.train(classifierConfigFor(model, options.config, options.seed, options.numClasses), train, val, {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onEpoch ? { onProgress: (e: ClassifierProgress) => e.stage === 'epoch' && options.onEpoch!(e) } : {}),
  });
  try {
    const probabilities = await classifier.predict(test.data, test.shape);
    const summary = classifier.trainingSummary();
    return { probabilities, ...(summary ? { bestEpoch: summary.bestEpoch, stoppedEarly: summary.stoppedEarly } : {}) };
  } finally {
    classifier.dispose();
  }
}
