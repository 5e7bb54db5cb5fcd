/**
 * Revealing the crime references behind a sample's picks or one case, for the audit team and
 * admins, who need the real file to check a decision: each answer pairs the decision and the case
 * with the reference as the force wrote it (see reidentification.ts). The handler records every
 * reveal as a `disclose` event, with the reason given, in the trail of each case and decision.
 */
import { getCase, listCases } from '../cases/case-store.ts';
import { getStoredSample } from '../sampling/sample-store.ts';
import { getDecision } from './decision-store.ts';
import { revealReferences } from './reidentification.ts';

export interface RevealedReference {
  readonly decisionId: string;
  readonly caseId?: string;
  /** Absent for a decision imported before references were sealed. */
  readonly crimeReference?: string;
}

async function referencesOf(picks: readonly { decisionId: string; caseId?: string }[]) {
  const decisions = await Promise.all(picks.map((pick) => getDecision(pick.decisionId)));
  const revealed = await revealReferences(decisions.map((decision) => decision.crimeReference));
  return picks.map((pick, index): RevealedReference => {
    const crimeReference = revealed.get(decisions[index]?.crimeReference ?? '');
    return { ...pick, ...(crimeReference ? { crimeReference } : {}) };
  });
}

/** The reference behind one case's decision. */
export async function revealCase(caseId: string): Promise<RevealedReference> {
  const { decisionId } = await getCase(caseId);
  const [revealed] = await referencesOf([{ decisionId, caseId }]);
  return revealed ?? { decisionId, caseId };
}

/** The references behind every pick of a sample: those that opened a case, and those already under review. */
export async function revealSample(
  sampleId: string,
): Promise<{ sampleId: string; items: RevealedReference[] }> {
  const { record } = await getStoredSample(sampleId);
  const opened = (await listCases())
    .filter(
      (reviewCase) => reviewCase.origin.kind === 'dip-sample' && reviewCase.origin.sampleId === sampleId,
    )
    .map(({ decisionId, caseId }) => ({ decisionId, caseId }));
  const picks = [...opened, ...(record.underReviewElsewhere ?? [])].sort((a, b) =>
    a.decisionId.localeCompare(b.decisionId),
  );
  return { sampleId, items: await referencesOf(picks) };
}
