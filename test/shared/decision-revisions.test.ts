/** What a decision was at a moment, from its history: what a concluded case's pack shows. */
import { describe, expect, it } from 'vitest';
import type { Decision, DecisionRevision } from '../../shared/decisions/decision.ts';
import { decisionAsAt } from '../../shared/decisions/decision-revisions.ts';

const first = { importId: 'imp_first', sourceLine: 2 };
const second = { importId: 'imp_second', sourceLine: 7 };
const third = { importId: 'imp_third', sourceLine: 3 };

/** Imported on 1 March, corrected on 1 May (unit, summary, outcome) and on 1 July (summary again). */
const now: Decision = {
  source: 'force-export',
  decisionId: 'dec_1',
  crimeReference: 'crm_1',
  offenceGroup: 'rape',
  decidingBody: 'police',
  decisionDate: '2026-02-10',
  decisionDatePrecision: 'day',
  outcomeCode: '14',
  decisionType: 'police_nfa',
  localOutcomeVariant: false,
  unit: 'PPU South',
  summary: 'corrected twice',
  provenance: first,
  importedAt: '2026-03-01T09:00:00.000Z',
  revision: 3,
  changedBy: third,
};
const history: DecisionRevision[] = [
  {
    revision: 1,
    values: {
      unit: 'PPU North',
      summary: 'as first imported',
      outcomeCode: '16A',
      localOutcomeVariant: true,
    },
    changedBy: second,
    replacedAt: '2026-05-01T09:00:00.000Z',
  },
  {
    revision: 2,
    values: { summary: 'corrected once' },
    setBy: second,
    changedBy: third,
    replacedAt: '2026-07-01T09:00:00.000Z',
  },
];

describe('a decision as it stood', () => {
  it('is the values it was reviewed on for a case concluded before the corrections', () => {
    expect(decisionAsAt(now, history, '2026-04-15T12:00:00.000Z')).toEqual({
      ...now,
      unit: 'PPU North',
      summary: 'as first imported',
      outcomeCode: '16A',
      localOutcomeVariant: true,
      revision: 1,
      changedBy: undefined,
    });
  });

  it('takes up the corrections made before the conclusion, and none after', () => {
    expect(decisionAsAt(now, history, '2026-06-01T00:00:00.000Z')).toMatchObject({
      unit: 'PPU South',
      summary: 'corrected once',
      revision: 2,
      changedBy: second,
    });
    expect(decisionAsAt(now, history, '2026-08-01T00:00:00.000Z')).toEqual(now);
  });

  it('removes a field that the decision did not have then', () => {
    const withMeasures = { ...now, protectiveMeasures: ['dvpn' as const] };
    const added: DecisionRevision = {
      revision: 1,
      values: { protectiveMeasures: null },
      changedBy: second,
      replacedAt: '2026-05-01T09:00:00.000Z',
    };
    expect(decisionAsAt(withMeasures, [added], '2026-04-01T00:00:00.000Z')).not.toHaveProperty(
      'protectiveMeasures',
    );
  });
});
