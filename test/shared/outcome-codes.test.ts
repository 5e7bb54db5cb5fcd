import { describe, expect, it } from 'vitest';
import {
  classifyOutcome,
  HOME_OFFICE_OUTCOMES,
  nationalOutcomeCode,
} from '../../shared/decisions/outcome-codes.ts';
import { ValidationError } from '../../shared/errors.ts';
import { checkAgainstQuestionSet } from '../../shared/review/finding.ts';
import { applies, INITIAL_QUESTION_SET, type Question } from '../../shared/review/question-set.ts';

describe('classifyOutcome', () => {
  it('knows every Home Office outcome from 0 to 22', () => {
    expect(Object.keys(HOME_OFFICE_OUTCOMES).map(Number)).toEqual([...Array(23).keys()]);
  });

  it.each([
    ['14', 'police', 'police_nfa'],
    ['16', 'police', 'police_nfa'],
    ['16', 'cps', 'cps_nfa'],
    ['15', 'cps', 'cps_nfa'],
    ['9', 'police', 'cps_nfa'],
    ['10', 'police', 'police_nfa'],
    ['21', 'police', 'police_nfa'],
    ['18', 'police', 'filed'],
    ['20', 'police', 'filed'],
    ['1', 'cps', 'other'],
    ['8', 'police', 'other'],
    ['0', 'police', 'other'],
  ] as const)('outcome %s decided by %s is %s', (code, body, type) => {
    expect(classifyOutcome(code, body).decisionType).toBe(type);
  });

  it('keeps local variants with their national meaning and flags them', () => {
    expect(classifyOutcome('16A', 'police')).toEqual({
      nationalCode: '16',
      localVariant: true,
      decisionType: 'police_nfa',
    });
    expect(classifyOutcome('3a', 'police')).toEqual({
      nationalCode: '3',
      localVariant: true,
      decisionType: 'other',
    });
  });

  it('flags unknown local codes without rejecting them', () => {
    expect(classifyOutcome('77', 'police')).toEqual({
      nationalCode: undefined,
      localVariant: true,
      decisionType: 'other',
    });
    expect(classifyOutcome('16', 'police').localVariant).toBe(false);
    expect(classifyOutcome('014', 'police').localVariant).toBe(true);
  });
});

describe('local variants in the question set', () => {
  const question = (outcomeCodes: string[]): Question => ({
    questionId: 'for_some_outcomes',
    text: 'Only for some outcomes?',
    required: true,
    appliesWhen: { outcomeCodes },
  });
  const decision = (outcomeCode: string) => ({ outcomeCode, decisionType: 'police_nfa' as const });

  it('gives a variant the rules of its base code', () => {
    expect(applies(question(['16']), decision('16A'))).toBe(true);
    expect(applies(question(['1']), decision('1a'))).toBe(true);
    expect(applies(question(['16']), decision('6A'))).toBe(false);
    expect(applies(question(['16']), decision('1'))).toBe(false);
  });

  it('keeps a question for a variant to that variant', () => {
    expect(applies(question(['16A']), decision('16A'))).toBe(true);
    expect(applies(question(['16A']), decision('16'))).toBe(false);
    expect(applies(question(['16A']), decision('16B'))).toBe(false);
  });

  it('maps each code to the national code it stands for', () => {
    expect(['16', '16A', '1A', '03A', '99', 'X'].map(nationalOutcomeCode)).toEqual([
      '16',
      '16',
      '1',
      '3',
      undefined,
      undefined,
    ]);
  });

  it('requires the outcome-16 question of a 16A decision, as of a 16', () => {
    const answered = Object.fromEntries(
      INITIAL_QUESTION_SET.questions
        .filter((q) => q.questionId !== 'evidence_led_prosecution' && applies(q, decision('16')))
        .map((q) => [q.questionId, { code: 'yes' as const, rationale: 'seen in the file' }]),
    );
    const refused = (outcomeCode: string) => {
      try {
        checkAgainstQuestionSet(
          { questionSetVersion: 1, answers: answered },
          INITIAL_QUESTION_SET,
          decision(outcomeCode),
        );
        return [];
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return error.issues.map((issue) => issue.field);
      }
    };
    expect(refused('16')).toEqual(['body.answers.evidence_led_prosecution']);
    expect(refused('16A')).toEqual(['body.answers.evidence_led_prosecution']);
  });
});
