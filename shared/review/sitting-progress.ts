/** A sitting's progress for its chair: where each case on the agenda stands. */
import { getCaseWithReviewers } from '../cases/case-store.ts';
import type { ReviewCase } from '../cases/review-case.ts';
import type { Principal } from '../http/principal.ts';
import { sittingFor } from '../panels/agenda.ts';
import { latestVersions } from './finding.ts';
import { findingsOfCase } from './finding-store.ts';

/**
 * How a case stands in one sitting: carried over when it has left it; awaiting routing (OPEN) when
 * it was carried into it and not yet routed; otherwise its status.
 */
export function statusInSitting(reviewCase: ReviewCase, sittingId: string): string {
  if (reviewCase.sittingId !== sittingId) {
    return reviewCase.carriedOverFrom?.includes(sittingId) ? 'CARRIED_OVER' : reviewCase.status;
  }
  return reviewCase.status === 'CARRIED_OVER' ? 'OPEN' : reviewCase.status;
}

/**
 * Where each case on a sitting's agenda stands, for its chair: status, how many of its reviewers
 * have submitted, and the verdict once concluded. Counts only, never verdicts in progress, so a
 * chair who also reviews stays blind.
 */
export async function progressOfSitting(principal: Principal, sittingId: string) {
  const sitting = await sittingFor(principal, sittingId);
  const cases: {
    caseId: string;
    origin: 'dip-sample' | 'nomination';
    status: string;
    reviewers: number;
    submitted: number;
    verdict?: string;
    concludedBy?: 'agreement' | 'moderation';
  }[] = [];
  for (const caseId of sitting.agenda) {
    const { reviewCase, assignedReviewers } = await getCaseWithReviewers(caseId);
    const here = reviewCase.sittingId === sittingId;
    const reviewers = here ? assignedReviewers : [];
    const latest = latestVersions(await findingsOfCase(caseId, sittingId));
    cases.push({
      caseId,
      origin: reviewCase.origin.kind,
      status: statusInSitting(reviewCase, sittingId),
      reviewers: reviewers.length,
      submitted: reviewers.filter((reviewerId) => latest.has(reviewerId)).length,
      ...(here && reviewCase.verdict ? { verdict: reviewCase.verdict } : {}),
      ...(here && reviewCase.concludedBy ? { concludedBy: reviewCase.concludedBy } : {}),
    });
  }
  const count = (status: string) => cases.filter((c) => c.status === status).length;
  return {
    sittingId,
    findingsDeadline: sitting.findingsDeadline,
    awaitingModeration: count('MODERATION'),
    concluded: count('CONCLUDED') + count('CLOSED'),
    carriedOver: count('CARRIED_OVER'),
    cases,
  };
}
