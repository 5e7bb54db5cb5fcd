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
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { appendAuditEvents, auditEvent } from '../audit/audit-log.ts';
import { documents } from '../aws-clients.ts';
import { getCase, getCaseWithReviewers } from '../cases/case-store.ts';
import { keys } from '../data/keys.ts';
import { mainTable } from '../environment.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { deterministicId } from '../ids.ts';
import { chairsOf, notify } from '../notifications/notifications.ts';
import { sittingFor } from '../panels/agenda.ts';
import { getSitting, listSittings } from '../panels/panel-store.ts';
import { recordRecommendations } from '../recommendations/recommendations.ts';
import { recordHistory } from '../routing/assignments.ts';
import { contentHash, type Finding, latestVersions, refuseRecommendationsInThePast } from './finding.ts';
import { findingsOfCase, startConclusion } from './findings.ts';
import {
  getModeration,
  type Moderation,
  type ModerationRequest,
  ModerationSchema,
  moderationsOf,
} from './moderation.ts';

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

/**
 * Moves the case from one of `from`, setting the fields; false when it was in none of them, or not
 * in the sitting `where.sittingId` says (`null`: on no sitting).
 */
async function moveCase(
  caseId: string,
  from: readonly string[],
  set: Record<string, unknown>,
  where: { sittingId: string | null },
) {
  const names = Object.keys(set);
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: keys.reviewCase(caseId),
        UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
        ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')}) AND ${
          where.sittingId === null ? 'attribute_not_exists(sittingId)' : 'sittingId = :where'
        }`,
        ExpressionAttributeNames: {
          '#status': 'status',
          ...Object.fromEntries(names.map((n) => [`#${n}`, n])),
        },
        ExpressionAttributeValues: {
          ...Object.fromEntries(names.map((name) => [`:${name}`, set[name]])),
          ...Object.fromEntries(from.map((status, i) => [`:from${i}`, status])),
          ...(where.sittingId === null ? {} : { ':where': where.sittingId }),
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
 * A carried-over case goes on the agenda of the panel's next planned sitting if there is room, and
 * waits there for routing (OPEN, with the sittings it left on record); otherwise it waits for the
 * chair to place it. Every step finds itself done on a re-run.
 */
async function placeOnNextSitting(caseId: string, sittingId: string): Promise<string | undefined> {
  const next = await nextSittingAfter(sittingId);
  let placed: string | undefined;
  if (next) {
    try {
      await documents.send(
        new UpdateCommand({
          TableName: mainTable(),
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
  }
  if (
    placed &&
    !(await moveCase(caseId, ['CARRIED_OVER'], { status: 'OPEN', sittingId: placed }, { sittingId: null }))
  ) {
    // Already moved on: placed by a previous run, or by the chair somewhere else.
    if ((await getCase(caseId)).sittingId !== placed) placed = undefined;
  }
  return placed;
}

/** Statuses a case can be carried over from: in review, or (when its sitting closes) not yet routed. */
const CARRIABLE = [...OPEN_FOR_CONCLUSION, 'OPEN', 'CARRIED_OVER'];

/**
 * Carries the case from this sitting to the next: it leaves the sitting's reviewers, keeps every
 * sitting it left and the findings it was decided on, goes on the next sitting's agenda if there is
 * room, and the chair is told and the history says by whom and why. A re-run after an interruption
 * finds the carry-over recorded on the case and finishes it with the same time and reason (never
 * placing it twice). The answer's `at` is when the carry-over was recorded, by this run or an earlier one.
 */
export async function carryToNextSitting(
  caseId: string,
  sittingId: string,
  at: string,
  reason: { by: string; why: string },
  decidedOn: readonly string[] = [],
): Promise<{ carried: boolean; at?: string; to?: string }> {
  let carriedOver = { at, ...reason };
  let to: string | undefined;
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: keys.reviewCase(caseId),
        UpdateExpression:
          'SET #status = :carried, carriedOver = :carriedOver, decidedOn = :decidedOn, carriedOverFrom = list_append(if_not_exists(carriedOverFrom, :none), :from) REMOVE assignedReviewers, sittingId',
        ConditionExpression: `#status IN (${CARRIABLE.map((_, i) => `:s${i}`).join(', ')}) AND sittingId = :sitting`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':carried': 'CARRIED_OVER',
          ':carriedOver': carriedOver,
          ':decidedOn': [...decidedOn],
          ':none': [],
          ':from': [sittingId],
          ':sitting': sittingId,
          ...Object.fromEntries(CARRIABLE.map((status, i) => [`:s${i}`, status])),
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const current = await getCase(caseId);
    const leftThisSitting =
      current.carriedOverFrom?.at(-1) === sittingId &&
      (current.status === 'CARRIED_OVER' || (current.status === 'OPEN' && current.sittingId !== sittingId));
    if (!leftThisSitting || !current.carriedOver) return { carried: false };
    carriedOver = current.carriedOver;
    // Placed already (by the interrupted run, or by the chair): it stays where it is.
    to = current.sittingId;
  }
  to ??= await placeOnNextSitting(caseId, sittingId);
  const sitting = await getSitting(sittingId);
  await notify(chairsOf(sitting.panelId), 'case-carried-over', { caseId, sittingId }, carriedOver.at);
  await recordHistory(
    caseId,
    { action: 'carried-over', by: carriedOver.by, why: carriedOver.why },
    carriedOver.at,
  );
  return { carried: true, at: carriedOver.at, ...(to ? { to } : {}) };
}

/** Everything that follows a conclusion, dated by it, so a re-run writes each of them once. */
async function afterConclusion(
  caseId: string,
  sittingId: string,
  panelId: string,
  conclusion: { verdict: string; by: string; at: string },
  findings: readonly Finding[],
  moderation: Moderation | undefined,
) {
  await recordRecommendations(caseId, sittingId, findings, moderation, conclusion.at);
  await recordHistory(
    caseId,
    { action: 'concluded', by: `system:conclusion (${conclusion.by})`, why: conclusion.verdict },
    conclusion.at,
  );
  await notify(chairsOf(panelId), 'case-concluded', { caseId, sittingId }, conclusion.at);
}

/** Sent to the chair, dated by when the case went to moderation. */
async function afterModerationNeeded(caseId: string, sittingId: string, panelId: string, since: string) {
  await notify(chairsOf(panelId), 'moderation-needed', { caseId, sittingId }, since);
  await recordHistory(
    caseId,
    { action: 'to-moderation', by: 'system:conclusion', why: 'verdicts differ' },
    since,
  );
}

/** The conclusion workflow's one decision step: see the module comment. */
export async function assessCase(input: ConclusionInput, now = new Date()): Promise<Assessment> {
  const { caseId } = input;
  const at = now.toISOString();
  /** The change, audited under an id and time it alone determines: every run appends the same event. */
  const audit = (detail: Record<string, string>, changedAt: string) =>
    appendAuditEvents([
      auditEvent(
        { subject: input.requestedBy.subject, roles: [] },
        { action: 'alter', recordType: 'case', recordId: caseId, detail },
        input.execution.id,
        'conclude-case/AssessCase',
        new Date(changedAt),
        deterministicId('aud', caseId, JSON.stringify(detail), changedAt),
      ),
    ]);
  const snapshot = await getCaseWithReviewers(caseId);
  let reviewCase = snapshot.reviewCase;
  const carriedFrom = reviewCase.carriedOverFrom?.at(-1);
  if (
    reviewCase.status === 'CARRIED_OVER' &&
    !reviewCase.sittingId &&
    carriedFrom &&
    reviewCase.carriedOver
  ) {
    // A carry-over interrupted before the case was placed: finish it.
    const { to } = await carryToNextSitting(caseId, carriedFrom, at, reviewCase.carriedOver);
    await audit({ status: 'CARRIED_OVER' }, reviewCase.carriedOver.at);
    return { caseId, outcome: 'carried-over', sittingId: carriedFrom, ...(to ? { to } : {}) };
  }
  const sittingId = reviewCase.sittingId;
  if (!sittingId || ![...OPEN_FOR_CONCLUSION, 'CONCLUDED'].includes(reviewCase.status)) {
    return { caseId, outcome: 'unchanged', status: reviewCase.status };
  }
  const reviewers = snapshot.assignedReviewers;
  const latest = latestVersions(await findingsOfCase(caseId, sittingId));
  const findings = reviewers.map((reviewerId) => latest.get(reviewerId)).filter((f) => f !== undefined);
  const sitting = await getSitting(sittingId);
  const verdicts = new Set(findings.map((finding) => finding.verdict));
  const moderation = verdicts.size > 1 ? await getModeration(caseId, sittingId) : undefined;

  if (reviewCase.status === 'CONCLUDED' && reviewCase.verdict && reviewCase.concludedAt) {
    // A re-run after the case concluded: the follow-ups again (each written once), then the pack.
    const counted = findings.filter((finding) => (reviewCase.decidedOn ?? []).includes(finding.findingId));
    const conclusion = {
      verdict: reviewCase.verdict,
      by: reviewCase.concludedBy ?? 'agreement',
      at: reviewCase.concludedAt,
    };
    await afterConclusion(caseId, sittingId, sitting.panelId, conclusion, counted, moderation);
    await audit({ status: 'CONCLUDED', verdict: conclusion.verdict, by: conclusion.by }, conclusion.at);
    return { caseId, outcome: 'concluded', verdict: reviewCase.verdict, sittingId };
  }
  if (reviewers.length === 0 || findings.length < reviewers.length) {
    return { caseId, outcome: 'waiting', submitted: findings.length, of: reviewers.length };
  }
  const decidedOn = findings.map((finding) => finding.findingId);
  if (verdicts.size > 1 && !moderation) {
    const moved = await moveCase(
      caseId,
      ['ASSIGNED', 'IN_REVIEW'],
      { status: 'MODERATION', moderationSince: at },
      { sittingId },
    );
    reviewCase = moved ? reviewCase : await getCase(caseId);
    if (!moved && (reviewCase.status !== 'MODERATION' || reviewCase.sittingId !== sittingId)) {
      return { caseId, outcome: 'unchanged', status: reviewCase.status };
    }
    const since = moved ? at : (reviewCase.moderationSince ?? at);
    await afterModerationNeeded(caseId, sittingId, sitting.panelId, since);
    await audit({ status: 'MODERATION' }, since);
    return { caseId, outcome: 'moderation', sittingId };
  }
  const verdict = moderation ? moderation.verdict : String(findings[0]?.verdict);
  const by = moderation ? 'moderation' : 'agreement';
  if (verdict === 'cannot_conclude') {
    const reason = { by: `system:conclusion (${by})`, why: 'the panel cannot conclude' };
    const carry = await carryToNextSitting(caseId, sittingId, at, reason, decidedOn);
    if (!carry.carried) return { caseId, outcome: 'unchanged', status: (await getCase(caseId)).status };
    await audit({ status: 'CARRIED_OVER' }, carry.at ?? at);
    return { caseId, outcome: 'carried-over', sittingId, ...(carry.to ? { to: carry.to } : {}) };
  }
  const moved = await moveCase(
    caseId,
    OPEN_FOR_CONCLUSION,
    { status: 'CONCLUDED', verdict, concludedBy: by, concludedAt: at, decidedOn },
    { sittingId },
  );
  if (!moved) {
    // A concurrent run concluded it: its follow-ups are its own (or its re-run's).
    const current = await getCase(caseId);
    return current.status === 'CONCLUDED' && current.verdict
      ? { caseId, outcome: 'concluded', verdict: current.verdict, sittingId }
      : { caseId, outcome: 'unchanged', status: current.status };
  }
  await afterConclusion(caseId, sittingId, sitting.panelId, { verdict, by, at }, findings, moderation);
  await audit({ status: 'CONCLUDED', verdict, by }, at);
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
  const { reviewCase, assignedReviewers: reviewers } = await getCaseWithReviewers(caseId);
  const chairs = (sittingId: string) =>
    sittingFor(principal, sittingId).catch(() => {
      throw new NotFoundError(`No case ${caseId}`);
    });
  const hash = contentHash(request);
  // The same decision sent again (its answer was lost): wherever the case has gone since (carried
  // over by this very decision), answer with it and finish what followed it, once.
  const earlier = (await moderationsOf(caseId)).find((moderation) => moderation.contentHash === hash);
  if (earlier) {
    await chairs(earlier.sittingId);
    await afterModeration(earlier, principal.subject);
    return earlier;
  }
  if (!reviewCase.sittingId) throw new NotFoundError(`No case ${caseId}`);
  await chairs(reviewCase.sittingId);
  const sittingId = reviewCase.sittingId;
  const existing = await getModeration(caseId, sittingId);
  if (existing) throw new ConflictError(`Case ${caseId} was moderated on ${existing.moderatedAt}`);
  if (reviewCase.status !== 'MODERATION') {
    throw new ConflictError(
      `Case ${caseId} is not awaiting moderation (it is ${reviewCase.status.toLowerCase().replace('_', ' ')})`,
    );
  }
  refuseRecommendationsInThePast(request.recommendations, now.toISOString().slice(0, 10));
  const latest = latestVersions(await findingsOfCase(caseId, sittingId));
  const moderation = ModerationSchema.parse({
    ...request,
    caseId,
    sittingId,
    reviewerVerdicts: Object.fromEntries(
      reviewers.flatMap((reviewerId) => {
        const finding = latest.get(reviewerId);
        return finding ? [[reviewerId, finding.verdict]] : [];
      }),
    ),
    moderatedBy: principal.subject,
    moderatedAt: now.toISOString(),
    contentHash: hash,
  });
  try {
    await documents.send(
      new PutCommand({
        TableName: mainTable(),
        Item: { ...keys.moderation(caseId, sittingId), ...moderation },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const stored = await getModeration(caseId, sittingId);
    if (stored?.contentHash !== hash) throw new ConflictError(`Case ${caseId} was moderated meanwhile`);
  }
  const stored = (await getModeration(caseId, sittingId)) ?? moderation;
  await afterModeration(stored, principal.subject);
  return stored;
}

/** The moderation in the case history, and the conclusion workflow started on it (each once). */
async function afterModeration(moderation: Moderation, requestedBy: string) {
  await recordHistory(
    moderation.caseId,
    { action: 'moderated', by: moderation.moderatedBy, why: moderation.reason, verdict: moderation.verdict },
    moderation.moderatedAt,
  );
  await startConclusion(
    moderation.caseId,
    deterministicId('mod', moderation.caseId, moderation.sittingId),
    requestedBy,
  );
}
