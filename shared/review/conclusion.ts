/**
 * Concluding a case. The conclusion workflow (workflows/conclude-case.ts) runs after every finding
 * version and every moderation, and looks at the case afresh each time:
 *
 * - a reviewer still to submit: nothing changes;
 * - every current reviewer submitted and their latest verdicts agree: the case concludes with that
 *   verdict ("cannot conclude" agreed carries it to the next sitting instead);
 * - they disagree: the case goes to the chair for moderation; once the chair has decided (with a
 *   reason), the case concludes with the chair's verdict, or is carried over.
 *
 * Every write is conditional on the status it moves from, so a re-run converges on one outcome.
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { appendAuditEvents, auditEvent } from '../audit/audit-log.ts';
import { documents } from '../aws-clients.ts';
import { assignedReviewersOf, getCase } from '../cases/case-store.ts';
import { keys } from '../data/keys.ts';
import { ENV, requireEnv } from '../environment.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { deterministicId } from '../ids.ts';
import { chairsOf, notify } from '../notifications/notifications.ts';
import { sittingFor } from '../panels/agenda.ts';
import { getSitting, listSittings } from '../panels/panel-store.ts';
import { recordRecommendations } from '../recommendations/recommendations.ts';
import { recordHistory } from '../routing/assignments.ts';
import { findingsOfCase, latestVersions, startConclusion } from './findings.ts';
import { getModeration, type Moderation, type ModerationRequest, ModerationSchema } from './moderation.ts';

const table = () => requireEnv(ENV.mainTable);

export const ConclusionInputSchema = z.object({
  caseId: z.string(),
  requestedBy: z.object({ subject: z.string() }),
  execution: z.object({ id: z.string() }),
});
export type ConclusionInput = z.infer<typeof ConclusionInputSchema>;

export type Assessment =
  | { caseId: string; outcome: 'unchanged'; status: string }
  | { caseId: string; outcome: 'waiting'; submitted: number; of: number }
  | { caseId: string; outcome: 'moderation'; sittingId: string }
  | { caseId: string; outcome: 'concluded'; verdict: string; sittingId: string }
  | { caseId: string; outcome: 'carried-over'; sittingId: string; to?: string };

const OPEN_FOR_CONCLUSION = ['ASSIGNED', 'IN_REVIEW', 'MODERATION'];

/** Moves the case from one of `from` to `to`; false when it was not in one of them. */
async function moveCase(caseId: string, from: readonly string[], set: Record<string, unknown>) {
  const names = Object.keys(set);
  try {
    await documents.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.reviewCase(caseId),
        UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
        ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
        ExpressionAttributeNames: {
          '#status': 'status',
          ...Object.fromEntries(names.map((n) => [`#${n}`, n])),
        },
        ExpressionAttributeValues: {
          ...Object.fromEntries(names.map((name) => [`:${name}`, set[name]])),
          ...Object.fromEntries(from.map((status, i) => [`:from${i}`, status])),
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** The panel's next planned sitting after this one, if there is one. */
async function nextSittingAfter(sittingId: string) {
  const sitting = await getSitting(sittingId);
  return (await listSittings())
    .filter(
      (other) => other.panelId === sitting.panelId && other.date > sitting.date && other.status === 'PLANNED',
    )
    .sort((a, b) => a.date.localeCompare(b.date))[0];
}

/**
 * A carried-over case goes on the agenda of the panel's next planned sitting if there is room;
 * otherwise it waits for the chair to place it. The chair is told either way.
 */
async function placeOnNextSitting(
  caseId: string,
  sittingId: string,
  at: string,
): Promise<string | undefined> {
  const next = await nextSittingAfter(sittingId);
  let placed: string | undefined;
  if (next) {
    try {
      await documents.send(
        new UpdateCommand({
          TableName: table(),
          Key: keys.sitting(next.sittingId),
          UpdateExpression: 'SET agenda = list_append(agenda, :case)',
          ConditionExpression: 'size(agenda) < :max AND NOT contains(agenda, :caseId)',
          ExpressionAttributeValues: { ':case': [caseId], ':max': next.maxCases, ':caseId': caseId },
        }),
      );
      placed = next.sittingId;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      if ((await getSitting(next.sittingId)).agenda.includes(caseId)) placed = next.sittingId;
    }
    if (placed) {
      await documents.send(
        new UpdateCommand({
          TableName: table(),
          Key: keys.reviewCase(caseId),
          UpdateExpression: 'SET sittingId = :next',
          ConditionExpression: '#status = :carried',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':next': placed, ':carried': 'CARRIED_OVER' },
        }),
      );
    }
  }
  const sitting = await getSitting(sittingId);
  await notify(chairsOf(sitting.panelId), 'case-carried-over', { caseId, sittingId }, at);
  return placed;
}

/**
 * Concludes the case unless a concurrent run already did. Returns whether this run made the change
 * and the conclusion's time as recorded, which dates everything that follows it, so a second run
 * writes the same history, notifications and recommendations (deduplicated by their keys).
 */
async function conclude(
  caseId: string,
  verdict: string,
  concludedBy: 'agreement' | 'moderation',
  at: string,
): Promise<{ moved: boolean; concludedAt: string } | undefined> {
  const moved = await moveCase(caseId, OPEN_FOR_CONCLUSION, {
    status: 'CONCLUDED',
    verdict,
    concludedBy,
    concludedAt: at,
  });
  if (moved) return { moved, concludedAt: at };
  const current = await getCase(caseId);
  return current.status === 'CONCLUDED' && current.concludedAt
    ? { moved, concludedAt: current.concludedAt }
    : undefined;
}

/** Statuses a case can be carried over from: in review, or (when its sitting closes) never routed. */
const CARRIABLE = [...OPEN_FOR_CONCLUSION, 'OPEN'];

/**
 * Carries the case from this sitting to the next, once: it leaves the sitting's reviewers, keeps
 * every sitting it left, goes on the next sitting's agenda if there is room, and the history says
 * by whom and why. A concurrent or repeated run finds it done and changes nothing.
 */
export async function carryToNextSitting(
  caseId: string,
  sittingId: string,
  at: string,
  reason: { by: string; why: string },
): Promise<{ carried: boolean; to?: string }> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.reviewCase(caseId),
        UpdateExpression:
          'SET #status = :carried, carriedOverAt = :at, carriedOverFrom = list_append(if_not_exists(carriedOverFrom, :none), :from) REMOVE assignedReviewers, sittingId',
        ConditionExpression: `#status IN (${CARRIABLE.map((_, i) => `:s${i}`).join(', ')}) AND sittingId = :sitting`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':carried': 'CARRIED_OVER',
          ':at': at,
          ':none': [],
          ':from': [sittingId],
          ':sitting': sittingId,
          ...Object.fromEntries(CARRIABLE.map((status, i) => [`:s${i}`, status])),
        },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { carried: false };
    throw error;
  }
  const to = await placeOnNextSitting(caseId, sittingId, at);
  await recordHistory(caseId, { action: 'carried-over', ...reason, ...(to ? { to } : {}) }, at);
  return { carried: true, ...(to ? { to } : {}) };
}

/** The conclusion workflow's one decision step: see the module comment. */
export async function assessCase(input: ConclusionInput, now = new Date()): Promise<Assessment> {
  const { caseId } = input;
  const reviewCase = await getCase(caseId);
  const at = now.toISOString();
  const sittingId = reviewCase.sittingId;
  if (reviewCase.status === 'CONCLUDED' && sittingId && reviewCase.verdict) {
    // A re-run after the case concluded: the pack step still runs, and writes nothing twice.
    return { caseId, outcome: 'concluded', verdict: reviewCase.verdict, sittingId };
  }
  if (!OPEN_FOR_CONCLUSION.includes(reviewCase.status) || !sittingId) {
    return { caseId, outcome: 'unchanged', status: reviewCase.status };
  }
  const reviewers = await assignedReviewersOf(caseId);
  const latest = latestVersions(await findingsOfCase(caseId, sittingId));
  const submitted = reviewers.filter((reviewerId) => latest.has(reviewerId));
  if (reviewers.length === 0 || submitted.length < reviewers.length) {
    return { caseId, outcome: 'waiting', submitted: submitted.length, of: reviewers.length };
  }
  const findings = reviewers.map((reviewerId) => latest.get(reviewerId)).filter((f) => f !== undefined);
  const verdicts = new Set(findings.map((finding) => finding.verdict));
  const moderation = verdicts.size > 1 ? await getModeration(caseId, sittingId) : undefined;
  const sitting = await getSitting(sittingId);
  const audit = (detail: Record<string, string>) =>
    appendAuditEvents([
      auditEvent(
        { subject: input.requestedBy.subject, roles: [] },
        { action: 'alter', recordType: 'case', recordId: caseId, detail },
        input.execution.id,
        'conclude-case/AssessCase',
        now,
      ),
    ]);

  if (verdicts.size > 1 && !moderation) {
    if (await moveCase(caseId, ['ASSIGNED', 'IN_REVIEW'], { status: 'MODERATION', moderationSince: at })) {
      await notify(chairsOf(sitting.panelId), 'moderation-needed', { caseId, sittingId }, at);
      await recordHistory(
        caseId,
        { action: 'to-moderation', by: 'system:conclusion', why: 'verdicts differ' },
        at,
      );
      await audit({ status: 'MODERATION' });
    }
    return { caseId, outcome: 'moderation', sittingId };
  }
  const verdict = moderation ? moderation.verdict : String(findings[0]?.verdict);
  const by = moderation ? 'moderation' : 'agreement';
  if (verdict === 'cannot_conclude') {
    const { carried, to } = await carryToNextSitting(caseId, sittingId, at, {
      by: `system:conclusion (${by})`,
      why: 'the panel cannot conclude',
    });
    if (!carried) return { caseId, outcome: 'unchanged', status: (await getCase(caseId)).status };
    await audit({ status: 'CARRIED_OVER', by });
    return { caseId, outcome: 'carried-over', sittingId, ...(to ? { to } : {}) };
  }
  const concluded = await conclude(caseId, verdict, by, at);
  if (!concluded) return { caseId, outcome: 'unchanged', status: (await getCase(caseId)).status };
  const { concludedAt } = concluded;
  await recordRecommendations(caseId, sittingId, findings, moderation, concludedAt);
  await recordHistory(
    caseId,
    { action: 'concluded', by: `system:conclusion (${by})`, why: verdict },
    concludedAt,
  );
  await notify(chairsOf(sitting.panelId), 'case-concluded', { caseId, sittingId }, concludedAt);
  if (concluded.moved) await audit({ status: 'CONCLUDED', verdict, by });
  return { caseId, outcome: 'concluded', verdict, sittingId };
}

/**
 * The chair's decision on a case whose reviewers disagree, with the reason; the conclusion
 * workflow then concludes the case with it (or carries it over). Decided once per sitting.
 */
export async function moderate(
  principal: Principal,
  caseId: string,
  request: ModerationRequest,
  now = new Date(),
): Promise<Moderation> {
  const reviewCase = await getCase(caseId).catch((error) => {
    throw error instanceof NotFoundError ? new NotFoundError(`No case ${caseId}`) : error;
  });
  if (!reviewCase.sittingId) throw new NotFoundError(`No case ${caseId}`);
  await sittingFor(principal, reviewCase.sittingId).catch(() => {
    throw new NotFoundError(`No case ${caseId}`);
  });
  const sittingId = reviewCase.sittingId;
  const contentHash = createHash('sha256').update(JSON.stringify(request)).digest('hex');
  const existing = await getModeration(caseId, sittingId);
  if (existing) {
    if (existing.contentHash !== contentHash) {
      throw new ConflictError(`Case ${caseId} was moderated on ${existing.moderatedAt}`);
    }
    return existing;
  }
  if (reviewCase.status !== 'MODERATION') {
    throw new ConflictError(
      `Case ${caseId} is not awaiting moderation (it is ${reviewCase.status.toLowerCase().replace('_', ' ')})`,
    );
  }
  const today = now.toISOString().slice(0, 10);
  const late = request.recommendations.findIndex((recommendation) => recommendation.dueDate < today);
  if (late >= 0) {
    throw new ValidationError(`Invalid body: recommendations.${late}.dueDate: must not be in the past`, [
      { field: `body.recommendations.${late}.dueDate`, reason: 'must not be in the past' },
    ]);
  }
  const latest = latestVersions(await findingsOfCase(caseId, sittingId));
  const moderation = ModerationSchema.parse({
    ...request,
    caseId,
    sittingId,
    reviewerVerdicts: Object.fromEntries(
      [...latest].map(([reviewerId, finding]) => [reviewerId, finding.verdict]),
    ),
    moderatedBy: principal.subject,
    moderatedAt: now.toISOString(),
    contentHash,
  });
  try {
    await documents.send(
      new PutCommand({
        TableName: table(),
        Item: { ...keys.moderation(caseId, sittingId), ...moderation },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const stored = await getModeration(caseId, sittingId);
    if (stored?.contentHash !== contentHash)
      throw new ConflictError(`Case ${caseId} was moderated meanwhile`);
  }
  await recordHistory(
    caseId,
    { action: 'moderated', by: principal.subject, why: request.reason, verdict: request.verdict },
    moderation.moderatedAt,
  );
  await startConclusion(caseId, deterministicId('mod', caseId, sittingId), principal.subject);
  return (await getModeration(caseId, sittingId)) ?? moderation;
}
