import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { parseDecisionRows } from '../../shared/imports/chunk-rows.ts';
import {
  checkForceExportHeader,
  FORCE_EXPORT_HEADER,
  parseForceExportRow,
} from '../../shared/imports/force-export.ts';

const goodRow: Record<string, string> = {
  crime_reference: 'SYN/123456/25',
  offence_group: 'rape',
  da_marker: 'Y',
  outcome_code: '16',
  deciding_body: 'police',
  decision_date: '2025-03-14',
  unit: 'PPU North',
  decision_maker_id: 'DM-0001',
  officer_in_case_id: 'OIC-0002',
  victim_supports_action: 'N',
  suspect_identified: 'Y',
  custody_disposal: 'released_under_investigation',
  protective_measures: 'dvpn;dvpo',
  thrive_recorded: 'Y',
  victims_voice_recorded: 'yes',
  summary: 'Synthetic summary',
};

describe('force export header', () => {
  it('accepts the documented columns in any order', () => {
    expect(checkForceExportHeader([...FORCE_EXPORT_HEADER].reverse())).toEqual([]);
  });

  it('names missing, unknown and repeated columns', () => {
    const header: string[] = [...FORCE_EXPORT_HEADER.filter((c) => c !== 'unit'), 'victim_name', 'summary'];
    expect(checkForceExportHeader(header)).toEqual([
      { field: 'unit', reason: 'required column is missing' },
      { field: 'victim_name', reason: 'unknown column' },
      { field: 'summary', reason: 'column appears twice' },
    ]);
  });
});

describe('force export rows', () => {
  it('parses a good row into a decision record', () => {
    const parsed = parseForceExportRow(goodRow);
    expect(parsed).toMatchObject({
      ok: true,
      record: {
        daMarker: true,
        victimsVoiceRecorded: true,
        protectiveMeasures: ['dvpn', 'dvpo'],
        outcomeCode: '16',
      },
    });
  });

  it('names each bad field once, by its column name', () => {
    const parsed = parseForceExportRow({
      ...goodRow,
      da_marker: 'maybe',
      decision_date: '14/03/2025',
      offence_group: '',
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues.map((issue) => issue.field)).toEqual([
      'offence_group',
      'da_marker',
      'decision_date',
    ]);
  });
});

describe('force NDJSON rows', () => {
  const ndjsonRow = {
    ...goodRow,
    da_marker: true,
    victim_supports_action: false,
    suspect_identified: true,
    thrive_recorded: true,
    victims_voice_recorded: true,
    protective_measures: ['dvpn'],
  };

  it('refuses a field that is not a column, naming the column it is probably meant to be', () => {
    const { victim_supports_action: _, ...rest } = ndjsonRow;
    const line = JSON.stringify({ ...rest, victim_support_action: false, notes: 'x' });
    const [row] = parseDecisionRows('force-ndjson', `${line}\n`, [], 7);
    expect(row).toEqual({
      line: 7,
      kind: 'rejected',
      issues: [
        { field: 'victim_supports_action', reason: 'is required' },
        { field: 'victim_support_action', reason: 'unknown field; did you mean victim_supports_action?' },
        { field: 'notes', reason: 'unknown field' },
      ],
    });
  });

  it('accepts a row with every column and no other', () => {
    const [row] = parseDecisionRows('force-ndjson', `${JSON.stringify(ndjsonRow)}\n`, [], 1);
    expect(row?.kind).toBe('record');
  });
});

describe('parseDecisionRows', () => {
  const header = FORCE_EXPORT_HEADER;
  const line = (row: Record<string, string>) =>
    header.map((c) => `"${(row[c] ?? '').replaceAll('"', '""')}"`).join(',');

  it('tags every record with its line in the file, across quoted line breaks and blank lines', () => {
    const text = [
      line(goodRow),
      '',
      line({ ...goodRow, summary: 'two\nlines' }),
      line({ ...goodRow, outcome_code: '' }),
      'too,few',
    ].join('\n');
    const rows = parseDecisionRows('force-csv', `${text}\n`, header, 10);
    expect(rows.map((row) => [row.line, row.kind])).toEqual([
      [10, 'record'],
      [11, 'blank'],
      [12, 'record'],
      [14, 'rejected'],
      [15, 'rejected'],
    ]);
  });

  it('parses the synthetic export without a rejected row', () => {
    const csv = syntheticForceExport({ count: 200, seed: 7 });
    const [head, ...rest] = csv.split('\n');
    const rows = parseDecisionRows('force-csv', rest.join('\n'), parse(head as string)[0] as string[], 2);
    expect(rows.filter((row) => row.kind === 'rejected')).toEqual([]);
    expect(rows.filter((row) => row.kind === 'record')).toHaveLength(200);
  });
});
