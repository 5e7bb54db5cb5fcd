/**
 * Findings: a panel member submits (then, if need be, amends) their finding on a case assigned to
 * them, and who may read the findings of a case. Review is blind: nobody reads another reviewer's
 * finding until their own is in. A submitted finding is never changed; an amendment is the next
 * version beside it, and each submission starts the conclusion workflow.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { getCase } from '../cases/case-store.ts';
import type { ReviewCase } from '../cases/review-case.ts';
import { keys } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import { getDecision } from '../decisions/decision-store.ts';
import { ENV, mainTable, requireEnv } from '../environment.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Principal } from '../http/principal.ts';
import { deterministicId } from '../ids.ts';
import { reviewerOf, sittingFor } from '../panels/agenda.ts';
import { type Assignment, AssignmentSchema } from '../routing/assignments.ts';
import { startExecutionOnce } from '../start-execution.ts';
import {
  type AmendFindingRequest,
  checkAgainstQuestionSet,
  contentHash,
  type Finding,
  type FindingRequest,
  FindingSchema,
  latestVersions,
  refuseRecommendationsInThePast,
} from './finding.ts';
import { moderationsOf } from './moderation.ts';
import { currentQuestionSet } from './question-sets.ts';

/** Statuses in which a case takes findings. */
export const REVIEWABLE = ['ASSIGNED', 'IN_REVIEW', 'MODERATION'];

/**
 * The caller's own assignment; anyone else's answers as missing. The reviewer record says who the
 * caller is on the panel, so a reviewer given a sign-in after being assigned still finds their cases.
 */
export async function ownAssignment(principal: Principal, assignmentId: string): Promise<Assignment> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: keys.assignment(assignmentId) }),
  );
  const reviewer = Item ? await reviewerOf(principal) : undefined;
  if (!Item || !reviewer || Item.reviewerId !== reviewer.reviewerId) {
    throw new NotFoundError(`No assignment ${assignmentId}`);
  }
  return AssignmentSchema.parse(Item);
}

/** Every version of every finding on the case, in one sitting or all, by reviewer then version. */
export async function findingsOfCase(caseId: string, sittingId?: string): Promise<Finding[]> {
  const items = await queryAll({
    TableName: mainTable(),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: {
      ':pk': keys.reviewCase(caseId).pk,
      ':prefix': sittingId ? `FINDING#${sittingId}#` : 'FINDING#',
    },
  });
  return items.map((item) => FindingSchema.parse(item));
}

function refuseUnlessReviewable(reviewCase: ReviewCase, assignment: Assignment, today: string) {
  if (!REVIEWABLE.includes(reviewCase.status) || reviewCase.sittingId !== assignment.sittingId) {
    throw new ConflictError(
      `Case ${reviewCase.caseId} is ${reviewCase.status.toLowerCase().replace('_', ' ')}: it takes no more findings`,
    );
  }
  if (assignment.status !== 'assigned' && assignment.status !== 'submitted') {
    throw new ConflictError(`Case ${reviewCase.caseId} is no longer assigned to you (${assignment.status})`);
  }
  if (today > assignment.dueDate) {
    throw new ConflictError(
      `The findings deadline for this case was ${assignment.dueDate}; ask the chair to extend it or reassign the case`,
    );
  }
}

/**
 * Stores one finding version unless it is there already. The same submission again (a retry)
 * finds its own hash and carries on; a different one under the same version is refused.
 */
async function storeVersion(finding: Finding, alreadyThere: string): Promise<void> {
  try {
    await documents.send(
      new PutCommand({
        TableName: mainTable(),
        Item: {
          ...keys.finding(finding.caseId, finding.sittingId, finding.reviewerId, finding.version),
          ...finding,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const { Item } = await documents.send(
      new GetCommand({
        TableName: mainTable(),
        Key: keys.finding(finding.caseId, finding.sittingId, finding.reviewerId, finding.version),
      }),
    );
    if (Item?.contentHash !== finding.contentHash) throw new ConflictError(alreadyThere);
  }
}

/**
 * Marks a stored version as not counting, with why: the reviewer was taken off the case, or the
 * case concluded, between the checks and the write. It stays on record (and in the pack), refused.
 */
async function refuse(finding: Finding, why: string): Promise<never> {
  await documents.send(
    new UpdateCommand({
      TableName: mainTable(),
      Key: keys.finding(finding.caseId, finding.sittingId, finding.reviewerId, finding.version),
      UpdateExpression: 'SET refused = if_not_exists(refused, :why)',
      ExpressionAttributeValues: { ':why': why },
    }),
  );
  throw new ConflictError(why);
}

/**
 * After a version is stored: the assignment is submitted, the case in review, the conclusion
 * workflow started. A first store that lost a race is refused: its reviewer was taken off the case,
 * or the case was decided (concluded or carried over) on findings that did not include it. A resend
 * of a stored version only redoes the idempotent steps: it never changes what was counted.
 */
async function afterSubmission(finding: Finding, requestedBy: string, resend = false): Promise<void> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: keys.assignment(finding.assignmentId),
        UpdateExpression: 'SET #status = :submitted, submittedAt = if_not_exists(submittedAt, :at)',
        ConditionExpression: '#status IN (:assigned, :submitted)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':submitted': 'submitted',
          ':assigned': 'assigned',
          ':at': finding.submittedAt,
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    if (resend) return;
    await refuse(finding, `Case ${finding.caseId} was taken off you while your finding was being stored`);
  }
  if (!resend) {
    const reviewCase = await getCase(finding.caseId);
    const decidedHere = reviewCase.sittingId !== finding.sittingId || !REVIEWABLE.includes(reviewCase.status);
    if (decidedHere && !(reviewCase.decidedOn ?? []).includes(finding.findingId)) {
      await refuse(finding, `Case ${finding.caseId} was decided while your finding was being stored`);
    }
  }
  await documents
    .send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: keys.reviewCase(finding.caseId),
        UpdateExpression: 'SET #status = :inReview',
        ConditionExpression: '#status = :assigned AND sittingId = :sitting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':inReview': 'IN_REVIEW',
          ':assigned': 'ASSIGNED',
          ':sitting': finding.sittingId,
        },
      }),
    )
    .catch((error) => {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    });
  await startConclusion(finding.caseId, finding.findingId, requestedBy);
}

/** Starts the conclusion workflow for a case, once per cause (a finding version, a moderation). */
export async function startConclusion(caseId: string, cause: string, requestedBy: string) {
  await startExecutionOnce(requireEnv(ENV.conclusionStateMachine), cause, {
    caseId,
    requestedBy: { subject: requestedBy },
  });
}

/** The refusals that do not depend on what is already stored: the case, the assignment, the answers. */
async function checkSubmission(assignment: Assignment, request: FindingRequest, now: Date): Promise<void> {
  const today = now.toISOString().slice(0, 10);
  const reviewCase = await getCase(assignment.caseId);
  refuseUnlessReviewable(reviewCase, assignment, today);
  checkAgainstQuestionSet(request, await currentQuestionSet(), await getDecision(reviewCase.decisionId));
  refuseRecommendationsInThePast(request.recommendations, today);
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
 * The version already stored under this one's key when it holds exactly this submission: a resend
 * (the answer to the first was lost) gets the stored version, whatever happened to the case since.
 */
async function resent(finding: Finding): Promise<Finding | undefined> {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: mainTable(),
      Key: keys.finding(finding.caseId, finding.sittingId, finding.reviewerId, finding.version),
    }),
  );
  if (!Item || Item.contentHash !== finding.contentHash) return undefined;
  const stored = FindingSchema.parse(Item);
  if (stored.refused) throw new ConflictError(stored.refused);
  return stored;
}

/** A reviewer's first finding on the case assigned to them. */
export async function submitFinding(
  principal: Principal,
  assignmentId: string,
  request: FindingRequest,
  now = new Date(),
): Promise<Finding> {
  const assignment = await ownAssignment(principal, assignmentId);
  const finding = findingOf(assignment, request, 1, principal, now);
  const earlier = await resent(finding);
  if (earlier) {
    await afterSubmission(earlier, principal.subject, true);
    return earlier;
  }
  await checkSubmission(assignment, request, now);
  await storeVersion(
    finding,
    'You have already submitted a finding on this case; send an amendment with a reason instead',
  );
  await afterSubmission(finding, principal.subject);
  return stored(finding);
}

async function stored(finding: Finding): Promise<Finding> {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: mainTable(),
      Key: keys.finding(finding.caseId, finding.sittingId, finding.reviewerId, finding.version),
    }),
  );
  return FindingSchema.parse(Item);
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
  const earlier = await resent(finding);
  if (earlier) {
    await afterSubmission(earlier, principal.subject, true);
    return earlier;
  }
  await checkSubmission(assignment, request, now);
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
  await storeVersion(finding, `Version ${finding.version} was stored meanwhile; look at it and try again`);
  await afterSubmission(finding, principal.subject);
  return stored(finding);
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
  if (!principal.roles.includes('panel_member')) return undefined;
  const reviewer = await reviewerOf(principal);
  if (!reviewer) return undefined;
  const { Item } = await documents.send(
    new GetCommand({
      TableName: mainTable(),
      Key: keys.assignment(deterministicId('asg', caseId, sittingId, reviewer.reviewerId)),
    }),
  );
  return Item ? AssignmentSchema.parse(Item).status : undefined;
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
