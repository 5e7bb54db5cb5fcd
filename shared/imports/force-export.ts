/**
 * The force's own decision export (CSV), as documented in docs/import-formats.md. One header row,
 * then one decision per row. Column names are fixed; their order is free.
 */
import { type DecisionRecord, DecisionRecordSchema } from '../decisions/decision.ts';
import type { FieldIssue } from '../errors.ts';
import { zodIssues } from '../validation.ts';

/** CSV column → decision field. */
export const FORCE_EXPORT_COLUMNS = {
  crime_reference: 'crimeReference',
  offence_group: 'offenceGroup',
  da_marker: 'daMarker',
  outcome_code: 'outcomeCode',
  deciding_body: 'decidingBody',
  decision_date: 'decisionDate',
  unit: 'unit',
  decision_maker_id: 'decisionMakerId',
  officer_in_case_id: 'officerInCaseId',
  victim_supports_action: 'victimSupportsAction',
  suspect_identified: 'suspectIdentified',
  custody_disposal: 'custodyDisposal',
  protective_measures: 'protectiveMeasures',
  thrive_recorded: 'thriveRecorded',
  victims_voice_recorded: 'victimsVoiceRecorded',
  summary: 'summary',
} as const satisfies Record<string, keyof DecisionRecord>;

export type ForceExportColumn = keyof typeof FORCE_EXPORT_COLUMNS;
export const FORCE_EXPORT_HEADER = Object.keys(FORCE_EXPORT_COLUMNS) as ForceExportColumn[];

const BOOLEAN_COLUMNS = new Set<string>([
  'da_marker',
  'victim_supports_action',
  'suspect_identified',
  'thrive_recorded',
  'victims_voice_recorded',
]);
const TRUE_VALUES = new Set(['y', 'yes', 'true', '1']);
const FALSE_VALUES = new Set(['n', 'no', 'false', '0']);

/** Checks a header row; returns the problems (missing or unknown columns), empty when it is valid. */
export function checkForceExportHeader(header: readonly string[]): FieldIssue[] {
  const names = header.map((name) => name.trim().toLowerCase());
  const issues: FieldIssue[] = [];
  for (const column of FORCE_EXPORT_HEADER) {
    if (!names.includes(column)) issues.push({ field: column, reason: 'required column is missing' });
  }
  for (const name of names) {
    if (!(name in FORCE_EXPORT_COLUMNS)) issues.push({ field: name, reason: 'unknown column' });
  }
  const duplicated = names.filter((name, index) => names.indexOf(name) !== index);
  for (const name of new Set(duplicated)) issues.push({ field: name, reason: 'column appears twice' });
  return issues;
}

export type ParsedRow = { ok: true; record: DecisionRecord } | { ok: false; issues: FieldIssue[] };

/** Parses one data row (column name → raw text) into a decision record, or the reasons it is bad. */
export function parseForceExportRow(row: Readonly<Record<string, string>>): ParsedRow {
  const candidate: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  for (const [column, field] of Object.entries(FORCE_EXPORT_COLUMNS)) {
    const raw = (row[column] ?? '').trim();
    if (BOOLEAN_COLUMNS.has(column)) {
      const lower = raw.toLowerCase();
      if (TRUE_VALUES.has(lower)) candidate[field] = true;
      else if (FALSE_VALUES.has(lower)) candidate[field] = false;
      else issues.push({ field: column, reason: `expected Y or N, got "${raw.slice(0, 20)}"` });
    } else if (column === 'protective_measures') {
      candidate[field] = raw === '' ? [] : raw.split(';').map((value) => value.trim().toLowerCase());
    } else {
      candidate[field] =
        column === 'offence_group' || column === 'custody_disposal' ? raw.toLowerCase() : raw;
    }
  }
  const parsed = DecisionRecordSchema.safeParse(candidate);
  if (parsed.success && issues.length === 0) return { ok: true, record: parsed.data };
  const reported = new Set(issues.map((issue) => issue.field));
  const schemaIssues = parsed.success ? [] : zodIssues(parsed.error, columnOfField);
  return { ok: false, issues: [...issues, ...schemaIssues.filter((issue) => !reported.has(issue.field))] };
}

const columnOfField = (field: string): string =>
  Object.entries(FORCE_EXPORT_COLUMNS).find(([, name]) => name === field)?.[0] ?? field;
