/**
 * The findings form of an assignment: the questions of its question set that apply to the
 * decision, each coded on the answer scale with a rationale, then the verdict and its rationale,
 * good practice, one learning point and themes. The draft is kept in the session, so what was
 * typed survives an error and the check-your-answers page.
 */

import { ANSWER_LABELS, applies, type Question, VERDICT_LABELS } from '../../shared/review/question-set.ts';
import type { FieldErrors } from '../api.ts';

export interface FindingDraft {
  answers: Record<string, { code?: string; rationale?: string }>;
  verdict?: string;
  verdictRationale?: string;
  goodPractice?: string;
  learningPoint?: string;
  learningLevel?: string;
  themes?: string;
}

export interface QuestionSetView {
  readonly version: number;
  readonly questions: readonly Question[];
}

type DecisionForQuestions = Parameters<typeof applies>[1];

/** The questions the reviewer answers on this decision. */
export const applicableQuestions = (questionSet: QuestionSetView, decision: DecisionForQuestions) =>
  questionSet.questions.filter((question) => applies(question, decision));

export const ANSWER_ITEMS = Object.entries(ANSWER_LABELS).map(([value, text]) => ({ value, text }));
export const VERDICT_ITEMS = Object.entries(VERDICT_LABELS).map(([value, text]) => ({ value, text }));
export const LEARNING_LEVEL_ITEMS = [
  { value: 'individual', text: 'For the officer or lawyer' },
  { value: 'organisational', text: 'For the force or the CPS' },
];

/** The draft from the posted form: `answer-<id>` and `rationale-<id>` per question, then the rest. */
export function draftFromForm(questions: readonly Question[], form: Record<string, unknown>): FindingDraft {
  const text = (name: string) => (typeof form[name] === 'string' ? String(form[name]) : undefined);
  return {
    answers: Object.fromEntries(
      questions.map((question) => [
        question.questionId,
        {
          code: text(`answer-${question.questionId}`),
          rationale: text(`rationale-${question.questionId}`) ?? '',
        },
      ]),
    ),
    verdict: text('verdict'),
    verdictRationale: text('verdictRationale') ?? '',
    goodPractice: text('goodPractice') ?? '',
    learningPoint: text('learningPoint') ?? '',
    learningLevel: text('learningLevel'),
    themes: text('themes') ?? '',
  };
}

/** What the form needs before the answers can be checked; the API checks everything again. */
export function findingErrors(questions: readonly Question[], draft: FindingDraft): FieldErrors {
  const errors: FieldErrors = [];
  for (const question of questions) {
    const answer = draft.answers[question.questionId];
    if (question.required && !answer?.code)
      errors.push({ text: `Answer: ${question.text}`, href: `#answer-${question.questionId}` });
    else if (answer?.code && answer.code !== 'not_applicable' && !answer.rationale?.trim())
      errors.push({
        text: `Give the reason for your answer to: ${question.text}`,
        href: `#rationale-${question.questionId}`,
      });
  }
  if (!draft.verdict || !(draft.verdict in VERDICT_LABELS))
    errors.push({ text: 'Select your verdict', href: '#verdict' });
  if (!draft.verdictRationale?.trim())
    errors.push({ text: 'Explain your verdict', href: '#verdictRationale' });
  if (draft.learningPoint?.trim() && !draft.learningLevel)
    errors.push({ text: 'Say who the learning point is for', href: '#learningLevel' });
  return errors;
}

/** The POST /assignments/{id}/findings body from a checked draft. */
export function findingRequest(questionSetVersion: number, draft: FindingDraft) {
  return {
    questionSetVersion,
    answers: Object.fromEntries(
      Object.entries(draft.answers)
        .filter(([, answer]) => answer.code)
        .map(([questionId, answer]) => [
          questionId,
          { code: answer.code, rationale: answer.rationale ?? '' },
        ]),
    ),
    verdict: draft.verdict,
    verdictRationale: draft.verdictRationale ?? '',
    goodPractice: draft.goodPractice ?? '',
    learningPoints: draft.learningPoint?.trim()
      ? [{ text: draft.learningPoint, level: draft.learningLevel }]
      : [],
    recommendations: [],
    themes: (draft.themes ?? '')
      .split(',')
      .map((theme) => theme.trim())
      .filter(Boolean),
  };
}

/** The API's refusal of a field, as a link to the form's own field. */
export function anchorOf(field: string): string | undefined {
  const answer = /^body\.answers\.([a-z0-9_]+)(\.(code|rationale))?$/.exec(field);
  if (answer) return `#${answer[3] === 'rationale' ? 'rationale' : 'answer'}-${answer[1]}`;
  const other = /^body\.(verdict|verdictRationale|goodPractice|themes)/.exec(field);
  return other ? `#${other[1]}` : undefined;
}
