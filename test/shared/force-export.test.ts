import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { parseDecisionRows } from '../../shared/imports/chunk-rows.ts';
import { ukToday } from '../../shared/imports/decision-dates.ts';
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

  /** The lines of a report: each row's line and kind, and the reasons of a rejected one. */
  const outcomes = (text: string, firstLine = 2) =>
    parseDecisionRows('force-csv', text, header, firstLine).map((row) =>
      row.kind === 'rejected'
        ? [row.line, row.kind, row.issues.map((i) => i.reason).join(' | ')]
        : [row.line, row.kind],
    );
  const unquoted = (row: Record<string, string>) => header.map((c) => row[c] ?? '').join(',');

  it('reports an unquoted =HYPERLINK("…") on its own line and keeps the rows after it', () => {
    const text = [
      unquoted({ ...goodRow, summary: '=HYPERLINK("https://x.example/a","open")' }),
      line({ ...goodRow, crime_reference: 'SYN/2/25' }),
      unquoted({ ...goodRow, crime_reference: 'SYN/3/25' }),
      line({ ...goodRow, crime_reference: 'SYN/4/25', summary: 'quoted\nover two lines' }),
    ].join('\n');
    expect(outcomes(`${text}\n`)).toEqual([
      [
        2,
        'rejected',
        'expected 16 fields, found 17; a value holding a comma or a quote must be in double quotes, with each quote in it doubled',
      ],
      [3, 'record'],
      [4, 'record'],
      [5, 'record'],
    ]);
  });

  it('keeps a quote inside an unquoted value as written', () => {
    const [row] = parseDecisionRows(
      'force-csv',
      `${unquoted({ ...goodRow, summary: 'said "no"' })}\n`,
      header,
      2,
    );
    expect(row).toMatchObject({ kind: 'record', record: { summary: 'said "no"' } });
  });

  it('reports a quote opened by mistake on its line and reads every line after it', () => {
    const text = [
      unquoted({ ...goodRow, summary: '"=HYPERLINK(x' }),
      unquoted({ ...goodRow, crime_reference: 'SYN/2/25' }),
      line({ ...goodRow, crime_reference: 'SYN/3/25', summary: 'a "quoted" word' }),
      unquoted({ ...goodRow, crime_reference: 'SYN/4/25' }),
    ].join('\n');
    const read = outcomes(`${text}\n`);
    expect(read.map(([lineNumber, kind]) => [lineNumber, kind])).toEqual([
      [2, 'rejected'],
      [3, 'record'],
      [4, 'record'],
      [5, 'record'],
    ]);
    expect(read[0]?.[2]).toMatch(/^a quoted value opened on this line runs on to line 4/);
  });

  it('reports text after a closing quote on the line where it is', () => {
    const bad = line({ ...goodRow, summary: 'x' }).replace('"x"', '"he said "hi" then"');
    const text = [line(goodRow), bad, line({ ...goodRow, crime_reference: 'SYN/3/25' })].join('\n');
    expect(outcomes(`${text}\n`, 5)).toEqual([
      [5, 'record'],
      [
        6,
        'rejected',
        'text after the closing quote of field 16: a quote inside a quoted value is written twice ("")',
      ],
      [7, 'record'],
    ]);
  });

  it('reports a quoted value never closed on its line, and the lines after it', () => {
    const text = [line(goodRow), `${line({ ...goodRow, crime_reference: 'SYN/2/25' })},"open`, 'x,y'].join(
      '\n',
    );
    expect(outcomes(text)).toEqual([
      [2, 'record'],
      [3, 'rejected', 'a quoted value opened on this line is never closed'],
      [4, 'rejected', 'expected 16 fields, found 2'],
    ]);
  });

  it('reads CRLF line breaks', () => {
    const text = `${line(goodRow)}\r\n${unquoted({ ...goodRow, crime_reference: 'SYN/2/25' })}\r\n`;
    const rows = parseDecisionRows('force-csv', text, header, 2);
    expect(rows.map((row) => (row.kind === 'record' ? row.record.summary : row.kind))).toEqual([
      'Synthetic summary',
      'Synthetic summary',
    ]);
  });

  it('trims every value of every format alike, and only its ends', () => {
    const padded = (value: string) => ` \t${value}\u00a0 `;
    const csv = `${line(Object.fromEntries(Object.entries(goodRow).map(([c, v]) => [c, padded(v)])))}\n`;
    const ndjson = `${JSON.stringify({
      ...Object.fromEntries(Object.entries(goodRow).map(([c, v]) => [` ${c}`, padded(v)])),
      protective_measures: [padded('dvpn'), 'dvpo '],
    })}\n`;
    const plain = parseDecisionRows('force-csv', `${line(goodRow)}\n`, header, 2);
    expect(plain[0]).toMatchObject({
      kind: 'record',
      record: { summary: 'Synthetic summary', unit: 'PPU North' },
    });
    expect(parseDecisionRows('force-csv', csv, header, 2)).toEqual(plain);
    expect(parseDecisionRows('force-ndjson', ndjson, [], 2)).toEqual(plain);
  });

  it('refuses a decision dated after today or before 1990, on its line, in CSV and NDJSON', () => {
    const today = '2026-12-03';
    const dated = (decision_date: string) => ({ ...goodRow, decision_date });
    const dates = ['2026-12-04', '1989-12-31', '2026-12-03', '1990-01-01'];
    const csv = `${dates.map((date) => line(dated(date))).join('\n')}\n`;
    const ndjson = `${dates.map((date) => JSON.stringify(dated(date))).join('\n')}\n`;
    for (const rows of [
      parseDecisionRows('force-csv', csv, header, 2, today),
      parseDecisionRows('force-ndjson', ndjson, [], 2, today),
    ]) {
      expect(rows.map((row) => [row.line, row.kind === 'rejected' ? row.issues : row.kind])).toEqual([
        [
          2,
          [
            {
              field: 'decision_date',
              reason: 'is after today (2026-12-03): a decision cannot be dated in the future',
            },
          ],
        ],
        [3, [{ field: 'decision_date', reason: 'is before 1990: is the year right?' }]],
        [4, 'record'],
        [5, 'record'],
      ]);
    }
  });

  it('takes today as the day in the UK', () => {
    expect(ukToday(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(ukToday(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
  });

  it('parses the synthetic export without a rejected row', () => {
    const csv = syntheticForceExport({ count: 200, seed: 7 });
    const [head, ...rest] = csv.split('\n');
    const rows = parseDecisionRows('force-csv', rest.join('\n'), parse(head as string)[0] as string[], 2);
    expect(rows.filter((row) => row.kind === 'rejected')).toEqual([]);
    expect(rows.filter((row) => row.kind === 'record')).toHaveLength(200);
  });
});
