/**
 * Putting reviewers on cases, and taking them off. Every step is a conditional or set-valued write
 * with a deterministic key, so a retried step converges: a reviewer's load in a sitting is the set
 * of its cases (adding a case twice counts once, and the add is refused at capacity, which keeps
 * concurrent routing honest); assignments and history events have ids derived from what they
 * record; the case keeps its assigned and declined reviewers as sets.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { documents } from '../aws-clients.ts';
import { getCaseWithReviewers } from '../cases/case-store.ts';
import { keys, kinds, MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import { getDecision } from '../decisions/decision-store.ts';
import { mainTable } from '../environment.ts';
import { ConflictError, NotFoundError, TransientError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { deterministicId } from '../ids.ts';
import { chairsOf, notify } from '../notifications/notifications.ts';
import { getPanel, getSitting, listReviewers } from '../panels/panel-store.ts';
import { ROUTING_ALGORITHM, type RoutingOutcome, routeCase } from './route-cases.ts';

export const AssignmentSchema = z.object({
  assignmentId: z.string(),
  caseId: z.string(),
  sittingId: z.string(),
  reviewerId: z.string(),
  reviewerSubject: z.string().optional(),
  role: z.enum(['reviewer', 'moderator']),
  status: z.enum(['assigned', 'declined', 'submitted', 'overdue', 'reassigned']),
  reason: z.string().describe('Why this reviewer was picked'),
  dueDate: z.iso.date(),
  assignedAt: z.iso.datetime(),
  declinedAt: z.iso.datetime().optional(),
});
export type Assignment = z.infer<typeof AssignmentSchema>;

export interface Actor {
  readonly subject: string;
  readonly requestId: string;
}

/** Appends an event to the case's history, once: its id derives from what it records. */
export async function recordHistory(
  caseId: string,
  event: Record<string, string>,
  at: string,
): Promise<void> {
  const eventId = deterministicId('evt', caseId, JSON.stringify(event));
  await documents
    .send(
      new PutCommand({
        TableName: mainTable(),
        Item: { ...keys.assignmentEvent(caseId, at, eventId), eventId, caseId, at, ...event },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    )
    .catch((error) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
}

/** The case's history as recordHistory wrote it, oldest first. */
export async function caseHistory(caseId: string): Promise<Record<string, unknown>[]> {
  return queryAll({
    TableName: mainTable(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :history)',
    ExpressionAttributeValues: { ':pk': keys.reviewCase(caseId).pk, ':history': 'HISTORY#' },
  });
}

/** Everyone a case history names as a reviewer, whether still on the case or not. */
export function reviewersIn(history: readonly Record<string, unknown>[]): string[] {
  return [
    ...new Set(history.map((event) => event.reviewerId).filter((id): id is string => typeof id === 'string')),
  ];
}

async function loadsOf(sittingId: string): Promise<Map<string, Set<string>>> {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: mainTable(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `LOAD#${sittingId}` },
    }),
  );
  return new Map(Items.map((item) => [String(item.sk), (item.cases as Set<string>) ?? new Set<string>()]));
}

/** Takes a place in the reviewer's capacity for this case; false when the reviewer is full. */
async function reserve(
  sittingId: string,
  reviewerId: string,
  caseId: string,
  capacity: number,
): Promise<boolean> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: keys.reviewerLoad(sittingId, reviewerId),
        UpdateExpression: 'ADD cases :case',
        ConditionExpression:
          'attribute_not_exists(cases) OR size(cases) < :capacity OR contains(cases, :caseId)',
        ExpressionAttributeValues: { ':case': new Set([caseId]), ':capacity': capacity, ':caseId': caseId },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

async function release(sittingId: string, reviewerId: string, caseId: string): Promise<void> {
  await documents.send(
    new UpdateCommand({
      TableName: mainTable(),
      Key: keys.reviewerLoad(sittingId, reviewerId),
      UpdateExpression: 'DELETE cases :case',
      ExpressionAttributeValues: { ':case': new Set([caseId]) },
    }),
  );
}

const MAX_ATTEMPTS = 3;

/**
 * Only one routing at a time per case: the case moves from OPEN (or CARRIED_OVER) to ROUTING for
 * this request, or stays with whoever claimed it. A retry of the same request claims it again.
 */
async function claimForRouting(caseId: string, requestId: string): Promise<boolean> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: keys.reviewCase(caseId),
        UpdateExpression: 'SET #status = :routing, routingBy = :me',
        ConditionExpression: '#status IN (:open, :carried) OR (#status = :routing AND routingBy = :me)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':routing': 'ROUTING',
          ':open': 'OPEN',
          ':carried': 'CARRIED_OVER',
          ':me': requestId,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Routes one case of a sitting under the rules (shared/routing/route-cases.ts) against the loads as
 * they are now, and assigns the picks. Nothing is half-assigned: if a reviewer fills up meanwhile,
 * the places taken are given back and the case is routed again.
 */
export async function routeAndAssign(
  caseId: string,
  sittingId: string,
  actor: Actor,
  now = new Date(),
  /** When the reviewers picked now must report by; the sitting's findings deadline unless given. */
  dueDate?: string,
): Promise<RoutingOutcome | { caseId: string; status: 'skipped'; reason: string }> {
  if (!(await claimForRouting(caseId, actor.requestId))) {
    return {
      caseId,
      status: 'skipped',
      reason: 'the case is being routed elsewhere or already has its reviewers',
    };
  }
  const sitting = await getSitting(sittingId);
  const panel = await getPanel(sitting.panelId);
  const members = (await listReviewers()).filter((reviewer) =>
    panel.memberReviewerIds.includes(reviewer.reviewerId),
  );
  const {
    reviewCase,
    assignedReviewers: assigned,
    declinedBy: declined,
  } = await getCaseWithReviewers(caseId);
  const decision = await getDecision(reviewCase.decisionId);
  const at = now.toISOString();

  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const loads = await loadsOf(sittingId);
    const outcome = routeCase(
      {
        caseId,
        decisionId: decision.decisionId,
        decidingBody: decision.decidingBody,
        ...(decision.unit ? { unit: decision.unit } : {}),
        ...(decision.decisionMakerId ? { decisionMakerId: decision.decisionMakerId } : {}),
        ...(decision.officerInCaseId ? { officerInCaseId: decision.officerInCaseId } : {}),
        reviewersNeeded: sitting.reviewersPerCase,
        declinedBy: declined,
        alreadyAssigned: assigned,
      },
      members.map((reviewer) => ({
        reviewerId: reviewer.reviewerId,
        agency: reviewer.agency,
        ...(reviewer.unit ? { unit: reviewer.unit } : {}),
        ...(reviewer.personId ? { personId: reviewer.personId } : {}),
        capacity: reviewer.capacityPerSitting,
        load: loads.get(reviewer.reviewerId)?.size ?? 0,
        standingConflicts: reviewer.standingConflicts,
        active: reviewer.active,
      })),
      sittingId,
    );
    await documents.send(
      new PutCommand({
        TableName: mainTable(),
        Item: {
          ...keys.routing(caseId),
          caseId,
          sittingId,
          algorithm: ROUTING_ALGORITHM,
          routedAt: at,
          outcome,
        },
      }),
    );
    if (outcome.status === 'unassignable') {
      await documents.send(
        new UpdateCommand({
          TableName: mainTable(),
          Key: keys.reviewCase(caseId),
          UpdateExpression: 'SET unassignable = :reason, #status = :open REMOVE routingBy',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':reason': outcome.reason, ':open': 'OPEN' },
        }),
      );
      await notify(chairsOf(panel.panelId), 'case-unassignable', { caseId, sittingId }, at);
      return outcome;
    }
    const reserved: string[] = [];
    for (const pick of outcome.picks) {
      const reviewer = members.find((member) => member.reviewerId === pick.reviewerId);
      if (await reserve(sittingId, pick.reviewerId, caseId, reviewer?.capacityPerSitting ?? 0))
        reserved.push(pick.reviewerId);
      else break;
    }
    if (reserved.length < outcome.picks.length) {
      for (const reviewerId of reserved) await release(sittingId, reviewerId, caseId);
      continue;
    }
    for (const pick of outcome.picks) {
      const reviewer = members.find((member) => member.reviewerId === pick.reviewerId);
      const assignment: Assignment = {
        // Per sitting: a carried-over case may go to the same reviewer again at the next sitting.
        assignmentId: deterministicId('asg', caseId, sittingId, pick.reviewerId),
        caseId,
        sittingId,
        reviewerId: pick.reviewerId,
        ...(reviewer?.subject ? { reviewerSubject: reviewer.subject } : {}),
        role: 'reviewer',
        status: 'assigned',
        reason: pick.reason,
        dueDate: dueDate ?? sitting.findingsDeadline,
        assignedAt: at,
      };
      await documents.send(
        new PutCommand({
          TableName: mainTable(),
          Item: {
            ...keys.assignment(assignment.assignmentId),
            ...kinds.assignment(pick.reviewerId, at),
            ...assignment,
          },
        }),
      );
      await recordHistory(
        caseId,
        {
          action: 'assigned',
          reviewerId: pick.reviewerId,
          by: actor.subject,
          why: pick.reason,
          requestId: actor.requestId,
        },
        at,
      );
      if (reviewer?.subject)
        await notify(
          reviewer.subject,
          'assigned',
          { caseId, sittingId, dueDate: dueDate ?? sitting.findingsDeadline },
          at,
        );
    }
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: keys.reviewCase(caseId),
        UpdateExpression:
          'SET #status = :assigned, sittingId = :sitting ADD assignedReviewers :picked REMOVE unassignable',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':assigned': 'ASSIGNED',
          ':sitting': sittingId,
          ':picked': new Set(
            outcome.picks.map((pick) => pick.reviewerId).concat(assigned.length ? assigned : []),
          ),
        },
      }),
    );
    return outcome;
  }
  throw new TransientError(`Case ${caseId}: reviewers kept filling up while it was routed; route it again`);
}

/**
 * Takes a reviewer off a case (declined, or moved by the chair) and routes the case again under
 * the same rules, never back to them. The assignment keeps its record; the history gains who, when,
 * why, and from whom to whom.
 */
async function removeAndReroute(
  assignment: Assignment,
  change: { status: 'declined' | 'reassigned'; why: string; conflict?: string },
  actor: Actor,
  now: Date,
  dueDate?: string,
) {
  const at = now.toISOString();
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: keys.assignment(assignment.assignmentId),
        UpdateExpression: `SET #status = :to, declinedAt = :at${change.conflict ? ', conflictDeclared = :conflict' : ''}`,
        ConditionExpression: '#status IN (:assigned, :overdue)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':to': change.status,
          ':assigned': 'assigned',
          ':overdue': 'overdue',
          ':at': at,
          ...(change.conflict ? { ':conflict': change.conflict } : {}),
        },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new ConflictError(`Assignment ${assignment.assignmentId} is no longer assigned`);
    }
    throw error;
  }
  // Off the case, as long as the case is still in this sitting (one carried to another sitting, or
  // decided, is not pulled back); then back to OPEN if it was in review: a reviewer short until
  // routed again. A case already OPEN (an earlier reviewer left and nobody was found) stays OPEN.
  let stillHere = true;
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: keys.reviewCase(assignment.caseId),
        UpdateExpression: 'DELETE assignedReviewers :reviewer ADD declinedBy :reviewer',
        ConditionExpression: 'sittingId = :sitting',
        ExpressionAttributeValues: {
          ':reviewer': new Set([assignment.reviewerId]),
          ':sitting': assignment.sittingId,
        },
      }),
    );
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: keys.reviewCase(assignment.caseId),
        UpdateExpression: 'SET #status = :open',
        ConditionExpression: 'sittingId = :sitting AND #status IN (:assigned, :inReview, :open)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':open': 'OPEN',
          ':sitting': assignment.sittingId,
          ':assigned': 'ASSIGNED',
          ':inReview': 'IN_REVIEW',
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    stillHere = false;
  }
  await release(assignment.sittingId, assignment.reviewerId, assignment.caseId);
  await recordHistory(
    assignment.caseId,
    {
      action: change.status,
      reviewerId: assignment.reviewerId,
      by: actor.subject,
      why: change.why,
      requestId: actor.requestId,
    },
    at,
  );
  if (!stillHere) {
    return {
      caseId: assignment.caseId,
      status: 'skipped' as const,
      reason: 'the case has left this sitting',
    };
  }
  const outcome = await routeAndAssign(assignment.caseId, assignment.sittingId, actor, now, dueDate);
  const sitting = await getSitting(assignment.sittingId);
  await notify(
    chairsOf(sitting.panelId),
    'reassigned',
    { caseId: assignment.caseId, sittingId: assignment.sittingId, reviewerId: assignment.reviewerId },
    at,
  );
  if (outcome.status === 'routed') {
    for (const pick of outcome.picks) {
      await recordHistory(
        assignment.caseId,
        {
          action: 'reassigned',
          fromReviewerId: assignment.reviewerId,
          reviewerId: pick.reviewerId,
          by: actor.subject,
          why: pick.reason,
          requestId: actor.requestId,
        },
        at,
      );
    }
  }
  return outcome;
}

/** A reviewer declines a case with a conflict declaration; the case is routed to someone else. */
export async function declineAssignment(
  principal: Principal,
  assignmentId: string,
  conflict: string,
  requestId: string,
  now = new Date(),
) {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: keys.assignment(assignmentId) }),
  );
  if (!Item || Item.reviewerSubject !== principal.subject)
    throw new NotFoundError(`No assignment ${assignmentId}`);
  const assignment = AssignmentSchema.parse(Item);
  if (assignment.status !== 'assigned')
    throw new ConflictError(`Assignment ${assignmentId} is ${assignment.status}`);
  const rerouted = await removeAndReroute(
    assignment,
    { status: 'declined', why: 'conflict declared', conflict },
    { subject: principal.subject, requestId },
    now,
  );
  return { assignment: { ...assignment, status: 'declined' as const }, rerouted };
}

/** The chair moves every case of one reviewer in a sitting to others (e.g. the reviewer has left). */
export async function reassignReviewer(
  sittingId: string,
  fromReviewerId: string,
  why: string,
  actor: Actor,
  now = new Date(),
) {
  const assigned = (await listOwnAssignments(fromReviewerId)).filter(
    (assignment) => assignment.sittingId === sittingId && assignment.status === 'assigned',
  );
  const moved = [];
  for (const assignment of assigned) {
    const outcome = await removeAndReroute(assignment, { status: 'reassigned', why }, actor, now);
    moved.push(
      outcome.status === 'routed'
        ? { caseId: assignment.caseId, to: outcome.picks.map((pick) => pick.reviewerId) }
        : { caseId: assignment.caseId, to: [], problem: outcome.reason },
    );
  }
  return { sittingId, fromReviewerId, moved };
}

export async function listOwnAssignments(reviewerId: string): Promise<Assignment[]> {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: mainTable(),
      IndexName: MAIN_TABLE_INDEXES.byKind,
      KeyConditionExpression: 'gsi1pk = :owner',
      ExpressionAttributeValues: { ':owner': `ASSIGNMENTS#${reviewerId}` },
      ScanIndexForward: false,
    }),
  );
  return Items.map((item) => AssignmentSchema.parse(item));
}

/** How long a reviewer who takes over an overdue case has to report. */
export const REASSIGNED_GRACE_DAYS = 7;

/**
 * The sweep's chase: every assignment still open past its findings deadline is marked overdue, its
 * reviewer reminded and the chair of its panel told, and the case goes to another reviewer under
 * the same rules with REASSIGNED_GRACE_DAYS to report. Running it again does nothing more.
 */
export async function chaseOverdueAssignments(asOf: string, requestId: string) {
  const today = asOf.slice(0, 10);
  const overdue: string[] = [];
  for (const reviewer of await listReviewers()) {
    for (const assignment of await listOwnAssignments(reviewer.reviewerId)) {
      if (assignment.status !== 'assigned' || assignment.dueDate >= today) continue;
      try {
        await documents.send(
          new UpdateCommand({
            TableName: mainTable(),
            Key: keys.assignment(assignment.assignmentId),
            UpdateExpression: 'SET #status = :overdue, overdueAt = :at',
            ConditionExpression: '#status = :assigned',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':overdue': 'overdue', ':assigned': 'assigned', ':at': asOf },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) continue;
        throw error;
      }
      overdue.push(assignment.assignmentId);
      const sitting = await getSitting(assignment.sittingId);
      const subject = {
        caseId: assignment.caseId,
        sittingId: assignment.sittingId,
        dueDate: assignment.dueDate,
      };
      await recordHistory(
        assignment.caseId,
        {
          action: 'overdue',
          reviewerId: assignment.reviewerId,
          by: 'system:sweep',
          why: 'findings deadline passed',
          requestId,
        },
        asOf,
      );
      if (reviewer.subject) await notify(reviewer.subject, 'overdue', subject, asOf);
      await notify(
        chairsOf(sitting.panelId),
        'assignment-overdue',
        { ...subject, reviewerId: assignment.reviewerId },
        asOf,
      );
      // Someone else takes the case under the same rules, with time to report.
      const newDueDate = new Date(new Date(asOf).getTime() + REASSIGNED_GRACE_DAYS * 86_400_000)
        .toISOString()
        .slice(0, 10);
      await removeAndReroute(
        { ...assignment, status: 'overdue' },
        { status: 'reassigned', why: 'findings deadline passed' },
        { subject: 'system:sweep', requestId },
        new Date(asOf),
        newDueDate,
      );
    }
  }
  return { overdue };
}
