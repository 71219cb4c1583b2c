/**
 * PTB-XL adapter: `ptbxl_database.csv` rows with `scp_codes`, `patient_id`, `strat_fold`
 * and `filename_lr` / `filename_hr`; `scp_statements.csv` adds each record's diagnostic
 * classes as the derived field `diagnostic_class`.
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, FormatError } from '../../errors';
import { readCsv, requireColumn } from '../csv';
import { applyLabelMap, parseCodeDict, parseLabelMap, PTBXL_ATRIAL_LABELS } from '../label-map';
import { skipOrThrow, type AdapterOptions, type DatasetListing, type DatasetRecord } from './types';

/** Options of {@link listPtbxlRecords}. */
export interface PtbxlOptions extends AdapterOptions {
  /** 100 (records100, `filename_lr`) or 500 (records500, `filename_hr`); default 100. */
  rate?: 100 | 500;
}

/**
 * Lists the labelled PTB-XL records present under `source`.
 * @param source - folder holding ptbxl_database.csv, scp_statements.csv and records100/
 * @param options - `rate` (default 100), `labelMap` (default {@link PTBXL_ATRIAL_LABELS}), `lenient`
 * @throws {FormatError} for a missing column, an absent patient id or label (strict mode)
 * @throws {ConfigError} when the label map names SCP codes scp_statements.csv lacks
 * @example
 * const { records } = listPtbxlRecords('/data/ptbxl', { rate: 100 });
 */
export function listPtbxlRecords(source: string, options: PtbxlOptions = {}): DatasetListing {
  const rate = options.rate ?? 100;
  if (rate !== 100 && rate !== 500) throw new ConfigError('Invalid PTB-XL options', [`rate: expected 100 or 500, got ${String(rate)}`]);
  const labelMap = parseLabelMap(options.labelMap ?? PTBXL_ATRIAL_LABELS);
  const lenient = options.lenient ?? false;
  const dbFile = path.join(source, 'ptbxl_database.csv');
  const db = readCsv(dbFile);
  const fileColumn = requireColumn(db, rate === 100 ? 'filename_lr' : 'filename_hr', dbFile);
  for (const c of ['ecg_id', 'patient_id', 'scp_codes']) requireColumn(db, c, dbFile);

  // Code -> diagnostic class, from scp_statements.csv (its first column is unnamed).
  const statementsFile = path.join(source, 'scp_statements.csv');
  const classOf = new Map<string, string>();
  if (fs.existsSync(statementsFile)) {
    const st = readCsv(statementsFile);
    const key = st.columns[0]!;
    for (const row of st.rows) if (row['diagnostic_class']) classOf.set(row[key]!, row['diagnostic_class']);
    const unknown = labelMap.rules.flatMap((r) => r.codes ?? []).filter((c) => !st.rows.some((row) => row[key] === c) && !['NORM', 'MI', 'STTC', 'CD', 'HYP'].includes(c));
    if (unknown.length) throw new ConfigError('Invalid PTB-XL label map', unknown.map((c) => `SCP code "${c}" is not in scp_statements.csv`));
  }

  const records: DatasetRecord[] = [];
  const skipped: Record<string, number> = {};
  db.rows.forEach((row, i) => {
    const line = db.lines[i]!;
    const patientText = row['patient_id']!.trim();
    if (patientText === '' || !Number.isFinite(Number(patientText))) {
      skipOrThrow(lenient, skipped, 'missing-patient', new FormatError(`ecg_id ${row['ecg_id']}: no patient_id`, { file: dbFile, line, field: 'patient_id' }));
      return;
    }
    // Aggregate statement likelihoods per diagnostic class: "{'NORM': 100.0}".
    const classes = new Map<string, number>();
    for (const [code, p] of parseCodeDict(row['scp_codes']!)) {
      const cls = classOf.get(code);
      if (cls !== undefined) classes.set(cls, Math.max(classes.get(cls) ?? 0, p));
    }
    const meta: Record<string, string> = { ...row, record: row['ecg_id']!, diagnostic_class: `{${[...classes].map(([c, p]) => `'${c}': ${p}`).join(', ')}}` };
    const label = applyLabelMap(labelMap, meta);
    if (label === undefined) {
      skipOrThrow(lenient, skipped, 'missing-label', new FormatError(`ecg_id ${row['ecg_id']}: no label rule matches`, { file: dbFile, line, field: 'scp_codes' }));
      return;
    }
    const rel = row[fileColumn]!;
    records.push({ id: row['ecg_id']!, path: path.join(source, rel), patient: String(Number(patientText)), label, meta });
  });
  return { dataset: 'ptbxl', records, classes: labelMap.classes, defaultLeads: ['II'], skipped };
}
