/**
 * A finding: one panel member's coded answers to the terms-of-reference questions for one case,
 * with a verdict, learning and recommendations. Immutable once submitted; an amendment is a new
 * version with a reason, and every version is kept. Free text is stored exactly as typed and is
 * only ever rendered escaped.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CaseStatus, ReviewCase } from '../cases/review-case.ts';
import type { Decision } from '../decisions/decision.ts';
import { type FieldIssue, ValidationError } from '../errors.ts';
import type { AssignmentStatus } from '../routing/assignment-store.ts';
import { ANSWER_CODES, applies, type QuestionSet, VERDICTS } from './question-set.ts';

const MAX_TEXT = 4000;
const text = (max = MAX_TEXT) => z.string().trim().max(max, `at most ${max} characters`);

export const AnswerSchema = z
  .object({
    code: z.enum(ANSWER_CODES),
    rationale: text().default(''),
  })
  .refine((answer) => answer.code === 'not_applicable' || answer.rationale.length > 0, {
    path: ['rationale'],
    message: 'give a rationale for every answer other than not_applicable',
  });

export const LEARNING_LEVELS = ['individual', 'organisational'] as const;

export const RecommendationRequestSchema = z.object({
  text: text(2000).min(1, 'say what is recommended'),
  owner: text(200).min(1, 'name who owns the action (a role or a unit)'),
  dueDate: z.iso.date('a date such as 2027-06-30'),
});

export const THEME_PATTERN = /^[a-z0-9][a-z0-9 -]{0,39}$/;

/** What a panel member submits. */
export const FindingRequestSchema = z.object({
  questionSetVersion: z.number().int().positive(),
  answers: z.record(z.string().max(60), AnswerSchema),
  verdict: z.enum(VERDICTS),
  verdictRationale: text().min(1, 'explain the verdict'),
  goodPractice: text().default(''),
  learningPoints: z
    .array(z.object({ text: text(2000).min(1), level: z.enum(LEARNING_LEVELS) }))
    .max(20)
    .default([]),
  recommendations: z.array(RecommendationRequestSchema).max(10).default([]),
  themes: z
    .array(
      z
        .string()
        .trim()
        .toLowerCase()
        .regex(THEME_PATTERN, 'a short tag of letters, digits, spaces or hyphens (at most 40)'),
    )
    .max(20)
    .default([]),
});
export type FindingRequest = z.infer<typeof FindingRequestSchema>;

export const AmendFindingRequestSchema = FindingRequestSchema.extend({
  amendsVersion: z.number().int().positive(),
  reason: text(2000).min(1, 'say why the finding is amended'),
});
export type AmendFindingRequest = z.infer<typeof AmendFindingRequestSchema>;

export const FindingSchema = FindingRequestSchema.extend({
  findingId: z.string(),
  caseId: z.string(),
  sittingId: z.string(),
  assignmentId: z.string(),
  reviewerId: z.string(),
  version: z.number().int().positive(),
  amendment: z.object({ amendsVersion: z.number().int(), reason: z.string() }).optional(),
  submittedAt: z.iso.datetime(),
  submittedBy: z.string(),
  /** SHA-256 of what was submitted: a retry of the same submission is recognised by it. */
  contentHash: z.string(),
});
export type Finding = z.infer<typeof FindingSchema>;

/** SHA-256 of a request as received, to recognise the same request sent again. */
export const contentHash = (request: unknown) =>
  createHash('sha256').update(JSON.stringify(request)).digest('hex');

/** The latest version of each reviewer's finding. */
export function latestVersions(findings: readonly Finding[]): Map<string, Finding> {
  const latest = new Map<string, Finding>();
  for (const finding of findings) {
    const seen = latest.get(finding.reviewerId);
    if (!seen || seen.version < finding.version) latest.set(finding.reviewerId, finding);
  }
  return latest;
}

/** Statuses in which a case takes findings. */
export const REVIEWABLE: readonly CaseStatus[] = ['ASSIGNED', 'IN_REVIEW', 'MODERATION'];

/** An assignment in one of these takes its reviewer's finding (a first one, or an amendment). */
const TAKES_FINDINGS: readonly AssignmentStatus[] = ['assigned', 'submitted'];

/** A case status as words in a sentence: "in review". */
export const statusInWords = (status: string) => status.toLowerCase().replace('_', ' ');

/**
 * Why the case takes no more findings from this assignment, if it does not: it left the sitting,
 * was decided, or was taken off the reviewer, or the deadline passed. The same words whether the
 * state was read before the write or returned by the write refused on it.
 */
export function whyNoFinding(
  reviewCase: Pick<ReviewCase, 'caseId' | 'status' | 'sittingId'>,
  assignment: { sittingId: string; status: string; dueDate: string },
  today: string,
): string | undefined {
  const { caseId, status } = reviewCase;
  if (reviewCase.sittingId !== assignment.sittingId) {
    return `Case ${caseId} has left this sitting (it is ${statusInWords(status)}): it takes no more findings here`;
  }
  if (!REVIEWABLE.includes(status))
    return `Case ${caseId} is ${statusInWords(status)}: it takes no more findings`;
  if (!(TAKES_FINDINGS as readonly string[]).includes(assignment.status)) {
    return `Case ${caseId} is no longer assigned to you (${assignment.status})`;
  }
  if (today > assignment.dueDate) {
    return `The findings deadline for this case was ${assignment.dueDate}; ask the chair to extend it or reassign the case`;
  }
  return undefined;
}

/** Recommendations due before today, each named. */
export function recommendationsInThePast(
  recommendations: readonly { dueDate: string }[],
  today: string,
): FieldIssue[] {
  return recommendations.flatMap((recommendation, index) =>
    recommendation.dueDate < today
      ? [{ field: `body.recommendations.${index}.dueDate`, reason: 'must not be in the past' }]
      : [],
  );
}

/** Refuses recommendations due before today, naming each. */
export function refuseRecommendationsInThePast(
  recommendations: readonly { dueDate: string }[],
  today: string,
): void {
  const issues = recommendationsInThePast(recommendations, today);
  if (issues.length > 0) {
    throw new ValidationError(
      `Invalid body: ${issues.map((i) => `${i.field}: ${i.reason}`).join('; ')}`,
      issues,
    );
  }
}

/**
 * Checks the answers against the question set version they claim: every answer is to a question
 * of that version, every required question that applies to the decision is answered, and a
 * question that does not apply is at most "not applicable". Throws a ValidationError naming each
 * problem.
 */
export function checkAgainstQuestionSet(
  request: Pick<FindingRequest, 'answers' | 'questionSetVersion'>,
  questionSet: QuestionSet,
  decision: Pick<Decision, 'outcomeCode' | 'decisionType'>,
  /** Other problems of the same request, refused together with these so every one is named at once. */
  alsoRefused: readonly FieldIssue[] = [],
): void {
  const issues: FieldIssue[] = [];
  if (request.questionSetVersion !== questionSet.version) {
    issues.push({
      field: 'body.questionSetVersion',
      reason: `this case is reviewed against question set version ${questionSet.version}`,
    });
  }
  const known = new Map(questionSet.questions.map((question) => [question.questionId, question]));
  for (const [questionId, answer] of Object.entries(request.answers)) {
    const question = known.get(questionId);
    if (!question) {
      issues.push({
        field: `body.answers.${questionId}`,
        reason: `not a question of version ${questionSet.version}`,
      });
    } else if (!applies(question, decision) && answer.code !== 'not_applicable') {
      issues.push({
        field: `body.answers.${questionId}`,
        reason: 'this question does not apply to this decision; answer not_applicable or leave it out',
      });
    }
  }
  for (const question of questionSet.questions) {
    if (question.required && applies(question, decision) && !(question.questionId in request.answers)) {
      issues.push({ field: `body.answers.${question.questionId}`, reason: 'required: answer it' });
    }
  }
  const all = [...issues, ...alsoRefused];
  if (all.length > 0) {
    throw new ValidationError(
      `The finding does not fit question set version ${questionSet.version}: ${all
        .map((issue) => `${issue.field}: ${issue.reason}`)
        .join('; ')}`,
      all,
    );
  }
}
