/**
 * Tracking recommendations to closure: created once when a case concludes (ids derived from the
 * finding or moderation they come from, so a retried conclusion creates none twice), listed by due
 * date, closed with evidence, and chased by the sweep when overdue.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { statusIn } from '../data/conditions.ts';
import { MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import { mainTable } from '../environment.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { deterministicId } from '../ids.ts';
import { chairsOf, notify } from '../notifications/notifications.ts';
import { sittingsFor } from '../panels/agenda.ts';
import { getSitting } from '../panels/panel-store.ts';
import type { Finding } from '../review/finding.ts';
import {
  type Recommendation,
  type RecommendationDecision,
  RecommendationSchema,
  TRACKED,
} from './recommendation.ts';

/** A recommendation's item, listed by due date, soonest first, for tracking and the sweep's chase. */
const recommendationKeys = {
  kind: 'RECOMMENDATION',
  item: (recommendationId: string) => ({ pk: `RECOMMENDATION#${recommendationId}`, sk: 'RECOMMENDATION' }),
  listed: (dueDate: string, recommendationId: string) => ({
    gsi1pk: recommendationKeys.kind,
    gsi1sk: `${dueDate}#${recommendationId}`,
  }),
};

interface Proposed {
  readonly text: string;
  readonly owner: string;
  readonly dueDate: string;
}

async function createOnce(recommendation: Recommendation): Promise<void> {
  try {
    await documents.send(
      new PutCommand({
        TableName: mainTable(),
        Item: {
          ...recommendationKeys.item(recommendation.recommendationId),
          ...recommendationKeys.listed(recommendation.dueDate, recommendation.recommendationId),
          ...RecommendationSchema.parse(recommendation),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** Proposals that say the same (ignoring case and spacing), to the same owner by the same date, are one. */
const proposalKey = ({ text, owner, dueDate }: Proposed) =>
  [text, owner]
    .map((part) => part.trim().replace(/\s+/g, ' ').toLowerCase())
    .concat(dueDate)
    .join('\u001f');

/**
 * The recommendations of a concluded case: the reviewers' proposals in the findings that stand,
 * identical ones grouped, each `proposed` for the chair to decide; and those the chair made in
 * moderation, tracked (`open`) at once.
 */
export async function recordRecommendations(
  caseId: string,
  sittingId: string,
  findings: readonly Finding[],
  moderation: { recommendations: readonly Proposed[] } | undefined,
  at: string,
): Promise<string[]> {
  const grouped = new Map<string, { recommendation: Proposed; findingIds: string[] }>();
  for (const finding of findings) {
    for (const recommendation of finding.recommendations) {
      const key = proposalKey(recommendation);
      const group = grouped.get(key) ?? { recommendation, findingIds: [] };
      if (!group.findingIds.includes(finding.findingId)) group.findingIds.push(finding.findingId);
      grouped.set(key, group);
    }
  }
  const records: Recommendation[] = [
    ...[...grouped].map(([key, { recommendation, findingIds }]) => ({
      recommendationId: deterministicId('rec', caseId, sittingId, 'proposal', key),
      source: { findingIds: findingIds.sort() },
      status: 'proposed' as const,
      recommendation,
    })),
    ...(moderation?.recommendations ?? []).map((recommendation, index) => ({
      recommendationId: deterministicId('rec', caseId, sittingId, 'moderation', String(index)),
      source: { moderation: true },
      status: 'open' as const,
      recommendation,
    })),
  ].map(({ recommendation, ...record }) => ({
    ...record,
    caseId,
    sittingId,
    text: recommendation.text,
    owner: recommendation.owner,
    dueDate: recommendation.dueDate,
    createdAt: at,
  }));
  for (const record of records) await createOnce(record);
  return records.map(({ recommendationId }) => recommendationId);
}

/** Every recommendation, soonest due first. They number in the hundreds a year. */
export async function listRecommendations(): Promise<Recommendation[]> {
  const items = await queryAll({
    TableName: mainTable(),
    IndexName: MAIN_TABLE_INDEXES.byKind,
    KeyConditionExpression: 'gsi1pk = :kind',
    ExpressionAttributeValues: { ':kind': recommendationKeys.kind },
  });
  return items.map((item) => RecommendationSchema.parse(item));
}

/**
 * The recommendations the principal may see: all of them for the audit team and admins; for a
 * chair, those of the sittings of the panels they chair.
 */
async function visibleSittings(principal: Principal): Promise<((sittingId: string) => boolean) | undefined> {
  if (principal.roles.includes('admin') || principal.roles.includes('auditor')) return undefined;
  const chaired = new Set((await sittingsFor(principal)).map((sitting) => sitting.sittingId));
  return (sittingId) => chaired.has(sittingId);
}

export async function recommendationsFor(principal: Principal): Promise<Recommendation[]> {
  const visible = await visibleSittings(principal);
  const all = await listRecommendations();
  return visible ? all.filter((recommendation) => visible(recommendation.sittingId)) : all;
}

export async function getRecommendation(recommendationId: string): Promise<Recommendation> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: recommendationKeys.item(recommendationId) }),
  );
  if (!Item) throw new NotFoundError(`No recommendation ${recommendationId}`);
  return RecommendationSchema.parse(Item);
}

/**
 * Sets the recommendation's attributes on condition that its status is still one of `from`, as it
 * was read; a 409 saying `conflict` once another change got there first.
 */
async function updateIfStatus(
  recommendationId: string,
  set: Record<string, unknown>,
  from: readonly string[],
  conflict: string,
): Promise<void> {
  const names = Object.keys(set);
  const seen = statusIn(from, 'from');
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: recommendationKeys.item(recommendationId),
        UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
        ConditionExpression: seen.condition,
        ExpressionAttributeNames: {
          '#status': 'status',
          ...Object.fromEntries(names.map((name) => [`#${name}`, name])),
        },
        ExpressionAttributeValues: {
          ...Object.fromEntries(names.map((name) => [`:${name}`, set[name]])),
          ...seen.values,
        },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw new ConflictError(conflict);
    throw error;
  }
}

/** Closes an open (or overdue) recommendation with the evidence of what was done. */
export async function closeRecommendation(
  principal: Principal,
  recommendationId: string,
  evidence: string,
  now = new Date(),
): Promise<Recommendation> {
  const current = await getRecommendation(recommendationId);
  const visible = await visibleSittings(principal);
  if (visible && !visible(current.sittingId))
    throw new NotFoundError(`No recommendation ${recommendationId}`);
  if (current.status === 'closed') {
    if (current.closingEvidence === evidence && current.closedBy === principal.subject) return current;
    throw new ConflictError(`Recommendation ${recommendationId} was closed on ${current.closedAt}`);
  }
  if (current.status !== 'open' && current.status !== 'overdue') {
    throw new ConflictError(
      `Recommendation ${recommendationId} is ${current.status}: only an accepted recommendation is closed`,
    );
  }
  await updateIfStatus(
    recommendationId,
    { status: 'closed', closedAt: now.toISOString(), closedBy: principal.subject, closingEvidence: evidence },
    ['open', 'overdue'],
    `Recommendation ${recommendationId} was closed meanwhile`,
  );
  return getRecommendation(recommendationId);
}

/** The decision as it reads once made: what a resend of the same decision must match. */
function sameDecision(current: Recommendation, decision: RecommendationDecision, by: string): boolean {
  if (current.decidedBy !== by) return false;
  if (decision.decision === 'drop')
    return current.status === 'dropped' && current.decisionReason === decision.reason;
  if (decision.decision === 'merge')
    return current.status === 'merged' && current.mergedInto === decision.into;
  return (
    TRACKED.includes(current.status) &&
    (decision.text ?? current.text) === current.text &&
    (decision.owner ?? current.owner) === current.owner &&
    (decision.dueDate ?? current.dueDate) === current.dueDate
  );
}

/**
 * The chair decides a reviewer's proposal, once: accepted (as proposed, or with its text, owner or
 * due date changed) it is tracked as `open`; merged into another recommendation of the same case,
 * or dropped with a reason, it is kept with the decision and never tracked. The same decision sent
 * again answers as made; a different one is a 409.
 */
export async function decideRecommendation(
  principal: Principal,
  recommendationId: string,
  decision: RecommendationDecision,
  now = new Date(),
): Promise<Recommendation> {
  const current = await getRecommendation(recommendationId);
  const visible = await visibleSittings(principal);
  if (visible && !visible(current.sittingId))
    throw new NotFoundError(`No recommendation ${recommendationId}`);
  if (current.status !== 'proposed') {
    if (sameDecision(current, decision, principal.subject)) return current;
    throw new ConflictError(
      `Recommendation ${recommendationId} is ${current.status}: it was decided on ${current.decidedAt ?? current.createdAt}`,
    );
  }
  const at = now.toISOString();
  const set: Record<string, unknown> = { decidedAt: at, decidedBy: principal.subject };
  if (decision.decision === 'accept') {
    const dueDate = decision.dueDate ?? current.dueDate;
    if (dueDate < at.slice(0, 10)) {
      throw new ValidationError(`dueDate ${dueDate} is in the past`, [
        {
          field: 'body.dueDate',
          reason: `must not be in the past (the proposal was due ${current.dueDate}): give a new date`,
        },
      ]);
    }
    Object.assign(set, {
      status: 'open',
      text: decision.text ?? current.text,
      owner: decision.owner ?? current.owner,
      dueDate,
      ...recommendationKeys.listed(dueDate, recommendationId),
    });
  } else if (decision.decision === 'drop') {
    Object.assign(set, { status: 'dropped', decisionReason: decision.reason });
  } else {
    const into = await getRecommendation(decision.into).catch(() => undefined);
    const reason = (why: string) =>
      new ValidationError(`into: ${why}`, [{ field: 'body.into', reason: why }]);
    if (!into || into.caseId !== current.caseId)
      throw reason(`${decision.into} is not a recommendation of case ${current.caseId}`);
    if (into.recommendationId === recommendationId)
      throw reason('a recommendation cannot be merged into itself');
    if (!['proposed', 'open', 'overdue'].includes(into.status))
      throw reason(`${decision.into} is ${into.status}`);
    Object.assign(set, {
      status: 'merged',
      mergedInto: decision.into,
      ...(decision.reason ? { decisionReason: decision.reason } : {}),
    });
  }
  await updateIfStatus(
    recommendationId,
    set,
    ['proposed'],
    `Recommendation ${recommendationId} was decided meanwhile; look again`,
  );
  return getRecommendation(recommendationId);
}

/**
 * The sweep's chase: every open recommendation past its due date is marked overdue and the chair of
 * its panel told, once. Running it again does nothing more.
 */
export async function chaseOverdueRecommendations(asOf: string): Promise<{ overdue: string[] }> {
  const today = asOf.slice(0, 10);
  const overdue: string[] = [];
  for (const recommendation of await listRecommendations()) {
    if (recommendation.status !== 'open' || recommendation.dueDate >= today) continue;
    try {
      await documents.send(
        new UpdateCommand({
          TableName: mainTable(),
          Key: recommendationKeys.item(recommendation.recommendationId),
          UpdateExpression: 'SET #status = :overdue, overdueAt = :at',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':overdue': 'overdue', ':open': 'open', ':at': asOf },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) continue;
      throw error;
    }
    overdue.push(recommendation.recommendationId);
    const sitting = await getSitting(recommendation.sittingId);
    await notify(
      chairsOf(sitting.panelId),
      'recommendation-overdue',
      {
        recommendationId: recommendation.recommendationId,
        caseId: recommendation.caseId,
        sittingId: recommendation.sittingId,
        dueDate: recommendation.dueDate,
      },
      asOf,
    );
  }
  return { overdue };
}
