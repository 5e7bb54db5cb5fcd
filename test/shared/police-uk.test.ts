import { describe, expect, it } from 'vitest';
import {
  classifyPoliceUkOutcome,
  OUTCOME_STAGES,
  outcomeRank,
  POLICE_UK_OUTCOMES,
  type PoliceUkOutcomeObservation,
} from '../../shared/decisions/police-uk-outcomes.ts';
import { parseDecisionRows, parseOutcomeRows } from '../../shared/imports/chunk-rows.ts';
import {
  POLICE_UK_OUTCOMES_HEADER,
  POLICE_UK_STREET_HEADER,
  parsePoliceUkStreetRow,
} from '../../shared/imports/police-uk.ts';

const row = (values: Partial<Record<(typeof POLICE_UK_STREET_HEADER)[number], string>>) =>
  Object.fromEntries(POLICE_UK_STREET_HEADER.map((column) => [column, values[column] ?? '']));

describe('police.uk outcome categories', () => {
  it.each([
    ['Investigation complete; no suspect identified', 'filed', 'police'],
    ['Unable to prosecute suspect', 'police_nfa', 'police'],
    ['Formal action is not in the public interest', 'police_nfa', 'police'],
    ['Further investigation is not in the public interest', 'police_nfa', 'police'],
    ['Further action is not in the public interest', 'cps_nfa', 'cps'],
    ['Action to be taken by another organisation', 'filed', 'police'],
    ['Under investigation', 'other', 'police'],
    ['Offender given a caution', 'other', 'police'],
    ['', 'other', 'police'],
  ])('"%s" is %s, decided by %s', (category, type, body) => {
    expect(classifyPoliceUkOutcome(category)).toMatchObject({
      decisionType: type,
      decidingBody: body,
      unknownCategory: false,
    });
  });

  it('keeps every category that is not an NFA or filing decision out of NFA populations', () => {
    const nfaOrFiled = Object.entries(POLICE_UK_OUTCOMES).filter(
      ([, outcome]) => outcome.decisionType !== 'other',
    );
    expect(nfaOrFiled.map(([category]) => category).sort()).toEqual([
      'Action to be taken by another organisation',
      'Formal action is not in the public interest',
      'Further action is not in the public interest',
      'Further investigation is not in the public interest',
      'Investigation complete; no suspect identified',
      'Unable to prosecute suspect',
    ]);
  });

  it('flags an unknown category without rejecting it', () => {
    expect(classifyPoliceUkOutcome('Something new')).toMatchObject({
      decisionType: 'other',
      unknownCategory: true,
    });
  });
});

describe('the order of a crime’s police.uk outcomes', () => {
  const outcome = (month: string, category: string, file: 'street' | 'outcomes' = 'outcomes') =>
    ({ month, category, file }) satisfies PoliceUkOutcomeObservation;
  /** The greater of two outcomes, by rank. */
  const later = (a: PoliceUkOutcomeObservation, b: PoliceUkOutcomeObservation) =>
    outcomeRank(a) > outcomeRank(b) ? a : b;

  it('puts the later month first, whatever the stage or file', () => {
    const march = outcome('2025-03', 'Under investigation', 'street');
    const february = outcome('2025-02', 'Offender fined');
    expect(later(march, february)).toBe(march);
    expect(later(february, march)).toBe(march);
  });

  it('within a month, puts an outcome that ends the investigation over an interim one', () => {
    const ended = outcome('2025-03', 'Unable to prosecute suspect');
    for (const interim of ['Under investigation', 'Status update unavailable', '', 'Something new']) {
      expect(later(outcome('2025-03', interim), ended)).toBe(ended);
      expect(later(ended, outcome('2025-03', interim))).toBe(ended);
    }
  });

  it('orders the stages open, unknown, ended, at court, court result', () => {
    const ofStage = (category: string) => classifyPoliceUkOutcome(category).stage;
    expect(
      ['Under investigation', 'Brand new', 'Suspect charged', 'Awaiting court outcome', 'Offender fined'].map(
        ofStage,
      ),
    ).toEqual([...OUTCOME_STAGES]);
    const ranks = [
      'Under investigation',
      'Brand new',
      'Suspect charged',
      'Awaiting court outcome',
      'Offender fined',
    ]
      .map((category) => outcomeRank(outcome('2025-03', category)))
      .reverse();
    expect([...ranks].sort().reverse()).toEqual(ranks);
  });

  it('within a stage, puts the outcomes file over the street file, then the category text', () => {
    const fromOutcomes = outcome('2025-03', 'Investigation complete; no suspect identified');
    const fromStreet = outcome('2025-03', 'Unable to prosecute suspect', 'street');
    expect(later(fromStreet, fromOutcomes)).toBe(fromOutcomes);
    const unable = outcome('2025-03', 'Unable to prosecute suspect');
    expect(later(fromOutcomes, unable)).toBe(unable);
    expect(later(unable, fromOutcomes)).toBe(unable);
  });

  it('gives two different outcomes two different ranks, so the order of the rows never decides', () => {
    const observations = Object.keys(POLICE_UK_OUTCOMES).flatMap((category) =>
      (['street', 'outcomes'] as const).map((file) => outcome('2025-03', category, file)),
    );
    expect(new Set(observations.map(outcomeRank)).size).toBe(observations.length);
  });

  it('gives every published category a stage', () => {
    for (const [category, known] of Object.entries(POLICE_UK_OUTCOMES)) {
      expect(OUTCOME_STAGES, category).toContain(known.stage);
      expect(known.stage, category).not.toBe('unknown');
    }
  });
});

describe('police.uk street rows', () => {
  it('skips anti-social behaviour (no Crime ID) and crime types out of scope', () => {
    expect(parsePoliceUkStreetRow(row({ 'Crime type': 'Anti-social behaviour', Month: '2025-01' }))).toEqual({
      kind: 'skipped',
      reason: 'noCrimeId',
    });
    expect(
      parsePoliceUkStreetRow(row({ 'Crime ID': 'x', 'Crime type': 'Burglary', Month: '2025-01' })),
    ).toEqual({
      kind: 'skipped',
      reason: 'crimeTypeOutOfScope',
    });
  });

  it('keeps the area but not the location', () => {
    const parsed = parsePoliceUkStreetRow(
      row({
        'Crime ID': 'abc',
        Month: '2025-02',
        Location: 'On or near Somewhere',
        Longitude: '-1.9',
        'LSOA code': 'E01000001',
        'Crime type': 'Violence and sexual offences',
        'Last outcome category': 'Unable to prosecute suspect',
      }),
    );
    expect(parsed).toEqual({
      kind: 'record',
      record: {
        source: 'police-uk',
        crimeReference: 'abc',
        offenceGroup: 'violence_and_sexual_offences',
        decidingBody: 'police',
        decisionDate: '2025-02-01',
        decisionDatePrecision: 'month',
        outcomeCategory: 'Unable to prosecute suspect',
        outcomeMonth: '2025-02',
        lsoaCode: 'E01000001',
      },
    });
  });
});

describe('whitespace in police.uk rows', () => {
  const csvLine = (values: readonly string[]) => values.map((v) => `"${v}"`).join(',');
  const crime = ['pukA', '2025-05', 'Force', 'Force', '', '', 'No location', 'E01000001', 'Area'];
  const street = [...crime, 'Public order', 'Under investigation', ''];
  const outcome = [...crime.slice(0, 1), '2025-06', ...crime.slice(2), 'Unable to prosecute suspect'];
  const padded = (values: readonly string[]) => values.map((v) => `\u00a0${v} \t`);

  it('is trimmed from both ends of every value, as in the force export', () => {
    const read = (values: readonly string[]) =>
      parseDecisionRows('police-uk', `${csvLine(values)}\n`, POLICE_UK_STREET_HEADER, 2);
    expect(read(padded(street))).toEqual(read(street));
    expect(read(street)[0]).toMatchObject({ kind: 'record', record: { decisionDate: '2025-05-01' } });
    const outcomes = (values: readonly string[]) =>
      parseOutcomeRows(`${csvLine(values)}\n`, POLICE_UK_OUTCOMES_HEADER, 2);
    expect(outcomes(padded(outcome))).toEqual(outcomes(outcome));
    expect(outcomes(outcome)[0]).toMatchObject({ kind: 'outcome' });
  });

  it('leaves a row of only whitespace in Crime ID without one', () => {
    const rows = parseDecisionRows(
      'police-uk',
      `${csvLine([' \u00a0', ...street.slice(1)])}\n`,
      POLICE_UK_STREET_HEADER,
      2,
    );
    expect(rows[0]).toMatchObject({ kind: 'skipped' });
  });
});

describe('police.uk months', () => {
  const today = '2026-12-03';
  const street = (month: string) =>
    `pukA,${month},Force,Force,,,No location,E01000001,Area,Public order,Under investigation,`;
  const outcome = (month: string) => `pukA,${month},Force,Force,,,No location,E01000001,Area,Offender fined`;
  const months = ['2027-01', '1989-12', '2026-12'];
  const later = {
    field: 'Month',
    reason: 'is after the current month (2026-12): it cannot have been published yet',
  };
  const early = { field: 'Month', reason: 'is before 1990: is the year right?' };
  const kinds = (rows: readonly { line: number; kind: string; issues?: unknown }[]) =>
    rows.map((row) => [row.line, row.issues ?? row.kind]);

  it('refuses a month after the current one, or before 1990, on its line in the street file', () => {
    const text = `${months.map(street).join('\n')}\n`;
    expect(kinds(parseDecisionRows('police-uk', text, POLICE_UK_STREET_HEADER, 2, today))).toEqual([
      [2, [later]],
      [3, [early]],
      [4, 'record'],
    ]);
  });

  it('refuses them in the outcomes file too', () => {
    const text = `${months.map(outcome).join('\n')}\n`;
    expect(kinds(parseOutcomeRows(text, POLICE_UK_OUTCOMES_HEADER, 2, today))).toEqual([
      [2, [later]],
      [3, [early]],
      [4, 'outcome'],
    ]);
  });
});
