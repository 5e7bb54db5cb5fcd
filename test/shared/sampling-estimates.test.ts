import { describe, expect, it } from 'vitest';
import { type ConcludedCase, estimateSample, UNWEIGHTED_LABEL } from '../../shared/sampling/estimates.ts';
import { stratifiedEstimate, wilsonInterval } from '../../shared/sampling/statistics.ts';

/** `count` cases of a stratum, the first `nonCompliant` of them found non-compliant. */
function concluded(stratum: string, count: number, nonCompliant: number): ConcludedCase[] {
  return Array.from({ length: count }, (_, index) => ({
    stratum,
    concluded: true,
    verdict: index < nonCompliant ? 'inappropriate' : 'consistent',
  }));
}

const EQUAL_ALLOCATION = [
  { key: 'decidingBody=police', populationSize: 900 },
  { key: 'decidingBody=cps', populationSize: 100 },
];

describe('estimateSample', () => {
  it('weights the overall rate by stratum size and labels the pooled rate as unweighted', () => {
    // Equal allocation: 10 of 900 and 10 of 100, 1 and 9 non-compliant. Pooled 10/20 = 0.5;
    // the population's rate is 0.9 × 0.1 + 0.1 × 0.9 = 0.18, inside its own interval.
    const cases = [...concluded('decidingBody=police', 10, 1), ...concluded('decidingBody=cps', 10, 9)];

    const result = estimateSample('stratified', EQUAL_ALLOCATION, cases);

    expect(result.overall).toMatchObject({
      populationSize: 1000,
      drawn: 20,
      concluded: 20,
      nonCompliant: 10,
      weightedBy: 'stratum size',
      method: 'wilson-effective-sample-size',
    });
    expect(result.overall.rate).toBeCloseTo(0.18, 12);
    const { wilson } = result.overall;
    expect(wilson?.estimate).toBeCloseTo(0.18, 12);
    expect(wilson?.lower).toBeLessThan(0.18);
    expect(wilson?.upper).toBeGreaterThan(0.18);
    expect(wilson?.upper).toBeLessThan(0.5);
    expect(result.overall.clopperPearson).toEqual(
      stratifiedEstimate([
        { populationSize: 900, sampleSize: 10, successes: 1 },
        { populationSize: 100, sampleSize: 10, successes: 9 },
      ]).clopperPearson,
    );
    expect(result.unweighted).toMatchObject({ label: UNWEIGHTED_LABEL, concluded: 20, nonCompliant: 10 });
    expect(result.unweighted?.wilson).toEqual(wilsonInterval(10, 20));
    expect(result.strata.map((s) => [s.key, s.populationSize, s.weight])).toEqual([
      ['decidingBody=police', 900, 0.9],
      ['decidingBody=cps', 100, 0.1],
    ]);
  });

  it('lists a stratum that drew no case, with its weight, and refuses the overall rate naming it', () => {
    const drawnFrom = [...EQUAL_ALLOCATION, { key: 'decidingBody=unknown', populationSize: 40 }];
    const cases = [...concluded('decidingBody=police', 10, 1), ...concluded('decidingBody=cps', 10, 9)];

    const result = estimateSample('stratified', drawnFrom, cases);

    expect(result.strata.map((s) => s.key)).toContain('decidingBody=unknown');
    expect(result.strata.find((s) => s.key === 'decidingBody=unknown')).toMatchObject({
      populationSize: 40,
      weight: 40 / 1040,
      drawn: 0,
      concluded: 0,
    });
    // The population shown is the population drawn from, every stratum counted.
    expect(result.overall.populationSize).toBe(1040);
    expect(result.strata.reduce((sum, s) => sum + s.populationSize, 0)).toBe(1040);
    expect(result.overall.rate).toBeUndefined();
    expect(result.overall.wilson).toBeUndefined();
    expect(result.overall.refused).toBe(
      "no estimate of the population's rate until every stratum has a concluded case: " +
        'decidingBody=unknown (40 decisions, weight 3.8%) drew no case',
    );
    expect(result.note).toContain('decidingBody=unknown (40 decisions, weight 3.8%) drew no case');
  });

  it('refuses the overall rate while a stratum has drawn cases but none concluded', () => {
    const cases = [
      ...concluded('decidingBody=police', 10, 1),
      { stratum: 'decidingBody=cps', concluded: false },
      { stratum: 'decidingBody=cps', concluded: false },
    ];
    const result = estimateSample('stratified', EQUAL_ALLOCATION, cases);
    expect(result.overall.refused).toContain(
      'decidingBody=cps (100 decisions, weight 10%) has none of its 2 concluded',
    );
  });

  it('gives a simple sample one rate, not weighted, with the finite population correction and no pooled twin', () => {
    const result = estimateSample(
      'simple',
      [{ key: 'all', populationSize: 1000 }],
      concluded('all', 100, 20),
    );
    expect(result.overall).toMatchObject({ weightedBy: 'none', rate: 0.2, populationSize: 1000 });
    expect(result.overall.effectiveSampleSize).toBeCloseTo(110, 9);
    expect(result.unweighted).toBeUndefined();
  });
});

describe('compliance', () => {
  it('counts observations as compliant, inappropriate as not, and leaves cannot conclude out, counted', () => {
    const cases: ConcludedCase[] = [
      { stratum: 'all', concluded: true, verdict: 'consistent' },
      { stratum: 'all', concluded: true, verdict: 'appropriate_with_observations' },
      { stratum: 'all', concluded: true, verdict: 'appropriate_with_observations' },
      { stratum: 'all', concluded: true, verdict: 'inappropriate' },
      // Carried over, so not concluded: in neither side of the rate, but counted.
      { stratum: 'all', concluded: false, verdict: 'cannot_conclude' },
      { stratum: 'all', concluded: false },
    ];
    const result = estimateSample('simple', [{ key: 'all', populationSize: 400 }], cases);
    expect(result.overall).toMatchObject({ drawn: 6, concluded: 4, nonCompliant: 1, excluded: 1 });
    expect(result.overall.rate).toBeCloseTo(0.25, 12);
    expect(result.note).toContain('"appropriate with observations"');
    expect(result.note).toContain('1 "cannot conclude" left out');
  });
});
