/**
 * Closing a sitting, after the panel has met: the sitting is marked closed and every assignment
 * still open there ends; then every case on its agenda still without a conclusion (awaiting
 * findings or moderation, or never routed) is carried to the next sitting, and the final report is
 * made and frozen as the sitting's evidence pack.
 *
 * The closure is one transaction: the sitting's CLOSED status, its closure record (refused if there
 * is one, so of any number of requests to close a sitting exactly one closes it), and each open
 * assignment ended with its history event (refused if it was submitted or ended meanwhile). It also
 * checks that the reviewers of every agenda case are still those it listed: an assignment made
 * meanwhile refuses the closure, which lists again; once the sitting is closed routing makes none.
 *
 * Each assignment takes two items beside the sitting's two and one check per agenda case, so a
 * sitting with more open assignments than fit in one transaction (100 items) has them ended in
 * batches first, each a transaction of its own; a re-run lists what is still open and goes on, and
 * the last batch closes the sitting.
 *
 * What follows the closure (carry-overs, the report, dated by the closure so a re-run makes the
 * same pack version) finds itself done on a re-run, and the closure is marked finished at the end.
 * A closure left unfinished by a failed request is finished by the next request to close the
 * sitting once CLOSING_REQUEST_LIMIT_MS has passed; before that the closing request may still be
 * at work, and the next one is told the sitting is being closed.
 */
import { MAX_TRANSACTION_ITEMS, TransactionRefused, transactWrite } from '../data/transactions.ts';
import { ConflictError, TransientError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { sittingFor } from '../panels/agenda.ts';
import type { Sitting } from '../panels/panel.ts';
import { closeSittingItems, finishClosure, getClosure, type SittingClosure } from '../panels/panel-store.ts';
import { listRecommendations } from '../recommendations/recommendations.ts';
import { createSittingReport } from '../reports/reports.ts';
import {
  caseReviewers,
  caseReviewersUnchanged,
  endAssignment,
  historyEvent,
  openAssignmentsOfCase,
} from '../routing/assignment-store.ts';
import { carryToNextSitting } from './conclusion.ts';

/** Longer than any request to close a sitting runs (the API gives it 29 s). */
export const CLOSING_REQUEST_LIMIT_MS = 5 * 60_000;

const CLOSING_ATTEMPTS = 6;

/**
 * The checks that the agenda's cases keep their reviewers, and the assignments still open there:
 * every reviewer a case history names, whoever held the assignment (panel members come and go).
 * Each case's reviewers are read before its assignments, so one assigned after that read fails
 * the check.
 */
async function openAssignmentsOf(sitting: Sitting) {
  const checks = [];
  const open = [];
  for (const caseId of sitting.agenda) {
    checks.push(caseReviewersUnchanged(await caseReviewers(caseId)));
    open.push(...(await openAssignmentsOfCase(caseId, sitting.sittingId)));
  }
  return { checks, open };
}

/** The closure this request is to finish: its own, or one left unfinished by a failed request. */
function closureToFinish(existing: SittingClosure, requestId: string, now: Date): SittingClosure {
  if (existing.finishedAt) throw new ConflictError(`Sitting ${existing.sittingId} is already closed`);
  const interrupted = now.getTime() - Date.parse(existing.at) > CLOSING_REQUEST_LIMIT_MS;
  if (existing.requestId !== requestId && !interrupted) {
    throw new ConflictError(`Sitting ${existing.sittingId} is being closed`);
  }
  return existing;
}

/** Closes the sitting and ends its open assignments (see the module comment), exactly once. */
async function closeOnce(sitting: Sitting, closure: SittingClosure, now: Date): Promise<SittingClosure> {
  for (let attempt = 1; attempt <= CLOSING_ATTEMPTS; attempt++) {
    const existing = await getClosure(sitting.sittingId);
    if (existing) return closureToFinish(existing, closure.requestId, now);
    if (sitting.status === 'CLOSED')
      throw new ConflictError(`Sitting ${sitting.sittingId} is already closed`);
    if (sitting.status === 'CANCELLED')
      throw new ConflictError(`Sitting ${sitting.sittingId} was cancelled: there is nothing to close`);
    const { checks, open } = await openAssignmentsOf(sitting);
    const ends = open.flatMap((assignment) => [
      endAssignment(assignment.assignmentId, 'reassigned', { endedAt: closure.at }),
      historyEvent(
        assignment.caseId,
        {
          action: 'reassigned',
          reviewerId: assignment.reviewerId,
          by: closure.by,
          why: 'the sitting closed',
        },
        closure.at,
      ),
    ]);
    const closing = [...closeSittingItems(closure), ...checks];
    const fits = closing.length + ends.length <= MAX_TRANSACTION_ITEMS;
    const items = fits ? [...closing, ...ends] : ends.slice(0, MAX_TRANSACTION_ITEMS);
    try {
      await transactWrite(items);
      if (fits) return closure;
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      // Closed by another request, or an assignment submitted or made meanwhile: look again.
    }
  }
  throw new TransientError(`Sitting ${sitting.sittingId} kept changing while it was closed; try again`);
}

export async function closeSitting(
  principal: Principal,
  sittingId: string,
  requestId: string,
  request: { earlyReason?: string } = {},
  now = new Date(),
) {
  const sitting = await sittingFor(principal, sittingId);
  // A sitting closes once it has met; before then only with the chair's reason, which is kept.
  const early = sitting.status === 'PLANNED';
  if (early && !request.earlyReason) {
    throw new ConflictError(
      `Sitting ${sittingId} meets on ${sitting.date}: to close it before then, give earlyReason`,
    );
  }
  const closure = await closeOnce(
    sitting,
    {
      sittingId,
      at: now.toISOString(),
      by: principal.subject,
      requestId,
      ...(early && request.earlyReason ? { earlyReason: request.earlyReason } : {}),
    },
    now,
  );
  const carriedOver: { caseId: string; to?: string }[] = [];
  for (const caseId of sitting.agenda) {
    const { carried, to } = await carryToNextSitting(caseId, sittingId, closure.at, {
      by: closure.by,
      why: 'not concluded when the sitting closed',
    });
    if (carried) carriedOver.push({ caseId, ...(to ? { to } : {}) });
  }
  const report = await createSittingReport(principal, sittingId, new Date(closure.at));
  await finishClosure(sittingId, {
    at: now.toISOString(),
    reportId: report.reportId,
    packVersion: report.pack.version,
  });
  // Reviewers' proposals the chair has not decided yet stay to be decided: the chair is reminded.
  const toDecide = (await listRecommendations())
    .filter(
      (recommendation) => recommendation.sittingId === sittingId && recommendation.status === 'proposed',
    )
    .map((recommendation) => recommendation.recommendationId);
  return {
    sittingId,
    status: 'CLOSED' as const,
    early: closure.earlyReason !== undefined,
    carriedOver,
    recommendationsToDecide: toDecide,
    report,
  };
}
