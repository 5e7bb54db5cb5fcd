import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../local/synthetic-data.ts';
import {
  LowestRanked,
  newSeed,
  PopulationHash,
  rankOf,
  SELECTION_ALGORITHM,
  seedCommitment,
} from '../../shared/sampling/selection.ts';

const ids = (count: number, prefix = 'dec_') =>
  Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(6, '0')}`);

function shuffled<T>(values: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

function select(seed: string, k: number, population: Iterable<string>, exclude?: ReadonlySet<string>) {
  const lowest = new LowestRanked(seed, k, exclude);
  for (const decisionId of population) lowest.add(decisionId);
  return lowest;
}

/** The definition, computed the slow way: rank everything, sort, take k. */
function bruteForce(seed: string, k: number, population: readonly string[]) {
  return population
    .map((decisionId) => ({ decisionId, rank: rankOf(seed, decisionId) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .slice(0, k);
}

describe('rankOf and the seed', () => {
  it('is HMAC-SHA256 keyed with the seed over the id, in lowercase hex (known answers)', () => {
    // Computed independently: Python's hmac.new(seed.encode(), id.encode(), hashlib.sha256).hexdigest()
    // and node:crypto's createHmac agree on both.
    expect(rankOf('audit-2024-q1', 'dec_01hq3k9v7n2b8c4d6f0g1h2j3k')).toBe(
      '43ebbf163d48a1ff2434cfeb2304fcd47ab1f0717dcc56b7f7d748fed4f65f0e',
    );
    // Both key and message are UTF-8.
    expect(rankOf('clé-ü', 'dec_é')).toBe('9ce8d87f6d4daa86bdff45d8fc221affa89b9670fc6fcb68b31f62adb2a1344c');
  });

  it('commits to the seed with its SHA-256 (known answer)', () => {
    expect(seedCommitment('audit-2024-q1')).toBe(
      'bca83ef7eb15c73b27061d89e5fe90b0da70fedd30ed970798eeb1b23ade4d22',
    );
  });

  it('makes fresh 256-bit seeds', () => {
    const first = newSeed();
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(newSeed()).not.toBe(first);
  });

  it('names the algorithm for the manifest', () => {
    expect(SELECTION_ALGORITHM).toBe('hmac-sha256-lowest-k/1');
  });
});

describe('LowestRanked', () => {
  const population = ids(1000);

  it('selects the k lowest ranks, lowest first', () => {
    for (const k of [1, 7, 100, 999, 1000, 1500]) {
      const lowest = select('seed-a', k, population);
      expect(lowest.result(), `k = ${k}`).toEqual(bruteForce('seed-a', k, population));
      expect(lowest.seen).toBe(1000);
    }
  });

  it('gives the same sample for the same seed and a different one for another seed', () => {
    const first = select('seed-a', 25, population).result();
    expect(select('seed-a', 25, population).result()).toEqual(first);
    expect(select('seed-b', 25, population).result()).not.toEqual(first);
  });

  it('does not depend on the order in which decisions are read', () => {
    const reference = select('seed-a', 50, population).result();
    for (let attempt = 1; attempt <= 10; attempt++) {
      expect(select('seed-a', 50, shuffled(population, attempt)).result()).toEqual(reference);
    }
    expect(select('seed-a', 50, [...population].reverse()).result()).toEqual(reference);
  });

  it('gives the same sample when the population is scanned in pieces and the pieces merged', () => {
    const reference = select('seed-a', 40, population).result();
    const pieces = [0, 1, 2, 3].map((piece) =>
      select(
        'seed-a',
        40,
        population.filter((_, index) => index % 4 === piece),
      ).result(),
    );
    const merged = select(
      'seed-a',
      40,
      pieces.flatMap((piece) => piece.map((entry) => entry.decisionId)),
    );
    expect(merged.result()).toEqual(reference);
  });

  it('never picks an excluded decision, and does not count it as seen', () => {
    const reference = select('seed-a', 30, population).result();
    const exclude = new Set(reference.slice(0, 10).map((entry) => entry.decisionId));
    const lowest = select('seed-a', 30, population, exclude);
    expect(lowest.seen).toBe(990);
    expect(lowest.result()).toEqual(
      bruteForce(
        'seed-a',
        30,
        population.filter((id) => !exclude.has(id)),
      ),
    );
    expect(lowest.result().some((entry) => exclude.has(entry.decisionId))).toBe(false);
  });

  it('tops up without changing what was drawn: the lowest k + m include the lowest k', () => {
    const drawn = select('seed-a', 20, population).result();
    const larger = select('seed-a', 35, shuffled(population, 99)).result();
    expect(larger.slice(0, 20)).toEqual(drawn);
    // Drawing m more while excluding what was drawn gives exactly the rest of the larger sample.
    const drawnIds = new Set(drawn.map((entry) => entry.decisionId));
    expect(select('seed-a', 15, population, drawnIds).result()).toEqual(larger.slice(20));
  });

  it('yields nothing for k = 0 but still counts the population', () => {
    const lowest = select('seed-a', 0, population);
    expect(lowest.result()).toEqual([]);
    expect(lowest.seen).toBe(1000);
  });

  it('never repeats an id offered twice', () => {
    const lowest = select('seed-a', 5, ['dec_1', 'dec_2', 'dec_1', 'dec_2', 'dec_1']);
    expect(lowest.result().map((entry) => entry.decisionId)).toEqual(
      bruteForce('seed-a', 2, ['dec_1', 'dec_2']).map((entry) => entry.decisionId),
    );
  });

  it('refuses a k that is not a whole number', () => {
    expect(() => new LowestRanked('seed', -1)).toThrow(RangeError);
    expect(() => new LowestRanked('seed', 1.5)).toThrow(RangeError);
  });

  it('picks every decision equally often across seeds (10 of 100, 4,000 draws)', () => {
    const hundred = ids(100);
    const draws = 4000;
    const counts = new Map(hundred.map((id) => [id, 0]));
    for (let draw = 0; draw < draws; draw++) {
      for (const { decisionId } of select(`uniformity-${draw}`, 10, hundred).result()) {
        counts.set(decisionId, (counts.get(decisionId) ?? 0) + 1);
      }
    }
    // Each id is expected 400 times (10%), standard deviation √(4000 × 0.1 × 0.9) ≈ 19.
    const expected = (draws * 10) / 100;
    let chiSquare = 0;
    for (const count of counts.values()) {
      expect(count).toBeGreaterThan(expected * 0.8);
      expect(count).toBeLessThan(expected * 1.2);
      chiSquare += (count - expected) ** 2 / expected;
    }
    // With 99 degrees of freedom the 99.99th percentile of chi-square is about 153; sampling without
    // replacement makes the statistic smaller still (about 90 on average), so 150 is a generous bound.
    expect(chiSquare).toBeLessThan(150);
  });

  it('makes every subset equally likely, not just every id (2 of 4, 6,000 draws)', () => {
    const four = ['dec_a', 'dec_b', 'dec_c', 'dec_d'];
    const subsets = new Map<string, number>();
    for (let draw = 0; draw < 6000; draw++) {
      const pair = select(`pairs-${draw}`, 2, four)
        .result()
        .map((entry) => entry.decisionId)
        .sort()
        .join('+');
      subsets.set(pair, (subsets.get(pair) ?? 0) + 1);
    }
    // Six pairs, 1,000 each expected, standard deviation √(6000 × (1/6) × (5/6)) ≈ 29.
    expect(subsets.size).toBe(6);
    for (const count of subsets.values()) {
      expect(count).toBeGreaterThan(880);
      expect(count).toBeLessThan(1120);
    }
  });
});

describe('PopulationHash', () => {
  const hashOf = (population: Iterable<string>) => {
    const hash = new PopulationHash();
    for (const decisionId of population) hash.add(decisionId);
    return hash;
  };

  it('is the sum of the SHA-256 digests modulo 2^256 (known answer)', () => {
    // Python: format((int(sha256(b'dec_a').hexdigest(), 16) + int(sha256(b'dec_b').hexdigest(), 16))
    // % 2**256, '064x').
    expect(hashOf(['dec_a', 'dec_b']).digest()).toBe(
      '901f2da01d929b7fb4b90f77cb1b6414c8b3bf79754783a32b7e3d7257d43a16',
    );
    expect(new PopulationHash().digest()).toBe('0'.repeat(64));
    expect(new PopulationHash().count).toBe(0);
  });

  it('does not depend on the order of reading', () => {
    const population = ids(500);
    const reference = hashOf(population).digest();
    for (let attempt = 1; attempt <= 10; attempt++) {
      expect(hashOf(shuffled(population, attempt)).digest()).toBe(reference);
    }
    expect(hashOf(population).count).toBe(500);
  });

  it('changes when a decision is added, removed or replaced', () => {
    const population = ids(500);
    const reference = hashOf(population).digest();
    expect(hashOf([...population, 'dec_extra']).digest()).not.toBe(reference);
    expect(hashOf(population.slice(1)).digest()).not.toBe(reference);
    expect(hashOf([...population.slice(1), 'dec_other']).digest()).not.toBe(reference);
  });

  it('counts a repeated id twice, as a multiset hash does', () => {
    expect(hashOf(['dec_a', 'dec_a']).digest()).not.toBe(hashOf(['dec_a']).digest());
    expect(hashOf(['dec_a', 'dec_a']).count).toBe(2);
  });

  it('adds up over pieces of a population', () => {
    const population = ids(300);
    const whole = hashOf(population);
    const merged = hashOf(population.slice(0, 120));
    merged.merge(hashOf(population.slice(120)));
    expect(merged.digest()).toBe(whole.digest());
    expect(merged.count).toBe(300);
  });
});
