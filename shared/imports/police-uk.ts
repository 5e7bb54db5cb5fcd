/**
 * The public data.police.uk format: a street file (one row per crime, with its last outcome
 * category) and, optionally, the matching outcomes file (every outcome published for a crime),
 * joined on Crime ID with the latest outcome winning. Only the crime types that hold VAWG offences
 * are imported; anti-social behaviour rows (no Crime ID) and other crime types are skipped and
 * counted. Location is not kept (data minimisation): the LSOA code is enough for analysis.
 */
import { z } from 'zod';
import type { DecisionRecord } from '../decisions/decision.ts';
import type { FieldIssue } from '../errors.ts';
import { zodIssues } from '../validation.ts';
import { decisionMonthProblem, ukToday } from './decision-dates.ts';

/** The columns both police.uk files open with: the crime, when, who recorded it, and where. */
const POLICE_UK_CRIME_COLUMNS = [
  'Crime ID',
  'Month',
  'Reported by',
  'Falls within',
  'Longitude',
  'Latitude',
  'Location',
  'LSOA code',
  'LSOA name',
] as const;

export const POLICE_UK_STREET_HEADER = [
  ...POLICE_UK_CRIME_COLUMNS,
  'Crime type',
  'Last outcome category',
  'Context',
] as const;

export const POLICE_UK_OUTCOMES_HEADER = [...POLICE_UK_CRIME_COLUMNS, 'Outcome type'] as const;

/** police.uk crime type → offence group, for the crime types in scope. */
export const POLICE_UK_CRIME_TYPES: Readonly<Record<string, DecisionRecord['offenceGroup']>> = {
  'Violence and sexual offences': 'violence_and_sexual_offences',
  'Public order': 'public_order',
};

export function checkPoliceUkHeader(header: readonly string[], expected: readonly string[]): FieldIssue[] {
  const names = header.map((name) => name.trim());
  const issues: FieldIssue[] = expected
    .filter((column) => !names.includes(column))
    .map((column) => ({ field: column, reason: 'required column is missing' }));
  for (const name of names) {
    if (!expected.includes(name)) issues.push({ field: name, reason: 'unknown column' });
  }
  return issues;
}

// Values arrive trimmed (shared/imports/chunk-rows.ts), so no schema here trims.
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM');

const StreetRowSchema = z.object({
  'Crime ID': z.string().min(1).max(100),
  Month: month,
  'Falls within': z.string().max(100),
  'LSOA code': z.string().max(20),
  'Crime type': z.string(),
  'Last outcome category': z.string().max(200),
});

export type StreetRow =
  | { kind: 'record'; record: DecisionRecord }
  | { kind: 'skipped'; reason: 'noCrimeId' | 'crimeTypeOutOfScope' }
  | { kind: 'rejected'; issues: FieldIssue[] };

/** A month after the current one, or before 1990, is refused like a malformed one. */
function monthIssues(month: string, today: string): FieldIssue[] {
  const problem = decisionMonthProblem(month, today);
  return problem ? [{ field: 'Month', reason: problem }] : [];
}

export function parsePoliceUkStreetRow(row: Readonly<Record<string, string>>, today = ukToday()): StreetRow {
  if ((row['Crime ID'] ?? '') === '') return { kind: 'skipped', reason: 'noCrimeId' };
  const parsed = StreetRowSchema.safeParse(row);
  if (!parsed.success) return { kind: 'rejected', issues: zodIssues(parsed.error) };
  const value = parsed.data;
  const issues = monthIssues(value.Month, today);
  if (issues.length > 0) return { kind: 'rejected', issues };
  const offenceGroup = POLICE_UK_CRIME_TYPES[value['Crime type']];
  if (!offenceGroup) return { kind: 'skipped', reason: 'crimeTypeOutOfScope' };
  return {
    kind: 'record',
    record: {
      source: 'police-uk',
      crimeReference: value['Crime ID'],
      offenceGroup,
      // Replaced by the classification of the outcome category when the decision is built.
      decidingBody: 'police',
      decisionDate: `${value.Month}-01`,
      decisionDatePrecision: 'month',
      outcomeCategory: value['Last outcome category'],
      outcomeMonth: value.Month,
      ...(value['Falls within'] ? { policeForce: value['Falls within'] } : {}),
      ...(value['LSOA code'] ? { lsoaCode: value['LSOA code'] } : {}),
    },
  };
}

const OutcomeRowSchema = z.object({
  'Crime ID': z.string().min(1, 'required').max(100),
  Month: month,
  'Outcome type': z.string().min(1, 'required').max(200),
});

export interface PoliceUkOutcomeRow {
  readonly crimeId: string;
  readonly month: string;
  readonly outcomeType: string;
}

export function parsePoliceUkOutcomeRow(
  row: Readonly<Record<string, string>>,
  today = ukToday(),
): { ok: true; outcome: PoliceUkOutcomeRow } | { ok: false; issues: FieldIssue[] } {
  const parsed = OutcomeRowSchema.safeParse(row);
  if (!parsed.success) return { ok: false, issues: zodIssues(parsed.error) };
  const issues = monthIssues(parsed.data.Month, today);
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    outcome: {
      crimeId: parsed.data['Crime ID'],
      month: parsed.data.Month,
      outcomeType: parsed.data['Outcome type'],
    },
  };
}
