import { describe, expect, it } from 'vitest';
import { classifyOutcome, HOME_OFFICE_OUTCOMES } from '../../shared/decisions/outcome-codes.ts';

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
