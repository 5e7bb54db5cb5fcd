/**
 * What the concluded cases answered to each question of the question set: per question, how many
 * cases were answered yes, partly and no, each as a share of the cases answered on that scale with
 * its Wilson 95% interval ("lines of enquiry pursued: yes in 72% of cases, 95% 52% to 86%").
 *
 * The unit is the concluded case, not the reviewer's answer, so a case with three reviewers counts
 * as much as one with two. A conclusion records a verdict, not an answer to each question, so a
 * case's answer to a question is the one its reviewers agree on: the code every reviewer who
 * answered it chose, in the latest version of each reviewer's finding (a single reviewer's answer
 * is the case's). Left out of the shares, and counted apart:
 *
 * - `notApplicable`: the reviewers agree the question does not apply to the decision;
 * - `cannotTell`: they agree the file does not say;
 * - `reviewersDiffer`: they gave different answers (yes and partly, or yes and not applicable),
 *   so the case has no answer; the question's kappa says how far the reviewers agree overall;
 * - `notAsked`: no reviewer answered it (it does not apply to the decision, or the question set
 *   version the reviewers answered did not hold it).
 *
 * So `answered` = yes + partly + no, and answered + notApplicable + cannotTell + reviewersDiffer +
 * notAsked = `cases`. Each share is binomial, cases with that answer of the cases answered; the
 * three intervals are each the share's own, not a joint region.
 */
import { type Finding, latestVersions } from '../review/finding.ts';
import { ANSWER_LABELS, type AnswerCode, type QuestionSet } from '../review/question-set.ts';
import type { Interval } from '../sampling/statistics.ts';
import { wilsonInterval } from '../sampling/statistics.ts';
import { type CsvCell, longRows } from './csv.ts';
import { escapeHtml, formatPercent, htmlTable } from './html.ts';
import { intervalChart } from './svg.ts';

/** The answers a share is taken of, in the order they are shown. */
export const SHARED_ANSWERS = ['yes', 'partly', 'no'] as const satisfies readonly AnswerCode[];
export type SharedAnswer = (typeof SHARED_ANSWERS)[number];

export interface AnswerShare {
  readonly answer: SharedAnswer;
  /** Concluded cases whose answer this is. */
  readonly cases: number;
  /** cases / answered; null when no case was answered yes, partly or no. */
  readonly share: number | null;
  /** Wilson score 95% interval of the share; null with it. */
  readonly wilson: Interval | null;
}

export interface QuestionAnswers {
  readonly questionId: string;
  /** The question as the latest version holding it asks it. */
  readonly text: string;
  /** Concluded cases the report covers. */
  readonly cases: number;
  /** Cases answered yes, partly or no: the denominator of every share. */
  readonly answered: number;
  /** Yes, partly and no, in that order. */
  readonly shares: readonly AnswerShare[];
  readonly notApplicable: number;
  readonly cannotTell: number;
  readonly reviewersDiffer: number;
  readonly notAsked: number;
}

/** A concluded case's answer to one question (see the module comment). */
export type CaseAnswer = AnswerCode | 'reviewers_differ' | 'not_asked';

const collator = new Intl.Collator('en-GB', { numeric: true });
/** Natural order (outcome 2 before 14), then code point order so no two keys tie. */
export const compareKeys = (a: string, b: string) => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

/**
 * Question ids in the order of the latest version, then those only older versions asked (newest
 * version first), each with the latest text that asked it; then any id a finding answered that no
 * question set given holds, by id.
 */
export function questionOrder(
  questionSets: readonly QuestionSet[],
  findings: readonly Finding[],
): { questionId: string; text: string }[] {
  const ordered = new Map<string, string>();
  for (const set of [...questionSets].sort((a, b) => b.version - a.version)) {
    for (const question of set.questions) {
      if (!ordered.has(question.questionId)) ordered.set(question.questionId, question.text);
    }
  }
  const strays = new Set<string>();
  for (const finding of findings) {
    for (const questionId of Object.keys(finding.answers)) {
      if (!ordered.has(questionId)) strays.add(questionId);
    }
  }
  for (const questionId of [...strays].sort(compareKeys)) ordered.set(questionId, questionId);
  return [...ordered.entries()].map(([questionId, text]) => ({ questionId, text }));
}

/** The case's answer to the question: the code its reviewers agree on, from each one's latest finding. */
export function caseAnswer(findings: readonly Finding[], questionId: string): CaseAnswer {
  const codes = new Set<AnswerCode>();
  for (const finding of latestVersions(findings).values()) {
    const answer = finding.answers[questionId];
    if (answer) codes.add(answer.code);
  }
  const [only, ...others] = codes;
  if (only === undefined) return 'not_asked';
  return others.length > 0 ? 'reviewers_differ' : only;
}

/**
 * Per question (in questionOrder), what the concluded cases answered. `concludedCases` holds the
 * findings of each concluded case, of the sitting it concluded in; every case counts once.
 */
export function questionAnswers(
  questionSets: readonly QuestionSet[],
  concludedCases: readonly { readonly findings: readonly Finding[] }[],
): QuestionAnswers[] {
  const questions = questionOrder(
    questionSets,
    concludedCases.flatMap((c) => c.findings),
  );
  return questions.map(({ questionId, text }) => {
    const counts = new Map<CaseAnswer, number>();
    for (const reviewCase of concludedCases) {
      const answer = caseAnswer(reviewCase.findings, questionId);
      counts.set(answer, (counts.get(answer) ?? 0) + 1);
    }
    const count = (answer: CaseAnswer) => counts.get(answer) ?? 0;
    const answered = SHARED_ANSWERS.reduce((sum, answer) => sum + count(answer), 0);
    return {
      questionId,
      text,
      cases: concludedCases.length,
      answered,
      shares: SHARED_ANSWERS.map((answer) => ({
        answer,
        cases: count(answer),
        share: answered > 0 ? count(answer) / answered : null,
        wilson: answered > 0 ? wilsonInterval(count(answer), answered) : null,
      })),
      notApplicable: count('not_applicable'),
      cannotTell: count('cannot_tell'),
      reviewersDiffer: count('reviewers_differ'),
      notAsked: count('not_asked'),
    };
  });
}

/**
 * The answers as rows of a long `section,key,metric,value` table: section `answers`, key
 * `question:<questionId>`; shares and bounds are proportions (0 to 1) in full precision, empty
 * while no case was answered yes, partly or no.
 */
export function questionAnswersCsvRows(answers: readonly QuestionAnswers[]): CsvCell[][] {
  return answers.flatMap((question) => {
    return longRows('answers', `question:${question.questionId}`, [
      ['question_text', question.text],
      ['concluded_cases', question.cases],
      ['answered', question.answered],
      ...question.shares.flatMap((share): [string, CsvCell][] => [
        [`${share.answer}_cases`, share.cases],
        [`${share.answer}_share`, share.share],
        [`${share.answer}_wilson_low`, share.wilson?.lower],
        [`${share.answer}_wilson_high`, share.wilson?.upper],
      ]),
      ['not_applicable', question.notApplicable],
      ['cannot_tell', question.cannotTell],
      ['reviewers_differ', question.reviewersDiffer],
      ['not_asked', question.notAsked],
    ]);
  });
}

const shareText = (share: AnswerShare, answered: number) =>
  share.share === null || share.wilson === null
    ? '—'
    : `${formatPercent(share.share)} (${share.cases} of ${answered}; 95% ${formatPercent(
        share.wilson.lower,
      )} to ${formatPercent(share.wilson.upper)})`;

/** What the shares mean, said with them in every report. */
export const QUESTION_ANSWERS_NOTE =
  'Each concluded case counts once. A case’s answer to a question is the one its reviewers agree on ' +
  '(a single reviewer’s answer is the case’s; a conclusion records the verdict, not the answers). Each ' +
  'share is the cases with that answer among the cases answered yes, partly or no, with its Wilson 95% ' +
  'interval. Left out of the shares and counted apart: cases whose reviewers agree the question does not ' +
  'apply (not applicable) or that the file does not tell, cases whose reviewers gave different answers, ' +
  'and cases no reviewer was asked it.';

/** The answers as HTML (already escaped): a chart of the "yes" shares, the table, and what they mean. */
export function questionAnswersHtml(answers: readonly QuestionAnswers[]): string {
  if (answers.length === 0 || answers.every((question) => question.cases === 0)) {
    return '<p>No case has concluded.</p>';
  }
  const yes = (question: QuestionAnswers) => question.shares.find((share) => share.answer === 'yes');
  return (
    intervalChart({
      title: 'Share of answered cases answered yes, with Wilson 95% intervals',
      rows: answers.map((question) => ({
        // The id, which fits the chart; the table beside it gives the question's words.
        label: question.questionId.replaceAll('_', ' '),
        estimate: yes(question)?.share ?? null,
        lower: yes(question)?.wilson?.lower ?? null,
        upper: yes(question)?.wilson?.upper ?? null,
      })),
    }) +
    htmlTable(
      [
        'Question',
        'Answered',
        ...SHARED_ANSWERS.map((answer) => ANSWER_LABELS[answer]),
        ANSWER_LABELS.not_applicable,
        ANSWER_LABELS.cannot_tell,
        'Reviewers differ',
        'Not asked',
      ],
      answers.map((question) => [
        question.text,
        question.answered,
        ...question.shares.map((share) => shareText(share, question.answered)),
        question.notApplicable,
        question.cannotTell,
        question.reviewersDiffer,
        question.notAsked,
      ]),
    ) +
    `<p>${escapeHtml(QUESTION_ANSWERS_NOTE)}</p>`
  );
}
