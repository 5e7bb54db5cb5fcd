/**
 * Reviewers, panels and sittings in the main table, each under a deterministic key; the claim of a
 * sign-in by one reviewer: `SUBJECT#<subject>` / `REVIEWER`; and the closure of a sitting:
 * `SITTING#<id>` / `CLOSURE`, written in the transaction that closes it, so a sitting is closed
 * exactly once and the record says by which request.
 */
import { isDeepStrictEqual } from 'node:util';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { documents } from '../aws-clients.ts';
import { MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import { type LabelledItem, TransactionRefused, transactWrite } from '../data/transactions.ts';
import { mainTable } from '../environment.ts';
import { ConflictError, type FieldIssue, NotFoundError, ValidationError } from '../errors.ts';
import { findPerson } from '../people/people.ts';
import {
  type Panel,
  PanelSchema,
  type Reviewer,
  ReviewerSchema,
  type Sitting,
  type SittingPlan,
  SittingSchema,
  type SittingStatus,
  withLifecycle,
} from './panel.ts';

const CLOSED: SittingStatus = 'CLOSED';
const CANCELLED: SittingStatus = 'CANCELLED';

/** Reviewers and panels listed by name; sittings by panel and date. */
export const panelKeys = {
  reviewer: (reviewerId: string) => ({ pk: `REVIEWER#${reviewerId}`, sk: 'REVIEWER' }),
  panel: (panelId: string) => ({ pk: `PANEL#${panelId}`, sk: 'PANEL' }),
  sitting: (sittingId: string) => ({ pk: `SITTING#${sittingId}`, sk: 'SITTING' }),
  /** Which reviewer a sign-in is: at most one. */
  subject: (subject: string) => ({ pk: `SUBJECT#${subject}`, sk: 'REVIEWER' }),
  kinds: { reviewer: 'REVIEWER', panel: 'PANEL', sitting: 'SITTING' },
  listed: (kind: 'reviewer' | 'panel' | 'sitting', order: string) => ({
    gsi1pk: panelKeys.kinds[kind],
    gsi1sk: order,
  }),
};

const today = () => new Date().toISOString().slice(0, 10);

const put = (item: Record<string, unknown>) =>
  documents.send(new PutCommand({ TableName: mainTable(), Item: item }));

/**
 * Saves a reviewer, validated on the way in as well as out (a record that could not be read back is
 * never stored). One sign-in, one reviewer: the reviewer's subject is claimed (`SUBJECT#<subject>`)
 * in the same transaction, on condition that no other reviewer holds it, and a subject given up is
 * released; a ConflictError names the reviewer that holds it. The save is conditional on the
 * subject read, so two saves of one reviewer at once cannot leave a claim behind.
 */
export async function saveReviewer(reviewer: Reviewer): Promise<void> {
  const parsed = ReviewerSchema.parse(reviewer);
  const { Item: stored } = await documents.send(
    new GetCommand({
      TableName: mainTable(),
      Key: panelKeys.reviewer(parsed.reviewerId),
      ConsistentRead: true,
    }),
  );
  const before = stored?.subject as string | undefined;
  // Saved already as it is (a resend, or the same save made at once by another request).
  if (stored && isDeepStrictEqual(ReviewerSchema.parse(stored), parsed)) return;
  const items: LabelledItem<'reviewer' | 'subject' | 'released'>[] = [
    {
      label: 'reviewer',
      item: {
        Put: {
          TableName: mainTable(),
          Item: {
            ...panelKeys.reviewer(parsed.reviewerId),
            ...panelKeys.listed('reviewer', parsed.name),
            ...parsed,
          },
          ConditionExpression: !stored
            ? 'attribute_not_exists(pk)'
            : before === undefined
              ? 'attribute_not_exists(subject)'
              : 'subject = :before',
          ...(before !== undefined ? { ExpressionAttributeValues: { ':before': before } } : {}),
        },
      },
    },
  ];
  if (parsed.subject) {
    items.push({
      label: 'subject',
      item: {
        Put: {
          TableName: mainTable(),
          Item: { ...panelKeys.subject(parsed.subject), reviewerId: parsed.reviewerId },
          ConditionExpression: 'attribute_not_exists(pk) OR reviewerId = :me',
          ExpressionAttributeValues: { ':me': parsed.reviewerId },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    });
  }
  if (before !== undefined && before !== parsed.subject) {
    items.push({
      label: 'released',
      item: {
        Delete: {
          TableName: mainTable(),
          Key: panelKeys.subject(before),
          ConditionExpression: 'attribute_not_exists(pk) OR reviewerId = :me',
          ExpressionAttributeValues: { ':me': parsed.reviewerId },
        },
      },
    });
  }
  try {
    await transactWrite(items);
  } catch (error) {
    if (!(error instanceof TransactionRefused)) throw error;
    if (error.has('subject')) {
      const holder = String(error.stored.get('subject')?.reviewerId ?? 'another reviewer');
      throw new ConflictError(
        `The sign-in ${parsed.subject} is reviewer ${holder}'s already: one sign-in, one reviewer`,
      );
    }
    const { Item: now } = await documents.send(
      new GetCommand({
        TableName: mainTable(),
        Key: panelKeys.reviewer(parsed.reviewerId),
        ConsistentRead: true,
      }),
    );
    if (now && isDeepStrictEqual(ReviewerSchema.parse(now), parsed)) return;
    throw new ConflictError(`Reviewer ${parsed.reviewerId} changed meanwhile; look again`);
  }
}

/** Why the chair cannot chair: never signed in, or without the chair role; undefined when they can. */
async function chairIssue(subject: string): Promise<FieldIssue | undefined> {
  const field = 'body.chairSubject';
  const person = await findPerson(subject);
  if (!person)
    return {
      field,
      reason: `nobody with subject ${subject} has signed in: ask them to sign in once, then save the panel`,
    };
  if (!person.roles.includes('panel_chair'))
    return { field, reason: `${person.name ?? subject} does not hold the panel_chair role` };
  return undefined;
}

/**
 * Saves a Rape Scrutiny Panel (audit teams are opened with their round) whose chair is a person who has signed in with the chair role and whose members
 * are existing reviewers, each listed once; a ValidationError names every field that is not so.
 */
export async function savePanel(panel: Omit<Panel, 'kind'>): Promise<void> {
  const [reviewers, chair] = await Promise.all([
    listReviewers().then((all) => new Set(all.map((reviewer) => reviewer.reviewerId))),
    chairIssue(panel.chairSubject),
  ]);
  const memberIssues = panel.memberReviewerIds.flatMap((reviewerId, index) => {
    const field = `body.memberReviewerIds.${index}`;
    if (panel.memberReviewerIds.indexOf(reviewerId) < index)
      return [{ field, reason: `${reviewerId} is listed twice` }];
    if (!reviewers.has(reviewerId))
      return [{ field, reason: `${reviewerId} is not a reviewer: add them first` }];
    return [];
  });
  const issues = [...(chair ? [chair] : []), ...memberIssues];
  if (issues.length > 0) {
    throw new ValidationError(`Panel ${panel.panelId}: ${issues.map((i) => i.reason).join('; ')}`, issues);
  }
  const saved: Panel = { ...panel, kind: 'panel' };
  await put({ ...panelKeys.panel(panel.panelId), ...panelKeys.listed('panel', panel.name), ...saved });
}

/** Writes a sitting as given, whatever was there (seeding demo and benchmark data). */
export const saveSitting = (sitting: Sitting) =>
  put({
    ...panelKeys.sitting(sitting.sittingId),
    ...panelKeys.listed('sitting', `${sitting.panelId}#${sitting.date}`),
    ...sitting,
  });

/** A new sitting, PLANNED with an empty agenda; false when the id is taken meanwhile. */
export async function createSitting(sitting: Sitting): Promise<boolean> {
  try {
    await documents.send(
      new PutCommand({
        TableName: mainTable(),
        Item: {
          ...panelKeys.sitting(sitting.sittingId),
          ...panelKeys.listed('sitting', `${sitting.panelId}#${sitting.date}`),
          ...SittingSchema.parse({ ...sitting, status: 'PLANNED', agenda: [] }),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Changes a sitting's plan (date, deadline, capacity), leaving its agenda and status alone: only
 * if it is not closed, and its deadline and agenda are still those seen, so a closure or an
 * agenda change made meanwhile is never overwritten. False when refused on that.
 */
export async function changeSitting(seen: Sitting, plan: SittingPlan): Promise<boolean> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: panelKeys.sitting(seen.sittingId),
        UpdateExpression:
          'SET #date = :date, findingsDeadline = :deadline, maxCases = :maxCases, reviewersPerCase = :perCase, gsi1sk = :order',
        ConditionExpression:
          'NOT #status IN (:closed, :cancelled) AND findingsDeadline = :seenDeadline AND size(agenda) = :seenAgenda',
        ExpressionAttributeNames: { '#status': 'status', '#date': 'date' },
        ExpressionAttributeValues: {
          ':date': plan.date,
          ':deadline': plan.findingsDeadline,
          ':maxCases': plan.maxCases,
          ':perCase': plan.reviewersPerCase,
          ':order': panelKeys.listed('sitting', `${seen.panelId}#${plan.date}`).gsi1sk,
          ':closed': CLOSED,
          ':cancelled': CANCELLED,
          ':seenDeadline': seen.findingsDeadline,
          ':seenAgenda': seen.agenda.length,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export async function getSitting(sittingId: string): Promise<Sitting> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: panelKeys.sitting(sittingId) }),
  );
  if (!Item) throw new NotFoundError(`No sitting ${sittingId}`);
  return withLifecycle(SittingSchema.parse(Item), today());
}

export async function getPanel(panelId: string): Promise<Panel> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: panelKeys.panel(panelId) }),
  );
  if (!Item) throw new NotFoundError(`No panel ${panelId}`);
  return PanelSchema.parse(Item);
}

async function listKind<T>(kind: string, schema: { parse(value: unknown): T }): Promise<T[]> {
  const items = await queryAll({
    TableName: mainTable(),
    IndexName: MAIN_TABLE_INDEXES.byKind,
    KeyConditionExpression: 'gsi1pk = :kind',
    ExpressionAttributeValues: { ':kind': kind },
  });
  return items.map((item) => schema.parse(item));
}

export const listReviewers = () => listKind(panelKeys.kinds.reviewer, ReviewerSchema);
export const listSittings = async () =>
  (await listKind(panelKeys.kinds.sitting, SittingSchema)).map((sitting) => withLifecycle(sitting, today()));
export const listPanels = () => listKind(panelKeys.kinds.panel, PanelSchema);

/** A check, in a transaction, that the sitting is not over: nothing is assigned in a closed or cancelled sitting. */
export function sittingNotOver(sittingId: string): LabelledItem {
  return {
    label: 'sitting',
    item: {
      ConditionCheck: {
        TableName: mainTable(),
        Key: panelKeys.sitting(sittingId),
        ConditionExpression: 'NOT #status IN (:closed, :cancelled)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':closed': CLOSED, ':cancelled': CANCELLED },
      },
    },
  };
}

/** The agenda without the case, on condition that it is still the agenda read and the sitting not over. */
export function removeFromAgendaItem(seen: Sitting, caseId: string): LabelledItem {
  return {
    label: 'agenda',
    item: {
      Update: {
        TableName: mainTable(),
        Key: panelKeys.sitting(seen.sittingId),
        UpdateExpression: 'SET agenda = :agenda',
        // Every change to an agenda changes its size: the size read and the case still on it.
        ConditionExpression:
          'size(agenda) = :seen AND contains(agenda, :caseId) AND NOT #status IN (:closed, :cancelled)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':agenda': seen.agenda.filter((id) => id !== caseId),
          ':seen': seen.agenda.length,
          ':caseId': caseId,
          ':closed': CLOSED,
          ':cancelled': CANCELLED,
        },
      },
    },
  };
}

/** The sitting cancelled, on condition that its agenda is empty and it has not met or closed. */
export function cancelSittingItem(
  sittingId: string,
  cancelled: NonNullable<Sitting['cancelled']>,
): LabelledItem {
  return {
    label: 'sitting',
    item: {
      Update: {
        TableName: mainTable(),
        Key: panelKeys.sitting(sittingId),
        UpdateExpression: 'SET #status = :cancelled, cancelled = :record',
        ConditionExpression:
          'size(agenda) = :none AND NOT #status IN (:closed, :cancelled) AND #date > :today',
        ExpressionAttributeNames: { '#status': 'status', '#date': 'date' },
        ExpressionAttributeValues: {
          ':cancelled': CANCELLED,
          ':closed': CLOSED,
          ':record': cancelled,
          ':none': 0,
          ':today': cancelled.at.slice(0, 10),
        },
      },
    },
  };
}

export const SittingClosureSchema = z.object({
  sittingId: z.string(),
  at: z.iso.datetime(),
  by: z.string(),
  requestId: z.string(),
  /** Why the chair closed the sitting before the day it was to meet. */
  earlyReason: z.string().optional(),
  /** Set once everything that follows the closure (carry-overs, the final report) is done. */
  finishedAt: z.iso.datetime().optional(),
  reportId: z.string().optional(),
  packVersion: z.number().int().optional(),
});
export type SittingClosure = z.infer<typeof SittingClosureSchema>;

const closureKey = (sittingId: string) => ({ pk: panelKeys.sitting(sittingId).pk, sk: 'CLOSURE' });

export async function getClosure(sittingId: string): Promise<SittingClosure | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: closureKey(sittingId), ConsistentRead: true }),
  );
  return Item ? SittingClosureSchema.parse(Item) : undefined;
}

/**
 * The sitting marked closed and its closure recorded: refused (label `closure`, with the stored
 * closure) when it was closed already, so of any number of requests exactly one closes it.
 */
export function closeSittingItems(closure: SittingClosure): LabelledItem<'sitting' | 'closure'>[] {
  return [
    {
      label: 'sitting',
      item: {
        Update: {
          TableName: mainTable(),
          Key: panelKeys.sitting(closure.sittingId),
          UpdateExpression: 'SET #status = :closed, closedAt = :at, closedBy = :by',
          ConditionExpression: 'attribute_exists(pk) AND #status <> :cancelled',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':closed': CLOSED,
            ':cancelled': CANCELLED,
            ':at': closure.at,
            ':by': closure.by,
          },
        },
      },
    },
    {
      label: 'closure',
      item: {
        Put: {
          TableName: mainTable(),
          Item: { ...closureKey(closure.sittingId), ...SittingClosureSchema.parse(closure) },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    },
  ];
}

/** Records that everything following the closure is done, and which report it froze. */
export async function finishClosure(
  sittingId: string,
  finished: { at: string; reportId: string; packVersion: number },
): Promise<void> {
  await documents.send(
    new UpdateCommand({
      TableName: mainTable(),
      Key: closureKey(sittingId),
      UpdateExpression:
        'SET finishedAt = if_not_exists(finishedAt, :at), reportId = if_not_exists(reportId, :report), packVersion = if_not_exists(packVersion, :version)',
      ExpressionAttributeValues: {
        ':at': finished.at,
        ':report': finished.reportId,
        ':version': finished.packVersion,
      },
    }),
  );
}
