/**
 * The force's own decision export, as documented in docs/import-formats.md: CSV with one header
 * row (column order free), or NDJSON with one object per line under the same names. Values are
 * validated per row; identifiers are still raw here and are pseudonymised before anything is stored.
 */
import { z } from 'zod';
import {
  CUSTODY_DISPOSALS,
  type DecisionRecord,
  OFFENCE_GROUPS,
  PROTECTIVE_MEASURES,
} from '../decisions/decision.ts';
import type { FieldIssue } from '../errors.ts';
import { didYouMean, zodIssues } from '../validation.ts';
import { decisionDateProblem, ukToday } from './decision-dates.ts';

// Values arrive trimmed (shared/imports/chunk-rows.ts), so no schema here trims.
const text = (max: number) => z.string().min(1, 'required').max(max);
const yesNo = z.preprocess(
  (value) => {
    if (typeof value === 'boolean') return value;
    const lower = String(value ?? '').toLowerCase();
    if (['y', 'yes', 'true', '1'].includes(lower)) return true;
    if (['n', 'no', 'false', '0'].includes(lower)) return false;
    return value;
  },
  z.boolean({ error: (issue) => (issue.input === undefined ? 'is required' : 'expected Y or N') }),
);
const lowerCase = (schema: z.ZodType) =>
  z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), schema);

/** Column → validation of its raw value. The order is the documented column order. */
export const FORCE_EXPORT_ROW = z.object({
  crime_reference: text(64),
  offence_group: lowerCase(z.enum(OFFENCE_GROUPS.slice(0, 6) as [string, ...string[]])),
  da_marker: yesNo,
  outcome_code: z.string().regex(/^[0-9A-Za-z]{1,4}$/, 'an outcome code such as 14, 16 or 3A'),
  deciding_body: lowerCase(z.enum(['police', 'cps'])),
  decision_date: z.iso.date({ error: 'a date as YYYY-MM-DD' }),
  unit: text(64),
  decision_maker_id: text(64),
  officer_in_case_id: text(64),
  victim_supports_action: yesNo,
  suspect_identified: yesNo,
  custody_disposal: lowerCase(z.enum(CUSTODY_DISPOSALS)),
  // "none" in CSV and [] in NDJSON both mean no measures, and are stored alike.
  protective_measures: z.preprocess(
    (value) =>
      (Array.isArray(value) ? value.map(String) : String(value ?? '').split(';'))
        .map((item) => item.trim().toLowerCase())
        .filter((item) => item !== '' && item !== 'none'),
    z.array(z.enum(PROTECTIVE_MEASURES)),
  ),
  thrive_recorded: yesNo,
  victims_voice_recorded: yesNo,
  summary: z.string().max(4000),
});

export type ForceExportColumn = keyof typeof FORCE_EXPORT_ROW.shape;
export const FORCE_EXPORT_HEADER = Object.keys(FORCE_EXPORT_ROW.shape) as ForceExportColumn[];

/** Checks a CSV header row; returns the problems (missing, unknown or repeated columns). */
export function checkForceExportHeader(header: readonly string[]): FieldIssue[] {
  const names = header.map((name) => name.trim().toLowerCase());
  const issues: FieldIssue[] = [];
  for (const column of FORCE_EXPORT_HEADER) {
    if (!names.includes(column)) issues.push({ field: column, reason: 'required column is missing' });
  }
  for (const name of names) {
    if (!(FORCE_EXPORT_HEADER as string[]).includes(name))
      issues.push({ field: name, reason: 'unknown column' });
  }
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  for (const name of new Set(repeated)) issues.push({ field: name, reason: 'column appears twice' });
  return issues;
}

export type ParsedRow = { ok: true; record: DecisionRecord } | { ok: false; issues: FieldIssue[] };

/** Parses one row (column → raw value: text from CSV, typed from NDJSON) into a decision record. */
export function parseForceExportRow(row: Readonly<Record<string, unknown>>, today = ukToday()): ParsedRow {
  const unknown = Object.keys(row).filter((key) => !(FORCE_EXPORT_HEADER as string[]).includes(key));
  const parsed = FORCE_EXPORT_ROW.safeParse(row);
  const date = FORCE_EXPORT_ROW.shape.decision_date.safeParse(row.decision_date);
  const dateProblem = date.success ? decisionDateProblem(date.data, today) : undefined;
  const issues = [
    ...(parsed.success ? [] : zodIssues(parsed.error)),
    ...(dateProblem ? [{ field: 'decision_date', reason: dateProblem }] : []),
    ...unknown.map((field) => {
      const meant = didYouMean(field, FORCE_EXPORT_HEADER);
      return { field, reason: `unknown field${meant ? `; did you mean ${meant}?` : ''}` };
    }),
  ];
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  const value = parsed.data;
  return {
    ok: true,
    record: {
      source: 'force-export',
      crimeReference: value.crime_reference,
      offenceGroup: value.offence_group as DecisionRecord['offenceGroup'],
      decidingBody: value.deciding_body as DecisionRecord['decidingBody'],
      decisionDate: value.decision_date,
      decisionDatePrecision: 'day',
      outcomeCode: value.outcome_code.toUpperCase(),
      daMarker: value.da_marker,
      unit: value.unit,
      decisionMakerId: value.decision_maker_id,
      officerInCaseId: value.officer_in_case_id,
      victimSupportsAction: value.victim_supports_action,
      suspectIdentified: value.suspect_identified,
      custodyDisposal: value.custody_disposal as DecisionRecord['custodyDisposal'],
      protectiveMeasures: value.protective_measures,
      thriveRecorded: value.thrive_recorded,
      victimsVoiceRecorded: value.victims_voice_recorded,
      summary: value.summary,
    },
  };
}
