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
 *
 * Expected agreement is computed from whole-number counts and divided once, so p_e = 1 is
 * detected exactly rather than to within floating-point error.
 */

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
