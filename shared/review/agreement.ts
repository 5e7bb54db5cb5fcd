/**
 * How far reviewers agree when they record coded findings: raw agreement, Cohen's kappa for two
 * raters and Fleiss' kappa for more, measured per question and per sitting.
 *
 * Notation, used in every formula below:
 * - an item is one case × one question; N is the number of items counted;
 * - k runs over the categories (the codes a rater may choose);
 * - for Cohen, a_k and b_k are how often the first and the second rater chose k;
 * - for Fleiss, n is the number of ratings per item and n_ij how many of them put item i in k = j.
 *
 * Kappa is the agreement beyond chance, scaled so that 1 is perfect agreement and 0 is what
 * raters choosing at random with the observed category rates would reach:
 *   κ = (p_o − p_e) / (1 − p_e)
 * When p_e = 1 (every rating is the same category) κ is 0/0 and is reported as null, not a number:
 * the raters agree, but the data cannot show that they agree beyond chance.
 *
 * References:
 * - J. Cohen, "A coefficient of agreement for nominal scales", Educational and Psychological
 *   Measurement 20 (1960) 37-46.
 * - J. L. Fleiss, "Measuring nominal scale agreement among many raters", Psychological Bulletin
 *   76 (1971) 378-382.
 * - J. Cohen, "Weighted kappa: nominal scale agreement with provision for scaled disagreement or
 *   partial credit", Psychological Bulletin 70 (1968) 213-220.
 * - J. L. Fleiss, J. Cohen and B. S. Everitt, "Large sample standard errors of kappa and weighted
 *   kappa", Psychological Bulletin 72 (1969) 323-327: the standard error used for the intervals
 *   (not the simpler √(p_o(1 − p_o)/N)/(1 − p_e), which assumes the raters' margins are fixed).
 * - D. V. Cicchetti and T. Allison (1971) for linear and J. L. Fleiss and J. Cohen (1973) for
 *   quadratic agreement weights; J. L. Fleiss, B. Levin and M. C. Paik, Statistical Methods for
 *   Rates and Proportions, 3rd ed., Wiley, 2003, ch. 18, state all three.
 *
 * Expected agreement is computed from whole-number counts and divided once, so p_e = 1 is
 * detected exactly rather than to within floating-point error.
 */
import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';

/** One rated item (a case × a question): the category each rater chose. */
export type Ratings = readonly (string | null)[]; // null = not rated by that rater

export interface Agreement {
  /** The number of items counted (after skipping any that cannot be counted). */
  readonly items: number;
  /** The number of ratings per item: 2 for Cohen, n for Fleiss. */
  readonly raters: number;
  /** Observed agreement: p_o for Cohen, P̄ for Fleiss. */
  readonly observed: number;
  /** Agreement expected by chance: p_e for Cohen, P̄_e for Fleiss. */
  readonly expected: number;
  /** (observed − expected)/(1 − expected); null when expected = 1. */
  readonly kappa: number | null;
}

function rated(item: Ratings): string[] {
  return item.filter((rating): rating is string => rating !== null);
}

function increment(counts: Map<string, number>, category: string): void {
  counts.set(category, (counts.get(category) ?? 0) + 1);
}

function kappaOf(observed: number, expectedNumerator: number, expectedDenominator: number): number | null {
  if (expectedNumerator === expectedDenominator) return null;
  const expected = expectedNumerator / expectedDenominator;
  return (observed - expected) / (1 - expected);
}

/**
 * Raw agreement: the share of items where every rater who rated it chose the same category.
 * Items with fewer than two ratings say nothing about agreement and are skipped.
 */
export function rawAgreement(items: readonly Ratings[]): number {
  let counted = 0;
  let agreed = 0;
  for (const item of items) {
    const ratings = rated(item);
    if (ratings.length < 2) continue;
    counted += 1;
    if (ratings.every((rating) => rating === ratings[0])) agreed += 1;
  }
  if (counted === 0) {
    throw new RangeError('items must include at least one item rated by two or more raters');
  }
  return agreed / counted;
}

/**
 * Cohen's kappa for exactly two raters over nominal categories (Cohen 1960), over the N items both
 * raters rated:
 *   p_o = (items where the two chose the same category) / N
 *   p_e = Σ_k (a_k/N)(b_k/N) = Σ_k a_k b_k / N²
 *   κ = (p_o − p_e) / (1 − p_e)
 * Items either rater left unrated are skipped; kappa is null when p_e = 1 (all ratings one
 * category). Each position is one rater: the first rating of every item is the same person's.
 */
export function cohensKappa(items: readonly (readonly [string | null, string | null])[]): Agreement {
  const first = new Map<string, number>();
  const second = new Map<string, number>();
  let counted = 0;
  let agreed = 0;
  items.forEach((item, index) => {
    if (item.length !== 2) {
      throw new RangeError(`items[${index}] must have exactly 2 ratings, got ${item.length}`);
    }
    const [a, b] = item;
    if (a === null || b === null) return;
    counted += 1;
    if (a === b) agreed += 1;
    increment(first, a);
    increment(second, b);
  });
  if (counted === 0) {
    throw new RangeError('items must include at least one item rated by both raters');
  }
  let chanceNumerator = 0;
  for (const [category, a] of first) chanceNumerator += a * (second.get(category) ?? 0);
  const chanceDenominator = counted * counted;
  const observed = agreed / counted;
  return {
    items: counted,
    raters: 2,
    observed,
    expected: chanceNumerator / chanceDenominator,
    kappa: kappaOf(observed, chanceNumerator, chanceDenominator),
  };
}

/**
 * Fleiss' kappa for a fixed number n ≥ 2 of ratings per item (Fleiss 1971). The raters need not
 * be the same people from item to item; only the count of ratings per category matters:
 *   P_i = (Σ_j n_ij² − n) / (n(n − 1))   the share of rater pairs agreeing on item i
 *   P̄ = (1/N) Σ_i P_i
 *   p_j = Σ_i n_ij / (N n)                the share of all ratings in category j
 *   P̄_e = Σ_j p_j²
 *   κ = (P̄ − P̄_e) / (1 − P̄_e)
 * n is the number of non-null ratings of the first item; an item with a different number of
 * ratings is an error naming its index. Kappa is null when P̄_e = 1 (all ratings one category).
 */
export function fleissKappa(items: readonly Ratings[]): Agreement {
  const [head] = items;
  if (head === undefined) throw new RangeError('items must not be empty');
  const n = rated(head).length;
  if (n < 2) {
    throw new RangeError(`items must have at least 2 ratings each, got ${n} in items[0]`);
  }
  const totals = new Map<string, number>();
  let agreementSum = 0;
  items.forEach((item, index) => {
    const ratings = rated(item);
    if (ratings.length !== n) {
      throw new RangeError(
        `items[${index}] has ${ratings.length} ratings; every item must have ${n}, as items[0] has`,
      );
    }
    const counts = new Map<string, number>();
    for (const rating of ratings) {
      increment(counts, rating);
      increment(totals, rating);
    }
    let squares = 0;
    for (const count of counts.values()) squares += count * count;
    agreementSum += (squares - n) / (n * (n - 1));
  });
  let chanceNumerator = 0;
  for (const total of totals.values()) chanceNumerator += total * total;
  const ratingsTotal = items.length * n;
  const chanceDenominator = ratingsTotal * ratingsTotal;
  const observed = agreementSum / items.length;
  return {
    items: items.length,
    raters: n,
    observed,
    expected: chanceNumerator / chanceDenominator,
    kappa: kappaOf(observed, chanceNumerator, chanceDenominator),
  };
}

/**
 * Picks Cohen for two raters, Fleiss for more; `raters` is the number of non-null ratings per item.
 * With two ratings per item, the first non-null rating of each item is taken as the first rater's.
 * Otherwise the items go to Fleiss' kappa, which refuses items with differing numbers of ratings.
 */
export function agreement(items: readonly Ratings[]): Agreement {
  if (items.length === 0) throw new RangeError('items must not be empty');
  const pairs: [string, string][] = [];
  for (const item of items) {
    const ratings = rated(item);
    const [a, b] = ratings;
    if (ratings.length !== 2 || a === undefined || b === undefined) return fleissKappa(items);
    pairs.push([a, b]);
  }
  return cohensKappa(pairs);
}

/**
 * The items with every rating in `category` taken as no rating, and how many ratings that took
 * out. A rating that says the question does not apply ("not applicable") is no judgement on the
 * scale the question asks about, so agreement on a question leaves it out: otherwise two reviewers
 * who both say a question does not apply would raise kappa without agreeing on anything it asks.
 */
export function leaveOut(items: readonly Ratings[], category: string): { items: Ratings[]; leftOut: number } {
  let leftOut = 0;
  const kept = items.map((item) =>
    item.map((rating) => {
      if (rating !== category) return rating;
      leftOut += 1;
      return null;
    }),
  );
  return { items: kept, leftOut };
}

/** A kappa with its standard error and two-sided interval (95% unless asked otherwise). */
export interface KappaInterval {
  readonly confidence: number;
  /** The large-sample standard error of Fleiss, Cohen and Everitt (1969). */
  readonly standardError: number;
  /** κ ± z·SE, clipped to [−1, 1]. */
  readonly lower: number;
  readonly upper: number;
}

export const KAPPA_WEIGHTS = ['linear', 'quadratic'] as const;
export type KappaWeights = (typeof KAPPA_WEIGHTS)[number];

export interface WeightedKappa {
  readonly weights: KappaWeights;
  /** The ordered categories, lowest first; weights depend on their distance on this scale. */
  readonly scale: readonly string[];
  /** Items both raters rated on the scale. */
  readonly items: number;
  /** Items left out: unrated by either, or rated outside the scale (such as "cannot conclude"). */
  readonly excluded: number;
  /** Weighted observed agreement p_o(w) = Σ w_ij p_ij. */
  readonly observed: number;
  /** Weighted chance agreement p_e(w) = Σ w_ij p_i. p_.j. */
  readonly expected: number;
  readonly kappa: number | null;
  readonly interval: KappaInterval | null;
}

/** z for a two-sided level: the normal quantile, by the same routine the sampling figures use. */
function zFor(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be strictly between 0 and 1, got ${confidence}`);
  }
  return normalQuantile(1 - (1 - confidence) / 2, 0, 1);
}

/**
 * Kappa with agreement weights w_ij (1 on the diagonal, 0 ≤ w_ij ≤ 1) from a k × k table of counts
 * (first rater's category i, second's j), with p_ij = n_ij/N, p_i. and p_.j the margins:
 *   κ_w = (p_o(w) − p_e(w)) / (1 − p_e(w))
 * and the large-sample variance of Fleiss, Cohen and Everitt (1969), with w̄_i. = Σ_j p_.j w_ij and
 * w̄_.j = Σ_i p_i. w_ij:
 *   Var(κ_w) = [Σ_ij p_ij (w_ij − (w̄_i. + w̄_.j)(1 − κ_w))² − (κ_w − p_e(w)(1 − κ_w))²] / (N (1 − p_e(w))²)
 * Identity weights give Cohen's unweighted kappa and its variance (their eq. 13).
 */
function kappaFromTable(
  table: readonly (readonly number[])[],
  weights: readonly (readonly number[])[],
  confidence: number,
) {
  const k = table.length;
  const n = table.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
  const p = table.map((row) => row.map((count) => count / n));
  const rows = p.map((row) => row.reduce((a, b) => a + b, 0));
  const columns = Array.from({ length: k }, (_, j) => p.reduce((sum, row) => sum + (row[j] ?? 0), 0));
  const w = (i: number, j: number) => weights[i]?.[j] ?? 0;
  let observed = 0;
  let expected = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      observed += w(i, j) * (p[i]?.[j] ?? 0);
      expected += w(i, j) * (rows[i] ?? 0) * (columns[j] ?? 0);
    }
  }
  // Chance agreement of 1 (within rounding) leaves kappa 0/0.
  if (1 - expected < 1e-12) return { observed, expected, kappa: null, interval: null };
  const kappa = (observed - expected) / (1 - expected);
  const rowMeans = Array.from({ length: k }, (_, i) =>
    columns.reduce((sum, column, j) => sum + column * w(i, j), 0),
  );
  const columnMeans = Array.from({ length: k }, (_, j) =>
    rows.reduce((sum, row, i) => sum + row * w(i, j), 0),
  );
  let sum = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const deviation = w(i, j) - ((rowMeans[i] ?? 0) + (columnMeans[j] ?? 0)) * (1 - kappa);
      sum += (p[i]?.[j] ?? 0) * deviation * deviation;
    }
  }
  const correction = kappa - expected * (1 - kappa);
  const variance = Math.max(0, (sum - correction * correction) / (n * (1 - expected) ** 2));
  const standardError = Math.sqrt(variance);
  const z = zFor(confidence);
  return {
    observed,
    expected,
    kappa,
    interval: {
      confidence,
      standardError,
      lower: Math.max(-1, kappa - z * standardError),
      upper: Math.min(1, kappa + z * standardError),
    },
  };
}

/** The k × k table of two raters' counts over `scale`; pairs off the scale or unrated are counted apart. */
function tableOf(items: readonly (readonly [string | null, string | null])[], scale: readonly string[]) {
  const index = new Map(scale.map((category, position) => [category, position]));
  const table = scale.map(() => scale.map(() => 0));
  let excluded = 0;
  for (const [a, b] of items) {
    const i = a === null ? undefined : index.get(a);
    const j = b === null ? undefined : index.get(b);
    const row = i === undefined ? undefined : table[i];
    if (row === undefined || j === undefined) {
      excluded += 1;
      continue;
    }
    row[j] = (row[j] ?? 0) + 1;
  }
  return { table, excluded, items: items.length - excluded };
}

/**
 * Cohen's kappa's standard error and interval (Fleiss, Cohen and Everitt 1969), over the items both
 * raters rated; null when kappa is (every rating one category). The interval is the normal one,
 * κ ± z·SE: with a sitting's few cases it is wide, which is the point of showing it.
 */
export function cohensKappaInterval(
  items: readonly (readonly [string | null, string | null])[],
  confidence = 0.95,
): KappaInterval | null {
  const categories = [
    ...new Set(items.flatMap((item) => item.filter((r): r is string => r !== null))),
  ].sort();
  const { table, items: counted } = tableOf(items, categories);
  if (counted === 0) throw new RangeError('items must include at least one item rated by both raters');
  const identity = categories.map((_, i) => categories.map((__, j) => (i === j ? 1 : 0)));
  return kappaFromTable(table, identity, confidence).interval;
}

/**
 * Weighted kappa (Cohen 1968) for two raters on an ordered scale of k categories, with the agreement
 * weights for categories i and j (positions on the scale, 0 to k − 1):
 *   linear (Cicchetti-Allison):   w_ij = 1 − |i − j| / (k − 1)
 *   quadratic (Fleiss-Cohen):     w_ij = 1 − (i − j)² / (k − 1)²
 * so a near miss counts as part agreement. Items with a rating off the scale are left out and
 * counted in `excluded`. The standard error is Fleiss, Cohen and Everitt's (1969).
 */
export function weightedKappa(
  items: readonly (readonly [string | null, string | null])[],
  scale: readonly string[],
  weights: KappaWeights,
  confidence = 0.95,
): WeightedKappa {
  if (scale.length < 2 || new Set(scale).size !== scale.length) {
    throw new RangeError('scale must list at least two distinct categories');
  }
  const last = scale.length - 1;
  const matrix = scale.map((_, i) =>
    scale.map((__, j) => (weights === 'linear' ? 1 - Math.abs(i - j) / last : 1 - (i - j) ** 2 / last ** 2)),
  );
  const { table, excluded, items: counted } = tableOf(items, scale);
  if (counted === 0) {
    return { weights, scale, items: 0, excluded, observed: 0, expected: 0, kappa: null, interval: null };
  }
  return { weights, scale, items: counted, excluded, ...kappaFromTable(table, matrix, confidence) };
}
