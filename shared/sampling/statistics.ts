/**
 * The statistics of a dip sample: how many decisions to draw for a given precision, and how
 * precisely the rate found in the sample estimates the rate in the population.
 *
 * Notation, used in every formula below:
 * - z: the standard normal quantile for a two-sided confidence level c, z = Φ⁻¹(1 − (1 − c)/2);
 * - p: a proportion (expected, or estimated as p̂ = x/n from x successes in n trials);
 * - e: the margin of error (half the width of the interval wanted);
 * - N: the population size; n: the sample size; h: a stratum, with weight W_h = N_h/N.
 *
 * References:
 * - W. G. Cochran, Sampling Techniques, 3rd ed., Wiley, 1977: section 4.4 for the sample size of a
 *   proportion and its finite population correction; eq. 5.27 for the variance of a stratified
 *   proportion.
 * - E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
 *   JASA 22 (1927) 209-212: the score interval.
 * - C. J. Clopper and E. S. Pearson, "The use of confidence or fiducial limits illustrated in the
 *   case of the binomial", Biometrika 26 (1934) 404-413: the exact interval.
 * - R. G. Newcombe, "Two-sided confidence intervals for the single proportion: comparison of seven
 *   methods", Statistics in Medicine 17 (1998) 857-872: Table I gives worked values for both.
 * - E. L. Korn and B. I. Graubard, "Confidence intervals for proportions with small expected number
 *   of positive counts estimated from survey data", Survey Methodology 24 (1998) 193-201: an
 *   interval for a survey proportion from a binomial one with the effective sample size.
 * - P. Franco, R. J. A. Little, T. A. Louis and E. V. Slud, "Comparative study of confidence
 *   intervals for proportions in complex sample surveys", Journal of Survey Statistics and
 *   Methodology 7 (2019) 334-364, and N. Dean and M. Pagano, "Evaluating confidence interval methods
 *   for binomial proportions in clustered surveys", same journal, 3 (2015) 484-503: both compare
 *   the binomial intervals with the effective sample size; Franco et al. recommend Wilson's.
 * - L. Kish, Survey Sampling, Wiley, 1965: the effective sample size of a weighted sample.
 *
 * Quantiles come from stdlib rather than hand-written approximations, so the figures in a manifest
 * or report can be reproduced to full precision by any standard package (R, SciPy, Stata).
 */
import betaQuantile from '@stdlib/stats-base-dists-beta-quantile';
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

export interface Interval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
}

export interface SampleSizeInput {
  /** Two-sided confidence level, strictly between 0 and 1 (e.g. 0.95). */
  readonly confidence: number;
  /** Margin of error as a proportion, strictly between 0 and 1 (e.g. 0.05 for ±5 points). */
  readonly margin: number;
  /** The rate expected in the population; 0.5, the default, gives the largest (safest) size. */
  readonly expected?: number;
  /** Population size N; when given, the finite population correction applies. */
  readonly population?: number;
}

export interface SampleSize {
  /** The size for an infinite population, unrounded. */
  readonly n0: number;
  /** The size to draw: after the finite population correction if N is known, rounded up, at most N. */
  readonly n: number;
  /** The formula with the numbers used, for the sample manifest. */
  readonly formula: string;
}

export interface StratumResult {
  /** Names the stratum in notes; its index when absent. */
  readonly key?: string;
  readonly populationSize: number;
  readonly sampleSize: number;
  readonly successes: number;
}

export interface StratifiedEstimate extends Interval {
  /** How the interval (lower, upper) was made: see stratifiedEstimate. */
  readonly method: StratifiedIntervalMethod;
  readonly standardError: number;
  /** n*, the sample size the interval is computed with; null for a census (n* infinite). */
  readonly effectiveSampleSize: number | null;
  /** The Korn-Graubard interval: Clopper-Pearson with the effective sample size. */
  readonly clopperPearson: Interval;
  /** What the figures rest on, such as a stratum of one case. */
  readonly notes: readonly string[];
}

/**
 * Rounding up must not turn a size that is a whole number in exact arithmetic (but lands a hair
 * above it in floating point) into the next one; no real input comes within this of an integer
 * by design rather than by rounding error.
 */
const ROUNDING_TOLERANCE = 1e-9;

function requireOpenUnit(value: number, name: string): void {
  if (!(Number.isFinite(value) && value > 0 && value < 1)) {
    throw new RangeError(`${name} must be strictly between 0 and 1, got ${value}`);
  }
}

function requireCounts(successes: number, trials: number): void {
  if (!(Number.isInteger(trials) && trials >= 1)) {
    throw new RangeError(`trials must be a whole number of at least 1, got ${trials}`);
  }
  if (!(Number.isInteger(successes) && successes >= 0 && successes <= trials)) {
    throw new RangeError(`successes must be a whole number from 0 to trials (${trials}), got ${successes}`);
  }
}

const clamp01 = (value: number) => Math.min(1, Math.max(0, value));

/**
 * The two-sided standard normal quantile: z = Φ⁻¹(1 − (1 − c)/2), so that a proportion c of the
 * standard normal lies within ±z (0.95 → 1.959964, 0.99 → 2.575829).
 */
export function zForConfidence(confidence: number): number {
  requireOpenUnit(confidence, 'confidence');
  return normalQuantile(1 - (1 - confidence) / 2, 0, 1);
}

/** Up to `digits` decimals without trailing zeros, so the formula reads as a person would write it. */
function figure(value: number, digits: number): string {
  return Number(value.toFixed(digits)).toString();
}

/** The largest n0 sampleSize gives: past it, whole numbers are no longer exact in floating point. */
export const LARGEST_SAMPLE_SIZE = Number.MAX_SAFE_INTEGER;

/**
 * The smallest margin of error sampleSize accepts at this confidence and expected rate: the e at
 * which n0 = z²·p(1 − p)/e² reaches LARGEST_SAMPLE_SIZE (about 1e-8 at 95% and p = 0.5). Any real
 * audit asks for margins many orders of magnitude wider.
 */
export function smallestMargin(confidence: number, expected: number): number {
  const z = zForConfidence(confidence);
  return z * Math.sqrt((expected * (1 - expected)) / LARGEST_SAMPLE_SIZE);
}

/**
 * The sample size needed to estimate a proportion to within ±e at confidence c (Cochran section 4.4):
 *   n0 = z² · p(1 − p) / e²
 * and, when the population size N is known, with the finite population correction (same section):
 *   n = n0 / (1 + (n0 − 1)/N)
 * The result is rounded up (a sample one short does not reach the precision asked for) and never
 * exceeds N. An expected rate of exactly 0 or 1 is refused: it gives n0 = 0, a sample of nothing,
 * which no audit means; ask for 0.5 when unsure. A margin below smallestMargin is refused too:
 * n0 would pass the largest whole number floating point holds exactly (or overflow to infinity).
 */
export function sampleSize({ confidence, margin, expected = 0.5, population }: SampleSizeInput): SampleSize {
  requireOpenUnit(confidence, 'confidence');
  requireOpenUnit(margin, 'margin');
  requireOpenUnit(expected, 'expected');
  if (population !== undefined && !(Number.isInteger(population) && population >= 1)) {
    throw new RangeError(`population must be a whole number of at least 1, got ${population}`);
  }
  const smallest = smallestMargin(confidence, expected);
  if (margin < smallest) {
    throw new RangeError(
      `margin must be at least ${smallest.toPrecision(3)} for these settings, got ${margin}`,
    );
  }
  const z = zForConfidence(confidence);
  const n0 = (z * z * expected * (1 - expected)) / (margin * margin);
  const n0Text =
    `n0 = z²·p(1−p)/e² = ${figure(z, 6)}² × ${figure(expected, 6)} × ${figure(1 - expected, 6)} / ` +
    `${figure(margin, 6)}² = ${figure(n0, 4)}`;
  const settings =
    `(confidence ${figure(confidence * 100, 4)}%, margin ±${figure(margin * 100, 4)} percentage points, ` +
    `expected rate ${figure(expected * 100, 4)}%`;
  if (population === undefined) {
    const n = Math.ceil(n0 - ROUNDING_TOLERANCE);
    return {
      n0,
      n,
      formula: `${n0Text}, rounded up to n = ${n} ${settings}, population size not used)`,
    };
  }
  const corrected = n0 / (1 + (n0 - 1) / population);
  // N·n0/(N + n0 − 1) ≤ N for every N ≥ 1, so the cap only guards against floating point.
  const n = Math.min(population, Math.max(0, Math.ceil(corrected - ROUNDING_TOLERANCE)));
  return {
    n0,
    n,
    formula:
      `${n0Text}; n = n0 / (1 + (n0 − 1)/N) = ` +
      `${figure(n0, 4)} / (1 + ${figure(n0 - 1, 4)} / ${population}) = ${figure(corrected, 4)}, ` +
      `rounded up to n = ${n} ${settings}, population N = ${population})`,
  };
}

/**
 * The Wilson score interval without continuity correction (Newcombe 1998, method 3):
 *   centre = (p̂ + z²/(2n)) / (1 + z²/n)
 *   half-width = z / (1 + z²/n) · √( p̂(1 − p̂)/n + z²/(4n²) )
 * It stays inside [0, 1] and keeps close to its nominal coverage for the small samples and rates
 * near 0 or 1 that dip samples produce, where the textbook p̂ ± z·√(p̂(1 − p̂)/n) fails. The bounds
 * are exactly 0 when x = 0 and exactly 1 when x = n (floating point would leave a trace).
 */
export function wilsonInterval(successes: number, trials: number, confidence = 0.95): Interval {
  requireCounts(successes, trials);
  const z = zForConfidence(confidence);
  const estimate = successes / trials;
  const zz = z * z;
  const denominator = 1 + zz / trials;
  const centre = (estimate + zz / (2 * trials)) / denominator;
  const halfWidth =
    (z / denominator) * Math.sqrt((estimate * (1 - estimate)) / trials + zz / (4 * trials * trials));
  return {
    estimate,
    lower: successes === 0 ? 0 : clamp01(centre - halfWidth),
    upper: successes === trials ? 1 : clamp01(centre + halfWidth),
  };
}

/**
 * The Clopper-Pearson "exact" interval (Newcombe 1998, method 5), from the beta distribution's
 * relation to the binomial tail, with α = 1 − c:
 *   lower = B⁻¹(α/2; x, n − x + 1)   (0 when x = 0)
 *   upper = B⁻¹(1 − α/2; x + 1, n − x)   (1 when x = n)
 * where B⁻¹(q; a, b) is the q quantile of Beta(a, b). Its coverage is at least c for every true
 * rate, so it is wider than Wilson's; reports give both.
 */
export function clopperPearsonInterval(successes: number, trials: number, confidence = 0.95): Interval {
  requireCounts(successes, trials);
  requireOpenUnit(confidence, 'confidence');
  const alpha = 1 - confidence;
  return {
    estimate: successes / trials,
    lower: successes === 0 ? 0 : betaQuantile(alpha / 2, successes, trials - successes + 1),
    upper: successes === trials ? 1 : betaQuantile(1 - alpha / 2, successes + 1, trials - successes),
  };
}

/** How the interval of a stratified estimate was made; see stratifiedEstimate. */
export const STRATIFIED_INTERVAL_METHODS = ['wilson-effective-sample-size', 'census'] as const;
export type StratifiedIntervalMethod = (typeof STRATIFIED_INTERVAL_METHODS)[number];

/**
 * The stratified estimate of a proportion (Cochran eq. 5.27), with W_h = N_h/N, p̂_h = x_h/n_h and
 * the sampling fraction f_h = n_h/N_h:
 *   p̂_st = Σ W_h · p̂_h
 *   V̂ = Σ W_h² · (1 − f_h) · v_h,  v_h = p̂_h(1 − p̂_h)/(n_h − 1)
 * A stratum of one decision (n_h = 1, f_h < 1) cannot estimate its own variance; it is given the
 * largest a single decision can have, v_h = 1/4, rather than none (which would understate V̂).
 *
 * The interval is not p̂_st ± z·√V̂: that collapses to a point whenever every stratum found all
 * or none non-compliant. It is the Wilson score interval with the sample size replaced by the
 * effective sample size n* (Korn and Graubard 1998; Franco, Little, Louis and Slud 2019, who
 * recommend the Wilson form; Dean and Pagano 2015 compare the alternatives):
 *   n*_design = p̂_st(1 − p̂_st) / V̂                 (when 0 < p̂_st < 1 and V̂ > 0)
 *   n*_weights = 1 / Σ W_h² (1 − f_h) / n_h          (Kish's effective size of the weighting,
 *                                                      with the same finite population correction)
 *   n* = min(n*_design, n*_weights)
 * n*_weights is what the design would achieve if every stratum had the rate p̂_st; taking the
 * smaller never claims more precision than that, so a stratum that happens to be all 0 or all 1
 * cannot shrink the interval, and n* is defined when p̂_st is 0 or 1 or V̂ is 0. The Wilson bounds
 * are then those of wilsonInterval with n* for n and n*·p̂_st for x; `clopperPearson` gives the
 * Korn-Graubard interval, Clopper-Pearson with the same n* and x*:
 *   lower = B⁻¹(α/2; x*, n* − x* + 1), upper = B⁻¹(1 − α/2; x* + 1, n* − x*).
 * Only when every stratum was reviewed in full (f_h = 1 throughout) is n* infinite: the rate is
 * then counted, not estimated, and the interval is the point (method `census`).
 * `standardError` is √(p̂_st(1 − p̂_st)/n*), which is at least √V̂.
 * A stratum with n_h = 0 has no estimate at all and is refused: it would silently drop its weight.
 */
export function stratifiedEstimate(strata: readonly StratumResult[], confidence = 0.95): StratifiedEstimate {
  if (strata.length === 0) throw new RangeError('strata must hold at least one stratum');
  strata.forEach((stratum, index) => {
    const { populationSize, sampleSize, successes } = stratum;
    if (!(Number.isInteger(populationSize) && populationSize >= 1)) {
      throw new RangeError(
        `strata[${index}].populationSize must be a whole number of at least 1, got ${populationSize}`,
      );
    }
    if (!(Number.isInteger(sampleSize) && sampleSize >= 1 && sampleSize <= populationSize)) {
      throw new RangeError(
        `strata[${index}].sampleSize must be a whole number from 1 to populationSize (${populationSize}), ` +
          `got ${sampleSize}`,
      );
    }
    if (!(Number.isInteger(successes) && successes >= 0 && successes <= sampleSize)) {
      throw new RangeError(
        `strata[${index}].successes must be a whole number from 0 to sampleSize (${sampleSize}), ` +
          `got ${successes}`,
      );
    }
  });
  const z = zForConfidence(confidence);
  const alpha = 1 - confidence;
  const population = strata.reduce((sum, stratum) => sum + stratum.populationSize, 0);
  let estimate = 0;
  let variance = 0;
  let weightingVariance = 0;
  const notes: string[] = [];
  strata.forEach(({ key, populationSize, sampleSize, successes }, index) => {
    const weight = populationSize / population;
    const rate = successes / sampleSize;
    estimate += weight * rate;
    const finiteCorrection = 1 - sampleSize / populationSize;
    if (finiteCorrection <= 0) return;
    weightingVariance += (weight * weight * finiteCorrection) / sampleSize;
    if (sampleSize === 1) {
      variance += weight * weight * finiteCorrection * 0.25;
      notes.push(
        `stratum ${key ?? index} has one concluded case: its variance is taken as the largest one case ` +
          'can have (1/4)',
      );
    } else {
      variance += (weight * weight * finiteCorrection * rate * (1 - rate)) / (sampleSize - 1);
    }
  });
  estimate = clamp01(estimate);
  if (weightingVariance === 0) {
    return {
      estimate,
      lower: estimate,
      upper: estimate,
      standardError: 0,
      method: 'census',
      effectiveSampleSize: null,
      clopperPearson: { estimate, lower: estimate, upper: estimate },
      notes: ['every stratum was reviewed in full: the rate is counted, not estimated'],
    };
  }
  const byWeights = 1 / weightingVariance;
  const byDesign =
    estimate > 0 && estimate < 1 && variance > 0 ? (estimate * (1 - estimate)) / variance : byWeights;
  const n = Math.min(byDesign, byWeights);
  const x = n * estimate;
  const zz = z * z;
  const denominator = 1 + zz / n;
  const centre = (estimate + zz / (2 * n)) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((estimate * (1 - estimate)) / n + zz / (4 * n * n));
  return {
    estimate,
    lower: estimate === 0 ? 0 : clamp01(centre - halfWidth),
    upper: estimate === 1 ? 1 : clamp01(centre + halfWidth),
    standardError: Math.sqrt((estimate * (1 - estimate)) / n),
    method: 'wilson-effective-sample-size',
    effectiveSampleSize: n,
    clopperPearson: {
      estimate,
      lower: estimate === 0 ? 0 : betaQuantile(alpha / 2, x, n - x + 1),
      upper: estimate === 1 ? 1 : betaQuantile(1 - alpha / 2, x + 1, n - x),
    },
    notes,
  };
}
