import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clopperPearsonInterval,
  sampleSize,
  smallestMargin,
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
  it('gives 385 for 95% confidence, ±5 points and p = 0.5 (n0 = 384.1459, 384.16 with z = 1.96)', () => {
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

  it('refuses an expected rate of 0 or 1, which would give a sample of nothing', () => {
    expect(() => sampleSize({ confidence: 0.95, margin: 0.05, expected: 0 })).toThrow(/expected/);
    expect(() => sampleSize({ confidence: 0.95, margin: 0.05, expected: 1, population: 1 })).toThrow(
      /expected/,
    );
  });

  it('refuses a margin so small that n0 is no longer a whole number, or not a number at all', () => {
    // z = 1.959964, p = 0.5: n0 reaches 2^53 − 1 at e = z · √(0.25 / (2^53 − 1)) = 1.03258e-8.
    expect(smallestMargin(0.95, 0.5)).toBeCloseTo(1.03258e-8, 13);
    expect(() => sampleSize({ confidence: 0.95, margin: 1e-300 })).toThrow(
      /margin must be at least 1\.03e-8/,
    );
    expect(() => sampleSize({ confidence: 0.95, margin: 1e-300, population: 1000 })).toThrow(/margin/);
    const tiny = sampleSize({ confidence: 0.95, margin: 1.1e-8, population: 1000 });
    expect(tiny.n).toBe(1000);
    expect(Number.isFinite(tiny.n0)).toBe(true);
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

describe('docs/sampling.md', () => {
  it('states the sample size the code computes for 95%, ±5 points and p = 0.5', async () => {
    const docs = await readFile(path.resolve(import.meta.dirname, '../../docs/sampling.md'), 'utf8');
    const stated =
      /e\.g\. 95%, ±5 points, p = 0\.5: z = ([\d.]+), n0 = ([\d.]+) .*?so\s+n = (\d+); with N = 1,000, n = (\d+)\./s.exec(
        docs,
      );
    expect(stated, 'the worked example in docs/sampling.md').not.toBeNull();
    const [, z, n0, n, corrected] = stated ?? [];
    expect(z).toBe(zForConfidence(0.95).toFixed(6));
    expect(n0).toBe(sampleSize({ confidence: 0.95, margin: 0.05 }).n0.toFixed(4));
    expect(Number(n)).toBe(sampleSize({ confidence: 0.95, margin: 0.05 }).n);
    expect(Number(corrected)).toBe(sampleSize({ confidence: 0.95, margin: 0.05, population: 1000 }).n);
    expect(docs).toContain(`at least ${smallestMargin(0.95, 0.5).toPrecision(4)}`);
  });
});

describe('stratifiedEstimate', () => {
  // Worked by hand (Cochran 1977, eq. 5.27), three units with N = 1000 decisions in all:
  //   stratum   N_h   n_h  x_h  W_h   p̂_h   W_h²·(1 − n_h/N_h)·p̂_h(1 − p̂_h)/(n_h − 1)
  //   PPU       400   40   10   0.40  0.25  0.1600 × 0.9 × 0.1875 / 39 = 0.000692308
  //   FCID      250   25    5   0.25  0.20  0.0625 × 0.9 × 0.1600 / 24 = 0.000375000
  //   NPU       350   35   14   0.35  0.40  0.1225 × 0.9 × 0.2400 / 34 = 0.000778235
  //   p̂_st = 0.40 × 0.25 + 0.25 × 0.20 + 0.35 × 0.40 = 0.10 + 0.05 + 0.14 = 0.29, V̂ = 0.001845543
  // Effective sample size: n*_design = 0.29 × 0.71 / V̂ = 111.5661; n*_weights = 1 / Σ W_h²(1 − f_h)/n_h
  // = 1 / (0.0036 + 0.00225 + 0.00315) = 111.1111; n* = 111.1111. Wilson with n = n*, p̂ = 0.29:
  // [0.2138, 0.3803]; Korn-Graubard (Clopper-Pearson with n*, x* = n*·p̂): [0.2078, 0.3837];
  // SE = √(0.29 × 0.71 / n*) = 0.043048. (Each figure checked independently with SciPy:
  // norm.ppf(0.975) and beta.ppf on the same sums; see the methods in docs/sampling.md.)
  const units = [
    { populationSize: 400, sampleSize: 40, successes: 10 },
    { populationSize: 250, sampleSize: 25, successes: 5 },
    { populationSize: 350, sampleSize: 35, successes: 14 },
  ];

  it('weights each stratum by its population; Wilson and Korn-Graubard with n* (worked example)', () => {
    const result = stratifiedEstimate(units);
    expect(result.estimate).toBeCloseTo(0.29, 12);
    expect(result.method).toBe('wilson-effective-sample-size');
    expect(result.effectiveSampleSize).toBeCloseTo(1000 / 9, 9);
    expectFourPlaces(result.standardError, 0.043, 'standard error');
    expect(result.standardError ** 2).toBeGreaterThanOrEqual(0.001845543);
    expectFourPlaces(result.lower, 0.2138, 'lower');
    expectFourPlaces(result.upper, 0.3803, 'upper');
    expectFourPlaces(result.clopperPearson.lower, 0.2078, 'Korn-Graubard lower');
    expectFourPlaces(result.clopperPearson.upper, 0.3837, 'Korn-Graubard upper');
    expect(result.notes).toEqual([]);
  });

  it('keeps the weighted rate inside its interval where the pooled rate is far off (equal allocation)', () => {
    // 10 drawn from each of 900 and 100 decisions: 1 and 9 non-compliant. Pooled: 10/20 = 0.5.
    // Weighted: 0.9 × 0.1 + 0.1 × 0.9 = 0.18; V̂ = 0.0081, n*_design = 18.2222, n*_weights = 12.3457;
    // Wilson with n* = 12.3457: [0.0540, 0.4579] (SciPy).
    const result = stratifiedEstimate([
      { populationSize: 900, sampleSize: 10, successes: 1 },
      { populationSize: 100, sampleSize: 10, successes: 9 },
    ]);
    expect(result.estimate).toBeCloseTo(0.18, 12);
    expect(result.effectiveSampleSize).toBeCloseTo(12.3457, 4);
    expectFourPlaces(result.lower, 0.054, 'lower');
    expectFourPlaces(result.upper, 0.4579, 'upper');
    expect(result.lower).toBeLessThan(result.estimate);
    expect(result.upper).toBeGreaterThan(result.estimate);
    expect(result.upper).toBeLessThan(0.5);
  });

  it('never gives a zero-width interval when every stratum is all 0 or all 1', () => {
    // 0 of 10 from 900 decisions, 10 of 10 from 100: V̂ = 0, so n* = n*_weights = 12.3457 and
    // p̂_st = 0.1: Wilson [0.0207, 0.3692], Korn-Graubard [0.0046, 0.4001] (SciPy).
    const mixed = stratifiedEstimate([
      { populationSize: 900, sampleSize: 10, successes: 0 },
      { populationSize: 100, sampleSize: 10, successes: 10 },
    ]);
    expect(mixed.estimate).toBeCloseTo(0.1, 12);
    expect(mixed.standardError).toBeGreaterThan(0);
    expectFourPlaces(mixed.lower, 0.0207, 'lower');
    expectFourPlaces(mixed.upper, 0.3692, 'upper');
    expectFourPlaces(mixed.clopperPearson.lower, 0.0046, 'Korn-Graubard lower');
    expectFourPlaces(mixed.clopperPearson.upper, 0.4001, 'Korn-Graubard upper');
    // None non-compliant anywhere: the rate is 0, its interval is not [0, 0]: Wilson [0, 0.2373].
    const none = stratifiedEstimate([
      { populationSize: 900, sampleSize: 10, successes: 0 },
      { populationSize: 100, sampleSize: 10, successes: 0 },
    ]);
    expect(none.lower).toBe(0);
    expectFourPlaces(none.upper, 0.2373, 'upper');
    expectFourPlaces(none.clopperPearson.upper, 0.2583, 'Korn-Graubard upper');
    const all = stratifiedEstimate([{ populationSize: 100, sampleSize: 10, successes: 10 }]);
    expect(all.upper).toBe(1);
    expect(all.lower).toBeLessThan(1);
  });

  it('takes the largest variance for a stratum of one, and none from a census stratum (worked example)', () => {
    // Adding a stratum sampled in full (N = n = 20, 3 successes: 1 − n/N = 0) and a stratum with a
    // single decision drawn (N = 5, n = 1, 1 success, v_h = 1/4), N = 1025:
    // p̂_st = (400 × 0.25 + 250 × 0.2 + 350 × 0.4 + 5 × 1 + 20 × 0.15) / 1025 = 298/1025 = 0.290732;
    // V̂ = 0.001761373, n*_design = 117.0716, n*_weights = 116.4773; Wilson [0.2160, 0.3788] (SciPy).
    const result = stratifiedEstimate([
      ...units,
      { key: 'unit=Custody', populationSize: 5, sampleSize: 1, successes: 1 },
      { populationSize: 20, sampleSize: 20, successes: 3 },
    ]);
    expect(result.estimate).toBeCloseTo(298 / 1025, 12);
    expect(result.effectiveSampleSize).toBeCloseTo(116.4773, 4);
    expectFourPlaces(result.lower, 0.216, 'lower');
    expectFourPlaces(result.upper, 0.3788, 'upper');
    expect(result.notes).toEqual([
      'stratum unit=Custody has one concluded case: its variance is taken as the largest one case can have (1/4)',
    ]);
    const single = stratifiedEstimate([{ populationSize: 5, sampleSize: 1, successes: 1 }]);
    expect(single.upper).toBe(1);
    expect(single.lower).toBeLessThan(0.5);
  });

  it('is the simple estimate with the finite population correction for a single stratum', () => {
    // V̂ = 0.9 × 0.2 × 0.8 / 99, n* = 0.16 / V̂ = 110: Wilson [0.1360, 0.2843] (SciPy).
    const result = stratifiedEstimate([{ populationSize: 1000, sampleSize: 100, successes: 20 }]);
    expect(result.estimate).toBeCloseTo(0.2, 12);
    expect(result.effectiveSampleSize).toBeCloseTo(110, 9);
    expect(result.standardError).toBeCloseTo(Math.sqrt((0.9 * 0.2 * 0.8) / 99), 12);
    expectFourPlaces(result.lower, 0.136, 'lower');
    expectFourPlaces(result.upper, 0.2843, 'upper');
  });

  it('counts the rate of a population reviewed in full, and says so', () => {
    const result = stratifiedEstimate([
      { populationSize: 20, sampleSize: 20, successes: 3 },
      { populationSize: 5, sampleSize: 5, successes: 0 },
    ]);
    expect(result).toMatchObject({
      estimate: 3 / 25,
      lower: 3 / 25,
      upper: 3 / 25,
      method: 'census',
      effectiveSampleSize: null,
    });
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
