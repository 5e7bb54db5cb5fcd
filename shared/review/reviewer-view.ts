/**
 * The case as a panel member reads it from one of their assignments: the decision redacted for the
 * panel, the nominations' reasons without who nominated, short-lived links to the case files, the
 * current question set and their own findings, while the case is still theirs.
 */
import { getCase } from '../cases/case-store.ts';
import type { Decision } from '../decisions/decision.ts';
import { getDecision } from '../decisions/decision-store.ts';
import { NotFoundError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import type { Nomination } from '../nominations/nomination.ts';
import { nominationsOfCase } from '../nominations/nominations.ts';
import { getSitting } from '../panels/panel-store.ts';
import { caseFileLinks } from './case-files.ts';
import { REVIEWABLE } from './finding.ts';
import { findingsOfCase } from './finding-store.ts';
import { ownAssignment } from './findings.ts';
import { questionSetOf } from './question-sets.ts';

/** The decision as a reviewer sees it: no pseudonymous people, crime reference, location or provenance. */
export function redactedDecision(decision: Decision) {
  const {
    crimeReference: _crime,
    decisionMakerId: _maker,
    officerInCaseId: _officer,
    lsoaCode: _lsoa,
    provenance: _provenance,
    importedAt: _imported,
    ...rest
  } = decision;
  return rest;
}

/** What a reviewer reads of a nomination: why, and the victim's wishes; not who nominated. */
export function nominationForReviewer(nomination: Nomination) {
  return {
    nominatorRole: nomination.nominatorRole,
    reasonCodes: nomination.reasonCodes,
    freeText: nomination.freeText,
    victimConsent: nomination.victimConsent,
    ...(nomination.victimWishes ? { victimWishes: nomination.victimWishes } : {}),
    vrrStatus: nomination.vrrStatus,
    nominatedAt: nomination.nominatedAt,
  };
}

/** The case behind one of the caller's assignments, as they may read it, with their own findings. */
export async function caseForReviewer(principal: Principal, assignmentId: string, now = new Date()) {
  const assignment = await ownAssignment(principal, assignmentId);
  const reviewCase = await getCase(assignment.caseId);
  const stillTheirs =
    ['assigned', 'submitted'].includes(assignment.status) &&
    reviewCase.sittingId === assignment.sittingId &&
    ['OPEN', 'ROUTING', ...REVIEWABLE, 'CONCLUDED'].includes(reviewCase.status) &&
    (await getSitting(assignment.sittingId)).status !== 'CLOSED';
  if (!stillTheirs) {
    // Declined, moved to someone else, carried to another sitting, or the sitting is over: the
    // case is no longer theirs to read.
    throw new NotFoundError(`No assignment ${assignmentId}`);
  }
  const decision = await getDecision(reviewCase.decisionId);
  const nominations = await nominationsOfCase(reviewCase);
  const own = (await findingsOfCase(assignment.caseId, assignment.sittingId)).filter(
    (finding) => finding.reviewerId === assignment.reviewerId,
  );
  return {
    assignment,
    case: {
      caseId: reviewCase.caseId,
      status: reviewCase.status,
      sittingId: assignment.sittingId,
      origin: reviewCase.origin.kind,
    },
    decision: redactedDecision(decision),
    // A withdrawn nomination no longer speaks for the case.
    nominations: nominations.filter((nomination) => !nomination.withdrawn).map(nominationForReviewer),
    caseFiles: await caseFileLinks(assignment.caseId, now),
    questionSet: await questionSetOf(assignment),
    ownFindings: own,
    nominationIds: nominations.map((nomination) => nomination.nominationId),
  };
}
