/**
 * Reads what a classifier is asked to predict — an NPZ of segments, a WFDB record, a CSV
 * signal table, or a folder of them — into per-record segments shaped for the model:
 * the model's leads (by name or index; lead II by default for a one-lead model), the
 * model's sampling rate (polyphase resampling), the model's segment length (windows as
 * in `data prepare`, dropping NaN and flat windows).
 *
 * Classifier checkpoints record leads and segment length but not the sampling rate, so
 * the rate is an option (default 500 Hz, the bundled LUDB set's).
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { FormatError, IoError, ShapeError } from '../errors';
import { parseConfig } from '../data/config';
import { readCsv } from '../data/csv';
import { rateFactors, resamplePoly } from '../data/resample';
import { segmentSignals } from '../data/segment';
import { readSegmentNpz } from '../data/segment-table';
import { readWfdbRecord } from '../data/wfdb-signal';

/** Input formats {@link readPredictionInputs} reads. */
export const PREDICTION_INPUT_FORMATS = ['wfdb', 'npz', 'csv'] as const;

/** One of {@link PREDICTION_INPUT_FORMATS}. */
export type PredictionInputFormat = (typeof PREDICTION_INPUT_FORMATS)[number];

/** What the model takes: segments of `samples` samples with `leads` leads (see `Classifier.config()`). */
export interface ModelInputShape {
  samples: number;
  leads: number;
}

/** Options of {@link readPredictionInputs}. */
export interface PredictionInputOptions {
  /** Input format; default from the extension (.npz, .csv, .hea / a record path with a .hea beside it). In a folder, only files of this format. */
  format?: PredictionInputFormat;
  /** Leads to feed the model, by name (case-insensitive) or index, as many as the model has. Default: lead II for a one-lead model when present, else all leads when their number matches. Not used for NPZ. */
  leads?: (string | number)[];
  /** The model's sampling rate in Hz; WFDB and CSV signals are resampled to it. Default 500. */
  rate?: number;
  /** Sampling rate of CSV signal tables in Hz (a CSV has none). Default: `rate`. */
  csvRate?: number;
  /** Samples between window starts (at `rate`). Default: the model's segment length (no overlap). */
  stride?: number;
}

/** Defaults of {@link PredictionInputOptions}. */
export const PREDICTION_INPUT_DEFAULTS = { rate: 500 } as const;

const OptionsSchema = z.strictObject({
  format: z.enum(PREDICTION_INPUT_FORMATS).optional(),
  leads: z.array(z.union([z.string().min(1), z.number().int().min(0)])).min(1).optional(),
  rate: z.number().positive().finite().default(PREDICTION_INPUT_DEFAULTS.rate),
  csvRate: z.number().positive().finite().optional(),
  stride: z.number().int().positive().optional(),
});

/** The segments of one record, ready for `Classifier.predict`. */
export interface RecordSegments {
  /** Record name: the WFDB record or CSV file name, or `<npz name>:<patient>`. */
  record: string;
  /** The file it came from (a WFDB header, an NPZ or a CSV). */
  file: string;
  /** Segments, C order [N, L, C] with L and C the model's; N may be 0 (every window dropped). */
  data: Float32Array;
  shape: [number, number, number];
  /** Lead of each channel (NPZ: "0", "1", ...). */
  leads: string[];
  /** Start sample of each segment at the model's rate (WFDB, CSV). */
  starts?: number[];
  /** Row of each segment in its NPZ file. */
  rows?: number[];
  /** Windows dropped because they held NaN or a flat line (WFDB, CSV). */
  dropped: { nan: number; flat: number };
}

type ResolvedOptions = z.output<typeof OptionsSchema>;

/**
 * Picks the channels that feed the model.
 * @returns indices into `available`
 * @throws {ShapeError} when the number of leads differs from the model's
 * @throws {FormatError} when a requested lead is not in the file
 */
function chooseLeads(available: readonly string[], model: ModelInputShape, requested: readonly (string | number)[] | undefined, file: string): number[] {
  if (requested !== undefined) {
    if (requested.length !== model.leads) {
      throw new ShapeError(`The model takes ${model.leads} lead(s) but ${requested.length} were chosen (${requested.join(', ')})`);
    }
    return requested.map((lead) => {
      const index = typeof lead === 'number' ? (lead < available.length ? lead : -1) : available.findIndex((a) => a.toLowerCase() === lead.toLowerCase());
      if (index < 0) throw new FormatError(`no lead ${typeof lead === 'number' ? `#${lead}` : `"${lead}"`} (leads: ${available.join(', ')})`, { file });
      return index;
    });
  }
  if (model.leads === 1) {
    const ii = available.findIndex((a) => a.toLowerCase() === 'ii');
    if (ii >= 0) return [ii];
  }
  if (available.length === model.leads) return available.map((_, i) => i);
  throw new ShapeError(`${file} has ${available.length} lead(s) (${available.join(', ')}) but the model takes ${model.leads}: choose them with the leads option (--lead)`);
}

/** Resamples (when the rates differ), checks the length and cuts windows of the model's length. */
function cutRecord(
  record: string,
  file: string,
  leads: string[],
  signals: readonly ArrayLike<number>[],
  sourceRate: number,
  model: ModelInputShape,
  o: ResolvedOptions,
): RecordSegments {
  let resampled = signals;
  if (Math.abs(sourceRate - o.rate) > 1e-9) {
    const { up, down } = rateFactors(sourceRate, o.rate);
    resampled = signals.map((s) => resamplePoly(s, up, down));
  }
  const n = resampled[0]!.length;
  if (n < model.samples) {
    throw new ShapeError(`${file} has ${n} samples at ${o.rate} Hz, fewer than the model's segment length of ${model.samples}`);
  }
  const seg = segmentSignals(resampled, { length: model.samples, stride: o.stride ?? model.samples });
  return { record, file, data: seg.data, shape: [seg.count, model.samples, leads.length], leads, starts: seg.starts, dropped: seg.dropped };
}

async function readWfdbInput(headerFile: string, model: ModelInputShape, o: ResolvedOptions): Promise<RecordSegments> {
  const rec = await readWfdbRecord(headerFile);
  const chosen = chooseLeads(rec.leads, model, o.leads, headerFile);
  return cutRecord(rec.name, headerFile, chosen.map((i) => rec.leads[i]!), chosen.map((i) => rec.signals[i]!), rec.samplingFrequency, model, o);
}

/** A CSV signal table: a header row of lead names, then one row per sample. */
function readCsvInput(file: string, model: ModelInputShape, o: ResolvedOptions): RecordSegments {
  const table = readCsv(file);
  if (table.rows.length === 0) throw new FormatError('no samples (only a header row)', { file, line: 1 });
  const chosen = chooseLeads(table.columns, model, o.leads, file);
  const signals = chosen.map((k) => {
    const column = table.columns[k]!;
    return Float64Array.from(table.rows, (row, i) => {
      const text = row[column]!.trim();
      const v = text === '' ? NaN : Number(text);
      if (Number.isNaN(v) && text !== '' && text.toLowerCase() !== 'nan') {
        throw new FormatError(`sample "${text}" is not a number`, { file, line: table.lines[i]!, field: column });
      }
      return v;
    });
  });
  const record = path.basename(file, path.extname(file));
  return cutRecord(record, file, chosen.map((k) => table.columns[k]!), signals, o.csvRate ?? o.rate, model, o);
}

/** An NPZ in the reference layout; one record per patient (`patient` array), else per segment. */
function readNpzInput(file: string, model: ModelInputShape): RecordSegments[] {
  const set = readSegmentNpz(file);
  const [count, l, c] = set.shape;
  if (l !== model.samples || c !== model.leads) {
    throw new ShapeError(`${file} holds segments of ${l} samples x ${c} lead(s) but the model takes ${model.samples} x ${model.leads}`);
  }
  const rowsOf = new Map<string, number[]>();
  for (let i = 0; i < count; i++) {
    const rows = rowsOf.get(set.patients[i]!);
    if (rows) rows.push(i);
    else rowsOf.set(set.patients[i]!, [i]);
  }
  const base = path.basename(file, '.npz');
  const per = l * c;
  const leads = Array.from({ length: c }, (_, k) => String(k));
  return [...rowsOf].map(([patient, rows]) => {
    const data = new Float32Array(rows.length * per);
    rows.forEach((row, k) => data.set(set.data.subarray(row * per, (row + 1) * per), k * per));
    return { record: `${base}:${patient}`, file, data, shape: [rows.length, l, c], leads, rows, dropped: { nan: 0, flat: 0 } };
  });
}

/** The format of one file, from `format` or its name; a WFDB record may be named without ".hea". */
function formatOf(file: string, format: PredictionInputFormat | undefined): { format: PredictionInputFormat; file: string } {
  const ext = path.extname(file).toLowerCase();
  if (format === 'wfdb' || (format === undefined && (ext === '.hea' || ext === '.dat'))) {
    return { format: 'wfdb', file: ext === '.hea' || ext === '.dat' ? `${file.slice(0, -4)}.hea` : `${file}.hea` };
  }
  if (format !== undefined) return { format, file };
  if (ext === '.npz') return { format: 'npz', file };
  if (ext === '.csv') return { format: 'csv', file };
  if (fs.existsSync(`${file}.hea`)) return { format: 'wfdb', file: `${file}.hea` };
  throw new FormatError('cannot tell the input format from the name; give the format (wfdb, npz or csv)', { file });
}

/** The files of a folder that a format takes (all three formats when none is given), sorted by name. */
function listInputs(dir: string, format: PredictionInputFormat | undefined): string[] {
  const ext: Record<PredictionInputFormat, string> = { wfdb: '.hea', npz: '.npz', csv: '.csv' };
  const wanted = format ? [ext[format]] : Object.values(ext);
  const files = fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && wanted.includes(path.extname(e.name).toLowerCase()))
    .map((e) => path.join(dir, e.name))
    .sort();
  if (files.length === 0) throw new FormatError(`no ${wanted.join(', ')} files in the folder`, { file: dir });
  return files;
}

/**
 * Reads one input (a file or a folder of files) into per-record segments that fit `model`.
 * @param input - an NPZ (reference layout, optional `patient` array), a WFDB record (its
 *   `.hea`, or the record path without extension), a CSV signal table (header of lead
 *   names, one row per sample), or a folder holding any of these (not recursive)
 * @param model - the model's segment length and leads, e.g. `classifier.config()`
 * @param options - see {@link PredictionInputOptions}
 * @returns one entry per record: per WFDB record and CSV file, per patient of an NPZ (per
 *   segment when it has no `patient` array)
 * @throws {IoError} a missing or unreadable file
 * @throws {ShapeError} NPZ segments of another length or lead count than the model's; a
 *   record shorter than one segment; a lead count that differs from the model's
 * @throws {FormatError} an unknown lead, a malformed file, an unrecognised name, an empty folder
 * @throws {ChecksumError} a WFDB checksum mismatch; {@link ConfigError} invalid options
 * @example
 * const model = Classifier.load('ecgnet.safetensors');
 * const records = await readPredictionInputs('/data/ludb/data/1.hea', model.config(), { leads: ['ii'] });
 */
export async function readPredictionInputs(input: string, model: ModelInputShape, options: PredictionInputOptions = {}): Promise<RecordSegments[]> {
  const out: RecordSegments[] = [];
  for await (const record of streamPredictionInputs(input, model, options)) out.push(record);
  return out;
}

/**
 * {@link readPredictionInputs} one file at a time: a folder's files are read as the
 * records are consumed, so {@link predictRecords} over this stream holds one chunk of
 * signals at a time, however large the folder. Errors (the same as readPredictionInputs)
 * surface from the iteration.
 * @example
 * const model = Classifier.load('ecgnet.safetensors');
 * const result = await predictRecords(model, streamPredictionInputs('/data/ptbxl/records500/00000', model.config()));
 */
export async function* streamPredictionInputs(input: string, model: ModelInputShape, options: PredictionInputOptions = {}): AsyncGenerator<RecordSegments> {
  const o = parseConfig('prediction input options', OptionsSchema, options);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(input);
  } catch (err) {
    // A WFDB record is usually named without its extension.
    if (!fs.existsSync(`${input}.hea`)) throw new IoError(`cannot read ${input}: ${(err as Error).message}`, { cause: err });
  }
  const files = stat?.isDirectory() ? listInputs(input, o.format) : [input];
  for (const name of files) {
    const { format, file } = formatOf(name, o.format);
    if (!fs.existsSync(file)) throw new IoError(`cannot read ${file}: no such file`);
    if (format === 'npz') yield* readNpzInput(file, model);
    else if (format === 'csv') yield readCsvInput(file, model, o);
    else yield await readWfdbInput(file, model, o);
  }
}
