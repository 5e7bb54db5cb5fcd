/**
 * The chair takes a case off a sitting's agenda, or cancels a sitting that has not met, before
 * any finding is made. A case taken off goes back to wait for an agenda (OPEN, on no sitting):
 * its open assignments are withdrawn, their places in the reviewers' capacity given back, and the
 * case's history records who took it off, when and why; all in one transaction conditioned on
 * the agenda, the case and each assignment being as read, so a finding or a routing made meanwhile
 * is never lost (the request is refused, or tried again on what is there now). Reviewers whose
 * assignment is withdrawn are told. A case with a finding stays: the panel carries it over at
 * closure instead.
 */

import { getCaseWithReviewers } from '../cases/case-store.ts';
import { type LabelledItem, TransactionRefused, transactWrite } from '../data/transactions.ts';
import { ConflictError, TransientError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { tellNominators } from '../nominations/nominator-news.ts';
import { notify } from '../notifications/notifications.ts';
import {
  type Assignment,
  type CaseReviewers,
  caseReviewers,
  endAssignment,
  freeCapacity,
  historyEvent,
  openAssignmentsOfCase,
  returnCaseToWaiting,
} from '../routing/assignment-store.ts';
import { sittingFor } from './agenda.ts';
import { SITTING_OVER, type Sitting } from './panel.ts';
import { cancelSittingItem, getSitting, removeFromAgendaItem } from './panel-store.ts';

/** Statuses from which a case may leave its agenda: not yet reviewed. */
const REMOVABLE = ['OPEN', 'CARRIED_OVER', 'ASSIGNED', 'IN_REVIEW'] as const;
const ATTEMPTS = 5;

/** Who takes the case off (or cancels), why, and in which request. */
export interface Removal {
  readonly by: string;
  readonly reason: string;
  readonly requestId: string;
}

const removalBy = (principal: Principal, reason: string, requestId: string): Removal => ({
  by: principal.subject,
  reason,
  requestId,
});

export interface AgendaRemoval {
  readonly caseId: string;
  readonly sittingId: string;
  readonly status: 'OPEN';
  /** The reviewers whose assignments were withdrawn. */
  readonly withdrawnFrom: string[];
}

function refuseIfOver(sitting: Sitting): void {
  if (SITTING_OVER.includes(sitting.status)) {
    throw new ConflictError(
      `Sitting ${sitting.sittingId} is ${sitting.status.toLowerCase()}: its agenda never changes`,
    );
  }
}

/** How a case leaves the agenda: back to wait for another (the default), or withdrawn for good. */
export type AgendaExit = (seen: CaseReviewers) => LabelledItem;

/**
 * The writes that take one case off the sitting's agenda as they stand now (see the module
 * comment), the case's own change made by `exit`; a case that may not leave it is refused
 * (ConflictError). The withdrawn assignments are given for their reviewers to be told.
 */
export async function agendaRemovalItems(
  sittingId: string,
  caseId: string,
  removal: Removal,
  at: string,
  exit: AgendaExit = returnCaseToWaiting,
): Promise<{ items: LabelledItem[]; withdrawn: Assignment[] }> {
  const sitting = await getSitting(sittingId);
  refuseIfOver(sitting);
  if (!sitting.agenda.includes(caseId)) {
    throw new ConflictError(`Case ${caseId} is not on the agenda of ${sittingId}`);
  }
  const [seen, { reviewCase }] = await Promise.all([
    caseReviewers(caseId),
    getCaseWithReviewers(caseId, { consistent: true }),
  ]);
  if ((reviewCase.findingVersions ?? 0) > 0) {
    throw new ConflictError(
      `Case ${caseId} has findings: it stays on the agenda (the panel can carry it over at closure)`,
    );
  }
  if (!(REMOVABLE as readonly string[]).includes(seen.status)) {
    throw new ConflictError(`Case ${caseId} is ${seen.status.toLowerCase()}: it cannot leave the agenda now`);
  }
  const open = await openAssignmentsOfCase(caseId, sittingId);
  const by = { by: removal.by, why: removal.reason, requestId: removal.requestId };
  const items: LabelledItem[] = [
    removeFromAgendaItem(sitting, caseId),
    exit(seen),
    ...open.flatMap((assignment) => [
      endAssignment(assignment.assignmentId, 'withdrawn', { endedAt: at }),
      freeCapacity(sittingId, assignment.reviewerId, caseId),
      historyEvent(caseId, { action: 'withdrawn', reviewerId: assignment.reviewerId, ...by }, at),
    ]),
    historyEvent(caseId, { action: 'taken-off-agenda', sittingId, ...by }, at),
  ];
  return { items, withdrawn: open };
}

/** Each reviewer with a sign-in whose assignment to the case was withdrawn is told. */
export async function tellWithdrawnReviewers(
  withdrawn: readonly Assignment[],
  caseId: string,
  sittingId: string,
  at: string,
): Promise<void> {
  for (const assignment of withdrawn) {
    if (assignment.reviewerSubject)
      await notify(assignment.reviewerSubject, 'assignment-withdrawn', { caseId, sittingId }, at);
  }
}

/** Takes one case off the sitting's agenda (see the module comment), once. */
async function removeCase(
  sittingId: string,
  caseId: string,
  removal: Removal,
  now: Date,
): Promise<AgendaRemoval> {
  const at = now.toISOString();
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const { items, withdrawn } = await agendaRemovalItems(sittingId, caseId, removal, at);
    try {
      await transactWrite(items);
    } catch (error) {
      if (error instanceof TransactionRefused) continue;
      throw error;
    }
    await tellWithdrawnReviewers(withdrawn, caseId, sittingId, at);
    await tellNominators(caseId, 'nomination-off-agenda', { sittingId }, at);
    return { caseId, sittingId, status: 'OPEN', withdrawnFrom: withdrawn.map((a) => a.reviewerId).sort() };
  }
  throw new TransientError(`Case ${caseId}: the agenda or the case kept changing; try again`);
}

/** The chair (or an admin) takes a case off the agenda, with a reason; it waits for another. */
export async function takeOffAgenda(
  principal: Principal,
  sittingId: string,
  caseId: string,
  reason: string,
  requestId: string,
  now = new Date(),
): Promise<AgendaRemoval> {
  await sittingFor(principal, sittingId);
  return removeCase(sittingId, caseId, removalBy(principal, reason, requestId), now);
}

/**
 * Cancels a sitting that has not met: every case on its agenda goes back to wait (as if taken off,
 * each in its own transaction, so a retried request resumes where it stopped), then the sitting is
 * marked CANCELLED on condition that its agenda is empty. Refused while any case has a finding,
 * before anything changes.
 */
export async function cancelSitting(
  principal: Principal,
  sittingId: string,
  reason: string,
  requestId: string,
  now = new Date(),
): Promise<Sitting> {
  const removal = removalBy(principal, reason, requestId);
  const sitting = await sittingFor(principal, sittingId);
  refuseIfOver(sitting);
  if (sitting.status !== 'PLANNED') {
    throw new ConflictError(`Sitting ${sittingId} met on ${sitting.date}: close it instead of cancelling it`);
  }
  const cases = await Promise.all(sitting.agenda.map((caseId) => getCaseWithReviewers(caseId)));
  const reviewed = cases.filter(({ reviewCase }) => (reviewCase.findingVersions ?? 0) > 0);
  if (reviewed.length > 0) {
    throw new ConflictError(
      `Sitting ${sittingId} has findings on ${reviewed.map(({ reviewCase }) => reviewCase.caseId).join(', ')}: it meets, or closes, instead`,
    );
  }
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const current = await getSitting(sittingId);
    if (current.status === 'CANCELLED') return current;
    for (const caseId of current.agenda) await removeCase(sittingId, caseId, removal, now);
    const cancelled = { at: now.toISOString(), by: removal.by, reason: removal.reason };
    try {
      await transactWrite([cancelSittingItem(sittingId, cancelled)]);
      return { ...current, agenda: [], status: 'CANCELLED', cancelled };
    } catch (error) {
      if (!(error instanceof TransactionRefused)) throw error;
      // A case was put on the agenda meanwhile: take it off too.
    }
  }
  throw new TransientError(`Sitting ${sittingId}: its agenda kept changing; try again`);
}
