/** The scheduled sweep, fired as EventBridge would fire it, through the synthesized state machine. */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoPanel } from '../../local/seed.ts';
import { syntheticForceExport } from '../../local/synthetic-data.ts';
import { importKeys } from '../../shared/imports/import-store.ts';
import { assignmentIdOf, assignmentKey } from '../../shared/routing/assignment-store.ts';
import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => stack?.close());

async function putImport(importId: string, status: string, hoursAgo: number) {
  const createdAt = new Date(Date.now() - hoursAgo * 3_600_000).toISOString();
  await stack.documents.send(
    new PutCommand({
      TableName: stack.runtime.physicalName('TablesMain'),
      Item: {
        ...importKeys.item(importId),
        ...importKeys.listed(createdAt),
        importId,
        format: 'force-csv',
        fileName: 'x.csv',
        objectKey: `uploads/${importId}/source`,
        status,
        createdBy: 'demo-admin',
        createdAt,
      },
    }),
  );
}

const statusOf = async (importId: string) =>
  (
    await stack.documents.send(
      new GetCommand({ TableName: stack.runtime.physicalName('TablesMain'), Key: importKeys.item(importId) }),
    )
  ).Item?.status;

describe('the sweep chasing overdue assignments', () => {
  it('marks each overdue assignment once, tells reviewer and chair, and gives the case to someone else', async () => {
    await seedDemoPanel();
    await stack.importDecisions(syntheticForceExport({ count: 40, seed: 31 }), 'admin');
    const [decision] = await stack.eligibleDecisions();
    const caseId = String((await stack.nominate(String(decision?.decisionId))).body.caseId);
    await stack.api('POST', '/sittings/sit_2027q1/agenda', { as: 'chair', body: { caseIds: [caseId] } });
    await stack.routeSitting('sit_2027q1');

    const table = stack.runtime.physicalName('TablesMain');
    const caseItem = async () =>
      (
        await stack.documents.send(
          new GetCommand({ TableName: table, Key: { pk: `CASE#${caseId}`, sk: 'CASE' } }),
        )
      ).Item;
    const [late] = [...(((await caseItem())?.assignedReviewers as Set<string> | undefined) ?? [])].sort();
    const lateAssignment = assignmentIdOf(caseId, 'sit_2027q1', String(late));
    await stack.documents.send(
      new UpdateCommand({
        TableName: table,
        Key: assignmentKey(lateAssignment),
        UpdateExpression: 'SET dueDate = :past',
        ExpressionAttributeValues: { ':past': '2020-01-31' },
      }),
    );

    const runs = [];
    for (let run = 0; run < 2; run++) {
      const [executionArn] = await stack.runtime.scheduler.fire('SweepSchedule');
      runs.push(
        JSON.parse(String((await stack.runtime.stepFunctions.waitForExecution(String(executionArn))).output)),
      );
    }
    expect(runs.map((run) => run.overdueAssignments.overdue)).toEqual([[lateAssignment], []]);
    const { Item } = await stack.documents.send(
      new GetCommand({ TableName: table, Key: assignmentKey(lateAssignment) }),
    );
    expect(Item).toMatchObject({ status: 'reassigned', overdueAt: expect.any(String) });
    const reviewers = [...(((await caseItem())?.assignedReviewers as Set<string> | undefined) ?? [])];
    expect(reviewers).toHaveLength(2);
    expect(reviewers).not.toContain(late);
    const notifications = await stack.documents.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'byKind',
        KeyConditionExpression: 'gsi1pk = :recipient',
        ExpressionAttributeValues: { ':recipient': 'NOTIFICATIONS#chair#pan_rsp' },
      }),
    );
    expect(notifications.Items?.map((n) => n.kind).sort()).toEqual(['assignment-overdue', 'reassigned']);
    expect(JSON.stringify(notifications.Items)).not.toMatch(/summary|crimeReference/);
  });
});

describe('the sweep schedule', () => {
  it('is read from the template and runs every hour', () => {
    expect(stack.runtime.scheduler.rules.map((rule) => rule.everyMs)).toEqual([3_600_000]);
  });

  it('expires uploads that never arrived, and only those, however often it runs', async () => {
    await putImport('imp_stale00000000000000000000', 'AWAITING_UPLOAD', 30);
    await putImport('imp_fresh00000000000000000000', 'AWAITING_UPLOAD', 2);
    await putImport('imp_done000000000000000000000', 'COMPLETED', 30);

    for (let run = 0; run < 2; run++) {
      const [executionArn] = await stack.runtime.scheduler.fire('SweepSchedule');
      const result = await stack.runtime.stepFunctions.waitForExecution(String(executionArn));
      expect(result.status).toBe('SUCCEEDED');
      expect(JSON.parse(String(result.output)).expiredImports).toEqual({
        expired: run === 0 ? ['imp_stale00000000000000000000'] : [],
      });
    }
    expect(await statusOf('imp_stale00000000000000000000')).toBe('EXPIRED');
    expect(await statusOf('imp_fresh00000000000000000000')).toBe('AWAITING_UPLOAD');
    expect(await statusOf('imp_done000000000000000000000')).toBe('COMPLETED');
  });
});
