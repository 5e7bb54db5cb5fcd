/**
 * Tracking recommendations to closure: created once when a case concludes (ids derived from the
 * finding or moderation they come from, so a retried conclusion creates none twice), listed by due
 * date, closed with evidence, and chased by the sweep when overdue.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import { mainTable } from '../environment.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { deterministicId } from '../ids.ts';
import { chairsOf, notify } from '../notifications/notifications.ts';
import { sittingsFor } from '../panels/agenda.ts';
import { getSitting } from '../panels/panel-store.ts';
import type { Finding } from '../review/finding.ts';
import { type Recommendation, RecommendationSchema } from './recommendation.ts';

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

/** The recommendations of a concluded case: those of the findings that stand, and the chair's. */
export async function recordRecommendations(
  caseId: string,
  sittingId: string,
  findings: readonly Finding[],
  moderation: { recommendations: readonly Proposed[] } | undefined,
  at: string,
): Promise<string[]> {
  const proposed = [
    ...findings.flatMap((finding) =>
      finding.recommendations.map((recommendation, index) => ({
        recommendation,
        id: deterministicId('rec', finding.findingId, String(index)),
        source: { findingId: finding.findingId },
      })),
    ),
    ...(moderation?.recommendations ?? []).map((recommendation, index) => ({
      recommendation,
      id: deterministicId('rec', caseId, sittingId, 'moderation', String(index)),
      source: { moderation: true },
    })),
  ];
  for (const { recommendation, id, source } of proposed) {
    await createOnce({
      recommendationId: id,
      caseId,
      sittingId,
      source,
      text: recommendation.text,
      owner: recommendation.owner,
      dueDate: recommendation.dueDate,
      status: 'open',
      createdAt: at,
    });
  }
  return proposed.map(({ id }) => id);
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
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: recommendationKeys.item(recommendationId),
        UpdateExpression:
          'SET #status = :closed, closedAt = :at, closedBy = :by, closingEvidence = :evidence',
        ConditionExpression: '#status IN (:open, :overdue)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':closed': 'closed',
          ':open': 'open',
          ':overdue': 'overdue',
          ':at': now.toISOString(),
          ':by': principal.subject,
          ':evidence': evidence,
        },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new ConflictError(`Recommendation ${recommendationId} was closed meanwhile`);
    }
    throw error;
  }
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
