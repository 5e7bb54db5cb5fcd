/**
 * The import workflow end to end: through the API, the synthesized state machine on the local
 * interpreter (driven and observed with the AWS SDK), and its effects in DynamoDB and S3.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import type { Chunk } from '../../shared/imports/chunk-plan.ts';
import { importChunk, planImport } from '../../shared/imports/import-workflow.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => stack?.close());

function withColumn(row: string, column: string, value: string): string {
  const record = parse(`${header}\n${row}`, { columns: true })[0] as Record<string, string>;
  return stringify([{ ...record, [column]: value }]).trimEnd();
}

const good = syntheticForceExport({ count: 40, seed: 99 });
const [header, firstRow, secondRow] = good.split('\n');
const file = [
  good.trimEnd(),
  '', // line 42: blank, skipped
  withColumn(firstRow as string, 'offence_group', 'burglary'), // line 43: not an offence group Scrutineer covers
  secondRow, // line 44: the same decision as line 3, a duplicate
  'too,few,fields', // line 45
].join('\n');

const decisionsOf = (importId: string) => stack.decisions(importId);

async function importFile(content: string, as = 'admin') {
  const created = await stack.api('POST', '/imports', {
    as,
    body: { format: 'force-csv', fileName: 'export.csv' },
  });
  expect(created.status).toBe(201);
  const importId = String(created.body.importId);
  const upload = await fetch(String(created.body.uploadUrl), { method: 'PUT', body: content });
  expect(upload.status).toBe(200);
  const started = await stack.api('POST', `/imports/${importId}/start`, { as });
  expect(started.status).toBe(202);
  const stateMachineArn = stack.runtime.physicalName('ImportDecisions');
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${importId}`;
  let status = 'RUNNING';
  while (status === 'RUNNING') {
    await new Promise((resolve) => setTimeout(resolve, 50));
    status = String((await stack.sfn.send(new DescribeExecutionCommand({ executionArn }))).status);
  }
  return { importId, executionArn, status, stateMachineArn };
}

describe('importing a force export', () => {
  let first: Awaited<ReturnType<typeof importFile>>;
  beforeAll(async () => {
    first = await importFile(file);
  });

  it('succeeds and records the counts on the import', async () => {
    expect(first.status).toBe('SUCCEEDED');
    const record = await stack.api('GET', `/imports/${first.importId}`, { as: 'admin' });
    expect(record.body).toMatchObject({
      status: 'COMPLETED',
      counts: {
        read: 43,
        accepted: 40,
        rejected: 2,
        skipped: 1,
        skippedBy: { blankLine: 1, noCrimeId: 0, crimeTypeOutOfScope: 0 },
        duplicates: 1,
      },
      errorReportKey: `errors/${first.importId}/errors.csv`,
    });
  });

  it('writes every accepted decision to DynamoDB, pseudonymised, with its provenance', async () => {
    const decisions = await decisionsOf(first.importId);
    expect(decisions).toHaveLength(40);
    const row = parse(`${header}\n${firstRow}`, { columns: true })[0] as Record<string, string>;
    const fromLine2 = decisions.find((decision) => decision.provenance.sourceLine === 2);
    expect(fromLine2).toMatchObject({
      source: 'force-export',
      outcomeCode: row.outcome_code,
      unit: row.unit,
      crimeReference: expect.stringMatching(/^crm_[0-9a-z]{20}$/),
      decisionMakerId: expect.stringMatching(/^psn_[0-9a-z]{20}$/),
      officerInCaseId: expect.stringMatching(/^psn_[0-9a-z]{20}$/),
    });
    const stored = JSON.stringify(decisions);
    expect(stored).not.toContain(row.crime_reference);
    expect(stored).not.toContain(row.decision_maker_id);

    const viaApi = await stack.api('GET', `/decisions/${fromLine2?.decisionId}`, { as: 'auditor' });
    expect(viaApi.status).toBe(200);
    expect(viaApi.body.crimeReference).toBe(fromLine2?.crimeReference);
  });

  it('gives the same person the same pseudonym in every import', async () => {
    const row = parse(`${header}\n${firstRow}`, { columns: true })[0] as Record<string, string>;
    const again = withColumn(
      withColumn(
        withColumn(secondRow as string, 'decision_maker_id', String(row.decision_maker_id)),
        'unit',
        'FCID',
      ),
      'crime_reference',
      'SYN/999999/26',
    );
    const second = await importFile(`${header}\n${again}\n`);
    const [decision] = await decisionsOf(second.importId);
    const original = (await decisionsOf(first.importId)).find((d) => d.provenance.sourceLine === 2);
    expect(decision?.decisionMakerId).toBe(original?.decisionMakerId);
    expect(decision?.crimeReference).not.toBe(original?.crimeReference);
  });

  it('writes a per-line error report to S3', async () => {
    const object = await stack.s3.send(
      new GetObjectCommand({
        Bucket: stack.runtime.physicalName('StorageImports'),
        Key: `errors/${first.importId}/errors.csv`,
      }),
    );
    const rows = parse(await (object.Body?.transformToString() ?? ''), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows).toEqual([
      { line: '43', field: 'offence_group', reason: expect.stringContaining('must be one of rape') },
      { line: '45', field: '(row)', reason: 'expected 16 fields, found 3' },
    ]);
  });

  it('leaves a readable history, and lists the execution', async () => {
    const history = await stack.sfn.send(
      new GetExecutionHistoryCommand({ executionArn: first.executionArn }),
    );
    const entered = (history.events ?? []).flatMap((event) => event.stateEnteredEventDetails?.name ?? []);
    expect(entered).toEqual(
      expect.arrayContaining(['MarkImportRunning', 'PlanImport', 'ImportChunk', 'SummariseImport']),
    );
    const listed = await stack.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: first.stateMachineArn }),
    );
    expect(listed.executions?.map((execution) => execution.name)).toContain(first.importId);
  });

  it('adds nothing when the same file is imported again', async () => {
    const again = await importFile(file);
    expect(again.status).toBe('SUCCEEDED');
    const record = await stack.api('GET', `/imports/${again.importId}`, { as: 'admin' });
    expect(record.body.counts).toEqual({
      read: 43,
      accepted: 0,
      updated: 0,
      rejected: 2,
      skipped: 1,
      skippedBy: { blankLine: 1, noCrimeId: 0, crimeTypeOutOfScope: 0 },
      duplicates: 41,
    });
  });

  it('refuses a second start of the same import, through the API and the SDK', async () => {
    const restart = await stack.api('POST', `/imports/${first.importId}/start`, { as: 'admin' });
    expect(restart.status).toBe(409);
    await expect(
      stack.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: first.stateMachineArn,
          name: first.importId,
          input: '{}',
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });
});

async function errorReportOf(importId: string): Promise<Record<string, string>[]> {
  const object = await stack.s3.send(
    new GetObjectCommand({
      Bucket: stack.runtime.physicalName('StorageImports'),
      Key: `errors/${importId}/errors.csv`,
    }),
  );
  return parse(await (object.Body?.transformToString() ?? ''), { columns: true });
}

describe('a bad quote', () => {
  it('is reported on its own line, and every row after it is read', async () => {
    const rows = good.trimEnd().split('\n').slice(1, 5);
    const [hyperlinked, ...valid] = rows.map((row, index) =>
      withColumn(row, 'crime_reference', `SYN/77${index}/26`),
    );
    const columns = parse(`${header}\n${hyperlinked}`, { columns: true })[0] as Record<string, string>;
    const unquoted = Object.values({ ...columns, summary: '=HYPERLINK("https://x.example/a","open")' }).join(
      ',',
    );
    const result = await importFile(`${header}\n${[unquoted, ...valid].join('\n')}\n`);

    expect(result.status).toBe('SUCCEEDED');
    const record = await stack.api('GET', `/imports/${result.importId}`, { as: 'admin' });
    expect(record.body.counts).toMatchObject({ read: 4, accepted: 3, rejected: 1 });
    expect(await errorReportOf(result.importId)).toEqual([
      {
        line: '2',
        field: '(row)',
        reason: expect.stringMatching(/^expected 16 fields, found 17; .*double quotes/),
      },
    ]);
    const lines = (await decisionsOf(result.importId)).map((d) => d.provenance.sourceLine).sort();
    expect(lines).toEqual([3, 4, 5]);
  });
});

describe('a corrected re-export', () => {
  const [rowA, rowB] = good
    .trimEnd()
    .split('\n')
    .slice(1, 3)
    .map((row, index) => withColumn(row, 'crime_reference', `SYN/66${index}/26`));
  const original = parse(`${header}\n${rowA}`, { columns: true })[0] as Record<string, string>;
  const correctedOutcome = original.outcome_code === '14' ? '16' : '14';
  const corrected = withColumn(
    withColumn(
      withColumn(rowA as string, 'unit', 'PPU Corrected'),
      'summary',
      'Synthetic summary, corrected',
    ),
    'outcome_code',
    correctedOutcome,
  );
  let first: Awaited<ReturnType<typeof importFile>>;
  let second: Awaited<ReturnType<typeof importFile>>;
  let decisionId: string;
  beforeAll(async () => {
    first = await importFile(`${header}\n${rowA}\n${rowB}\n`);
    second = await importFile(`${header}\n${corrected}\n${rowB}\n`);
    const [decision] = await decisionsOf(first.importId);
    decisionId = String(decision?.decisionId);
  });

  it('updates the changed decision and counts it updated; the identical row stays a duplicate', async () => {
    const record = await stack.api('GET', `/imports/${second.importId}`, { as: 'admin' });
    expect(record.body.counts).toMatchObject({
      read: 2,
      accepted: 0,
      updated: 1,
      duplicates: 1,
      rejected: 0,
    });
    const decision = await stack.api('GET', `/decisions/${decisionId}`, { as: 'auditor' });
    expect(decision.body).toMatchObject({
      unit: 'PPU Corrected',
      summary: 'Synthetic summary, corrected',
      outcomeCode: correctedOutcome,
      revision: 2,
      provenance: { importId: first.importId, sourceLine: 2 },
      changedBy: { importId: second.importId, sourceLine: 2 },
    });
  });

  it('keeps the earlier values in its history, with the import that changed them', async () => {
    const decision = await stack.api('GET', `/decisions/${decisionId}`, { as: 'auditor' });
    expect(decision.body.history).toEqual([
      {
        revision: 1,
        values: expect.objectContaining({
          unit: original.unit,
          summary: original.summary,
          outcomeCode: original.outcome_code,
        }),
        changedBy: { importId: second.importId, sourceLine: 2 },
        replacedAt: expect.any(String),
      },
    ]);
  });

  it('writes nothing more when a chunk of the update is retried', async () => {
    const stored = await stack.api('GET', `/imports/${second.importId}`, { as: 'admin' });
    const file = {
      importId: second.importId,
      bucket: stack.runtime.physicalName('StorageImports'),
      objectKey: String(stored.body.objectKey),
      format: 'force-csv' as const,
    };
    const plan = await planImport(file);
    const retried = await importChunk({ ...file, header: plan.header, chunk: plan.chunks[0] as Chunk });
    expect(retried.counts).toMatchObject({ accepted: 0, updated: 1, duplicates: 1 });
    const decision = await stack.api('GET', `/decisions/${decisionId}`, { as: 'auditor' });
    expect(decision.body.revision).toBe(2);
    expect(decision.body.history).toHaveLength(1);
  });
});

describe('decision dates', () => {
  it('refuses a decision dated in the future or before 1990 on its line, and imports the others', async () => {
    const rows = good.trimEnd().split('\n').slice(1, 4);
    const [future, ancient, fine] = rows.map((row, index) =>
      withColumn(row, 'crime_reference', `SYN/88${index}/26`),
    );
    const result = await importFile(
      `${header}\n${withColumn(future as string, 'decision_date', '2099-01-01')}\n${withColumn(ancient as string, 'decision_date', '1985-06-01')}\n${fine}\n`,
    );
    const record = await stack.api('GET', `/imports/${result.importId}`, { as: 'admin' });
    expect(record.body.counts).toMatchObject({ read: 3, accepted: 1, rejected: 2 });
    expect(await errorReportOf(result.importId)).toEqual([
      { line: '2', field: 'decision_date', reason: expect.stringMatching(/^is after today/) },
      { line: '3', field: 'decision_date', reason: 'is before 1990: is the year right?' },
    ]);
  });
});

describe('a bad file', () => {
  it('fails the import with the reason, writing no decision', async () => {
    const result = await importFile('crime_reference,victim_name\nX,Y\n', 'police');
    expect(result.status).toBe('FAILED');
    const record = await stack.api('GET', `/imports/${result.importId}`, { as: 'police' });
    expect(record.body).toMatchObject({ status: 'FAILED', failure: 'ValidationError' });
    expect(record.body.counts).toBeUndefined();
  });

  it('cannot be started before it is uploaded', async () => {
    const created = await stack.api('POST', '/imports', {
      as: 'admin',
      body: { format: 'force-csv', fileName: 'x.csv' },
    });
    const started = await stack.api('POST', `/imports/${created.body.importId}/start`, { as: 'admin' });
    expect(started.status).toBe(400);
    expect(started.body.issues).toEqual([
      { field: 'file', reason: 'nothing has been uploaded for this import' },
    ]);
  });
});
