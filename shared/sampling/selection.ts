/**
 * Reproducible, verifiable selection of a dip sample.
 *
 * Every eligible decision gets a rank, rank = HMAC-SHA256(key = seed, message = decisionId), and a
 * stratum's sample is the k decisions with the lowest ranks. Because a rank depends only on the seed
 * and the id:
 * - the sample does not depend on the order in which decisions are read, so the population can be
 *   scanned in any order, in pieces, or in parallel, and the pieces' results merged;
 * - nobody can steer it: the seed's SHA-256 is recorded when the sample is requested, before any
 *   decision is seen, and without the seed the ranks are unpredictable;
 * - anyone holding the seed and the population can re-derive it with any HMAC implementation, and
 *   the population hash below proves they are looking at the same population;
 * - a top-up is free: the lowest k + m ranks include the lowest k, so drawing more later never
 *   changes what was drawn.
 * Drawing the k lowest of N independent uniform ranks is a simple random sample without replacement
 * of size k: every set of k ids is equally likely.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';

/** Names this scheme (rank function, ordering, tie-break) in every manifest; bump it if any changes. */
export const SELECTION_ALGORITHM = 'hmac-sha256-lowest-k/1';

/** A decision's rank: lowercase hex HMAC-SHA256 keyed with the seed's UTF-8 bytes over the id's. */
export function rankOf(seed: string, decisionId: string): string {
  return rankWithKey(Buffer.from(seed, 'utf8'), decisionId);
}

function rankWithKey(key: Buffer, decisionId: string): string {
  return createHmac('sha256', key).update(decisionId, 'utf8').digest('hex');
}

/** The hex SHA-256 of the seed, recorded before selection so the seed cannot be chosen afterwards. */
export function seedCommitment(seed: string): string {
  return createHash('sha256').update(seed, 'utf8').digest('hex');
}

/** A fresh seed: 32 random bytes as 64 hex characters. */
export function newSeed(): string {
  return randomBytes(32).toString('hex');
}

export interface RankedDecision {
  readonly decisionId: string;
  readonly rank: string;
}

/**
 * Ranks are hex strings of equal length, so comparing them as strings compares them as numbers.
 * Two ids with the same rank would need an HMAC-SHA256 collision; the id breaks such a tie anyway,
 * so the order is total and the result never depends on arrival order.
 */
export function compareRanked(a: RankedDecision, b: RankedDecision): number {
  if (a.rank !== b.rank) return a.rank < b.rank ? -1 : 1;
  if (a.decisionId !== b.decisionId) return a.decisionId < b.decisionId ? -1 : 1;
  return 0;
}

/**
 * A copy of the string that shares no memory with it. A line read from a stream is usually a slice
 * of the whole chunk it arrived in (64 KiB), and holding the slice would hold the chunk: 100 held
 * ids would pin about 6 MiB. Only ids that enter the heap are copied, about k·(1 + ln(N/k)) of N.
 */
function detached(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * The k lowest-ranked decisions among those offered, in one streaming pass.
 *
 * A bounded max-heap holds the k best so far with the worst of them on top; a new id enters only by
 * displacing that top. Memory is O(k) however many ids are offered, and the result is the same for
 * any order of offering. To scan in parallel, give each piece its own instance with the same seed and
 * k, then offer the ids of every piece's result to a fresh one.
 *
 * An id offered again while it is held is ignored, so the result never repeats an id; an id offered
 * again after it was displaced cannot re-enter (k lower ranks are already held). `seen` counts
 * every offer that is not excluded, repeats included: offer each id once, as a population does.
 */
export class LowestRanked {
  private readonly heap: RankedDecision[] = [];
  private readonly held = new Set<string>();
  private offered = 0;
  // Encoding the seed once rather than per id makes a scan about a quarter faster.
  private readonly key: Buffer;

  constructor(
    seed: string,
    private readonly k: number,
    private readonly exclude: ReadonlySet<string> = new Set(),
  ) {
    if (!(Number.isInteger(k) && k >= 0)) {
      throw new RangeError(`k must be a whole number of at least 0, got ${k}`);
    }
    this.key = Buffer.from(seed, 'utf8');
  }

  /** Offers one decision; an excluded one (e.g. reviewed recently) is neither ranked nor counted. */
  add(decisionId: string): void {
    if (this.exclude.has(decisionId)) return;
    this.offered += 1;
    if (this.k === 0 || this.held.has(decisionId)) return;
    const rank = rankWithKey(this.key, decisionId);
    if (this.heap.length < this.k) {
      const kept = { decisionId: detached(decisionId), rank };
      this.heap.push(kept);
      this.held.add(kept.decisionId);
      this.siftUp(this.heap.length - 1);
      return;
    }
    const top = this.heap[0];
    if (top === undefined || compareRanked({ decisionId, rank }, top) >= 0) return;
    const kept = { decisionId: detached(decisionId), rank };
    this.held.delete(top.decisionId);
    this.heap[0] = kept;
    this.held.add(kept.decisionId);
    this.siftDown(0);
  }

  /** The number of ids offered and not excluded: the population the sample was drawn from. */
  get seen(): number {
    return this.offered;
  }

  /** The selected decisions, lowest rank first (that order is also the order of selection). */
  result(): RankedDecision[] {
    return [...this.heap].sort(compareRanked);
  }

  private higher(i: number, j: number): boolean {
    const a = this.heap[i];
    const b = this.heap[j];
    return a !== undefined && b !== undefined && compareRanked(a, b) > 0;
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i];
    const b = this.heap[j];
    if (a === undefined || b === undefined) return;
    this.heap[i] = b;
    this.heap[j] = a;
  }

  private siftUp(index: number): void {
    let child = index;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!this.higher(child, parent)) return;
      this.swap(child, parent);
      child = parent;
    }
  }

  private siftDown(index: number): void {
    let parent = index;
    for (;;) {
      const left = 2 * parent + 1;
      const right = left + 1;
      let largest = parent;
      if (left < this.heap.length && this.higher(left, largest)) largest = left;
      if (right < this.heap.length && this.higher(right, largest)) largest = right;
      if (largest === parent) return;
      this.swap(parent, largest);
      parent = largest;
    }
  }
}

const HASH_MODULUS_MASK = (1n << 256n) - 1n;

/**
 * An additive multiset hash of the ids in a stratum's population: the sum of SHA-256(decisionId),
 * each digest read as a 256-bit unsigned big-endian integer, modulo 2^256, written as 64 lowercase
 * hex characters (all zeros for an empty population).
 *
 * Addition commutes, so the digest is the same for any order of reading, is built in one pass with
 * O(1) memory, and the digests of disjoint pieces of a population add up to the digest of the whole
 * (`merge`). A verifier recomputes it the same way from the population they hold and compares it,
 * with the count, to the manifest. It is a multiset hash: an id present twice counts twice.
 */
export class PopulationHash {
  private sum = 0n;
  private size = 0;

  add(decisionId: string): void {
    const digest = createHash('sha256').update(decisionId, 'utf8').digest('hex');
    this.sum = (this.sum + BigInt(`0x${digest}`)) & HASH_MODULUS_MASK;
    this.size += 1;
  }

  /** Folds in another piece of the same population, as if its ids had been added here. */
  merge(other: PopulationHash): void {
    this.sum = (this.sum + other.sum) & HASH_MODULUS_MASK;
    this.size += other.size;
  }

  get count(): number {
    return this.size;
  }

  digest(): string {
    return this.sum.toString(16).padStart(64, '0');
  }
}
