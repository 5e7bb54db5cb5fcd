/**
 * The other import formats, and files that cannot be imported at all, end to end through the API
 * and the synthesized import workflow.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { POLICE_UK_OUTCOMES_HEADER, POLICE_UK_STREET_HEADER } from '../../shared/imports/police-uk.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => stack?.close());

async function runImport(format: string, file: string | Buffer, outcomes?: string) {
  const created = await stack.api('POST', '/imports', {
    as: 'admin',
    body: {
      format,
      fileName: 'file',
      ...(outcomes !== undefined ? { outcomesFileName: 'outcomes.csv' } : {}),
    },
  });
  expect(created.status).toBe(201);
  const importId = String(created.body.importId);
  await fetch(String(created.body.uploadUrl), { method: 'PUT', body: file });
  if (outcomes !== undefined)
    await fetch(String(created.body.outcomesUploadUrl), { method: 'PUT', body: outcomes });
  expect((await stack.api('POST', `/imports/${importId}/start`, { as: 'admin' })).status).toBe(202);
  await stack.runtime.waitForExecution('ImportDecisions', importId);
  return (await stack.api('GET', `/imports/${importId}`, { as: 'admin' })).body;
}

const decisionsOf = (importId: string) => stack.decisions(importId);

async function errorReport(importId: string): Promise<string> {
  const link = await stack.api('GET', `/imports/${importId}/errors`, { as: 'admin' });
  return (await fetch(String(link.body.url))).text();
}

describe('force NDJSON', () => {
  it('imports one object per line, reporting bad lines by number', async () => {
    const rows = parse(syntheticForceExport({ count: 5, seed: 11 }), { columns: true }) as Record<
      string,
      string
    >[];
    const yesNo = [
      'da_marker',
      'victim_supports_action',
      'suspect_identified',
      'thrive_recorded',
      'victims_voice_recorded',
    ];
    const objects = rows.map((row) => ({
      ...row,
      ...Object.fromEntries(yesNo.map((column) => [column, row[column] === 'Y'])),
      protective_measures:
        row.protective_measures === 'none' ? [] : String(row.protective_measures).split(';'),
    }));
    const lines = objects.map((object) => JSON.stringify(object));
    lines.splice(2, 0, '{"crime_reference": "SYN/1/26", broken');
    lines.splice(4, 0, '');
    lines.push(
      JSON.stringify({ ...objects[0], crime_reference: 'SYN/2/26', offence_group: 'burglary', extra: 1 }),
    );
    const { victim_supports_action: supports, ...misspelt } = objects[1] as Record<string, unknown>;
    lines.push(JSON.stringify({ ...misspelt, crime_reference: 'SYN/3/26', victim_support_action: supports }));
    const record = await runImport('force-ndjson', `${lines.join('\n')}\n`);
    expect(record).toMatchObject({
      status: 'COMPLETED',
      counts: { read: 8, accepted: 5, rejected: 3, skipped: 1, duplicates: 0 },
    });
    const report = parse(await errorReport(String(record.importId)), { columns: true });
    expect(report).toEqual([
      { line: '3', field: '(row)', reason: 'not valid JSON' },
      { line: '8', field: 'offence_group', reason: expect.stringContaining('must be one of rape') },
      { line: '8', field: 'extra', reason: 'unknown field' },
      { line: '9', field: 'victim_supports_action', reason: 'is required' },
      {
        line: '9',
        field: 'victim_support_action',
        reason: 'unknown field; did you mean victim_supports_action?',
      },
    ]);
    const decisions = await decisionsOf(String(record.importId));
    expect(decisions.map((d) => d.provenance.sourceLine)).toEqual([1, 2, 4, 6, 7]);
  });
});

describe('data.police.uk months', () => {
  it('refuses a month not published yet, in either file, on its line', async () => {
    const crime = (id: string, month: string) =>
      `${id},${month},Force,Force,,,No location,E01000001,Area 001A,Public order`;
    const record = await runImport(
      'police-uk',
      `${POLICE_UK_STREET_HEADER.join(',')}\n${crime('pukM1', '2099-01')},Under investigation,\n${crime('pukM2', '2025-05')},Under investigation,\n`,
      `${POLICE_UK_OUTCOMES_HEADER.join(',')}\n${crime('pukM2', '2099-02').replace(',Public order', '')},Offender fined\n`,
    );
    expect(record).toMatchObject({
      counts: { read: 2, accepted: 1, rejected: 1 },
      outcomeCounts: { read: 1, applied: 0, rejected: 1 },
    });
    const report = parse(await errorReport(String(record.importId)), { columns: true });
    expect(report).toEqual([
      {
        file: 'street',
        line: '2',
        field: 'Month',
        reason: expect.stringMatching(/^is after the current month/),
      },
      {
        file: 'outcomes',
        line: '2',
        field: 'Month',
        reason: expect.stringMatching(/^is after the current month/),
      },
    ]);
  });
});

describe('data.police.uk', () => {
  const street = [
    POLICE_UK_STREET_HEADER.join(','),
    'pukA,2025-05,Force,Force,-1.9,52.4,On or near High Street,E01000001,Area 001A,Violence and sexual offences,Unable to prosecute suspect,',
    'pukB,2025-05,Force,Force,,,No location,,,Public order,Under investigation,',
    ',2025-05,Force,Force,-1.9,52.4,On or near Park,E01000002,Area 002A,Anti-social behaviour,,',
    'pukC,2025-05,Force,Force,-1.9,52.4,On or near Shop,E01000003,Area 003A,Burglary,Status update unavailable,',
    'pukD,2025-13,Force,Force,-1.9,52.4,On or near Road,E01000004,Area 004A,Violence and sexual offences,Local resolution,',
    'pukE,2025-06,Force,Force,-1.9,52.4,On or near Lane,E01000005,Area 005A,Violence and sexual offences,A brand new category,',
  ].join('\n');
  const outcomes = [
    POLICE_UK_OUTCOMES_HEADER.join(','),
    'pukB,2025-08,Force,Force,,,No location,,,Investigation complete; no suspect identified',
    'pukB,2025-07,Force,Force,,,No location,,,Under investigation',
    'pukA,2025-04,Force,Force,-1.9,52.4,On or near High Street,E01000001,Area 001A,Under investigation',
    'pukZ,2025-08,Force,Force,-1.9,52.4,Somewhere,E01000009,Area 009A,Suspect charged',
    'pukA,,Force,Force,-1.9,52.4,On or near High Street,E01000001,Area 001A,',
  ].join('\n');

  let record: Record<string, unknown>;
  beforeAll(async () => {
    record = await runImport('police-uk', `${street}\n`, `${outcomes}\n`);
  });

  it('imports in-scope crimes, skips anti-social behaviour and other crime types, and counts them', () => {
    expect(record).toMatchObject({
      status: 'COMPLETED',
      counts: {
        read: 6,
        accepted: 3,
        rejected: 1,
        skipped: 2,
        skippedBy: { blankLine: 0, noCrimeId: 1, crimeTypeOutOfScope: 1 },
        duplicates: 0,
      },
      outcomeCounts: { read: 5, applied: 3, unmatched: 1, rejected: 1 },
    });
  });

  it('joins outcomes on Crime ID with the latest outcome winning, whatever the order', async () => {
    const decisions = await decisionsOf(String(record.importId));
    expect(
      decisions.map((d) => [
        d.offenceGroup,
        d.outcomeCategory,
        d.outcomeMonth,
        d.decisionType,
        d.decisionDate,
      ]),
    ).toEqual([
      ['violence_and_sexual_offences', 'Unable to prosecute suspect', '2025-05', 'police_nfa', '2025-05-01'],
      ['public_order', 'Investigation complete; no suspect identified', '2025-08', 'filed', '2025-05-01'],
      ['violence_and_sexual_offences', 'A brand new category', '2025-06', 'other', '2025-06-01'],
    ]);
    expect(decisions[2]?.localOutcomeVariant).toBe(true);
    expect(JSON.stringify(decisions)).not.toMatch(/High Street|pukA/);
    expect(decisions[0]).toMatchObject({
      lsoaCode: 'E01000001',
      decisionDatePrecision: 'month',
      source: 'police-uk',
    });
  });

  it('reports bad rows of both files, saying which file', async () => {
    const report = parse(await errorReport(String(record.importId)), { columns: true });
    expect(report).toEqual([
      { file: 'street', line: '6', field: 'Month', reason: 'a month as YYYY-MM' },
      { file: 'outcomes', line: '6', field: 'Month', reason: 'a month as YYYY-MM' },
      { file: 'outcomes', line: '6', field: 'Outcome type', reason: 'required' },
    ]);
  });

  it('changes nothing when imported again', async () => {
    const again = await runImport('police-uk', `${street}\n`, `${outcomes}\n`);
    expect(again).toMatchObject({
      counts: { read: 6, accepted: 0, rejected: 1, skipped: 2, duplicates: 3 },
      outcomeCounts: { applied: 3, unmatched: 1 },
    });
    const decisions = await decisionsOf(String(record.importId));
    expect(decisions.map((d) => d.outcomeCategory)).toEqual([
      'Unable to prosecute suspect',
      'Investigation complete; no suspect identified',
      'A brand new category',
    ]);
  });
});

describe('files that cannot be imported', () => {
  it.each([
    ['an empty file', '', 'The file is empty'],
    ['a binary file', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x0a]), 'binary or UTF-16'],
    ['a Latin-1 file', Buffer.from('crime_reference,unit\nSYN/1,Caf\xe9\n', 'latin1'), 'not UTF-8'],
    [
      'a file with a wrong header',
      'crime_ref,offence\nX,Y\n',
      'crime_reference (required column is missing)',
    ],
  ])('fails %s before writing anything, saying why', async (_name, content, reason) => {
    const record = await runImport('force-csv', content);
    expect(record).toMatchObject({ status: 'FAILED', failure: 'ValidationError' });
    expect((record.problem as { message: string }).message).toContain(reason);
    expect(await decisionsOf(String(record.importId))).toEqual([]);
  });

  it('refuses an outcomes file for a format that has none, naming the field', async () => {
    const created = await stack.api('POST', '/imports', {
      as: 'admin',
      body: { format: 'force-csv', fileName: 'a.csv', outcomesFileName: 'b.csv' },
    });
    expect(created.status).toBe(400);
    expect(created.body.issues).toEqual([
      { field: 'body.outcomesFileName', reason: 'an outcomes file goes only with the police-uk format' },
    ]);
  });
});
