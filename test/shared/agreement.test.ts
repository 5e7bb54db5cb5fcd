import { describe, expect, it } from 'vitest';
import {
  agreement,
  cohensKappa,
  cohensKappaInterval,
  fleissKappa,
  leaveOut,
  type Ratings,
  rawAgreement,
  weightedKappa,
} from '../../shared/review/agreement.ts';

/** Equal to `expected` when both are rounded to `places` decimals, as published examples give them. */
function expectPlaces(actual: number | null, expected: number, places: number, what: string): void {
  expect(actual, what).not.toBeNull();
  const scale = 10 ** places;
  expect(Math.round((actual ?? Number.NaN) * scale) / scale, what).toBe(expected);
}

/** Two-rater items from a 2×2 table of yes/no counts (first rater's answer first). */
function twoByTwo(yesYes: number, yesNo: number, noYes: number, noNo: number): [string, string][] {
  const repeat = (count: number, pair: [string, string]) => Array.from({ length: count }, () => pair);
  return [
    ...repeat(yesYes, ['yes', 'yes']),
    ...repeat(yesNo, ['yes', 'no']),
    ...repeat(noYes, ['no', 'yes']),
    ...repeat(noNo, ['no', 'no']),
  ];
}

/**
 * Fleiss (1971) style worked example as printed in Wikipedia, "Fleiss' kappa", section "Worked
 * example": 10 subjects, each rated by 14 raters into 5 categories; row i gives n_ij for j = 1..5.
 * Published: p_j = 0.143, 0.200, 0.279, 0.150, 0.229; P_1 = 1.000, P_2 = 0.253; P̄ = 0.378,
 * P̄_e = 0.213, κ = 0.210.
 */
const FLEISS_TABLE: readonly (readonly number[])[] = [
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
];
const FLEISS_ITEMS: Ratings[] = FLEISS_TABLE.map((row) =>
  row.flatMap((count, j) => Array.from({ length: count }, () => `category ${j + 1}`)),
);

describe('rawAgreement', () => {
  it('is the share of items on which every rater chose the same category', () => {
    expect(
      rawAgreement([
        ['a', 'a'],
        ['a', 'b'],
        ['b', 'b'],
        ['c', 'c'],
      ]),
    ).toBe(0.75);
    expect(
      rawAgreement([
        ['a', 'a', 'a'],
        ['a', 'a', 'b'],
      ]),
    ).toBe(0.5);
  });

  it('ignores unrated positions and skips items with fewer than two ratings', () => {
    const items: Ratings[] = [
      ['a', null, 'a'],
      ['a', 'b', null],
      [null, 'c'],
      [null, null],
    ];
    expect(rawAgreement(items)).toBe(0.5);
  });

  it('refuses items none of which two raters rated', () => {
    expect(() => rawAgreement([])).toThrow(RangeError);
    expect(() => rawAgreement([['a', null]])).toThrow(/items/);
  });
});

describe('cohensKappa', () => {
  it('matches the Wikipedia "Cohen\'s kappa" worked example: p_o = 0.7, p_e = 0.5, κ = 0.4', () => {
    // 50 applications, two readers: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
    const result = cohensKappa(twoByTwo(20, 5, 10, 15));
    expect(result.items).toBe(50);
    expect(result.raters).toBe(2);
    expect(result.observed).toBeCloseTo(0.7, 12);
    expect(result.expected).toBeCloseTo(0.5, 12);
    expect(result.kappa).toBeCloseTo(0.4, 12);
  });

  it('matches the Wikipedia examples where equal p_o = 0.6 gives different κ (0.1304, 0.2593)', () => {
    // Wikipedia, "Cohen's kappa", "Same percentages but different numbers": 45/15/25/15 and 25/35/5/35.
    const unbalanced = cohensKappa(twoByTwo(45, 15, 25, 15));
    expect(unbalanced.observed).toBeCloseTo(0.6, 12);
    expect(unbalanced.expected).toBeCloseTo(0.54, 12);
    expectPlaces(unbalanced.kappa, 0.1304, 4, 'first table');
    const balanced = cohensKappa(twoByTwo(25, 35, 5, 35));
    expect(balanced.expected).toBeCloseTo(0.46, 12);
    expectPlaces(balanced.kappa, 0.2593, 4, 'second table');
  });

  it('gives κ = 1 for perfect agreement over more than one category', () => {
    const result = cohensKappa(twoByTwo(10, 0, 0, 7));
    expect(result.observed).toBe(1);
    expect(result.kappa).toBe(1);
  });

  it('gives κ = 0 when agreement is exactly what chance predicts', () => {
    expect(cohensKappa(twoByTwo(1, 1, 1, 1)).kappa).toBe(0);
  });

  it('reports κ as null, not NaN, when every rating is one category (p_e = 1)', () => {
    const result = cohensKappa(twoByTwo(12, 0, 0, 0));
    expect(result).toEqual({ items: 12, raters: 2, observed: 1, expected: 1, kappa: null });
  });

  it('skips items either rater left unrated', () => {
    const withGaps = [...twoByTwo(20, 5, 10, 15), ['yes', null], [null, 'no'], [null, null]] as const;
    const result = cohensKappa(withGaps);
    expect(result.items).toBe(50);
    expect(result.kappa).toBeCloseTo(0.4, 12);
  });

  it('refuses items no rater pair rated, and items without exactly two ratings', () => {
    expect(() => cohensKappa([])).toThrow(RangeError);
    expect(() => cohensKappa([[null, 'a']])).toThrow(/both raters/);
    const malformed = [
      ['a', 'a'],
      ['a', 'a', 'a'],
    ] as unknown as [string, string][];
    expect(() => cohensKappa(malformed)).toThrow(/items\[1\]/);
  });
});

describe('fleissKappa', () => {
  it('matches the Wikipedia "Fleiss\' kappa" worked example: P̄ = 0.378, P̄_e = 0.213, κ = 0.210', () => {
    const result = fleissKappa(FLEISS_ITEMS);
    expect(result.items).toBe(10);
    expect(result.raters).toBe(14);
    expectPlaces(result.observed, 0.378, 3, 'P̄');
    expectPlaces(result.expected, 0.213, 3, 'P̄_e');
    expectPlaces(result.kappa, 0.21, 3, 'κ');
  });

  it('agrees with the published per-subject agreement P_1 = 1.000 and P_2 = 0.253', () => {
    const [first, second] = FLEISS_ITEMS;
    if (first === undefined || second === undefined) throw new Error('table has two rows');
    // Subject 1 is unanimous (all 14 in category 5): P_1 = 1 is still reported though κ is null.
    expectPlaces(fleissKappa([second]).observed, 0.253, 3, 'P_2');
    expect(fleissKappa([first]).observed).toBe(1);
    expect(fleissKappa([first]).kappa).toBeNull();
  });

  it('lets different raters rate different items, counting only non-null ratings', () => {
    const sparse: Ratings[] = [
      ['a', 'a', null],
      [null, 'b', 'b'],
      ['a', null, 'b'],
    ];
    const dense: Ratings[] = [
      ['a', 'a'],
      ['b', 'b'],
      ['a', 'b'],
    ];
    expect(fleissKappa(sparse)).toEqual(fleissKappa(dense));
    // P̄ = (1 + 1 + 0)/3 = 2/3, p_a = p_b = 1/2, P̄_e = 1/2, κ = (2/3 − 1/2)/(1/2) = 1/3.
    expect(fleissKappa(dense).kappa).toBeCloseTo(1 / 3, 12);
  });

  it('reports κ as null when every rating is one category (P̄_e = 1)', () => {
    const result = fleissKappa([
      ['a', 'a', 'a'],
      ['a', 'a', 'a'],
    ]);
    expect(result).toEqual({ items: 2, raters: 3, observed: 1, expected: 1, kappa: null });
  });

  it('refuses no items, fewer than two ratings, and an item with a different number of ratings', () => {
    expect(() => fleissKappa([])).toThrow(RangeError);
    expect(() => fleissKappa([['a', null]])).toThrow(/at least 2/);
    expect(() =>
      fleissKappa([
        ['a', 'a', 'b'],
        ['a', 'b', 'b'],
        ['a', 'b', null],
      ]),
    ).toThrow(/items\[2\] has 2 ratings; every item must have 3/);
  });
});

describe('agreement', () => {
  it("uses Cohen's kappa when every item has two ratings", () => {
    const items: Ratings[] = twoByTwo(20, 5, 10, 15);
    expect(agreement(items)).toEqual(cohensKappa(twoByTwo(20, 5, 10, 15)));
  });

  it('takes the two non-null ratings of each item as the pair', () => {
    const items: Ratings[] = twoByTwo(20, 5, 10, 15).map(([a, b]) => [a, null, b]);
    const result = agreement(items);
    expect(result.raters).toBe(2);
    expect(result.kappa).toBeCloseTo(0.4, 12);
  });

  it("uses Fleiss' kappa for more than two ratings per item", () => {
    expect(agreement(FLEISS_ITEMS)).toEqual(fleissKappa(FLEISS_ITEMS));
  });

  it('refuses no items and items with differing numbers of ratings, naming the item', () => {
    expect(() => agreement([])).toThrow(RangeError);
    expect(() =>
      agreement([
        ['a', 'b'],
        ['a', 'b', 'a'],
      ]),
    ).toThrow(/items\[1\]/);
    expect(() => agreement([['a'], ['b']])).toThrow(/at least 2/);
  });
});

/** Two-rater items from a k × k table of counts: row i is the first rater's category i. */
function fromTable(table: readonly (readonly number[])[], categories: readonly string[]): [string, string][] {
  return table.flatMap((row, i) =>
    row.flatMap((count, j) =>
      Array.from({ length: count }, (): [string, string] => [
        categories[i] as string,
        categories[j] as string,
      ]),
    ),
  );
}

/**
 * A SAS PROC FREQ (AGREE) printout, quoted in statsmodels' tests (statsmodels/stats/tests/
 * test_inter_rater.py, "comparison to printout of a SAS example"): the 3 × 3 table
 * [[0, 4, 1], [0, 8, 0], [0, 1, 5]] gives simple kappa 0.4842, ASE 0.1380, 95% [0.2137, 0.7547],
 * and weighted kappa (Cicchetti-Allison, i.e. linear, weights) 0.4701, ASE 0.1457, 95% [0.1845, 0.7558].
 * SAS's ASE is the large-sample standard error of Fleiss, Cohen and Everitt (1969).
 */
const SAS_TABLE = [
  [0, 4, 1],
  [0, 8, 0],
  [0, 1, 5],
];
const SAS_ITEMS = fromTable(SAS_TABLE, ['a', 'b', 'c']);

/**
 * R package irr, `kappa2(anxiety[, 2:3], weight)`, as quoted in statsmodels' tests: 20 subjects,
 * raters 2 and 3 of irr's `anxiety` data (levels 1, 2, 3, 4, 6 occur; irr drops the unused 5).
 * Published: unweighted −0.006289308, "equal" (linear) 0.1459075, "squared" (quadratic) 0.2520325.
 */
const ANXIETY_PAIRS: [string, string][] = (
  [
    [3, 2],
    [6, 1],
    [4, 4],
    [6, 4],
    [2, 3],
    [4, 2],
    [2, 1],
    [4, 6],
    [3, 1],
    [3, 1],
    [2, 1],
    [3, 2],
    [3, 3],
    [3, 3],
    [2, 1],
    [2, 1],
    [1, 3],
    [3, 3],
    [3, 2],
    [4, 2],
  ] as const
).map(([a, b]) => [String(a), String(b)]);
const ANXIETY_SCALE = ['1', '2', '3', '4', '6'];

describe('cohensKappaInterval', () => {
  it('matches the SAS printout: ASE 0.1380, 95% interval [0.2137, 0.7547]', () => {
    expectPlaces(cohensKappa(SAS_ITEMS).kappa, 0.4842, 4, 'κ');
    const interval = cohensKappaInterval(SAS_ITEMS);
    expectPlaces(interval?.standardError ?? null, 0.138, 4, 'ASE');
    expectPlaces(interval?.lower ?? null, 0.2137, 4, 'lower');
    expectPlaces(interval?.upper ?? null, 0.7547, 4, 'upper');
    expect(interval?.confidence).toBe(0.95);
  });

  it("matches statpsych's ci.kappa(.05, 31, 12, 4, 58) (after Fleiss, Levin and Paik): SE 0.07344761", () => {
    // statpsych::ci.kappa documentation: Cohen kappa 0.6756757, SE 0.07344761, 95% [0.5317210, 0.8196303].
    const items = fromTable(
      [
        [31, 12],
        [4, 58],
      ],
      ['0', '1'],
    );
    expectPlaces(cohensKappa(items).kappa, 0.6756757, 7, 'κ');
    const interval = cohensKappaInterval(items);
    expectPlaces(interval?.standardError ?? null, 0.07344761, 8, 'SE');
    expectPlaces(interval?.lower ?? null, 0.531721, 7, 'lower');
    expectPlaces(interval?.upper ?? null, 0.8196303, 7, 'upper');
  });

  it('is null where kappa is, and refuses items no pair rated', () => {
    expect(cohensKappaInterval(twoByTwo(12, 0, 0, 0))).toBeNull();
    expect(() => cohensKappaInterval([[null, 'a']])).toThrow(/both raters/);
  });
});

describe('weightedKappa', () => {
  it('matches the SAS printout with linear weights: 0.4701, ASE 0.1457, 95% [0.1845, 0.7558]', () => {
    const result = weightedKappa(SAS_ITEMS, ['a', 'b', 'c'], 'linear');
    expect(result).toMatchObject({ weights: 'linear', items: 19, excluded: 0 });
    expectPlaces(result.kappa, 0.4701, 4, 'κ_w');
    expectPlaces(result.interval?.standardError ?? null, 0.1457, 4, 'ASE');
    expectPlaces(result.interval?.lower ?? null, 0.1845, 4, 'lower');
    expectPlaces(result.interval?.upper ?? null, 0.7558, 4, 'upper');
  });

  it('matches R irr kappa2 on the anxiety data: linear 0.1459075, quadratic 0.2520325', () => {
    expectPlaces(cohensKappa(ANXIETY_PAIRS).kappa, -0.006289308, 9, 'unweighted');
    expectPlaces(weightedKappa(ANXIETY_PAIRS, ANXIETY_SCALE, 'linear').kappa, 0.1459075, 7, 'equal');
    expectPlaces(weightedKappa(ANXIETY_PAIRS, ANXIETY_SCALE, 'quadratic').kappa, 0.2520325, 7, 'squared');
  });

  it('gives unweighted kappa on a scale of two, and leaves out ratings off the scale', () => {
    const items = twoByTwo(20, 5, 10, 15);
    expect(weightedKappa(items, ['yes', 'no'], 'quadratic').kappa).toBeCloseTo(0.4, 12);
    const withOffScale: [string | null, string | null][] = [
      ...items,
      ['yes', 'cannot_conclude'],
      [null, 'no'],
    ];
    const result = weightedKappa(withOffScale, ['yes', 'no'], 'linear');
    expect(result).toMatchObject({ items: 50, excluded: 2 });
    expect(result.kappa).toBeCloseTo(0.4, 12);
  });

  it('reports null, not NaN, when every rating is one category or none is on the scale', () => {
    expect(weightedKappa(twoByTwo(5, 0, 0, 0), ['yes', 'no'], 'linear')).toMatchObject({
      kappa: null,
      interval: null,
    });
    expect(weightedKappa([['x', 'y']], ['yes', 'no'], 'linear')).toMatchObject({ items: 0, kappa: null });
    expect(() => weightedKappa([], ['yes'], 'linear')).toThrow(/scale/);
  });
});

describe('leaveOut', () => {
  it('takes every rating in the category as no rating and counts them', () => {
    const items: Ratings[] = [
      ['yes', 'not_applicable'],
      ['not_applicable', 'not_applicable', null],
      ['no', 'yes'],
    ];

    const { items: kept, leftOut } = leaveOut(items, 'not_applicable');

    expect(leftOut).toBe(3);
    expect(kept).toEqual([
      ['yes', null],
      [null, null, null],
      ['no', 'yes'],
    ]);
    expect(items[0]).toEqual(['yes', 'not_applicable']);
  });
});
