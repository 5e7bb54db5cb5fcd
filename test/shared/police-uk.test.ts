import { describe, expect, it } from 'vitest';
import { classifyPoliceUkOutcome, POLICE_UK_OUTCOMES } from '../../shared/decisions/police-uk-outcomes.ts';
import { POLICE_UK_STREET_HEADER, parsePoliceUkStreetRow } from '../../shared/imports/police-uk.ts';

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

describe('police.uk street rows', () => {
  it('skips anti-social behaviour (no Crime ID) and crime types out of scope', () => {
    expect(parsePoliceUkStreetRow(row({ 'Crime type': 'Anti-social behaviour', Month: '2025-01' }))).toEqual({
      kind: 'skipped',
      reason: 'no crime id',
    });
    expect(
      parsePoliceUkStreetRow(row({ 'Crime ID': 'x', 'Crime type': 'Burglary', Month: '2025-01' })),
    ).toEqual({
      kind: 'skipped',
      reason: 'crime type out of scope',
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
