/**
 * Audit review rounds: the audit team reviews its own dip sample, without waiting for panel
 * sittings (a 95-case sample would need eight of them). A round is a sitting whose agenda is the
 * sample's waiting cases and whose "panel" is an audit team (kind `audit`): the auditors named, led
 * by the auditor who opened it. Everything after is the sitting's: routing under the same conflict
 * rules (bar independence, which the force's own auditors cannot give), blind findings against the
 * current question set, moderation and conclusion by the lead, evidence packs, closure, and the
 * sample's estimates from the verdicts.
 *
 * Opening is retry-safe and all or nothing per step: the team, the sitting and the first cases are
 * written in one transaction, and further cases in transactions of their own, each on condition
 * that the case still waits and the agenda is as read. Asking again continues the caller's open
 * round of the sample: cases that came back to waiting meanwhile join it, and routing starts on
 * the agenda as it then is.
 */
import { z } from 'zod';
import { caseKeys, listCases } from '../cases/case-store.ts';
import type { ReviewCase } from '../cases/review-case.ts';
import { isWaiting } from '../cases/waiting-list.ts';
import {
  MAX_TRANSACTION_ITEMS,
  type TransactItem,
  TransactionRefused,
  transactWrite,
} from '../data/transactions.ts';
import { mainTable } from '../environment.ts';
import { ConflictError, type FieldIssue, TransientError, ValidationError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { findPerson } from '../people/people.ts';
import { getStoredSample } from '../sampling/sample-store.ts';
import { startRouting } from './agenda.ts';
import { type Panel, SITTING_OVER, type Sitting } from './panel.ts';
import { getPanel, getSitting, listReviewers, listSittings, panelKeys } from './panel-store.ts';

export const AuditRoundRequestSchema = z
  .object({
    auditorReviewerIds: z
      .array(z.string().regex(/^rev_[a-z0-9_]{1,40}$/, 'a reviewer id such as rev_jo'))
      .min(1)
      .max(50)
      .describe('The auditors who review the cases: reviewers who sign in with the auditor role'),
    reviewersPerCase: z.number().int().min(1).max(5).default(2),
    findingsDeadline: z.iso.date(),
    date: z.iso
      .date()
      .optional()
      .describe('When the lead moderates and closes the round; the findings deadline unless given'),
  })
  .strict()
  .refine((request) => request.auditorReviewerIds.length >= request.reviewersPerCase, {
    path: ['auditorReviewerIds'],
    message: 'must name at least as many auditors as each case needs reviewers (reviewersPerCase)',
  })
  .refine((request) => request.date === undefined || request.findingsDeadline <= request.date, {
    path: ['findingsDeadline'],
    message: "must not be after the round's date: findings come in before the lead concludes",
  });
export type AuditRoundRequest = z.infer<typeof AuditRoundRequestSchema>;

export interface AuditRoundOpened {
  readonly sitting: Sitting;
  readonly panel: Panel;
  /** The cases this call put on the round; the rest of the agenda was on it already. */
  readonly added: string[];
  readonly routing: { readonly execution: string; readonly cases: number };
}

const CASES_PER_TRANSACTION = MAX_TRANSACTION_ITEMS - 2;
const ATTEMPTS = 5;

/** The n-th round of a sample: sitting `sit_<sampleId>_r<n>`, audit team `aud_<sample>_r<n>`. */
const roundIds = (sampleId: string, round: number) => ({
  sittingId: `sit_${sampleId}_r${round}`,
  panelId: `aud_${sampleId.slice('smp_'.length)}_r${round}`,
});

/** A case of the sample that waits for review, as the waiting list has it. */
const waitsForReview = (reviewCase: ReviewCase, sampleId: string) =>
  reviewCase.origin.kind === 'dip-sample' && reviewCase.origin.sampleId === sampleId && isWaiting(reviewCase);

function refuse(issues: FieldIssue[]): never {
  throw new ValidationError(issues.map((issue) => `${issue.field} ${issue.reason}`).join('; '), issues);
}

/** Every auditor named must be an active reviewer whose sign-in holds the auditor role. */
async function auditTeam(auditorReviewerIds: readonly string[]): Promise<void> {
  const reviewers = new Map((await listReviewers()).map((reviewer) => [reviewer.reviewerId, reviewer]));
  const issues: FieldIssue[] = [];
  for (const [index, reviewerId] of auditorReviewerIds.entries()) {
    const field = `body.auditorReviewerIds.${index}`;
    const reviewer = reviewers.get(reviewerId);
    if (auditorReviewerIds.indexOf(reviewerId) < index)
      issues.push({ field, reason: `${reviewerId} is listed twice` });
    else if (!reviewer)
      issues.push({ field, reason: `${reviewerId} is not a reviewer: an admin adds them first` });
    else if (!reviewer.active) issues.push({ field, reason: `${reviewerId} is not active` });
    else if (!reviewer.subject)
      issues.push({ field, reason: `${reviewerId} has no sign-in: an admin gives them one` });
    else {
      const person = await findPerson(reviewer.subject);
      if (!person?.roles.includes('auditor'))
        issues.push({
          field,
          reason: person
            ? `${reviewer.name} does not hold the auditor role`
            : `${reviewer.name} has never signed in: ask them to sign in once`,
        });
    }
  }
  if (issues.length > 0) refuse(issues);
}

const caseJoins = (caseId: string, sittingId: string): TransactItem => ({
  Update: {
    TableName: mainTable(),
    Key: caseKeys.item(caseId),
    UpdateExpression: 'SET sittingId = :sitting',
    ConditionExpression: '(#status = :open AND attribute_not_exists(sittingId)) OR #status = :carried',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':sitting': sittingId, ':open': 'OPEN', ':carried': 'CARRIED_OVER' },
  },
});

const agendaGrows = (sitting: Sitting, caseIds: readonly string[]): TransactItem => ({
  Update: {
    TableName: mainTable(),
    Key: panelKeys.sitting(sitting.sittingId),
    UpdateExpression: 'SET agenda = list_append(agenda, :cases), maxCases = :max',
    ConditionExpression: 'size(agenda) = :seen AND NOT #status IN (:closed, :cancelled)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':cases': caseIds,
      ':max': Math.max(sitting.maxCases, sitting.agenda.length + caseIds.length),
      ':seen': sitting.agenda.length,
      ':closed': 'CLOSED',
      ':cancelled': 'CANCELLED',
    },
  },
});

const created = (item: Record<string, unknown>): TransactItem => ({
  Put: { TableName: mainTable(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' },
});

/** The sample's rounds, oldest first. */
async function roundsOf(sampleId: string): Promise<Sitting[]> {
  return (await listSittings())
    .filter((sitting) => sitting.auditOf === sampleId)
    .sort((a, b) => a.sittingId.localeCompare(b.sittingId, 'en', { numeric: true }));
}

/**
 * Opens a round of the sample led by the caller (see the module comment), or continues their open
 * one, and starts routing its agenda to the auditors.
 */
export async function openAuditRound(
  principal: Principal,
  sampleId: string,
  request: AuditRoundRequest,
  requestId: string,
  now = new Date(),
): Promise<AuditRoundOpened> {
  const today = now.toISOString().slice(0, 10);
  const { record } = await getStoredSample(sampleId);
  if (record.status !== 'SELECTED') {
    throw new ConflictError(
      `Sample ${sampleId} is ${record.status.toLowerCase()}: only a drawn sample is reviewed`,
    );
  }
  if (request.findingsDeadline < today)
    refuse([{ field: 'body.findingsDeadline', reason: `must not be in the past (today is ${today})` }]);
  await auditTeam(request.auditorReviewerIds);

  const rounds = await roundsOf(sampleId);
  const open = rounds.find((round) => !SITTING_OVER.includes(round.status));
  const ids = open
    ? { sittingId: open.sittingId, panelId: open.panelId }
    : roundIds(sampleId, rounds.length + 1);
  const panel: Panel = open
    ? await getPanel(open.panelId)
    : {
        panelId: ids.panelId,
        kind: 'audit',
        name: `Audit review of ${sampleId}, round ${rounds.length + 1}`,
        chairSubject: principal.subject,
        memberReviewerIds: [...request.auditorReviewerIds],
      };
  if (panel.chairSubject !== principal.subject) {
    throw new ConflictError(
      `Sample ${sampleId} is under review in ${ids.sittingId}, led by another auditor: they add to it, or close it first`,
    );
  }

  const added: string[] = [];
  for (let attempt = 1; ; attempt++) {
    if (attempt > ATTEMPTS) throw new TransientError(`The cases of ${sampleId} kept changing; try again`);
    const sitting = await getSitting(ids.sittingId).catch(() => undefined);
    const waiting = (await listCases())
      .filter((reviewCase) => waitsForReview(reviewCase, sampleId))
      .map((reviewCase) => reviewCase.caseId)
      .filter((caseId) => !sitting?.agenda.includes(caseId))
      .sort();
    if (!sitting && waiting.length === 0) {
      throw new ConflictError(
        `No case of sample ${sampleId} waits for review: each is on a sitting or concluded`,
      );
    }
    const chunk = waiting.slice(0, CASES_PER_TRANSACTION);
    const items = chunk.map((caseId) => ({ label: caseId, item: caseJoins(caseId, ids.sittingId) }));
    const head = sitting
      ? [{ label: 'sitting', item: agendaGrows(sitting, chunk) }]
      : [
          {
            label: 'panel',
            item: created({
              ...panelKeys.panel(panel.panelId),
              ...panelKeys.listed('panel', panel.name),
              ...panel,
            }),
          },
          {
            label: 'sitting',
            item: created({
              ...panelKeys.sitting(ids.sittingId),
              ...panelKeys.listed('sitting', `${panel.panelId}#${request.date ?? request.findingsDeadline}`),
              sittingId: ids.sittingId,
              panelId: panel.panelId,
              date: request.date ?? request.findingsDeadline,
              findingsDeadline: request.findingsDeadline,
              status: 'PLANNED',
              agenda: chunk,
              maxCases: Math.max(chunk.length, 1),
              reviewersPerCase: request.reviewersPerCase,
              auditOf: sampleId,
            } satisfies Sitting & Record<string, unknown>),
          },
        ];
    if (chunk.length === 0) break;
    try {
      await transactWrite([...head, ...items]);
    } catch (error) {
      if (error instanceof TransactionRefused) continue;
      throw error;
    }
    added.push(...chunk);
    if (waiting.length === chunk.length) break;
    attempt = 0;
  }
  const routing = await startRouting(principal, ids.sittingId, requestId);
  return { sitting: await getSitting(ids.sittingId), panel, added, routing };
}
