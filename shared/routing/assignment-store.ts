/**
 * Assignments in the main table: their keys, the reviewers' loads that pay for them, the case's
 * history of who was put on and taken off it, and the transaction items that change them together.
 *
 * - `ASSIGNMENT#<id>`: one reviewer on one case in one sitting; the id derives from the three, so a
 *   second attempt to assign the same reviewer lands on the same item. Listed per reviewer.
 * - `LOAD#<sitting>` / `<reviewer>`: the set of the reviewer's cases in the sitting. A case enters it
 *   only in the transaction that assigns it (refused at capacity) and leaves it only in the one that
 *   takes the reviewer off, so a load always counts exactly the cases its reviewer holds there.
 * - `CASE#<case>` / `HISTORY#<at>#<event>`: append-only; an event's id derives from what it records.
 * - The case's reviewers (`assignedReviewers`, `declinedBy`) change only together with the
 *   assignments, and each change advances `reviewersVersion`, so a change planned on one set of
 *   reviewers is refused once that set has changed.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { documents } from '../aws-clients.ts';
import { caseKeys, getCaseWithReviewers } from '../cases/case-store.ts';
import type { CaseStatus } from '../cases/review-case.ts';
import { statusIn } from '../data/conditions.ts';
import { MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import type { LabelledItem } from '../data/transactions.ts';
import { mainTable } from '../environment.ts';
import { deterministicId } from '../ids.ts';

/** `withdrawn`: the case was taken off the agenda, or its sitting cancelled, before any finding. */
export const ASSIGNMENT_STATUSES = [
  'assigned',
  'declined',
  'submitted',
  'overdue',
  'reassigned',
  'withdrawn',
] as const;
export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number];
/** An assignment in one of these still waits for its reviewer's finding. */
export const OPEN_ASSIGNMENT: readonly AssignmentStatus[] = ['assigned', 'overdue'];
/** How an open assignment ends without a finding: declined by its reviewer, or moved by the panel. */
export type AssignmentEnding = Extract<AssignmentStatus, 'declined' | 'reassigned' | 'withdrawn'>;

export const AssignmentSchema = z.object({
  assignmentId: z.string(),
  caseId: z.string(),
  sittingId: z.string(),
  reviewerId: z.string(),
  reviewerSubject: z.string().optional(),
  role: z.enum(['reviewer', 'moderator']),
  status: z.enum(ASSIGNMENT_STATUSES),
  reason: z.string().describe('Why this reviewer was picked'),
  dueDate: z.iso.date(),
  assignedAt: z.iso.datetime(),
  questionSetVersion: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('The question set version its findings answer: the one current when it was made'),
  declinedAt: z.iso.datetime().optional(),
});
export type Assignment = z.infer<typeof AssignmentSchema>;

/** Per sitting: a carried-over case may go to the same reviewer again at the next sitting. */
export const assignmentIdOf = (caseId: string, sittingId: string, reviewerId: string) =>
  deterministicId('asg', caseId, sittingId, reviewerId);

export const assignmentKey = (assignmentId: string) => ({
  pk: `ASSIGNMENT#${assignmentId}`,
  sk: 'ASSIGNMENT',
});

/** The listing of one reviewer's assignments: a panel member lists only their own. */
export const assignmentsOfReviewer = (reviewerId: string) => `ASSIGNMENTS#${reviewerId}`;

export const loadPartition = (sittingId: string) => `LOAD#${sittingId}`;
export const loadKey = (sittingId: string, reviewerId: string) => ({
  pk: loadPartition(sittingId),
  sk: reviewerId,
});

const HISTORY = 'HISTORY#';

/** One event of a case's history: who did what to whom, and why. */
export type HistoryEvent = Record<string, string>;

/** Why the last routing of the case picked whom: in the case's partition. */
export const routingKey = (caseId: string) => ({ pk: caseKeys.item(caseId).pk, sk: 'ROUTING' });

const historyEventKey = (caseId: string, at: string, eventId: string) => ({
  pk: caseKeys.item(caseId).pk,
  sk: `${HISTORY}${at}#${eventId}`,
});

// Reads ------------------------------------------------------------------------------------------

export async function getAssignment(assignmentId: string): Promise<Assignment | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: assignmentKey(assignmentId), ConsistentRead: true }),
  );
  return Item ? AssignmentSchema.parse(Item) : undefined;
}

/** The reviewer's assignments, newest first. */
export async function listAssignmentsOf(reviewerId: string): Promise<Assignment[]> {
  const items = await queryAll({
    TableName: mainTable(),
    IndexName: MAIN_TABLE_INDEXES.byKind,
    KeyConditionExpression: 'gsi1pk = :owner',
    ExpressionAttributeValues: { ':owner': assignmentsOfReviewer(reviewerId) },
    ScanIndexForward: false,
  });
  return items.map((item) => AssignmentSchema.parse(item));
}

/** Each reviewer's cases in the sitting, by reviewer id. */
export async function loadsOf(sittingId: string): Promise<Map<string, ReadonlySet<string>>> {
  const items = await queryAll({
    TableName: mainTable(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': loadPartition(sittingId) },
    ConsistentRead: true,
  });
  return new Map(items.map((item) => [String(item.sk), (item.cases as Set<string>) ?? new Set<string>()]));
}

/** The case's history, oldest first. */
export async function caseHistory(caseId: string): Promise<Record<string, unknown>[]> {
  return queryAll({
    TableName: mainTable(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :history)',
    ExpressionAttributeValues: { ':pk': caseKeys.item(caseId).pk, ':history': HISTORY },
  });
}

/** Everyone a case history names as a reviewer, whether still on the case or not. */
export function reviewersIn(history: readonly Record<string, unknown>[]): string[] {
  return [
    ...new Set(history.map((event) => event.reviewerId).filter((id): id is string => typeof id === 'string')),
  ];
}

/** A case as routing sees it: its status and sitting, its reviewers, and the version of that set. */
/** A case's open assignments in the sitting: of every reviewer its history names (members come and go). */
export async function openAssignmentsOfCase(caseId: string, sittingId: string): Promise<Assignment[]> {
  const open: Assignment[] = [];
  for (const reviewerId of reviewersIn(await caseHistory(caseId))) {
    const assignment = await getAssignment(assignmentIdOf(caseId, sittingId, reviewerId));
    if (assignment && OPEN_ASSIGNMENT.includes(assignment.status)) open.push(assignment);
  }
  return open;
}

/**
 * Moves an assignment's due date with its sitting's findings deadline: only while it is still
 * assigned and due on the deadline it had (a date the chair set for it alone stays). False if not.
 */
export async function moveDueDate(assignmentId: string, from: string, to: string): Promise<boolean> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: table(),
        Key: assignmentKey(assignmentId),
        UpdateExpression: 'SET dueDate = :to',
        ConditionExpression: '#status = :assigned AND dueDate = :from',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':to': to, ':from': from, ':assigned': 'assigned' },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Moves an open assignment to another question set version: only while it is still open and on the
 * version read, so a finding submitted meanwhile keeps the questions it answered. False if not.
 */
export async function moveQuestionSet(assignment: Assignment, to: number): Promise<boolean> {
  const open = statusIn(OPEN_ASSIGNMENT, 'open');
  try {
    await documents.send(
      new UpdateCommand({
        TableName: table(),
        Key: assignmentKey(assignment.assignmentId),
        UpdateExpression: 'SET questionSetVersion = :to',
        ConditionExpression: `${open.condition} AND ${
          assignment.questionSetVersion === undefined
            ? 'attribute_not_exists(questionSetVersion)'
            : 'questionSetVersion = :from'
        }`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':to': to,
          ...open.values,
          ...(assignment.questionSetVersion === undefined ? {} : { ':from': assignment.questionSetVersion }),
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export interface CaseReviewers {
  readonly caseId: string;
  readonly decisionId: string;
  readonly status: CaseStatus;
  readonly sittingId?: string;
  readonly assigned: readonly string[];
  readonly declined: readonly string[];
  readonly version: number;
}

export async function caseReviewers(caseId: string): Promise<CaseReviewers> {
  const { reviewCase, assignedReviewers, declinedBy } = await getCaseWithReviewers(caseId, {
    consistent: true,
  });
  return {
    caseId,
    decisionId: reviewCase.decisionId,
    status: reviewCase.status,
    ...(reviewCase.sittingId ? { sittingId: reviewCase.sittingId } : {}),
    assigned: assignedReviewers,
    declined: declinedBy,
    version: reviewCase.reviewersVersion ?? 0,
  };
}

/** Appends an event to the case's history on its own, once: for changes made outside a transaction. */
export async function recordHistory(caseId: string, event: HistoryEvent, at: string): Promise<void> {
  const { Put } = historyEvent(caseId, event, at).item;
  await documents.send(new PutCommand(Put as NonNullable<typeof Put>)).catch((error) => {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  });
}

// Transaction items ------------------------------------------------------------------------------

const table = () => mainTable();

/** A place in the reviewer's capacity for the case: refused at capacity, or if already taken. */
export function reserveCapacity(
  sittingId: string,
  reviewerId: string,
  caseId: string,
  capacity: number,
): LabelledItem {
  return {
    label: `load ${reviewerId}`,
    item: {
      Update: {
        TableName: table(),
        Key: loadKey(sittingId, reviewerId),
        UpdateExpression: 'ADD cases :case',
        ConditionExpression:
          '(attribute_not_exists(cases) OR size(cases) < :capacity) AND NOT contains(cases, :caseId)',
        ExpressionAttributeValues: { ':case': new Set([caseId]), ':capacity': capacity, ':caseId': caseId },
      },
    },
  };
}

/** The place the reviewer's assignment to the case held, given back. */
export function freeCapacity(sittingId: string, reviewerId: string, caseId: string): LabelledItem {
  return {
    label: `load ${reviewerId}`,
    item: {
      Update: {
        TableName: table(),
        Key: loadKey(sittingId, reviewerId),
        UpdateExpression: 'DELETE cases :case',
        ExpressionAttributeValues: { ':case': new Set([caseId]) },
      },
    },
  };
}

/** A new assignment; refused if the reviewer already had one on this case in this sitting. */
export function putAssignment(assignment: Assignment): LabelledItem {
  return {
    label: `assignment ${assignment.assignmentId}`,
    item: {
      Put: {
        TableName: table(),
        Item: {
          ...assignmentKey(assignment.assignmentId),
          gsi1pk: assignmentsOfReviewer(assignment.reviewerId),
          gsi1sk: assignment.assignedAt,
          ...AssignmentSchema.parse(assignment),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

/**
 * Ends an assignment still open (assigned or overdue); refused if it was submitted or ended
 * meanwhile. `fields` are recorded with it (when, by what).
 */
export function endAssignment(
  assignmentId: string,
  to: AssignmentEnding,
  fields: Record<string, string>,
): LabelledItem {
  const names = Object.keys(fields);
  const open = statusIn(OPEN_ASSIGNMENT, 'open');
  return {
    label: `assignment ${assignmentId}`,
    item: {
      Update: {
        TableName: table(),
        Key: assignmentKey(assignmentId),
        UpdateExpression: `SET #status = :to${names.map((name) => `, #${name} = :${name}`).join('')}`,
        ConditionExpression: open.condition,
        ExpressionAttributeNames: {
          '#status': 'status',
          ...Object.fromEntries(names.map((name) => [`#${name}`, name])),
        },
        ExpressionAttributeValues: {
          ':to': to,
          ...open.values,
          ...Object.fromEntries(names.map((name) => [`:${name}`, fields[name]])),
        },
      },
    },
  };
}

/** Appends an event to the case's history; the same event at the same time is one item. */
export function historyEvent(caseId: string, event: HistoryEvent, at: string): LabelledItem {
  const eventId = deterministicId('evt', caseId, JSON.stringify(event));
  return {
    label: `history ${eventId}`,
    item: {
      Put: {
        TableName: table(),
        Item: { ...historyEventKey(caseId, at, eventId), eventId, caseId, at, ...event },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

/** Why the last routing of the case picked whom, and whom it excluded (`CASE#…/ROUTING`). */
export function routingRecord(caseId: string, record: Record<string, unknown>): LabelledItem {
  return {
    label: 'routing',
    item: { Put: { TableName: table(), Item: { ...routingKey(caseId), caseId, ...record } } },
  };
}

/** The case's reviewers after a change, and the status and note that go with them. */
export interface ReviewersChange {
  readonly assigned: readonly string[];
  readonly declined: readonly string[];
  readonly status?: CaseStatus;
  /** Why nobody could be found, kept on the case until someone is; undefined clears it. */
  readonly unassignable?: string;
}

/**
 * Sets the case's reviewers, on condition that the case is still where it was read: in the
 * sitting, in the status, with the same set of reviewers (same version). Refused otherwise, so
 * the caller reads the case again and plans afresh.
 */
export function changeCaseReviewers(seen: CaseReviewers, change: ReviewersChange): LabelledItem {
  const values: Record<string, unknown> = { ':next': seen.version + 1 };
  const set = ['reviewersVersion = :next'];
  const remove: string[] = [];
  // DynamoDB stores no empty set: a set with nobody in it is removed.
  const setOrRemove = (attribute: string, value: unknown, empty: boolean) => {
    if (empty) remove.push(attribute);
    else {
      set.push(`${attribute} = :${attribute}`);
      values[`:${attribute}`] = value;
    }
  };
  setOrRemove('assignedReviewers', new Set(change.assigned), change.assigned.length === 0);
  setOrRemove('declinedBy', new Set(change.declined), change.declined.length === 0);
  setOrRemove('unassignable', change.unassignable, change.unassignable === undefined);
  if (change.status) {
    set.push('#status = :status');
    values[':status'] = change.status;
  }
  return updateCaseAsSeen(
    seen,
    `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
    values,
  );
}

/** The condition that the case is still where it was read: sitting, status and reviewers' version. */
function caseAsSeen(seen: CaseReviewers) {
  return {
    condition: `sittingId = :sitting AND #status = :seenStatus AND ${
      seen.version > 0 ? 'reviewersVersion = :seenVersion' : 'attribute_not_exists(reviewersVersion)'
    }`,
    values: {
      ':sitting': seen.sittingId,
      ':seenStatus': seen.status,
      ...(seen.version > 0 ? { ':seenVersion': seen.version } : {}),
    },
  };
}

/**
 * The update of the case item, on condition that the case is still as read (and, if given, that
 * `alsoWhen` holds); the expression may refer to `#status`.
 */
function updateCaseAsSeen(
  seen: CaseReviewers,
  updateExpression: string,
  values: Record<string, unknown>,
  alsoWhen?: string,
): LabelledItem {
  const asSeen = caseAsSeen(seen);
  return {
    label: 'case',
    item: {
      Update: {
        TableName: table(),
        Key: caseKeys.item(seen.caseId),
        UpdateExpression: updateExpression,
        ConditionExpression: alsoWhen ? `${asSeen.condition} AND ${alsoWhen}` : asSeen.condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...values, ...asSeen.values },
      },
    },
  };
}

/**
 * Sends the case back to wait for an agenda: off its sitting, without reviewers, OPEN; on
 * condition that it is still as read (sitting, status, reviewers' version) and has no finding.
 */
export function returnCaseToWaiting(seen: CaseReviewers): LabelledItem {
  return updateCaseAsSeen(
    seen,
    'SET #status = :open, reviewersVersion = :next REMOVE sittingId, assignedReviewers, declinedBy, unassignable',
    { ':open': 'OPEN', ':next': seen.version + 1, ':none': 0 },
    '(attribute_not_exists(findingVersions) OR findingVersions = :none)',
  );
}

/** A check that the case's reviewers are still as read (same version), changing nothing. */
export function caseReviewersUnchanged(seen: CaseReviewers): LabelledItem {
  return {
    label: `case ${seen.caseId}`,
    item: {
      ConditionCheck: {
        TableName: table(),
        Key: caseKeys.item(seen.caseId),
        ConditionExpression:
          seen.version > 0 ? 'reviewersVersion = :seen' : 'attribute_not_exists(reviewersVersion)',
        ...(seen.version > 0 ? { ExpressionAttributeValues: { ':seen': seen.version } } : {}),
      },
    },
  };
}
