/**
 * Ready-cut segment sets that do not come from WFDB records: a CSV with one segment per
 * row, or an NPZ in the reference layout (optionally with a `patient` array).
 * @module
 */
import * as fs from 'node:fs';
import { FormatError } from '../errors';
import { parseCsv, readCsv } from './csv';
import { readNpz, toReferenceDataset, type ReferenceDataset } from './npz';

/** Segments with a patient id per segment. */
export interface PatientSegments extends ReferenceDataset {
  /** Patient id of each segment. */
  patients: string[];
}

/**
 * Reads a CSV with one segment per row: columns `label`, `patient` and then the
 * samples (every other column, in order; one lead).
 * @param file - path
 * @param options - `labelColumn` (default "label"), `patientColumn` (default "patient")
 * @returns segments [N, L, 1], labels and patients
 * @throws {FormatError} naming line and column for a missing or non-integer label, a missing
 *   patient, a non-numeric sample, or no sample columns
 * @example
 * const seg = readSegmentCsv('segments.csv'); // header: label,patient,s0,s1,...
 */
export function readSegmentCsv(file: string, options: { labelColumn?: string; patientColumn?: string; text?: string } = {}): PatientSegments {
  const labelColumn = options.labelColumn ?? 'label';
  const patientColumn = options.patientColumn ?? 'patient';
  const table = options.text !== undefined ? parseCsv(options.text, file) : readCsv(file);
  for (const c of [labelColumn, patientColumn]) {
    if (!table.columns.includes(c)) throw new FormatError(`missing column "${c}"`, { file, line: 1, field: c });
  }
  const sampleColumns = table.columns.filter((c) => c !== labelColumn && c !== patientColumn);
  if (sampleColumns.length === 0) throw new FormatError('no sample columns', { file, line: 1 });
  const n = table.rows.length;
  const l = sampleColumns.length;
  const data = new Float32Array(n * l);
  const labels = new Int32Array(n);
  const patients: string[] = [];
  table.rows.forEach((row, i) => {
    const line = table.lines[i]!;
    const label = row[labelColumn]!.trim();
    if (!/^\d+$/.test(label)) throw new FormatError(`label "${label}" is not a non-negative integer`, { file, line, field: labelColumn });
    const patient = row[patientColumn]!.trim();
    if (patient === '') throw new FormatError('missing patient', { file, line, field: patientColumn });
    labels[i] = Number(label);
    patients.push(patient);
    sampleColumns.forEach((c, k) => {
      const text = row[c]!.trim();
      const v = text === '' ? NaN : Number(text);
      if (Number.isNaN(v) && text.toLowerCase() !== 'nan') throw new FormatError(`sample "${text}" is not a number`, { file, line, field: c });
      data[i * l + k] = v;
    });
  });
  return { data, shape: [n, l, 1], labels, patients };
}

/**
 * Reads an NPZ in the reference layout plus an optional `patient` array (integers or
 * via `patientIds`); without one, each segment counts as its own patient.
 * @param file - path
 * @returns segments, labels and patient ids; `ownPatients` tells whether ids were invented
 * @throws {FormatError} see {@link readReferenceNpz}; a `patient` array of the wrong length
 * @example
 * const seg = readSegmentNpz('train.npz');
 */
export function readSegmentNpz(file: string): PatientSegments & { ownPatients: boolean } {
  if (!fs.existsSync(file)) throw new FormatError('file not found', { file });
  const arrays = readNpz(file);
  const ds = toReferenceDataset(arrays, file);
  const p = arrays['patient'];
  if (p === undefined) return { ...ds, patients: Array.from({ length: ds.shape[0] }, (_, i) => `segment-${i}`), ownPatients: true };
  if (p.shape.length !== 1 || p.shape[0] !== ds.shape[0] || p.dtype === 'f4' || p.dtype === 'f8') {
    throw new FormatError(`"patient" must be an integer array [${ds.shape[0]}]`, { file, field: 'patient' });
  }
  return { ...ds, patients: Array.from(p.data as ArrayLike<number | bigint>, (v) => String(v)), ownPatients: false };
}
