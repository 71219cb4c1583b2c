import test from 'ava';
import * as path from 'node:path';
import { FormatError, parseCsv, readCsv } from 'ecg-ldm';
import { LUDB, PTBXL } from './helpers/data-paths';

test('quoted cells with commas, doubled quotes, newlines, CRLF and BOM', (t) => {
  const table = parseCsv('\ufeffa,b,c\r\n1,"x, ""y""","multi\nline"\r\n2,,\r\n');
  t.deepEqual(table.columns, ['a', 'b', 'c']);
  t.deepEqual(table.rows[0], { a: '1', b: 'x, "y"', c: 'multi\nline' });
  t.deepEqual(table.rows[1], { a: '2', b: '', c: '' });
  t.deepEqual(table.lines, [2, 4]);
});

test('LUDB ludb.csv: 200 rows with multi-line cells', (t) => {
  const table = readCsv(path.join(LUDB, 'ludb.csv'));
  t.is(table.rows.length, 200);
  t.is(table.columns.length, 12);
  t.is(table.rows[1]!['Hypertrophies'], 'Left atrial hypertrophy\nLeft ventricular hypertrophy');
});

test('PTB-XL database: 1,987 rows, 28 columns', (t) => {
  const table = readCsv(path.join(PTBXL, 'ptbxl_database.csv'));
  t.is(table.rows.length, 1987);
  t.is(table.columns.length, 28);
  t.is(table.rows[0]!['scp_codes'], "{'NORM': 100.0, 'LVOLT': 0.0, 'SR': 0.0}");
});

test('malformed rows report their line', (t) => {
  const wrong = t.throws(() => parseCsv('a,b\n1,2\n\n3\n', 'x.csv'), { instanceOf: FormatError })!;
  t.is((wrong as FormatError).line, 4);
  t.regex(wrong.message, /x\.csv, line 4: row has 1 cells/);
  t.throws(() => parseCsv('a,b\n"open,2\n'), { instanceOf: FormatError, message: /unterminated/ });
  t.throws(() => parseCsv('a,b\n"x"y,2\n'), { instanceOf: FormatError, message: /after a closing quote/ });
  t.throws(() => parseCsv('a,b\nx"y,2\n'), { instanceOf: FormatError, message: /stray quote/ });
  t.throws(() => parseCsv(''), { instanceOf: FormatError, message: /header row is required/ });
  t.throws(() => parseCsv('a,a\n1,2\n'), { instanceOf: FormatError, message: /duplicate column/ });
});
