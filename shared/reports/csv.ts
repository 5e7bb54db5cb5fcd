/**
 * CSV for reports: RFC 4180 (fields quoted when they hold a comma, a double quote, CR or LF; quotes
 * doubled; CRLF after every record) written by csv-stringify, the writer the imports and the dip
 * sample manifest already use, and guarded against CSV (formula) injection.
 *
 * A spreadsheet treats a cell that begins with `=`, `+`, `-` or `@` (or a tab or CR, which some
 * strip before looking) as a formula, so free text a reviewer typed could run as one when the
 * report is opened. Such a text cell is written with a leading single quote, which spreadsheets
 * show as text (OWASP, "CSV Injection"). Numbers are written as numbers and never guarded: a
 * negative kappa stays a number.
 */
import { stringify } from 'csv-stringify/sync';

/** One cell: text (guarded), a number (written as is), or nothing (an empty cell). */
export type CsvCell = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** Text made safe to open in a spreadsheet: a leading formula character gets a `'` before it. */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function cellText(cell: CsvCell, row: number, column: number): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) {
      throw new RangeError(`row ${row}, column ${column}: ${cell} is not a number a spreadsheet can hold`);
    }
    return String(cell);
  }
  return guardFormula(cell);
}

/**
 * A CSV document: the header, then the rows, every record ending in CRLF. Every row must have as
 * many cells as the header.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const records = [header, ...rows].map((row, index) => {
    if (row.length !== header.length) {
      throw new RangeError(`row ${index} has ${row.length} cells; the header has ${header.length}`);
    }
    return row.map((cell, column) => cellText(cell, index, column));
  });
  // csv-stringify quotes a field holding its record delimiter (here CRLF) but not a bare CR or LF,
  // which RFC 4180 requires quoted too.
  return stringify(records, { record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}

/**
 * Rows of a long `section,key,metric,value` table (the reports' CSV layout): one row for each
 * metric of one key.
 */
export function longRows(
  section: string,
  key: string,
  metrics: readonly (readonly [metric: string, value: CsvCell])[],
): CsvCell[][] {
  return metrics.map(([metric, value]) => [section, key, metric, value]);
}
