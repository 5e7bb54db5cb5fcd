/**
 * How a stratified dip sample's total is shared between strata.
 *
 * Rules, in the order they apply:
 * 1. Strata are returned sorted by key (plain code-unit order, not locale order, so every machine
 *    agrees), whatever order they arrive in. Keys must be unique.
 * 2. `census` takes every decision in every stratum; `total` is not used.
 * 3. `fixed` takes each stratum's quota; a stratum without a quota gets 0, and a quota naming a
 *    stratum that is not among the strata is refused with a ValidationError naming it (it is almost
 *    certainly a typing error, and silently drawing nothing for it would look like a sample of it).
 *    `total` is not used: the quotas are the design. A quota larger than its stratum is capped at the
 *    stratum's size and the surplus is not moved elsewhere, because each quota is the auditor's
 *    explicit choice.
 * 4. `proportional` and `equal` share `total`. When `total` is at least the whole population, every
 *    decision is taken. Otherwise each stratum with room gets a share of what is left, in proportion
 *    to its population size (proportional) or equally (equal):
 *    - a stratum whose exact share is at least its size is capped at its size and leaves the
 *      sharing, and the rest is shared again among the strata still in it (so the capped surplus goes
 *      to strata with room, proportionally or evenly as the method says), until no share exceeds its
 *      stratum;
 *    - the shares are then rounded by largest remainder (Hamilton's method): each stratum gets the
 *      whole part of its exact share, and the units left over go one each to the strata with the
 *      largest fractional parts, ties going to the larger stratum and then to the lower key. So the
 *      sizes add up to `total` exactly and each differs from its exact share by less than one. For
 *      `equal` every fractional part is the same, so the remainder goes to the largest strata.
 *    Empty strata take no part in the sharing (for `equal` they do not count among the H strata).
 * 5. inclusionProbability = sampleSize / populationSize, and 0 for an empty stratum.
 *
 * The shares are computed in integers (total × weight, divided with its remainder kept), so the
 * rounding never depends on floating point.
 */
import { ValidationError } from '../errors.ts';

export type Allocation =
  | { method: 'proportional' }
  | { method: 'equal' }
  | { method: 'fixed'; quotas: Readonly<Record<string, number>> }
  | { method: 'census' };

export interface StratumPopulation {
  readonly key: string;
  readonly populationSize: number;
}

export interface StratumAllocation {
  readonly key: string;
  readonly populationSize: number;
  readonly sampleSize: number;
  readonly inclusionProbability: number;
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function requireCount(value: number, name: string): void {
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    throw new RangeError(`${name} must be a whole number of at least 0, got ${value}`);
  }
}

interface Sharing {
  readonly index: number;
  readonly room: number;
  readonly weight: number;
}

/**
 * Shares `amount` among `sharing` by weight with caps at `room`, then Hamilton rounding (rule 4).
 * Requires amount ≤ Σ room, which makes the loop end with every unit placed. BigInt keeps
 * amount × weight exact for any population (it passes 2^53 at about 95 million decisions).
 */
function shareWithCaps(amount: number, sharing: readonly Sharing[], sizes: number[]): void {
  let left = BigInt(amount);
  let active = [...sharing];
  for (;;) {
    const weightTotal = active.reduce((sum, stratum) => sum + BigInt(stratum.weight), 0n);
    if (active.length === 0 || weightTotal === 0n) return;
    // The exact share is left × weight / weightTotal; it is capped when it is at least the room.
    const full = active.filter(
      (stratum) => left * BigInt(stratum.weight) >= BigInt(stratum.room) * weightTotal,
    );
    if (full.length > 0) {
      for (const stratum of full) {
        sizes[stratum.index] = stratum.room;
        left -= BigInt(stratum.room);
      }
      active = active.filter((stratum) => !full.includes(stratum));
      continue;
    }
    const shares = active.map((stratum) => {
      const numerator = left * BigInt(stratum.weight);
      return { stratum, whole: numerator / weightTotal, remainder: numerator % weightTotal };
    });
    let unplaced = left - shares.reduce((sum, share) => sum + share.whole, 0n);
    shares.sort((a, b) =>
      a.remainder !== b.remainder
        ? a.remainder > b.remainder
          ? -1
          : 1
        : b.stratum.room - a.stratum.room || a.stratum.index - b.stratum.index,
    );
    for (const share of shares) {
      const extra = unplaced > 0n && share.remainder > 0n ? 1n : 0n;
      unplaced -= extra;
      sizes[share.stratum.index] = Number(share.whole + extra);
    }
    return;
  }
}

/** Sample sizes per stratum for a design; see the rules at the top of this file. */
export function allocate(
  strata: readonly StratumPopulation[],
  total: number,
  allocation: Allocation,
): StratumAllocation[] {
  const sorted = [...strata].sort((a, b) => byKey(a.key, b.key));
  sorted.forEach((stratum, index) => {
    requireCount(stratum.populationSize, `populationSize of stratum ${stratum.key}`);
    if (index > 0 && sorted[index - 1]?.key === stratum.key) {
      throw new RangeError(`stratum ${stratum.key} appears more than once`);
    }
  });
  const sizes = sorted.map(() => 0);

  switch (allocation.method) {
    case 'census':
      sorted.forEach((stratum, index) => {
        sizes[index] = stratum.populationSize;
      });
      break;
    case 'fixed': {
      const known = new Set(sorted.map((stratum) => stratum.key));
      for (const [key, quota] of Object.entries(allocation.quotas)) {
        if (!known.has(key)) {
          throw new ValidationError(`There is a quota for stratum ${key}, which is not in the population`, [
            { field: `design.quotas.${key}`, reason: 'not a stratum of the population' },
          ]);
        }
        requireCount(quota, `quota of stratum ${key}`);
      }
      sorted.forEach((stratum, index) => {
        const quota = Object.hasOwn(allocation.quotas, stratum.key) ? allocation.quotas[stratum.key] : 0;
        sizes[index] = Math.min(stratum.populationSize, quota ?? 0);
      });
      break;
    }
    case 'proportional':
    case 'equal': {
      requireCount(total, 'total');
      const sharing = sorted.flatMap((stratum, index) =>
        stratum.populationSize === 0
          ? []
          : [
              {
                index,
                room: stratum.populationSize,
                weight: allocation.method === 'proportional' ? stratum.populationSize : 1,
              },
            ],
      );
      const population = sharing.reduce((sum, stratum) => sum + stratum.room, 0);
      shareWithCaps(Math.min(total, population), sharing, sizes);
      break;
    }
  }

  return sorted.map((stratum, index) => {
    const sampleSize = sizes[index] ?? 0;
    return {
      key: stratum.key,
      populationSize: stratum.populationSize,
      sampleSize,
      inclusionProbability: stratum.populationSize === 0 ? 0 : sampleSize / stratum.populationSize,
    };
  });
}
