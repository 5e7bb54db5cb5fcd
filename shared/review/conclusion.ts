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
 * Each move of the case is one transaction with what must never be missing from it: concluding,
 * the "concluded" history event and the first version of the evidence pack reserved (so no pack is
 * written for a conclusion that is not on record); going to moderation, its history event; a
 * carry-over, its history event and the place on the next sitting's agenda. The move is
 * conditioned on the status it moves from, the sitting, and the count of finding versions the
 * assessment read (finding-store.ts), so a finding that lands meanwhile refuses it and the case
 * is assessed again on what is there now. What follows a move (recommendations, notifications,
 * the audit event) is dated by the move and written once, so a re-run finishes it.
 */
import { z } from 'zod';
import { appendAuditEvents, auditEvent } from '../audit/audit-log.ts';
import { caseKeys, getCase, getCaseWithReviewers } from '../cases/case-store.ts';
import type { CaseStatus } from '../cases/review-case.ts';
import { statusIn } from '../data/conditions.ts';
import { type LabelledItem, TransactionRefused, transactWrite } from '../data/transactions.ts';
import { mainTable } from '../environment.ts';
import { ConflictError, NotFoundError, TransientError } from '../errors.ts';
import { reserveFirstCasePack } from '../evidence/packs.ts';
import type { Principal } from '../http/principal.ts';
import { deterministicId } from '../ids.ts';
import { tellNominators } from '../nominations/nominator-news.ts';
import { chairsOf, notify } from '../notifications/notifications.ts';
import { sittingFor } from '../panels/agenda.ts';
import type { Sitting } from '../panels/panel.ts';
import { getSitting, listSittings, panelKeys } from '../panels/panel-store.ts';
import { recordRecommendations } from '../recommendations/recommendations.ts';
import { historyEvent } from '../routing/assignment-store.ts';
import {
  contentHash,
  type Finding,
  latestVersions,
  refuseRecommendationsInThePast,
  statusInWords,
} from './finding.ts';
import {
  findingsOfCase,
  getModeration,
  moderationCause,
  moderationsOf,
  storeModeration,
} from './finding-store.ts';
import { startConclusion } from './findings.ts';
import { type Moderation, type ModerationRequest, ModerationSchema } from './moderation.ts';

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

const OPEN_FOR_CONCLUSION: readonly CaseStatus[] = ['ASSIGNED', 'IN_REVIEW', 'MODERATION'];

/** Statuses a case can be carried over from: in review, or (when its sitting closes) not yet routed. */
const CARRIABLE: readonly CaseStatus[] = [...OPEN_FOR_CONCLUSION, 'OPEN', 'CARRIED_OVER'];

/** The case as an assessment read it: a move it decides on is refused once any of this changed. */
interface Read {
  readonly caseId: string;
  readonly status: CaseStatus;
  readonly sittingId: string;
  readonly findingVersions: number;
}

/** The condition that the case is still as read, with the values it names. */
function stillAsRead(read: Read) {
  return {
    condition: `#status = :read AND sittingId = :sitting AND ${
      read.findingVersions > 0 ? 'findingVersions = :counted' : 'attribute_not_exists(findingVersions)'
    }`,
    values: {
      ':read': read.status,
      ':sitting': read.sittingId,
      ...(read.findingVersions > 0 ? { ':counted': read.findingVersions } : {}),
    },
  };
}

/** Moves the case as read, setting the fields: refused unless it is still as read. */
function moveCase(read: Read, set: Record<string, unknown>): LabelledItem {
  const names = Object.keys(set);
  const { condition, values } = stillAsRead(read);
  return {
    label: 'case',
    item: {
      Update: {
        TableName: mainTable(),
        Key: caseKeys.item(read.caseId),
        UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: {
          '#status': 'status',
          ...Object.fromEntries(names.map((name) => [`#${name}`, name])),
        },
        ExpressionAttributeValues: {
          ...values,
          ...Object.fromEntries(names.map((name) => [`:${name}`, set[name]])),
        },
      },
    },
  };
}

/** Writes a move with what goes with it; false when the case was no longer as read. */
async function moved(items: readonly LabelledItem[]): Promise<boolean> {
  try {
    await transactWrite(items);
    return true;
  } catch (error) {
    if (error instanceof TransactionRefused && error.has('case')) return false;
    throw error;
  }
}

/** The panel's next planned sitting after this one, if there is one. */
async function nextSittingAfter(sittingId: string): Promise<Sitting | undefined> {
  const sitting = await getSitting(sittingId);
  return (await listSittings())
    .filter(
      (other) => other.panelId === sitting.panelId && other.date > sitting.date && other.status === 'PLANNED',
    )
    .sort((a, b) => a.date.localeCompare(b.date))[0];
}

/** The case added to the sitting's agenda: refused once it is full or has the case already. */
function addToAgenda(sitting: Sitting, caseId: string): LabelledItem {
  return {
    label: 'agenda',
    item: {
      Update: {
        TableName: mainTable(),
        Key: panelKeys.sitting(sitting.sittingId),
        UpdateExpression: 'SET agenda = list_append(agenda, :case)',
        ConditionExpression: 'size(agenda) < :max AND NOT contains(agenda, :caseId)',
        ExpressionAttributeValues: { ':case': [caseId], ':max': sitting.maxCases, ':caseId': caseId },
      },
    },
  };
}

/**
 * The case leaves the sitting and its reviewers, keeping every sitting it left and the last
 * carry-over (when, by whom, why): OPEN on the next sitting's agenda when it has a place there,
 * CARRIED_OVER (waiting for the chair to place it) otherwise. Conditioned on the case being in the
 * sitting in a status it can be carried from, or on it being exactly as `read` when the carry-over
 * rests on the findings read.
 */
/** In the sitting, in a status a case can be carried over from. */
function carriableFrom(sittingId: string) {
  const carriable = statusIn(CARRIABLE, 's');
  return {
    condition: `${carriable.condition} AND sittingId = :sitting`,
    values: { ':sitting': sittingId, ...carriable.values },
  };
}

function carryOverCase(
  caseId: string,
  sittingId: string,
  carriedOver: { at: string; by: string; why: string },
  to: string | undefined,
  read: Read | undefined,
): LabelledItem {
  const { condition, values } = read ? stillAsRead(read) : carriableFrom(sittingId);
  return {
    label: 'case',
    item: {
      Update: {
        TableName: mainTable(),
        Key: caseKeys.item(caseId),
        UpdateExpression: `SET #status = :to, carriedOver = :carriedOver, carriedOverFrom = list_append(if_not_exists(carriedOverFrom, :none), :from)${
          to ? ', sittingId = :next REMOVE assignedReviewers' : ' REMOVE assignedReviewers, sittingId'
        }`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ...values,
          ':to': (to ? 'OPEN' : 'CARRIED_OVER') satisfies CaseStatus,
          ':carriedOver': carriedOver,
          ':none': [],
          ':from': [sittingId],
          ...(to ? { ':next': to } : {}),
        },
      },
    },
  };
}

/**
 * A carry-over of this sitting already on record (a re-run after an interruption): where the case
 * went, and when and why it left. Undefined when the case did not leave this sitting that way.
 */
async function recordedCarryOver(caseId: string, sittingId: string) {
  const current = await getCase(caseId);
  const leftThisSitting =
    current.carriedOverFrom?.at(-1) === sittingId &&
    (current.status === 'CARRIED_OVER' || (current.status === 'OPEN' && current.sittingId !== sittingId));
  if (!leftThisSitting || !current.carriedOver) return undefined;
  return { carriedOver: current.carriedOver, to: current.sittingId };
}

/**
 * Carries the case from this sitting to the next, in one transaction with its history event and
 * its place on the next planned sitting's agenda when there is room (otherwise it waits for the
 * chair to place it); then the chair is told. `read` is the case as the assessment read it, when
 * the carry-over rests on its findings. A re-run after an interruption finds the carry-over on
 * record and finishes it with the same time and reason, never placing it twice. The answer's `at`
 * is when the carry-over was recorded, by this run or an earlier one.
 */
export async function carryToNextSitting(
  caseId: string,
  sittingId: string,
  at: string,
  reason: { by: string; why: string },
  read?: Read,
): Promise<{ carried: boolean; at?: string; to?: string }> {
  const { panelId } = await getSitting(sittingId);
  const told = async (carriedOver: { at: string }, to: string | undefined) => {
    await notify(chairsOf(panelId), 'case-carried-over', { caseId, sittingId }, carriedOver.at);
    await tellNominators(caseId, 'nomination-carried-over', { sittingId: to ?? sittingId }, carriedOver.at);
    return { carried: true, at: carriedOver.at, ...(to ? { to } : {}) };
  };
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const next = await nextSittingAfter(sittingId);
    const onAgenda = next?.agenda.includes(caseId) ?? false;
    const to = next && (onAgenda || next.agenda.length < next.maxCases) ? next : undefined;
    const carriedOver = { at, ...reason };
    try {
      await transactWrite([
        carryOverCase(caseId, sittingId, carriedOver, to?.sittingId, read),
        historyEvent(caseId, { action: 'carried-over', by: reason.by, why: reason.why }, at),
        ...(to && !onAgenda ? [addToAgenda(to, caseId)] : []),
      ]);
      return await told(carriedOver, to?.sittingId);
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      if (error.has('case')) {
        const recorded = await recordedCarryOver(caseId, sittingId);
        return recorded ? await told(recorded.carriedOver, recorded.to) : { carried: false };
      }
      // The next sitting's agenda changed meanwhile: look for a place again.
    }
  }
  throw new TransientError(`The agenda of the sitting after ${sittingId} kept changing; try again`);
}

/** Everything that follows a conclusion, dated by it, so a re-run writes each of them once. */
async function afterConclusion(
  caseId: string,
  sittingId: string,
  panelId: string,
  concludedAt: string,
  findings: readonly Finding[],
  moderation: Moderation | undefined,
) {
  await recordRecommendations(caseId, sittingId, findings, moderation, concludedAt);
  await notify(chairsOf(panelId), 'case-concluded', { caseId, sittingId }, concludedAt);
  await tellNominators(caseId, 'nomination-concluded', {}, concludedAt);
}

/**
 * The conclusion workflow's one decision step: see the module comment. A move refused because the
 * case changed after it was read is decided again on what is there now.
 */
export async function assessCase(input: ConclusionInput, now = new Date()): Promise<Assessment> {
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    const assessment = await assessOnce(input, now.toISOString());
    if (assessment) return assessment;
  }
  throw new TransientError(`Case ${input.caseId} kept changing while it was assessed; assess it again`);
}

/** One assessment on one read of the case; undefined when its move was refused (the case changed). */
async function assessOnce(input: ConclusionInput, at: string): Promise<Assessment | undefined> {
  const { caseId } = input;
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
  const { reviewCase, assignedReviewers: reviewers } = await getCaseWithReviewers(caseId, {
    consistent: true,
  });
  const findingVersions = reviewCase.findingVersions ?? 0;
  const sittingId = reviewCase.sittingId;
  if (!sittingId || ![...OPEN_FOR_CONCLUSION, 'CONCLUDED'].includes(reviewCase.status)) {
    return { caseId, outcome: 'unchanged', status: reviewCase.status };
  }
  // Read after the count: every version it counts is among them.
  const latest = latestVersions(await findingsOfCase(caseId, sittingId));
  const findings = reviewers.map((reviewerId) => latest.get(reviewerId)).filter((f) => f !== undefined);
  const sitting = await getSitting(sittingId);
  const verdicts = new Set(findings.map((finding) => finding.verdict));
  const moderation = verdicts.size > 1 ? await getModeration(caseId, sittingId) : undefined;

  if (reviewCase.status === 'CONCLUDED' && reviewCase.verdict && reviewCase.concludedAt) {
    // A re-run after the case concluded (no finding is taken since): the follow-ups, then the pack.
    const by = reviewCase.concludedBy ?? 'agreement';
    await afterConclusion(caseId, sittingId, sitting.panelId, reviewCase.concludedAt, findings, moderation);
    await audit({ status: 'CONCLUDED', verdict: reviewCase.verdict, by }, reviewCase.concludedAt);
    return { caseId, outcome: 'concluded', verdict: reviewCase.verdict, sittingId };
  }
  if (reviewers.length === 0 || findings.length < reviewers.length) {
    return { caseId, outcome: 'waiting', submitted: findings.length, of: reviewers.length };
  }
  const read: Read = { caseId, status: reviewCase.status, sittingId, findingVersions };
  if (verdicts.size > 1 && !moderation) {
    let since = reviewCase.moderationSince ?? at;
    if (reviewCase.status !== 'MODERATION') {
      since = at;
      const toModeration = await moved([
        moveCase(read, { status: 'MODERATION' satisfies CaseStatus, moderationSince: at }),
        historyEvent(
          caseId,
          { action: 'to-moderation', by: 'system:conclusion', why: 'verdicts differ' },
          at,
        ),
      ]);
      if (!toModeration) return undefined;
    }
    await notify(chairsOf(sitting.panelId), 'moderation-needed', { caseId, sittingId }, since);
    await audit({ status: 'MODERATION' }, since);
    return { caseId, outcome: 'moderation', sittingId };
  }
  const verdict = moderation ? moderation.verdict : String(findings[0]?.verdict);
  const by = moderation ? 'moderation' : 'agreement';
  if (verdict === 'cannot_conclude') {
    const reason = { by: `system:conclusion (${by})`, why: 'the panel cannot conclude' };
    const carry = await carryToNextSitting(caseId, sittingId, at, reason, read);
    if (!carry.carried) return undefined;
    await audit({ status: 'CARRIED_OVER' }, carry.at ?? at);
    return { caseId, outcome: 'carried-over', sittingId, ...(carry.to ? { to: carry.to } : {}) };
  }
  const concluded = await moved([
    moveCase(read, { status: 'CONCLUDED' satisfies CaseStatus, verdict, concludedBy: by, concludedAt: at }),
    historyEvent(caseId, { action: 'concluded', by: `system:conclusion (${by})`, why: verdict }, at),
    reserveFirstCasePack(caseId, at),
  ]);
  if (!concluded) return undefined;
  await afterConclusion(caseId, sittingId, sitting.panelId, at, findings, moderation);
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
  // over by this very decision), answer with it and start the conclusion on it, once.
  const earlier = (await moderationsOf(caseId)).find((moderation) => moderation.contentHash === hash);
  if (earlier) {
    await chairs(earlier.sittingId);
    await startConclusion(caseId, moderationCause(earlier), principal.subject);
    return earlier;
  }
  if (!reviewCase.sittingId) throw new NotFoundError(`No case ${caseId}`);
  await chairs(reviewCase.sittingId);
  const sittingId = reviewCase.sittingId;
  const existing = await getModeration(caseId, sittingId);
  if (existing) throw new ConflictError(`Case ${caseId} was moderated on ${existing.moderatedAt}`);
  if (reviewCase.status !== 'MODERATION') {
    throw new ConflictError(
      `Case ${caseId} is not awaiting moderation (it is ${statusInWords(reviewCase.status)})`,
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
  const stored = await storeModeration(
    moderation,
    historyEvent(
      caseId,
      {
        action: 'moderated',
        by: moderation.moderatedBy,
        why: moderation.reason,
        verdict: moderation.verdict,
      },
      moderation.moderatedAt,
    ),
  );
  await startConclusion(caseId, moderationCause(stored), principal.subject);
  return stored;
}
