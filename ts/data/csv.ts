/**
 * RFC 4180 CSV reader: a header row is required, cells may be quoted, and quoted
 * cells may hold commas, doubled quotes and newlines (as LUDB's ludb.csv does).
 * @module
 */
import * as fs from 'node:fs';
import { FormatError, IoError } from '../errors';

/** A parsed CSV table. */
export interface CsvTable {
  /** Column names from the header row. */
  columns: string[];
  /** Each data row as column name -> cell text. */
  rows: Record<string, string>[];
  /** 1-based line on which each row starts (parallel to `rows`). */
  lines: number[];
}

/**
 * Splits CSV text into records of cells.
 * @returns records with the 1-based line each starts on
 * @throws {FormatError} for an unterminated quoted cell or text after a closing quote
 */
function tokenize(text: string, file: string): { cells: string[]; line: number }[] {
  const records: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // skip a UTF-8 byte-order mark
  const n = text.length;
  let quoted = false; // the current cell was quoted
  let atCellStart = true;
  const endRecord = (): void => {
    cells.push(cell);
    // A lone empty line is skipped rather than read as a one-cell record.
    if (!(cells.length === 1 && cells[0] === '' && !quoted)) records.push({ cells, line: recordLine });
    cells = [];
    cell = '';
    quoted = false;
    atCellStart = true;
  };
  while (i < n) {
    const c = text[i]!;
    if (atCellStart && c === '"') {
      quoted = true;
      atCellStart = false;
      const startLine = line;
      i++;
      // Copy runs up to each quote with slice(); a doubled quote is a literal quote.
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new FormatError('unterminated quoted cell', { file, line: startLine });
        for (let k = text.indexOf('\n', i); k >= 0 && k < q; k = text.indexOf('\n', k + 1)) line++;
        cell += text.slice(i, q);
        if (text.charCodeAt(q + 1) === 34) { cell += '"'; i = q + 2; continue; }
        i = q + 1;
        break;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new FormatError(`unexpected "${next}" after a closing quote`, { file, line });
      }
      continue;
    }
    atCellStart = false;
    if (c === ',') {
      cells.push(cell);
      cell = '';
      quoted = false;
      atCellStart = true;
      i++;
    } else if (c === '\n' || c === '\r') {
      endRecord();
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      // Unquoted text up to the next separator, newline or (invalid) quote, in one slice.
      let j = i;
      for (; j < n; j++) {
        const code = text.charCodeAt(j);
        if (code === 44 || code === 10 || code === 13 || code === 34) break;
      }
      if (j > i) {
        cell += text.slice(i, j);
        i = j;
      } else {
        if (!quoted) throw new FormatError('stray quote inside an unquoted cell', { file, line });
        cell += c;
        i++;
      }
    }
  }
  if (!atCellStart || cells.length > 0 || cell !== '') endRecord();
  return records;
}

/**
 * Parses CSV text with a header row.
 * @param text - file contents
 * @param file - file name for error messages
 * @throws {FormatError} naming the line: no header, duplicate column names, a row
 *   with a different number of cells than the header, bad quoting
 * @example
 * const { rows } = parseCsv('id,label\n1,0\n');
 * rows[0].label; // "0"
 */
export function parseCsv(text: string, file = 'table.csv'): CsvTable {
  const records = tokenize(text, file);
  const head = records.shift();
  if (!head) throw new FormatError('empty CSV: a header row is required', { file, line: 1 });
  const columns = head.cells.map((c) => c.trim());
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new FormatError(`duplicate column "${c}" in the header`, { file, line: head.line });
    seen.add(c);
  }
  const rows: Record<string, string>[] = [];
  const lines: number[] = [];
  for (const r of records) {
    if (r.cells.length !== columns.length) {
      throw new FormatError(`row has ${r.cells.length} cells but the header has ${columns.length}`, { file, line: r.line });
    }
    const row: Record<string, string> = {};
    columns.forEach((c, k) => (row[c] = r.cells[k]!));
    rows.push(row);
    lines.push(r.line);
  }
  return { columns, rows, lines };
}

/**
 * Reads a CSV file (UTF-8) with a header row.
 * @param file - path
 * @throws {IoError} when unreadable; {@link FormatError} see {@link parseCsv}
 * @example
 * const table = readCsv('ludb/ludb.csv');
 */
export function readCsv(file: string): CsvTable {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new IoError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  return parseCsv(text, file);
}

/**
 * Returns the named column of a table, or throws naming the available ones.
 * @throws {FormatError} when the column is missing
 * @example
 * requireColumn(table, 'patient_id', 'ptbxl_database.csv');
 */
export function requireColumn(table: CsvTable, column: string, file = 'table.csv'): string {
  if (!table.columns.includes(column)) {
    throw new FormatError(`missing column "${column}" (columns: ${table.columns.join(', ')})`, { file, line: 1, field: column });
  }
  return column;
}
