/**
 * Generic adapter: a folder of WFDB records plus a CSV with columns
 * `record,label,patient` (one record per row).
 * @module
 */
import * as path from 'node:path';
import { FormatError } from '../../errors';
import { readCsv, requireColumn } from '../csv';
import { applyLabelMap, parseLabelMap } from '../label-map';
import { skipOrThrow, type AdapterOptions, type DatasetListing, type DatasetRecord } from './types';

/** Options of {@link listGenericRecords}. */
export interface GenericOptions extends AdapterOptions {
  /** CSV file name inside the source folder (default "labels.csv"). */
  labelsFile?: string;
}

/**
 * Lists records from `<source>/labels.csv` (columns `record`, `label`, `patient`;
 * record paths are relative to `source`, without extension). With a `labelMap`, the
 * label comes from the map applied to the row instead of the `label` column.
 * @param source - folder with the CSV and the WFDB files
 * @param options - `labelsFile` (default "labels.csv"), `labelMap`, `lenient`
 * @throws {FormatError} naming the line for a missing or non-integer label or a missing patient (strict mode)
 * @example
 * const { records } = listGenericRecords('/data/mine');
 */
export function listGenericRecords(source: string, options: GenericOptions = {}): DatasetListing {
  const lenient = options.lenient ?? false;
  const labelMap = options.labelMap ? parseLabelMap(options.labelMap) : undefined;
  const csvFile = path.join(source, options.labelsFile ?? 'labels.csv');
  const table = readCsv(csvFile);
  requireColumn(table, 'record', csvFile);
  requireColumn(table, 'patient', csvFile);
  if (!labelMap) requireColumn(table, 'label', csvFile);
  const records: DatasetRecord[] = [];
  const skipped: Record<string, number> = {};
  let maxLabel = 0;
  table.rows.forEach((row, i) => {
    const line = table.lines[i]!;
    const id = row['record']!.trim();
    const patient = row['patient']!.trim();
    if (patient === '') {
      skipOrThrow(lenient, skipped, 'missing-patient', new FormatError(`record "${id}" has no patient`, { file: csvFile, line, field: 'patient' }));
      return;
    }
    let label: number | undefined;
    if (labelMap) label = applyLabelMap(labelMap, { ...row });
    else {
      const text = row['label']!.trim();
      label = /^\d+$/.test(text) ? Number(text) : undefined;
    }
    if (label === undefined) {
      skipOrThrow(lenient, skipped, 'missing-label', new FormatError(`record "${id}" has no integer label`, { file: csvFile, line, field: 'label' }));
      return;
    }
    maxLabel = Math.max(maxLabel, label);
    records.push({ id, path: path.join(source, id), patient, label, meta: { ...row } });
  });
  const classes = labelMap?.classes ?? Array.from({ length: Math.max(2, maxLabel + 1) }, (_, k) => `class${k}`);
  return { dataset: 'generic', records, classes, defaultLeads: [0], skipped };
}
