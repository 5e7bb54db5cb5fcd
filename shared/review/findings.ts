/**
 * Findings: a panel member submits (then, if need be, amends) their finding on a case assigned to
 * them, and who may read the findings of a case. Review is blind: nobody reads another reviewer's
 * finding until their own is in. A submitted finding is never changed; an amendment is the next
 * version beside it, and each submission starts the conclusion workflow.
 */
import { getCase } from '../cases/case-store.ts';
import type { ReviewCase } from '../cases/review-case.ts';
import { getDecision } from '../decisions/decision-store.ts';
import { ENV, requireEnv } from '../environment.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { deterministicId } from '../ids.ts';
import { reviewerOf, sittingFor } from '../panels/agenda.ts';
import { REVIEWING_ROLES } from '../roles.ts';
import { type Assignment, assignmentIdOf, getAssignment } from '../routing/assignment-store.ts';
import { startExecutionOnce } from '../start-execution.ts';
import {
  type AmendFindingRequest,
  checkAgainstQuestionSet,
  contentHash,
  type Finding,
  type FindingRequest,
  FindingSchema,
  latestVersions,
  recommendationsInThePast,
  whyNoFinding,
} from './finding.ts';
import { findingsOfCase, moderationsOf, storedVersion, storeFindingVersion } from './finding-store.ts';
import { questionSetOf } from './question-sets.ts';

// Read by the reports and the packs from here, with the rest of a case's findings.
/**
 * The caller's own assignment; anyone else's answers as missing. The reviewer record says who the
 * caller is on the panel, so a reviewer given a sign-in after being assigned still finds their cases.
 */
export async function ownAssignment(principal: Principal, assignmentId: string): Promise<Assignment> {
  const assignment = await getAssignment(assignmentId);
  const reviewer = assignment ? await reviewerOf(principal) : undefined;
  if (!assignment || !reviewer || assignment.reviewerId !== reviewer.reviewerId) {
    throw new NotFoundError(`No assignment ${assignmentId}`);
  }
  return assignment;
}

/** Starts the conclusion workflow for a case, once per cause (a finding version, a moderation). */
export async function startConclusion(caseId: string, cause: string, requestedBy: string) {
  await startExecutionOnce(requireEnv(ENV.conclusionStateMachine), cause, {
    caseId,
    requestedBy: { subject: requestedBy },
  });
}

function findingOf(
  assignment: Assignment,
  request: FindingRequest | AmendFindingRequest,
  version: number,
  principal: Principal,
  now: Date,
): Finding {
  const { amendsVersion, reason, ...answers } = request as AmendFindingRequest;
  return FindingSchema.parse({
    ...answers,
    findingId: deterministicId(
      'fnd',
      assignment.caseId,
      assignment.sittingId,
      assignment.reviewerId,
      String(version),
    ),
    caseId: assignment.caseId,
    sittingId: assignment.sittingId,
    assignmentId: assignment.assignmentId,
    reviewerId: assignment.reviewerId,
    version,
    ...(amendsVersion !== undefined ? { amendment: { amendsVersion, reason } } : {}),
    submittedAt: now.toISOString(),
    submittedBy: principal.subject,
    contentHash: contentHash(request),
  });
}

/**
 * Stores a finding version and starts the conclusion workflow on it. The same submission again (a
 * resend whose answer was lost) gets the version stored, whatever happened to the case since, and
 * the workflow is started once. Anything else under a stored version's key is refused with
 * `alreadyThere`; a case that takes no more findings from this assignment, with why.
 */
async function submit(
  assignment: Assignment,
  finding: Finding,
  request: FindingRequest,
  now: Date,
  alreadyThere: string,
  checkVersion: () => Promise<void> = async () => {},
): Promise<Finding> {
  const earlier = await storedVersion(finding);
  if (earlier && earlier.contentHash !== finding.contentHash) throw new ConflictError(alreadyThere);
  const kept = earlier ?? (await storeChecked(assignment, finding, request, now, alreadyThere, checkVersion));
  await startConclusion(kept.caseId, kept.findingId, kept.submittedBy);
  return kept;
}

/** The checks against what is read now, then the transaction that makes sure they still hold. */
async function storeChecked(
  assignment: Assignment,
  finding: Finding,
  request: FindingRequest,
  now: Date,
  alreadyThere: string,
  checkVersion: () => Promise<void>,
): Promise<Finding> {
  const today = now.toISOString().slice(0, 10);
  const reviewCase = await getCase(assignment.caseId);
  const why = whyNoFinding(reviewCase, assignment, today);
  if (why) throw new ConflictError(why);
  checkAgainstQuestionSet(
    request,
    await questionSetOf(assignment),
    await getDecision(reviewCase.decisionId),
    recommendationsInThePast(request.recommendations, today),
  );
  await checkVersion();
  return storeFindingVersion(finding, reviewCase.status, today, alreadyThere);
}

/** A reviewer's first finding on the case assigned to them. */
export async function submitFinding(
  principal: Principal,
  assignmentId: string,
  request: FindingRequest,
  now = new Date(),
): Promise<Finding> {
  const assignment = await ownAssignment(principal, assignmentId);
  return submit(
    assignment,
    findingOf(assignment, request, 1, principal, now),
    request,
    now,
    'You have already submitted a finding on this case; send an amendment with a reason instead',
  );
}

/** The next version of the reviewer's own finding, with the reason for the change. */
export async function amendFinding(
  principal: Principal,
  assignmentId: string,
  request: AmendFindingRequest,
  now = new Date(),
): Promise<Finding> {
  const assignment = await ownAssignment(principal, assignmentId);
  const finding = findingOf(assignment, request, request.amendsVersion + 1, principal, now);
  const amendsTheLatest = async () => {
    const own = (await findingsOfCase(assignment.caseId, assignment.sittingId)).filter(
      (other) => other.reviewerId === assignment.reviewerId,
    );
    const latest = latestVersions(own).get(assignment.reviewerId);
    if (!latest) throw new ConflictError('There is no finding to amend yet; submit one first');
    if (latest.version !== request.amendsVersion) {
      throw new ConflictError(
        `Version ${latest.version} is your latest finding on this case; amend that one (amendsVersion: ${latest.version})`,
      );
    }
  };
  return submit(
    assignment,
    finding,
    request,
    now,
    `Version ${finding.version} of your finding is stored already; amend your latest version instead`,
    amendsTheLatest,
  );
}

/**
 * Who may read the findings on a case: the audit team and admins; the chair of the panel it sits
 * before; and a reviewer of the case once their own finding is in. Blindness comes first: a
 * current reviewer of the case who has not submitted reads nothing, whatever else they are (a
 * chair who also reviews waits like everyone else). Anyone refused is told the case does not exist.
 */
async function mayReadFindings(principal: Principal, reviewCase: ReviewCase): Promise<boolean> {
  const sittingId = reviewCase.sittingId ?? reviewCase.carriedOverFrom?.at(-1);
  const own = sittingId ? await ownAssignmentOn(principal, reviewCase.caseId, sittingId) : undefined;
  if (own === 'assigned') return false;
  if (principal.roles.includes('admin') || principal.roles.includes('auditor')) return true;
  if (!sittingId) return false;
  if (principal.roles.includes('panel_chair')) {
    const chairs = await sittingFor(principal, sittingId).then(
      () => true,
      () => false,
    );
    if (chairs) return true;
  }
  return principal.roles.includes('panel_member') && own === 'submitted';
}

/** The status of the caller's own assignment on the case in the sitting, if they have one. */
async function ownAssignmentOn(principal: Principal, caseId: string, sittingId: string) {
  if (!REVIEWING_ROLES.some((role) => principal.roles.includes(role))) return undefined;
  const reviewer = await reviewerOf(principal);
  if (!reviewer) return undefined;
  return (await getAssignment(assignmentIdOf(caseId, sittingId, reviewer.reviewerId)))?.status;
}

export async function caseFindingsFor(principal: Principal, caseId: string) {
  const reviewCase = await getCase(caseId).catch(() => undefined);
  if (!reviewCase || !(await mayReadFindings(principal, reviewCase)))
    throw new NotFoundError(`No case ${caseId}`);
  const findings = await findingsOfCase(caseId);
  const moderations = await moderationsOf(caseId);
  return {
    caseId,
    status: reviewCase.status,
    ...(reviewCase.verdict ? { verdict: reviewCase.verdict } : {}),
    findings,
    moderations,
  };
}
