/**
 * Parses the rows of one chunk of an import file, each tagged with its line in the file. A chunk
 * always starts at a record boundary (shared/imports/chunk-plan.ts) and knows its first line.
 */
import { parse } from 'csv-parse/sync';
import type { DecisionRecord } from '../decisions/decision.ts';
import type { FieldIssue } from '../errors.ts';
import { parseForceExportRow } from './force-export.ts';
import type { ImportFormat } from './import-record.ts';
import { type PoliceUkOutcomeRow, parsePoliceUkOutcomeRow, parsePoliceUkStreetRow } from './police-uk.ts';

export type RowOutcome =
  | { readonly line: number; readonly kind: 'blank' }
  | { readonly line: number; readonly kind: 'skipped'; readonly reason: string }
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

/** The CSV records of a chunk as column → text, or the reason a record could not be read. */
function csvRows(text: string, header: readonly string[], firstLine: number): CsvRow[] {
  const rows: CsvRow[] = [];
  let previousEnd = 0; // lines consumed within the chunk before the current record
  // Both callbacks run in file order while parsing, so line numbers follow the records exactly.
  parse(text, {
    bom: firstLine <= 2,
    relax_column_count: true,
    skip_empty_lines: false,
    skip_records_with_error: true,
    on_record: (record: string[], context) => {
      const line = firstLine + previousEnd;
      previousEnd = context.lines;
      if (record.length === 1 && record[0]?.trim() === '') rows.push({ line, blank: true });
      else if (record.length !== header.length) {
        const reason = `expected ${header.length} fields, found ${record.length}`;
        rows.push({ line, issue: { field: '(row)', reason } });
      } else
        rows.push({ line, row: Object.fromEntries(header.map((column, i) => [column, record[i] ?? ''])) });
      return null;
    },
    on_skip: (error) => {
      const reason = (error?.code ?? 'CSV_INVALID').toLowerCase().replaceAll('_', ' ');
      rows.push({ line: firstLine + previousEnd, issue: { field: '(row)', reason } });
      previousEnd = Number(error?.lines ?? previousEnd + 1);
      return undefined;
    },
  });
  return rows;
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
    const trimmed = raw.replace(/^\uFEFF/, '').trim();
    if (trimmed === '') return { line };
    try {
      const value: unknown = JSON.parse(trimmed);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        return { line, issue: { field: '(row)', reason: 'expected a JSON object' } };
      }
      return { line, value };
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
): RowOutcome[] {
  if (format === 'force-ndjson') {
    return ndjsonRows(text, firstLine).map(({ line, value, issue }): RowOutcome => {
      if (issue) return { line, kind: 'rejected', issues: [issue] };
      if (value === undefined) return { line, kind: 'blank' };
      const parsed = parseForceExportRow(value as Record<string, unknown>);
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
      const parsed = parseForceExportRow(row.row);
      return parsed.ok
        ? { line: row.line, kind: 'record', record: parsed.record }
        : { line: row.line, kind: 'rejected', issues: parsed.issues };
    }
    const street = parsePoliceUkStreetRow(row.row);
    if (street.kind === 'record') return { line: row.line, kind: 'record', record: street.record };
    if (street.kind === 'skipped') return { line: row.line, kind: 'skipped', reason: street.reason };
    return { line: row.line, kind: 'rejected', issues: street.issues };
  });
}

export function parseOutcomeRows(
  text: string,
  header: readonly string[],
  firstLine: number,
): OutcomeRowOutcome[] {
  return csvRows(
    text,
    header.map((name) => name.trim()),
    firstLine,
  ).map((row): OutcomeRowOutcome => {
    if (row.blank) return { line: row.line, kind: 'blank' };
    if (row.issue || !row.row)
      return { line: row.line, kind: 'rejected', issues: row.issue ? [row.issue] : [] };
    const parsed = parsePoliceUkOutcomeRow(row.row);
    return parsed.ok
      ? { line: row.line, kind: 'outcome', outcome: parsed.outcome }
      : { line: row.line, kind: 'rejected', issues: parsed.issues };
  });
}
