/**
 * Record-level prediction: runs the segments of many records through the preprocessing
 * the model was trained with, predicts them in one native call, and aggregates per
 * record (mean class probability over the record's segments, and its argmax).
 * @module
 */
import { ShapeError } from '../errors';
import { assertInteger, invalidParameterError } from '../is';
import { DEFAULT_PIPELINE, runPipeline, type PipelineConfig } from '../preprocess/pipeline';
import { Classifier } from './classifier';
import type { RecordSegments } from './prediction-input';

/** Options of {@link predictRecords}. */
export interface PredictRecordsOptions {
  /**
   * Preprocessing of every segment before the model, `null` for none. Default
   * {@link DEFAULT_PIPELINE} (the seed's recipe, which `ecg-ldm classify train` applies by
   * default). Pass what the model was trained with: `ecg-ldm classify train` records it
   * in {@link Classifier.metadata} as `preprocess`.
   */
  preprocess?: PipelineConfig | null;
  /**
   * Segments preprocessed and predicted together (default 1024). Records are taken from
   * the input until a chunk holds at least this many segments, so memory stays bounded
   * when the input is a stream ({@link streamPredictionInputs}).
   */
  chunkSegments?: number;
}

/** Class probabilities of one segment. */
export interface SegmentPrediction {
  record: string;
  /** Index of the segment within its record. */
  segment: number;
  /** Start sample at the model's rate (WFDB, CSV inputs). */
  start?: number;
  /** Row in the NPZ file (NPZ inputs). */
  row?: number;
  /** Softmax output, one value per class, summing to 1. */
  probabilities: number[];
  /** Index of the largest probability. */
  predicted: number;
}

/** The aggregate of one record. */
export interface RecordPrediction {
  record: string;
  file: string;
  /** Segments predicted (0 when every window was dropped). */
  segments: number;
  /** Windows dropped before prediction (NaN, flat line). */
  dropped: { nan: number; flat: number };
  /** Mean of the segments' probabilities, per class; null without segments. */
  probabilities: number[] | null;
  /** Index of the largest mean probability; null without segments. */
  predicted: number | null;
}

/** What {@link predictRecords} returns. */
export interface RecordPredictions {
  numClasses: number;
  segments: SegmentPrediction[];
  records: RecordPrediction[];
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let k = 1; k < values.length; k++) if (values[k]! > values[best]!) best = k;
  return best;
}

/**
 * Predicts every segment of every record and aggregates per record.
 * @param classifier - a trained or loaded {@link Classifier}
 * @param records - an array from {@link readPredictionInputs}, the stream of
 *   {@link streamPredictionInputs} (read as it is consumed), or records built by hand
 *   ([N, L, C] with the model's L and C)
 * @param options - `preprocess`: a pipeline config, or null; default {@link DEFAULT_PIPELINE};
 *   `chunkSegments`: segments per preprocess + predict call (default 1024)
 * @returns per-segment probabilities and per-record mean probabilities, in input order
 * @throws {ShapeError} a record whose segments differ from the model's length or leads
 * @throws {ArgumentTypeError} wrong argument types; {@link ConfigError} an invalid pipeline;
 *   {@link NonFiniteError} NaN data; {@link DisposedError} a disposed classifier
 * @example
 * const classifier = Classifier.load('ecgnet.safetensors');
 * const records = await readPredictionInputs('/data/ludb/data', classifier.config(), { leads: ['ii'] });
 * const { records: perRecord } = await predictRecords(classifier, records);
 * perRecord[0].probabilities; // e.g. [0.31, 0.69]
 */
export async function predictRecords(
  classifier: Classifier,
  records: Iterable<RecordSegments> | AsyncIterable<RecordSegments>,
  options: PredictRecordsOptions = {},
): Promise<RecordPredictions> {
  // 1. Arguments.
  if (!(classifier instanceof Classifier)) throw invalidParameterError('classifier', 'Classifier', classifier, 'type');
  const iterable = records as object | null;
  if (iterable === null || typeof iterable !== 'object' || !(Symbol.iterator in iterable || Symbol.asyncIterator in iterable)) {
    throw invalidParameterError('records', 'array or (async) iterable of RecordSegments', records, 'type');
  }
  const chunkSegments = assertInteger('options.chunkSegments', options.chunkSegments ?? 1024, 1);
  const preprocess = options.preprocess === undefined ? DEFAULT_PIPELINE : options.preprocess;
  const { samples, leads, numClasses } = classifier.config();
  const per = samples * leads;
  const segments: SegmentPrediction[] = [];
  const perRecord: RecordPrediction[] = [];

  // 2. A chunk of records: their segments in one batch, preprocessed as in training,
  //    predicted in one call; then per segment, and the mean per record.
  const predictChunk = async (chunk: RecordSegments[], total: number): Promise<void> => {
    let probabilities: Float32Array = new Float32Array(0);
    if (total > 0) {
      let data: Float32Array = new Float32Array(total * per);
      let offset = 0;
      for (const r of chunk) {
        data.set(r.data, offset);
        offset += r.data.length;
      }
      if (preprocess !== null) data = await runPipeline(data, [total, samples, leads], preprocess);
      probabilities = await classifier.predict(data, [total, samples, leads]);
    }
    let index = 0;
    for (const r of chunk) {
      const n = r.shape[0];
      const sum = new Array<number>(numClasses).fill(0);
      for (let s = 0; s < n; s++, index++) {
        const p = Array.from(probabilities.subarray(index * numClasses, (index + 1) * numClasses));
        p.forEach((v, k) => (sum[k]! += v));
        segments.push({
          record: r.record,
          segment: s,
          ...(r.starts ? { start: r.starts[s]! } : {}),
          ...(r.rows ? { row: r.rows[s]! } : {}),
          probabilities: p,
          predicted: argmax(p),
        });
      }
      const mean = n > 0 ? sum.map((v) => v / n) : null;
      perRecord.push({ record: r.record, file: r.file, segments: n, dropped: { ...r.dropped }, probabilities: mean, predicted: mean ? argmax(mean) : null });
    }
  };

  // 3. Records in input order, each checked against the model before its chunk runs.
  let chunk: RecordSegments[] = [];
  let chunkTotal = 0;
  for await (const r of records) {
    const [n, l, c] = r.shape;
    if (l !== samples || c !== leads || r.data.length !== n * per) {
      throw new ShapeError(`Expected segments of ${samples} samples x ${leads} lead(s) for record ${r.record} but received shape [${r.shape.join(', ')}] with ${r.data.length} values`);
    }
    chunk.push(r);
    chunkTotal += n;
    if (chunkTotal >= chunkSegments) {
      await predictChunk(chunk, chunkTotal);
      chunk = [];
      chunkTotal = 0;
    }
  }
  if (chunk.length > 0) await predictChunk(chunk, chunkTotal);
  return { numClasses, segments, records: perRecord };
}
