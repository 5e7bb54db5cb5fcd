/**
 * The terms-of-reference questions a panel member answers for each case, as a versioned set the
 * admin can change. Every finding records the version it answered, so a finding is always read
 * against the questions that were actually asked. Versions are immutable once published.
 *
 * Each question is coded on one scale (ANSWER_CODES) with a rationale; the verdict is on the
 * four-point scale (VERDICTS). A question can apply only to some decisions (e.g. outcome 16, or
 * filed cases); where it does not apply it may be answered "not applicable" or left out.
 */
import { z } from 'zod';
import type { Decision } from '../decisions/decision.ts';
import { nationalOutcomeCode } from '../decisions/outcome-codes.ts';

export const ANSWER_CODES = ['yes', 'no', 'partly', 'not_applicable', 'cannot_tell'] as const;
export type AnswerCode = (typeof ANSWER_CODES)[number];

export const VERDICTS = [
  'consistent',
  'appropriate_with_observations',
  'inappropriate',
  'cannot_conclude',
] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * The verdicts that lie on one scale, from best to worst, for weighted kappa: "cannot conclude" is
 * no point on it, so items a reviewer could not conclude are left out of the weighted figures.
 */
export const ORDERED_VERDICTS = ['consistent', 'appropriate_with_observations', 'inappropriate'] as const;

export const VERDICT_LABELS: Readonly<Record<Verdict, string>> = {
  consistent: 'Consistent with policy',
  appropriate_with_observations: 'Appropriate with observations',
  inappropriate: 'Inappropriate',
  cannot_conclude: 'Cannot conclude (carried to the next sitting)',
};

/**
 * What each verdict says about compliance with policy, defined here once for every estimate and
 * report: "consistent" and "appropriate with observations" comply, "inappropriate" does not, and
 * "cannot conclude" says nothing either way, so it is left out of a rate (and counted apart).
 */
export const VERDICT_COMPLIANCE: Readonly<Record<Verdict, 'compliant' | 'non_compliant' | 'excluded'>> = {
  consistent: 'compliant',
  appropriate_with_observations: 'compliant',
  inappropriate: 'non_compliant',
  cannot_conclude: 'excluded',
};

/** The compliance of a verdict; a verdict off the scale is not counted either way. */
export const complianceOf = (verdict: string) => VERDICT_COMPLIANCE[verdict as Verdict] ?? 'excluded';

export const ANSWER_LABELS: Readonly<Record<AnswerCode, string>> = {
  yes: 'Yes',
  no: 'No',
  partly: 'Partly',
  not_applicable: 'Not applicable',
  cannot_tell: 'Cannot tell',
};

export const QuestionSchema = z.object({
  questionId: z.string().regex(/^[a-z][a-z0-9_]{1,59}$/, 'a lowercase identifier such as lines_of_enquiry'),
  text: z.string().trim().min(1).max(600),
  /** Required questions must be answered whenever they apply. */
  required: z.boolean(),
  /** Limits the question to some decisions; it applies to every decision without it. */
  appliesWhen: z
    .object({
      outcomeCodes: z.array(z.string().min(1).max(8)).min(1).optional(),
      decisionTypes: z
        .array(z.enum(['police_nfa', 'cps_nfa', 'filed', 'other']))
        .min(1)
        .optional(),
    })
    .optional(),
});
export type Question = z.infer<typeof QuestionSchema>;

export const QuestionSetSchema = z.object({
  version: z.number().int().positive(),
  title: z.string().trim().min(1).max(200),
  questions: z
    .array(QuestionSchema)
    .min(1)
    .max(60)
    .refine((questions) => new Set(questions.map((q) => q.questionId)).size === questions.length, {
      message: 'question ids must be unique',
    }),
  publishedAt: z.iso.datetime(),
  publishedBy: z.string(),
});
export type QuestionSet = z.infer<typeof QuestionSetSchema>;

/** A question set as people read it: with the scales its answers and verdicts are coded on, labelled. */
export const QuestionSetWithScalesSchema = QuestionSetSchema.extend({
  scales: z.object({
    answers: z.array(z.object({ code: z.enum(ANSWER_CODES), label: z.string() })),
    verdicts: z.array(z.object({ code: z.enum(VERDICTS), label: z.string() })),
  }),
});

export function withScales(questionSet: QuestionSet): z.infer<typeof QuestionSetWithScalesSchema> {
  return {
    ...questionSet,
    scales: {
      answers: ANSWER_CODES.map((code) => ({ code, label: ANSWER_LABELS[code] })),
      verdicts: VERDICTS.map((code) => ({ code, label: VERDICT_LABELS[code] })),
    },
  };
}

/** What the admin sends to publish the next version. */
export const PublishQuestionSetRequestSchema = QuestionSetSchema.pick({ title: true, questions: true });

/**
 * Does the question apply to this decision? A question for an outcome code applies to its local
 * variants too (one for 16 to 16A), as a variant means what its number means; a question for a
 * variant itself (16A) only to that variant.
 */
export function applies(question: Question, decision: Pick<Decision, 'outcomeCode' | 'decisionType'>) {
  const when = question.appliesWhen;
  if (!when) return true;
  if (when.outcomeCodes) {
    const code = (decision.outcomeCode ?? '').trim().toUpperCase();
    const national = nationalOutcomeCode(code);
    const listed = when.outcomeCodes.map((listedCode) => listedCode.trim().toUpperCase());
    if (!listed.includes(code) && (national === undefined || !listed.includes(national))) return false;
  }
  if (when.decisionTypes && !when.decisionTypes.includes(decision.decisionType)) return false;
  return true;
}

const q = (questionId: string, text: string, appliesWhen?: Question['appliesWhen']): Question => ({
  questionId,
  text,
  required: true,
  ...(appliesWhen ? { appliesWhen } : {}),
});

/** Version 1: the terms of reference of the Rape Scrutiny Panel as the board adopted them. */
export const INITIAL_QUESTION_SET: QuestionSet = {
  version: 1,
  title: 'Rape Scrutiny Panel terms of reference',
  publishedAt: '2026-01-01T00:00:00.000Z',
  publishedBy: 'system:initial',
  questions: [
    q(
      'code_for_crown_prosecutors',
      'Was the decision consistent with the Code for Crown Prosecutors (evidential and public-interest stages)?',
      { decisionTypes: ['police_nfa', 'cps_nfa', 'other'] },
    ),
    q(
      'proportionate_investigation',
      'For a filed case: was filing consistent with the Proportionate Investigation Policy (threat, risk and harm, coupled with solvability)?',
      { decisionTypes: ['filed'] },
    ),
    q('outcome_code_correct', 'Was the correct outcome code applied?'),
    q(
      'lines_of_enquiry',
      'Were reasonable lines of enquiry pursued, including those pointing away from the suspect?',
    ),
    q('suspect_focused', 'Was the investigation suspect-focused rather than victim-credibility-focused?'),
    q(
      'plan_supervision_advice',
      'Were there an investigation plan, supervision and early investigative advice?',
    ),
    q('third_party_material', 'Were third-party material requests necessary and proportionate?'),
    q('myths_and_stereotypes', 'Were myths and stereotypes challenged?'),
    q('coercive_control', 'Was coercive and controlling behaviour identified?'),
    q('language', 'Was the language in the file appropriate?'),
    q('timeliness', 'Was the investigation and decision timely?'),
    q(
      'evidence_led_prosecution',
      'For outcome 16: was an evidence-led prosecution considered, and the NFA checked by a supervisor?',
      { outcomeCodes: ['16'] },
    ),
    q('victims_voice', "Was the victim's voice recorded and respected?"),
    q('support_referral', 'Was the victim referred to an ISVA or other support?'),
    q('bail_conditions', "Were bail conditions considered, with the victim's views?"),
    q(
      'protective_orders',
      'Were protective orders considered (DVPN/DVPO, Stalking Protection Order, DAPO, Sexual Risk Order)?',
    ),
    q('forensic_digital', 'Were forensic and digital opportunities considered?'),
    q(
      'decision_communicated',
      "Was the NFA communicated with reasons and Victims' Right to Review information within 5 working days?",
    ),
    q('victims_code', "Were the victim's rights under the Victims' Code met?"),
  ],
};
