import { describe, expect, it } from 'vitest';
import {
  clopperPearsonInterval,
  sampleSize,
  stratifiedEstimate,
  wilsonInterval,
  zForConfidence,
} from '../../shared/sampling/statistics.ts';

/** Equal to `expected` when both are rounded to 4 decimal places, as published tables give them. */
function expectFourPlaces(actual: number, expected: number, what: string): void {
  expect(Math.round(actual * 10_000) / 10_000, what).toBe(expected);
}

describe('zForConfidence', () => {
  it('gives the two-sided standard normal quantiles every table prints', () => {
    // Φ⁻¹(0.975) = 1.959964, Φ⁻¹(0.95) = 1.644854, Φ⁻¹(0.995) = 2.575829 (any normal table).
    expect(zForConfidence(0.95)).toBeCloseTo(1.959964, 6);
    expect(zForConfidence(0.9)).toBeCloseTo(1.644854, 6);
    expect(zForConfidence(0.99)).toBeCloseTo(2.575829, 6);
  });

  it('refuses a confidence outside (0, 1)', () => {
    for (const confidence of [0, 1, -0.5, 1.5, Number.NaN]) {
      expect(() => zForConfidence(confidence)).toThrow(RangeError);
    }
  });
});

describe('sampleSize', () => {
  // The classic: Cochran, Sampling Techniques (3rd ed., 1977), section 4.4, n0 = z²pq/d² and
  // n = n0 / (1 + (n0 − 1)/N); Krejcie and Morgan, "Determining sample size for research
  // activities", Educ. Psychol. Meas. 30 (1970) 607-610, Table 1 tabulates the same formula
  // (95%, ±5%, P = 0.5): N = 100 → 80, N = 1000 → 278, N = 10000 → 370. (They round to the nearest
  // whole number where this rounds up, so a few other entries sit one lower, e.g. N = 500: 217, not 218.)
  it('gives 385 for 95% confidence, ±5 points and p = 0.5 (n0 = 384.15, 384.16 with z = 1.96)', () => {
    const result = sampleSize({ confidence: 0.95, margin: 0.05 });
    expect(result.n0).toBeCloseTo(384.1459, 4);
    expect(result.n).toBe(385);
  });

  it('applies the finite population correction as Krejcie and Morgan tabulate it', () => {
    const table: [number, number][] = [
      [100, 80],
      [1000, 278],
      [10_000, 370],
    ];
    for (const [population, expected] of table) {
      expect(sampleSize({ confidence: 0.95, margin: 0.05, population }).n, `N = ${population}`).toBe(
        expected,
      );
    }
  });

  it('states the formula with the numbers used', () => {
    const { formula } = sampleSize({ confidence: 0.95, margin: 0.05, population: 1000 });
    expect(formula).toBe(
      'n0 = z²·p(1−p)/e² = 1.959964² × 0.5 × 0.5 / 0.05² = 384.1459; ' +
        'n = n0 / (1 + (n0 − 1)/N) = 384.1459 / (1 + 383.1459 / 1000) = 277.7335, rounded up to n = 278 ' +
        '(confidence 95%, margin ±5 percentage points, expected rate 50%, population N = 1000)',
    );
    expect(sampleSize({ confidence: 0.95, margin: 0.05 }).formula).toContain('rounded up to n = 385');
  });

  it('needs fewer decisions when the expected rate is far from a half', () => {
    // n0 = 1.959964² × 0.1 × 0.9 / 0.05² = 138.29 → 139.
    const result = sampleSize({ confidence: 0.95, margin: 0.05, expected: 0.1 });
    expect(result.n0).toBeCloseTo(138.2925, 4);
    expect(result.n).toBe(139);
  });

  it('never asks for more than the population', () => {
    expect(sampleSize({ confidence: 0.99, margin: 0.01, population: 1 }).n).toBe(1);
    expect(sampleSize({ confidence: 0.99, margin: 0.01, population: 50 }).n).toBe(50);
  });

  it('refuses impossible settings, naming the parameter', () => {
    expect(() => sampleSize({ confidence: 1, margin: 0.05 })).toThrow(/confidence/);
    expect(() => sampleSize({ confidence: 0.95, margin: 0 })).toThrow(/margin/);
    expect(() => sampleSize({ confidence: 0.95, margin: 1 })).toThrow(/margin/);
    expect(() => sampleSize({ confidence: 0.95, margin: 0.05, expected: 1.2 })).toThrow(/expected/);
    expect(() => sampleSize({ confidence: 0.95, margin: 0.05, population: 0 })).toThrow(/population/);
    expect(() => sampleSize({ confidence: 0.95, margin: 0.05, population: 0 })).toThrow(RangeError);
  });
});

// Newcombe, "Two-sided confidence intervals for the single proportion: comparison of seven methods",
// Statistics in Medicine 17 (1998) 857-872, Table I: 95% intervals for four example proportions.
// Method 3 is the Wilson score interval without continuity correction; method 5 is Clopper-Pearson.
const NEWCOMBE_TABLE_I = [
  { successes: 81, trials: 263, wilson: [0.2553, 0.3662], exact: [0.2527, 0.3676] },
  { successes: 15, trials: 148, wilson: [0.0624, 0.1605], exact: [0.0578, 0.1617] },
  { successes: 0, trials: 20, wilson: [0, 0.1611], exact: [0, 0.1684] },
  { successes: 1, trials: 29, wilson: [0.0061, 0.1718], exact: [0.0009, 0.1776] },
] as const;

describe('wilsonInterval', () => {
  it('matches Newcombe (1998) Table I, method 3, to 4 decimal places', () => {
    for (const { successes, trials, wilson } of NEWCOMBE_TABLE_I) {
      const interval = wilsonInterval(successes, trials);
      expect(interval.estimate).toBe(successes / trials);
      expectFourPlaces(interval.lower, wilson[0], `${successes}/${trials} lower`);
      expectFourPlaces(interval.upper, wilson[1], `${successes}/${trials} upper`);
    }
  });

  it('has bounds of exactly 0 and 1 at the extremes', () => {
    expect(wilsonInterval(0, 20).lower).toBe(0);
    expect(wilsonInterval(20, 20).upper).toBe(1);
    // By symmetry with 0/20: the lower bound of 20/20 is 1 − 0.1611.
    expectFourPlaces(wilsonInterval(20, 20).lower, 0.8389, '20/20 lower');
  });

  it('widens with the confidence level', () => {
    const at95 = wilsonInterval(81, 263);
    const at99 = wilsonInterval(81, 263, 0.99);
    expect(at99.lower).toBeLessThan(at95.lower);
    expect(at99.upper).toBeGreaterThan(at95.upper);
  });

  it('refuses impossible counts', () => {
    expect(() => wilsonInterval(0, 0)).toThrow(RangeError);
    expect(() => wilsonInterval(3, 2)).toThrow(/successes/);
    expect(() => wilsonInterval(-1, 2)).toThrow(/successes/);
    expect(() => wilsonInterval(1.5, 2)).toThrow(/successes/);
    expect(() => wilsonInterval(1, 2, 1)).toThrow(/confidence/);
  });
});

describe('clopperPearsonInterval', () => {
  it('matches Newcombe (1998) Table I, method 5, to 4 decimal places', () => {
    for (const { successes, trials, exact } of NEWCOMBE_TABLE_I) {
      const interval = clopperPearsonInterval(successes, trials);
      expect(interval.estimate).toBe(successes / trials);
      expectFourPlaces(interval.lower, exact[0], `${successes}/${trials} lower`);
      expectFourPlaces(interval.upper, exact[1], `${successes}/${trials} upper`);
    }
  });

  it('has the closed forms at the extremes', () => {
    // x = 0: upper = 1 − (α/2)^(1/n); x = n: lower = (α/2)^(1/n).
    expect(clopperPearsonInterval(0, 20).lower).toBe(0);
    expect(clopperPearsonInterval(0, 20).upper).toBeCloseTo(1 - 0.025 ** (1 / 20), 10);
    expect(clopperPearsonInterval(20, 20).upper).toBe(1);
    expect(clopperPearsonInterval(20, 20).lower).toBeCloseTo(0.025 ** (1 / 20), 10);
  });

  it('is wider than Wilson for the same counts', () => {
    for (const { successes, trials } of NEWCOMBE_TABLE_I) {
      const exact = clopperPearsonInterval(successes, trials);
      const wilson = wilsonInterval(successes, trials);
      expect(exact.upper - exact.lower).toBeGreaterThan(wilson.upper - wilson.lower);
    }
  });

  it('refuses impossible counts', () => {
    expect(() => clopperPearsonInterval(0, 0)).toThrow(RangeError);
    expect(() => clopperPearsonInterval(5, 4)).toThrow(/successes/);
    expect(() => clopperPearsonInterval(1, 4, 0)).toThrow(/confidence/);
  });
});

describe('stratifiedEstimate', () => {
  // Worked by hand (Cochran 1977, eq. 5.27), three units with N = 1000 decisions in all:
  //   stratum   N_h   n_h  x_h  W_h   p̂_h   W_h²·(1 − n_h/N_h)·p̂_h(1 − p̂_h)/(n_h − 1)
  //   PPU       400   40   10   0.40  0.25  0.1600 × 0.9 × 0.1875 / 39 = 0.000692308
  //   FCID      250   25    5   0.25  0.20  0.0625 × 0.9 × 0.1600 / 24 = 0.000375000
  //   NPU       350   35   14   0.35  0.40  0.1225 × 0.9 × 0.2400 / 34 = 0.000778235
  //   p̂_st = 0.40 × 0.25 + 0.25 × 0.20 + 0.35 × 0.40 = 0.10 + 0.05 + 0.14 = 0.29
  //   Var = 0.001845543, SE = √Var = 0.042960
  //   95%: 0.29 ± 1.959964 × 0.042960 = 0.29 ± 0.084200 → [0.2058, 0.3742]
  // (Checked independently with SciPy: norm.ppf(0.975) and the same sums.)
  const units = [
    { populationSize: 400, sampleSize: 40, successes: 10 },
    { populationSize: 250, sampleSize: 25, successes: 5 },
    { populationSize: 350, sampleSize: 35, successes: 14 },
  ];

  it('weights each stratum by its population and adds the variances (worked example)', () => {
    const result = stratifiedEstimate(units);
    expect(result.estimate).toBeCloseTo(0.29, 12);
    expect(result.standardError ** 2).toBeCloseTo(0.001845543, 9);
    expectFourPlaces(result.standardError, 0.043, 'standard error');
    expectFourPlaces(result.lower, 0.2058, 'lower');
    expectFourPlaces(result.upper, 0.3742, 'upper');
  });

  it('takes no variance from a census stratum or from a stratum of one (worked example)', () => {
    // Adding a stratum sampled in full (N = n = 20, 3 successes: 1 − n/N = 0) and a stratum with a
    // single decision drawn (N = 5, n = 1, 1 success: no n − 1 to divide by) changes the weights,
    // N = 1025: p̂_st = (400 × 0.25 + 250 × 0.2 + 350 × 0.4 + 5 × 1 + 20 × 0.15) / 1025 = 298/1025
    // = 0.290732, and Var = (1000/1025)² × 0.001845543 = 0.001756614, SE = 0.041912,
    // 95%: [0.2086, 0.3729].
    const result = stratifiedEstimate([
      ...units,
      { populationSize: 5, sampleSize: 1, successes: 1 },
      { populationSize: 20, sampleSize: 20, successes: 3 },
    ]);
    expect(result.estimate).toBeCloseTo(298 / 1025, 12);
    expect(result.standardError ** 2).toBeCloseTo(0.001756614, 9);
    expectFourPlaces(result.lower, 0.2086, 'lower');
    expectFourPlaces(result.upper, 0.3729, 'upper');
  });

  it('is the simple estimate with the finite population correction for a single stratum', () => {
    const result = stratifiedEstimate([{ populationSize: 1000, sampleSize: 100, successes: 20 }]);
    const standardError = Math.sqrt((0.9 * 0.2 * 0.8) / 99);
    expect(result.estimate).toBeCloseTo(0.2, 12);
    expect(result.standardError).toBeCloseTo(standardError, 12);
  });

  it('clips the interval to [0, 1]', () => {
    const none = stratifiedEstimate([{ populationSize: 100, sampleSize: 10, successes: 0 }]);
    expect(none).toEqual({ estimate: 0, standardError: 0, lower: 0, upper: 0 });
    const rare = stratifiedEstimate([{ populationSize: 1000, sampleSize: 10, successes: 1 }]);
    expect(rare.lower).toBe(0);
  });

  it('refuses a stratum with nothing sampled, and other impossible strata, naming them', () => {
    expect(() => stratifiedEstimate([])).toThrow(RangeError);
    expect(() => stratifiedEstimate([...units, { populationSize: 10, sampleSize: 0, successes: 0 }])).toThrow(
      /strata\[3\]\.sampleSize/,
    );
    expect(() => stratifiedEstimate([{ populationSize: 10, sampleSize: 11, successes: 0 }])).toThrow(
      /strata\[0\]\.sampleSize/,
    );
    expect(() => stratifiedEstimate([{ populationSize: 10, sampleSize: 5, successes: 6 }])).toThrow(
      /strata\[0\]\.successes/,
    );
    expect(() => stratifiedEstimate([{ populationSize: 0, sampleSize: 0, successes: 0 }])).toThrow(
      /strata\[0\]\.populationSize/,
    );
  });
});
