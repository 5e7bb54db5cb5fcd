/**
 * A nominator changes or withdraws their nomination.
 *
 * A change of what they say (the victim's consent or wishes, the VRR status, the reasons, the free
 * text) is a new version: the version read is kept in the nomination's history and the new one
 * stands, in one transaction conditioned on the version read, so two changes at once never lose
 * one. The case shows the latest version; the evidence pack keeps every one. A change to "does not
 * consent" tells the chairs at once: a victim who withdraws consent must not find their case
 * discussed at the next sitting.
 *
 * A withdrawal (with a reason) ends the nomination. When no other nomination holds its case, the
 * case was opened by nominations and no reviewer has made a finding, the case is withdrawn too:
 * off its agenda, its open assignments withdrawn and their capacity given back, in the same
 * transaction as the withdrawal, conditioned on the other nominations still being withdrawn and
 * nobody joining meanwhile. A case with findings, or picked by a dip sample, stays; the chairs are
 * told of every withdrawal.
 */
import { type CaseToWithdraw, getCaseWithReviewers, withdrawingCase } from '../cases/case-store.ts';
import { type ReviewCase, UNDER_REVIEW } from '../cases/review-case.ts';
import { type LabelledItem, TransactionRefused, transactWrite } from '../data/transactions.ts';
import { ConflictError, TransientError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { ALL_CHAIRS, chairsOf, notify } from '../notifications/notifications.ts';
import { agendaRemovalItems, tellWithdrawnReviewers } from '../panels/agenda-removal.ts';
import { getSitting } from '../panels/panel-store.ts';
import { historyEvent } from '../routing/assignment-store.ts';
import type { Nomination, UpdateNominationRequest } from './nomination.ts';
import {
  changingNomination,
  live,
  nominationsOfCase,
  stillHolding,
  versionOf,
  withdrawingNomination,
} from './nomination-store.ts';
import { differingFields, ownNomination } from './nominations.ts';

const ATTEMPTS = 5;

/** The chairs who answer for the case now: its sitting's panel, or all of them while it waits. */
async function chairsOfCase(reviewCase: ReviewCase): Promise<string> {
  if (!reviewCase.sittingId) return ALL_CHAIRS;
  return chairsOf((await getSitting(reviewCase.sittingId)).panelId);
}

function refuseIfWithdrawn(nomination: Nomination): void {
  if (nomination.withdrawn) {
    throw new ConflictError(
      `Nomination ${nomination.nominationId} was withdrawn on ${nomination.withdrawn.at.slice(0, 10)}: it no longer changes`,
    );
  }
}

/** The nomination with the request's changes: an empty `victimWishes` clears them. */
function changed(before: Nomination, request: UpdateNominationRequest, at: string): Nomination {
  const { victimWishes, ...rest } = { ...before, ...definedOnly(request) };
  const wishes = request.victimWishes === undefined ? before.victimWishes : request.victimWishes.trim();
  return {
    ...rest,
    ...(wishes ? { victimWishes: wishes } : {}),
    version: versionOf(before) + 1,
    changedAt: at,
  };
}

const definedOnly = <T extends object>(value: T) =>
  Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;

/**
 * Changes the caller's nomination (a new version; see the module comment). A request that changes
 * nothing is answered with the nomination as it stands and writes nothing.
 */
export async function updateNomination(
  principal: Principal,
  nominationId: string,
  request: UpdateNominationRequest,
  now = new Date(),
): Promise<{ nomination: Nomination; changed: string[] }> {
  const at = now.toISOString();
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const before = await ownNomination(principal, nominationId);
    refuseIfWithdrawn(before);
    const after = changed(before, request, at);
    const differing = differingFields(before, after);
    if (differing.length === 0) return { nomination: before, changed: [] };
    try {
      await transactWrite(changingNomination(before, after));
    } catch (error) {
      if (error instanceof TransactionRefused) continue;
      throw error;
    }
    if (after.victimConsent === 'does_not_consent' && before.victimConsent !== 'does_not_consent') {
      const { reviewCase } = await getCaseWithReviewers(after.caseId);
      await notify(
        await chairsOfCase(reviewCase),
        'consent-withdrawn',
        {
          caseId: after.caseId,
          nominationId,
          ...(reviewCase.sittingId ? { sittingId: reviewCase.sittingId } : {}),
        },
        at,
      );
    }
    return { nomination: after, changed: differing };
  }
  throw new TransientError(`Nomination ${nominationId} kept changing; try again`);
}

export interface NominationWithdrawal {
  readonly nomination: Nomination;
  /** What became of the case: withdrawn with it, or kept (and why). */
  readonly case: {
    readonly caseId: string;
    readonly outcome: 'withdrawn' | 'kept';
    readonly reason?: string;
  };
}

/** Why the case stays when its nomination is withdrawn, if it does; undefined when it goes too. */
function whyCaseStays(reviewCase: ReviewCase, others: readonly Nomination[]): string | undefined {
  if (!UNDER_REVIEW.includes(reviewCase.status)) return `the case is ${reviewCase.status.toLowerCase()}`;
  if (others.length > 0) return `${others.length} other nomination(s) hold it`;
  if (reviewCase.origin.kind !== 'nomination') return 'a dip sample picked it';
  if ((reviewCase.findingVersions ?? 0) > 0) return 'reviewers have made findings on it';
  if (!['OPEN', 'ASSIGNED', 'IN_REVIEW'].includes(reviewCase.status)) {
    return `the case is ${reviewCase.status.toLowerCase()}`;
  }
  return undefined;
}

/**
 * Withdraws the caller's nomination with a reason, and its case with it when nothing else holds
 * the case (see the module comment). A withdrawal asked for again finds it done and changes nothing.
 */
export async function withdrawNomination(
  principal: Principal,
  nominationId: string,
  reason: string,
  requestId: string,
  now = new Date(),
): Promise<NominationWithdrawal> {
  const at = now.toISOString();
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const before = await ownNomination(principal, nominationId);
    if (before.withdrawn) {
      const { reviewCase } = await getCaseWithReviewers(before.caseId);
      const outcome = reviewCase.status === 'WITHDRAWN' ? 'withdrawn' : 'kept';
      return { nomination: before, case: { caseId: before.caseId, outcome } };
    }
    const { reviewCase } = await getCaseWithReviewers(before.caseId, { consistent: true });
    const others = live(await nominationsOfCase(reviewCase)).filter((n) => n.nominationId !== nominationId);
    const stays = whyCaseStays(reviewCase, others);
    const withdrawn = { at, reason };
    const nomination = { ...before, withdrawn };
    const items: LabelledItem[] = [withdrawingNomination(before, withdrawn), ...others.map(stillHolding)];
    let fromReviewers: Awaited<ReturnType<typeof agendaRemovalItems>>['withdrawn'] = [];
    if (!stays) {
      const caseWithdrawal = { at, by: principal.subject, why: reason };
      const toWithdraw = (seen: Omit<CaseToWithdraw, 'nominators'>) =>
        withdrawingCase({ ...seen, nominators: reviewCase.nominators?.length ?? 0 }, caseWithdrawal);
      const event = historyEvent(
        reviewCase.caseId,
        { action: 'withdrawn-by-nominator', nominationId, by: principal.subject, why: reason, requestId },
        at,
      );
      if (reviewCase.sittingId) {
        const removal = { by: principal.subject, reason, requestId };
        const removing = await agendaRemovalItems(
          reviewCase.sittingId,
          reviewCase.caseId,
          removal,
          at,
          (seen) => toWithdraw({ ...seen, reviewersVersion: seen.version }),
        );
        items.push(...removing.items, event);
        fromReviewers = removing.withdrawn;
      } else {
        items.push(
          toWithdraw({
            caseId: reviewCase.caseId,
            status: reviewCase.status,
            reviewersVersion: reviewCase.reviewersVersion ?? 0,
          }),
          event,
        );
      }
    }
    try {
      await transactWrite(items);
    } catch (error) {
      if (error instanceof TransactionRefused) continue;
      throw error;
    }
    if (reviewCase.sittingId)
      await tellWithdrawnReviewers(fromReviewers, reviewCase.caseId, reviewCase.sittingId, at);
    const about = {
      caseId: reviewCase.caseId,
      nominationId,
      ...(reviewCase.sittingId ? { sittingId: reviewCase.sittingId } : {}),
    };
    await notify(await chairsOfCase(reviewCase), 'nomination-withdrawn', about, at);
    await notify(principal.subject, 'nomination-withdrawn', about, at);
    return {
      nomination,
      case: {
        caseId: reviewCase.caseId,
        outcome: stays ? 'kept' : 'withdrawn',
        ...(stays ? { reason: stays } : {}),
      },
    };
  }
  throw new TransientError(`Nomination ${nominationId} or its case kept changing; try again`);
}
