/**
 * Nominators hear how their nominated case moves on: put on a sitting's agenda, in review with its
 * reviewers, taken off an agenda or carried over to the next sitting, concluded (the outcome is
 * then on their nomination). Each live nomination of the case
 * is told once per step (and sitting): the notifications carry ids only, and a step that runs
 * again notifies nobody twice.
 */
import { getCase } from '../cases/case-store.ts';
import { type NotificationKind, notify } from '../notifications/notifications.ts';
import { live, nominationsOfCase } from './nomination-store.ts';

export type NominatorStep = Extract<
  NotificationKind,
  | 'nomination-on-agenda'
  | 'nomination-in-review'
  | 'nomination-off-agenda'
  | 'nomination-carried-over'
  | 'nomination-concluded'
>;

/** Tells the nominators still holding the case of the step it reached; a case nobody nominated tells nobody. */
export async function tellNominators(
  caseId: string,
  step: NominatorStep,
  about: { sittingId?: string },
  at: string,
): Promise<void> {
  const reviewCase = await getCase(caseId);
  if (!reviewCase.nominators?.length) return;
  for (const nomination of live(await nominationsOfCase(reviewCase))) {
    await notify(
      nomination.nominatedBy,
      step,
      { caseId, nominationId: nomination.nominationId, ...about },
      at,
    );
  }
}
