/** Reviewing through the API as the reviewers a case was routed to, for tests. */

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { DEMO_REVIEWERS } from '../../local/demo-panel.ts';
import type { Decision } from '../../shared/decisions/decision.ts';
import { type Question, applies as questionApplies } from '../../shared/review/question-set.ts';
import type { LocalStack } from './local-stack.ts';

export interface CaseView {
  assignment: { assignmentId: string; caseId: string; reviewerId: string; sittingId: string; status: string };
  case: { caseId: string; status: string };
  nominations?: unknown[];
  decision: { decisionId: string; outcomeCode?: string; decisionType: string };
  questionSet: {
    version: number;
    questions: {
      questionId: string;
      required: boolean;
      appliesWhen?: { outcomeCodes?: string[]; decisionTypes?: string[] };
    }[];
  };
}

/**
 * A sign-in token for a reviewer. Demo reviewers without a sign-in of their own are given the
 * subject `demo-<reviewerId>` first, as an admin would when they join.
 */
export async function reviewerToken(stack: LocalStack, reviewerId: string): Promise<string> {
  const reviewer = DEMO_REVIEWERS.find((candidate) => candidate.reviewerId === reviewerId);
  if (!reviewer) throw new Error(`No demo reviewer ${reviewerId}`);
  const subject = reviewer.subject ?? `demo-${reviewerId}`;
  if (!reviewer.subject) {
    const { reviewerId: _id, ...body } = reviewer;
    const saved = await stack.api('PUT', `/reviewers/${reviewerId}`, {
      as: 'admin',
      body: { ...body, subject },
    });
    if (saved.status !== 200) throw new Error(`Could not give ${reviewerId} a sign-in: ${saved.status}`);
  }
  return stack.runtime.tokenFor('panel', { sub: subject });
}

/** The case record as stored, read straight from the table; undefined if there is none. */
export async function caseRecord(stack: LocalStack, caseId: string) {
  const { Item } = await stack.documents.send(
    new GetCommand({
      TableName: stack.runtime.physicalName('TablesMain'),
      Key: { pk: `CASE#${caseId}`, sk: 'CASE' },
    }),
  );
  return Item;
}

/** The reviewers a case is assigned to now, read from the case record. */
export async function reviewersOf(stack: LocalStack, caseId: string): Promise<string[]> {
  const record = await caseRecord(stack, caseId);
  return [...((record?.assignedReviewers as Set<string> | undefined) ?? [])].sort();
}

/**
 * The reviewer's assignment on the case, and the case as they read it; through `api` (a client
 * that resends after a 5xx, where faults are injected), or the stack's.
 */
export async function assignedCase(
  stack: LocalStack,
  token: string,
  caseId: string,
  api: LocalStack['api'] = stack.api,
): Promise<CaseView> {
  const mine = await api('GET', '/assignments', { token });
  const assignment = (mine.body.items as CaseView['assignment'][]).find(
    (candidate) => candidate.caseId === caseId && ['assigned', 'submitted'].includes(candidate.status),
  );
  if (!assignment) throw new Error(`No assignment on ${caseId}`);
  const view = await api('GET', `/assignments/${assignment.assignmentId}/case`, { token });
  if (view.status !== 200) throw new Error(`Could not read ${caseId}: ${JSON.stringify(view.body)}`);
  return view.body as unknown as CaseView;
}

/** A complete finding for the case: every question that applies answered `code`, with a rationale. */
export function findingFor(view: CaseView, verdict: string, code = 'yes') {
  // The server's own rule (outcome variants such as 16A take their base code's questions).
  const applies = (question: CaseView['questionSet']['questions'][number]) =>
    questionApplies(question as Question, view.decision as Pick<Decision, 'outcomeCode' | 'decisionType'>);
  return {
    questionSetVersion: view.questionSet.version,
    answers: Object.fromEntries(
      view.questionSet.questions
        .filter(applies)
        .map((question) => [
          question.questionId,
          { code, rationale: `Seen in the file (${question.questionId})` },
        ]),
    ),
    verdict,
    verdictRationale: `The reviewer finds the decision ${verdict}`,
    learningPoints: [{ text: 'Record the victim’s views on bail conditions', level: 'organisational' }],
    recommendations: [],
    themes: ['bail conditions'],
  };
}

/** Submits a finding as the reviewer and waits for the conclusion workflow it starts. */
export async function submitAndConclude(
  stack: LocalStack,
  token: string,
  view: CaseView,
  finding: ReturnType<typeof findingFor> | Record<string, unknown>,
) {
  const submitted = await stack.api('POST', `/assignments/${view.assignment.assignmentId}/findings`, {
    token,
    body: finding,
  });
  if (submitted.status === 201)
    await stack.waitForExecution('ConcludeCase', String(submitted.body.findingId));
  return submitted;
}

/** Every reviewer of the case submits a finding with the given verdicts (in reviewer order). */
export async function reviewCase(stack: LocalStack, caseId: string, verdicts: readonly string[]) {
  const reviewers = await reviewersOf(stack, caseId);
  const results = [];
  for (const [index, reviewerId] of reviewers.entries()) {
    const token = await reviewerToken(stack, reviewerId);
    const view = await assignedCase(stack, token, caseId);
    const submitted = await submitAndConclude(
      stack,
      token,
      view,
      findingFor(view, verdicts[index] ?? 'consistent'),
    );
    if (submitted.status !== 201) throw new Error(`Finding refused: ${JSON.stringify(submitted.body)}`);
    results.push({ reviewerId, token, view, finding: submitted.body });
  }
  return results;
}
