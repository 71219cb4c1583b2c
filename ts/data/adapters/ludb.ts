/**
 * LUDB adapter: one record and one subject per `ludb.csv` row (`data/<ID>`), labels
 * from the diagnosis columns; per-lead delineation files sit beside each record.
 * @module
 */
import * as path from 'node:path';
import { FormatError } from '../../errors';
import { readCsv, requireColumn } from '../csv';
import { applyLabelMap, LUDB_ATRIAL_LABELS, parseLabelMap } from '../label-map';
import { readWfdbAnnotations, type WfdbAnnotation } from '../wfdb-annotation';
import { skipOrThrow, type AdapterOptions, type DatasetListing, type DatasetRecord } from './types';

/** LUDB's lead names, which are also the extensions of its per-lead annotation files. */
export const LUDB_LEADS = ['i', 'ii', 'iii', 'avr', 'avl', 'avf', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6'] as const;

/**
 * Lists the labelled LUDB records.
 * @param source - folder holding ludb.csv and data/
 * @param options - `labelMap` (default {@link LUDB_ATRIAL_LABELS}), `lenient`
 * @throws {FormatError} for a missing column or an unlabelled row (strict mode)
 * @example
 * const { records } = listLudbRecords('/data/ludb'); // 200 records
 */
export function listLudbRecords(source: string, options: AdapterOptions = {}): DatasetListing {
  const labelMap = parseLabelMap(options.labelMap ?? LUDB_ATRIAL_LABELS);
  const lenient = options.lenient ?? false;
  const csvFile = path.join(source, 'ludb.csv');
  const table = readCsv(csvFile);
  requireColumn(table, 'ID', csvFile);
  const records: DatasetRecord[] = [];
  const skipped: Record<string, number> = {};
  table.rows.forEach((row, i) => {
    const id = row['ID']!.trim();
    if (!/^\d+$/.test(id)) {
      skipOrThrow(lenient, skipped, 'missing-patient', new FormatError(`bad record ID "${id}"`, { file: csvFile, line: table.lines[i]!, field: 'ID' }));
      return;
    }
    // Cells are multi-line; trim each so patterns see clean text.
    const meta: Record<string, string> = { record: id };
    for (const [k, v] of Object.entries(row)) meta[k] = v.split('\n').map((s) => s.trim()).filter(Boolean).join('\n');
    const label = applyLabelMap(labelMap, meta);
    if (label === undefined) {
      skipOrThrow(lenient, skipped, 'missing-label', new FormatError(`record ${id}: no label rule matches`, { file: csvFile, line: table.lines[i]!, field: 'label' }));
      return;
    }
    records.push({ id, path: path.join(source, 'data', id), patient: `ludb-${id}`, label, meta });
  });
  return { dataset: 'ludb', records, classes: labelMap.classes, defaultLeads: ['ii'], skipped };
}

/**
 * Reads LUDB's delineation of one lead (P, QRS and T onsets, peaks and offsets).
 * @param source - LUDB folder
 * @param id - record id, e.g. "1"
 * @param lead - one of {@link LUDB_LEADS}
 * @throws {IoError} {@link FormatError}
 * @example
 * const anns = await readLudbAnnotations('/data/ludb', '1', 'ii');
 */
export function readLudbAnnotations(source: string, id: string, lead: (typeof LUDB_LEADS)[number]): Promise<WfdbAnnotation[]> {
  return readWfdbAnnotations(path.join(source, 'data', id), lead);
}
