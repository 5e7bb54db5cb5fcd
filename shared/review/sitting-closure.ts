/**
 * Closing a sitting, after the panel has met: every case on its agenda still without a conclusion
 * (awaiting findings or moderation, or never routed) is carried to the next sitting, its open
 * assignments end, the sitting is marked closed, and its final report is made and frozen as the
 * sitting's evidence pack.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { keys } from '../data/keys.ts';
import { mainTable } from '../environment.ts';
import { ConflictError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { deterministicId } from '../ids.ts';
import { sittingFor } from '../panels/agenda.ts';
import { createSittingReport } from '../reports/reports.ts';
import { caseHistory, recordHistory, reviewersIn } from '../routing/assignments.ts';
import { carryToNextSitting } from './conclusion.ts';

/**
 * Ends an assignment still open when its sitting closed; a submitted one stays as it is. The
 * history records it, dated by the end, so a re-run after an interruption records it once.
 */
async function endOpenAssignment(
  caseId: string,
  sittingId: string,
  reviewerId: string,
  at: string,
  by: string,
) {
  const key = keys.assignment(deterministicId('asg', caseId, sittingId, reviewerId));
  let endedAt = at;
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: key,
        UpdateExpression: 'SET #status = :reassigned, endedAt = :at',
        ConditionExpression: '#status IN (:assigned, :overdue)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':reassigned': 'reassigned',
          ':assigned': 'assigned',
          ':overdue': 'overdue',
          ':at': at,
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const { Item } = await documents.send(new GetCommand({ TableName: mainTable(), Key: key }));
    if (Item?.status !== 'reassigned' || typeof Item.endedAt !== 'string') return;
    endedAt = Item.endedAt;
  }
  await recordHistory(caseId, { action: 'reassigned', reviewerId, by, why: 'the sitting closed' }, endedAt);
}

export async function closeSitting(principal: Principal, sittingId: string, now = new Date()) {
  const sitting = await sittingFor(principal, sittingId);
  if (sitting.status === 'CLOSED') throw new ConflictError(`Sitting ${sittingId} is already closed`);
  const at = now.toISOString();
  const carriedOver: { caseId: string; to?: string }[] = [];
  for (const caseId of sitting.agenda) {
    // A re-run (the first attempt failed part-way) finds each carry-over made and finishes it.
    const { carried, to } = await carryToNextSitting(caseId, sittingId, at, {
      by: principal.subject,
      why: 'not concluded when the sitting closed',
    });
    if (!carried) continue;
    // Every assignment the case had here, whoever held it (panel members come and go): each id
    // derives from case, sitting, reviewer, and the history names every reviewer the case ever had.
    for (const reviewerId of reviewersIn(await caseHistory(caseId))) {
      await endOpenAssignment(caseId, sittingId, reviewerId, at, principal.subject);
    }
    carriedOver.push({ caseId, ...(to ? { to } : {}) });
  }
  // The report before the status: if it fails, closing again does it all again, changing nothing twice.
  const report = await createSittingReport(principal, sittingId, now);
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: keys.sitting(sittingId),
        UpdateExpression: 'SET #status = :closed, closedAt = :at, closedBy = :by',
        ConditionExpression: '#status <> :closed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':closed': 'CLOSED', ':at': at, ':by': principal.subject },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new ConflictError(`Sitting ${sittingId} was closed meanwhile`);
    }
    throw error;
  }
  return { sittingId, status: 'CLOSED' as const, carriedOver, report };
}
