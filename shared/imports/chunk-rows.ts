/** Parses the records of one chunk of a force export, each tagged with its line in the file. */
import { parse } from 'csv-parse/sync';
import type { DecisionRecord } from '../decisions/decision.ts';
import type { FieldIssue } from '../errors.ts';
import { parseForceExportRow } from './force-export.ts';

export type RowOutcome =
  | { readonly line: number; readonly kind: 'blank' }
  | { readonly line: number; readonly kind: 'record'; readonly record: DecisionRecord }
  | { readonly line: number; readonly kind: 'rejected'; readonly issues: readonly FieldIssue[] };

export function parseChunkRows(text: string, header: readonly string[], firstLine: number): RowOutcome[] {
  const outcomes: RowOutcome[] = [];
  const columns = header.map((name) => name.trim().toLowerCase());
  let previousEnd = 0; // lines consumed within the chunk before the current record
  const classify = (record: string[]): RowOutcome => {
    const line = firstLine + previousEnd;
    if (record.length === 1 && record[0]?.trim() === '') return { line, kind: 'blank' };
    if (record.length !== columns.length) {
      const reason = `expected ${columns.length} fields, found ${record.length}`;
      return { line, kind: 'rejected', issues: [{ field: '(row)', reason }] };
    }
    const parsed = parseForceExportRow(
      Object.fromEntries(columns.map((column, i) => [column, record[i] ?? ''])),
    );
    return parsed.ok
      ? { line, kind: 'record', record: parsed.record }
      : { line, kind: 'rejected', issues: parsed.issues };
  };
  // Both callbacks run in file order while parsing, so line numbers follow the records exactly.
  parse(text, {
    bom: firstLine === 1,
    relax_column_count: true,
    skip_empty_lines: false,
    skip_records_with_error: true,
    on_record: (record: string[], context) => {
      outcomes.push(classify(record));
      previousEnd = context.lines;
      return null;
    },
    on_skip: (error) => {
      const reason = (error?.code ?? 'CSV_INVALID').toLowerCase().replaceAll('_', ' ');
      outcomes.push({
        line: firstLine + previousEnd,
        kind: 'rejected',
        issues: [{ field: '(row)', reason }],
      });
      previousEnd = Number(error?.lines ?? previousEnd + 1);
      return undefined;
    },
  });
  return outcomes;
}
