/** The rules a finding must meet against the question set version it answers. */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.ts';
import { checkAgainstQuestionSet, FindingRequestSchema, whyNoFinding } from '../../shared/review/finding.ts';
import { applies, INITIAL_QUESTION_SET } from '../../shared/review/question-set.ts';

const policeNfa16 = { outcomeCode: '16', decisionType: 'police_nfa' as const };
const filed = { outcomeCode: '18', decisionType: 'filed' as const };

const answersFor = (decision: typeof policeNfa16 | typeof filed) =>
  Object.fromEntries(
    INITIAL_QUESTION_SET.questions
      .filter((question) => applies(question, decision))
      .map((question) => [question.questionId, { code: 'yes' as const, rationale: 'seen in the file' }]),
  );

const issuesOf = (run: () => void) => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((issue) => issue.field);
    throw error;
  }
  return [];
};

describe('the question set', () => {
  it('asks the outcome-16 and filing questions only where they apply', () => {
    const ids = (decision: typeof policeNfa16 | typeof filed) =>
      INITIAL_QUESTION_SET.questions.filter((q) => applies(q, decision)).map((q) => q.questionId);
    expect(ids(policeNfa16)).toContain('evidence_led_prosecution');
    expect(ids(policeNfa16)).toContain('code_for_crown_prosecutors');
    expect(ids(policeNfa16)).not.toContain('proportionate_investigation');
    expect(ids(filed)).toContain('proportionate_investigation');
    expect(ids(filed)).not.toContain('evidence_led_prosecution');
  });
});

describe('checking answers against the question set', () => {
  const request = (
    answers: Record<string, { code: 'yes' | 'not_applicable'; rationale: string }>,
    version = 1,
  ) => ({
    questionSetVersion: version,
    answers,
  });

  it('accepts every applicable question answered', () => {
    expect(
      issuesOf(() => checkAgainstQuestionSet(request(answersFor(filed)), INITIAL_QUESTION_SET, filed)),
    ).toEqual([]);
  });

  it('names each required question left unanswered', () => {
    const { timeliness: _t, victims_code: _v, ...rest } = answersFor(policeNfa16);
    expect(issuesOf(() => checkAgainstQuestionSet(request(rest), INITIAL_QUESTION_SET, policeNfa16))).toEqual(
      ['body.answers.timeliness', 'body.answers.victims_code'],
    );
  });

  it('refuses answers to questions the version does not have, and another version', () => {
    const answers = { ...answersFor(filed), invented: { code: 'yes' as const, rationale: 'x' } };
    expect(issuesOf(() => checkAgainstQuestionSet(request(answers, 2), INITIAL_QUESTION_SET, filed))).toEqual(
      ['body.questionSetVersion', 'body.answers.invented'],
    );
  });

  it('takes "not applicable" for a question that does not apply, and nothing else', () => {
    const na = {
      ...answersFor(filed),
      evidence_led_prosecution: { code: 'not_applicable' as const, rationale: '' },
    };
    expect(issuesOf(() => checkAgainstQuestionSet(request(na), INITIAL_QUESTION_SET, filed))).toEqual([]);
    const yes = { ...answersFor(filed), evidence_led_prosecution: { code: 'yes' as const, rationale: 'x' } };
    expect(issuesOf(() => checkAgainstQuestionSet(request(yes), INITIAL_QUESTION_SET, filed))).toEqual([
      'body.answers.evidence_led_prosecution',
    ]);
  });
});

describe('the finding schema', () => {
  const base = {
    questionSetVersion: 1,
    answers: { timeliness: { code: 'no', rationale: 'Eleven months to a decision' } },
    verdict: 'inappropriate',
    verdictRationale: 'Lines of enquiry were missed',
  };

  it('wants a rationale for every answer but "not applicable", and a verdict on the scale', () => {
    expect(FindingRequestSchema.safeParse(base).success).toBe(true);
    const noRationale = { ...base, answers: { timeliness: { code: 'partly', rationale: ' ' } } };
    expect(FindingRequestSchema.safeParse(noRationale).error?.issues[0]?.path).toEqual([
      'answers',
      'timeliness',
      'rationale',
    ]);
    expect(FindingRequestSchema.safeParse({ ...base, verdict: 'fine' }).success).toBe(false);
  });

  it('keeps markup as the text it is, and tidies theme tags', () => {
    const parsed = FindingRequestSchema.parse({
      ...base,
      goodPractice: '<b>Early</b> advice',
      themes: ['  Victim Voice '],
    });
    expect(parsed.goodPractice).toBe('<b>Early</b> advice');
    expect(parsed.themes).toEqual(['victim voice']);
    expect(FindingRequestSchema.safeParse({ ...base, themes: ['<script>'] }).success).toBe(false);
  });
});

describe('why a case takes no finding', () => {
  const inReview = { caseId: 'case_a', status: 'IN_REVIEW' as const, sittingId: 'sit_1' };
  const assigned = { sittingId: 'sit_1', status: 'assigned', dueDate: '2027-01-13' };

  it('takes one while the case is in review in the sitting, the assignment open and the deadline not passed', () => {
    expect(whyNoFinding(inReview, assigned, '2027-01-13')).toBeUndefined();
    expect(
      whyNoFinding({ ...inReview, status: 'MODERATION' }, { ...assigned, status: 'submitted' }, '2027-01-01'),
    ).toBeUndefined();
  });

  it('names why not: the case left the sitting, was decided, was taken off the reviewer, or the deadline passed', () => {
    expect(whyNoFinding({ ...inReview, status: 'OPEN', sittingId: 'sit_2' }, assigned, '2027-01-01')).toMatch(
      /left this sitting/,
    );
    expect(whyNoFinding({ ...inReview, status: 'CONCLUDED' }, assigned, '2027-01-01')).toMatch(
      /is concluded/,
    );
    expect(whyNoFinding(inReview, { ...assigned, status: 'reassigned' }, '2027-01-01')).toMatch(
      /no longer assigned to you \(reassigned\)/,
    );
    expect(whyNoFinding(inReview, assigned, '2027-01-14')).toMatch(/deadline for this case was 2027-01-13/);
  });
});
