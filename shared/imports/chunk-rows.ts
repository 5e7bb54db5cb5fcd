/**
 * Parses the rows of one chunk of an import file, each tagged with its line in the file. A chunk
 * always starts at a record boundary (shared/imports/chunk-plan.ts) and knows its first line.
 */
import type { DecisionRecord } from '../decisions/decision.ts';
import type { FieldIssue } from '../errors.ts';
import { readCsvRecords } from './csv-records.ts';
import { ukToday } from './decision-dates.ts';
import { parseForceExportRow } from './force-export.ts';
import type { ImportFormat, SkipReason } from './import-record.ts';
import { type PoliceUkOutcomeRow, parsePoliceUkOutcomeRow, parsePoliceUkStreetRow } from './police-uk.ts';

export type RowOutcome =
  | { readonly line: number; readonly kind: 'blank' }
  | { readonly line: number; readonly kind: 'skipped'; readonly reason: Exclude<SkipReason, 'blankLine'> }
  | { readonly line: number; readonly kind: 'record'; readonly record: DecisionRecord }
  | { readonly line: number; readonly kind: 'rejected'; readonly issues: readonly FieldIssue[] };

export type OutcomeRowOutcome =
  | { readonly line: number; readonly kind: 'blank' }
  | { readonly line: number; readonly kind: 'outcome'; readonly outcome: PoliceUkOutcomeRow }
  | { readonly line: number; readonly kind: 'rejected'; readonly issues: readonly FieldIssue[] };

type CsvRow =
  | { readonly line: number; readonly blank: true }
  | {
      readonly line: number;
      readonly blank?: false;
      readonly row?: Record<string, string>;
      readonly issue?: FieldIssue;
    };

/**
 * The one place import values are trimmed, whatever the format or field: leading and trailing
 * whitespace (spaces, tabs, no-break spaces, line breaks) never counts, inside a value it is kept.
 * NDJSON field names and the strings of a list are trimmed alike.
 */
function trimmed(value: unknown): unknown {
  if (typeof value === 'string') return value.trim();
  return Array.isArray(value) ? value.map(trimmed) : value;
}
const trimmedRow = (row: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(row).map(([field, value]) => [field.trim(), trimmed(value)]));

/** Said of a row with too many fields that holds a quote outside quotes (`=HYPERLINK("…","…")`). */
const QUOTING_HINT =
  '; a value holding a comma or a quote must be in double quotes, with each quote in it doubled';

/** The CSV records of a chunk as column → text, or the reason a record could not be read. */
function csvRows(text: string, header: readonly string[], firstLine: number): CsvRow[] {
  return readCsvRecords(text, firstLine, header.length).map((record): CsvRow => {
    const { line } = record;
    if ('problem' in record) return { line, issue: { field: '(row)', reason: record.problem } };
    const { fields } = record;
    if (fields.length === 1 && fields[0]?.trim() === '') return { line, blank: true };
    if (fields.length !== header.length) {
      const reason = `expected ${header.length} fields, found ${fields.length}`;
      return { line, issue: { field: '(row)', reason: record.strayQuote ? reason + QUOTING_HINT : reason } };
    }
    const row = Object.fromEntries(header.map((column, i) => [column, fields[i] ?? '']));
    return { line, row: trimmedRow(row) as Record<string, string> };
  });
}

/** NDJSON: one JSON object per line; a line break never appears inside a JSON string. */
function ndjsonRows(
  text: string,
  firstLine: number,
): { line: number; value?: unknown; issue?: FieldIssue }[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((raw, index) => {
    const line = firstLine + index;
    const json = raw.replace(/^\uFEFF/, '').trim();
    if (json === '') return { line };
    try {
      const value: unknown = JSON.parse(json);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return { line, issue: { field: '(row)', reason: 'expected a JSON object' } };
      }
      return { line, value: trimmedRow(value as Record<string, unknown>) };
    } catch {
      return { line, issue: { field: '(row)', reason: 'not valid JSON' } };
    }
  });
}

export function parseDecisionRows(
  format: ImportFormat,
  text: string,
  header: readonly string[],
  firstLine: number,
  /** The UK day the rows are imported on: no decision is dated after it. */
  today = ukToday(),
): RowOutcome[] {
  if (format === 'force-ndjson') {
    return ndjsonRows(text, firstLine).map(({ line, value, issue }): RowOutcome => {
      if (issue) return { line, kind: 'rejected', issues: [issue] };
      if (value === undefined) return { line, kind: 'blank' };
      const parsed = parseForceExportRow(value as Record<string, unknown>, today);
      return parsed.ok
        ? { line, kind: 'record', record: parsed.record }
        : { line, kind: 'rejected', issues: parsed.issues };
    });
  }
  const columns =
    format === 'force-csv' ? header.map((name) => name.trim().toLowerCase()) : header.map((n) => n.trim());
  return csvRows(text, columns, firstLine).map((row): RowOutcome => {
    if (row.blank) return { line: row.line, kind: 'blank' };
    if (row.issue || !row.row)
      return { line: row.line, kind: 'rejected', issues: row.issue ? [row.issue] : [] };
    if (format === 'force-csv') {
      const parsed = parseForceExportRow(row.row, today);
      return parsed.ok
        ? { line: row.line, kind: 'record', record: parsed.record }
        : { line: row.line, kind: 'rejected', issues: parsed.issues };
    }
    const street = parsePoliceUkStreetRow(row.row, today);
    if (street.kind === 'record') return { line: row.line, kind: 'record', record: street.record };
    if (street.kind === 'skipped') return { line: row.line, kind: 'skipped', reason: street.reason };
    return { line: row.line, kind: 'rejected', issues: street.issues };
  });
}

export function parseOutcomeRows(
  text: string,
  header: readonly string[],
  firstLine: number,
  today = ukToday(),
): OutcomeRowOutcome[] {
  return csvRows(
    text,
    header.map((name) => name.trim()),
    firstLine,
  ).map((row): OutcomeRowOutcome => {
    if (row.blank) return { line: row.line, kind: 'blank' };
    if (row.issue || !row.row)
      return { line: row.line, kind: 'rejected', issues: row.issue ? [row.issue] : [] };
    const parsed = parsePoliceUkOutcomeRow(row.row, today);
    return parsed.ok
      ? { line: row.line, kind: 'outcome', outcome: parsed.outcome }
      : { line: row.line, kind: 'rejected', issues: parsed.issues };
  });
}
