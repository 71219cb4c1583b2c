/**
 * PAF Prediction Challenge Database (afpdb) adapter. Labels come from record names
 * (n* control = 0, p* PAF = 1). Consecutive records n01/n02, n03/n04, ... come from the
 * same subject, so each pair is one patient and is never split across sets.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FormatError, IoError } from '../../errors';
import { AFPDB_PAF_LABELS, applyLabelMap, parseLabelMap } from '../label-map';
import { skipOrThrow, type AdapterOptions, type DatasetListing, type DatasetRecord } from './types';

/**
 * The patient id of an afpdb record: its pair, e.g. n01 and n02 -> "n01-02".
 * @example
 * afpdbPatient('p04'); // "p03-04"
 */
export function afpdbPatient(record: string): string | undefined {
  const m = /^([np])(\d+)$/.exec(record);
  if (!m) return undefined;
  const k = Number(m[2]);
  const first = k % 2 === 1 ? k : k - 1;
  const pad = (v: number): string => String(v).padStart(2, '0');
  return `${m[1]}${pad(first)}-${pad(first + 1)}`;
}

/**
 * Lists afpdb's learning-set records found in `source` (files n*.hea / p*.hea).
 * @param source - folder with the .hea/.dat files
 * @param options - `labelMap` (default {@link AFPDB_PAF_LABELS}), `lenient`
 * @throws {IoError} unreadable folder; {@link FormatError} for records that fit no rule (strict)
 * @example
 * const { records } = listAfpdbRecords('/data/afpdb'); // 100 records, 50 patients
 */
export function listAfpdbRecords(source: string, options: AdapterOptions = {}): DatasetListing {
  const labelMap = parseLabelMap(options.labelMap ?? AFPDB_PAF_LABELS);
  const lenient = options.lenient ?? false;
  let names: string[];
  try {
    names = fs.readdirSync(source).filter((f) => f.endsWith('.hea')).map((f) => f.slice(0, -4)).sort();
  } catch (err) {
    throw new IoError(`cannot list ${source}: ${(err as Error).message}`, { cause: err });
  }
  const records: DatasetRecord[] = [];
  const skipped: Record<string, number> = {};
  for (const name of names) {
    const patient = afpdbPatient(name);
    if (patient === undefined) {
      // Continuation (n01c) and test (t*) records have no subject pairing here.
      skipOrThrow(lenient, skipped, 'missing-patient', new FormatError(`record "${name}" is not a learning-set record (n01..p50)`, { file: path.join(source, `${name}.hea`) }));
      continue;
    }
    const meta = { record: name };
    const label = applyLabelMap(labelMap, meta);
    if (label === undefined) {
      skipOrThrow(lenient, skipped, 'missing-label', new FormatError(`record "${name}": no label rule matches`, { file: path.join(source, `${name}.hea`) }));
      continue;
    }
    records.push({ id: name, path: path.join(source, name), patient, label, meta });
  }
  return { dataset: 'afpdb', records, classes: labelMap.classes, defaultLeads: ['ECG0'], skipped };
}
