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
  readonly populationSize: number;
  readonly sampleSize: number;
  readonly successes: number;
}

export interface StratifiedEstimate extends Interval {
  readonly standardError: number;
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

/**
 * The sample size needed to estimate a proportion to within ±e at confidence c (Cochran section 4.4):
 *   n0 = z² · p(1 − p) / e²
 * and, when the population size N is known, with the finite population correction (same section):
 *   n = n0 / (1 + (n0 − 1)/N)
 * The result is rounded up (a sample one short does not reach the precision asked for) and never
 * exceeds N. An expected rate of exactly 0 or 1 gives n0 = 0: such a rate needs no sample to
 * estimate, so ask for 0.5 when unsure.
 */
export function sampleSize({ confidence, margin, expected = 0.5, population }: SampleSizeInput): SampleSize {
  requireOpenUnit(confidence, 'confidence');
  requireOpenUnit(margin, 'margin');
  if (!(Number.isFinite(expected) && expected >= 0 && expected <= 1)) {
    throw new RangeError(`expected must be between 0 and 1 inclusive, got ${expected}`);
  }
  if (population !== undefined && !(Number.isInteger(population) && population >= 1)) {
    throw new RangeError(`population must be a whole number of at least 1, got ${population}`);
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

/**
 * The stratified estimate of a proportion (Cochran eq. 5.27), with W_h = N_h/N and p̂_h = x_h/n_h:
 *   p̂_st = Σ W_h · p̂_h
 *   Var(p̂_st) = Σ W_h² · (1 − n_h/N_h) · p̂_h(1 − p̂_h) / (n_h − 1)
 *   interval = p̂_st ± z · √Var(p̂_st), clipped to [0, 1]
 * A stratum sampled in full (n_h = N_h) contributes no variance, through its correction 1 − n_h/N_h.
 * A stratum with n_h = 1 contributes no variance term either: its variance cannot be estimated from
 * a single decision (n_h − 1 = 0), so the standard error leaves it out and is understated by
 * however much that stratum varies; draw at least 2 per stratum where precision matters.
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
  const population = strata.reduce((sum, stratum) => sum + stratum.populationSize, 0);
  let estimate = 0;
  let variance = 0;
  for (const { populationSize, sampleSize, successes } of strata) {
    const weight = populationSize / population;
    const rate = successes / sampleSize;
    estimate += weight * rate;
    if (sampleSize > 1) {
      const finiteCorrection = 1 - sampleSize / populationSize;
      variance += (weight * weight * finiteCorrection * rate * (1 - rate)) / (sampleSize - 1);
    }
  }
  const standardError = Math.sqrt(variance);
  return {
    estimate,
    standardError,
    lower: clamp01(estimate - z * standardError),
    upper: clamp01(estimate + z * standardError),
  };
}
