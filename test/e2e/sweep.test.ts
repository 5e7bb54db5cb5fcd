/** The scheduled sweep, fired as EventBridge would fire it, through the synthesized state machine. */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoPanel } from '../../local/seed.ts';
import { keys, kinds } from '../../shared/data/keys.ts';
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
        ...keys.import(importId),
        ...kinds.import(createdAt),
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
      new GetCommand({ TableName: stack.runtime.physicalName('TablesMain'), Key: keys.import(importId) }),
    )
  ).Item?.status;

describe('the sweep chasing overdue assignments', () => {
  it('marks each overdue assignment once, reminding the reviewer and telling the chair', async () => {
    await seedDemoPanel();
    const table = stack.runtime.physicalName('TablesMain');
    const assignment = {
      assignmentId: 'asg_overdue00000000000000000000',
      caseId: 'case_overdue0000000000000000000',
      sittingId: 'sit_2027q1',
      reviewerId: 'rev_morgan',
      reviewerSubject: 'demo-panel',
      role: 'reviewer',
      status: 'assigned',
      reason: 'load 0 of 4',
      dueDate: '2020-01-31',
      assignedAt: '2020-01-01T00:00:00.000Z',
    };
    await stack.documents.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...keys.assignment(assignment.assignmentId),
          ...kinds.assignment('rev_morgan', assignment.assignedAt),
          ...assignment,
        },
      }),
    );
    const runs = [];
    for (let run = 0; run < 2; run++) {
      const [executionArn] = await stack.runtime.scheduler.fire('SweepSchedule');
      runs.push(
        JSON.parse(String((await stack.runtime.stepFunctions.waitForExecution(String(executionArn))).output)),
      );
    }
    expect(runs.map((run) => run.overdueAssignments.overdue)).toEqual([[assignment.assignmentId], []]);
    const { Item } = await stack.documents.send(
      new GetCommand({ TableName: table, Key: keys.assignment(assignment.assignmentId) }),
    );
    expect(Item?.status).toBe('overdue');
    const notifications = await stack.documents.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'byKind',
        KeyConditionExpression: 'gsi1pk = :recipient',
        ExpressionAttributeValues: { ':recipient': 'NOTIFICATIONS#chair#pan_rsp' },
      }),
    );
    expect(notifications.Items?.map((n) => [n.kind, n.caseId])).toEqual([
      ['assignment-overdue', assignment.caseId],
    ]);
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
