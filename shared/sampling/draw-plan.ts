/**
 * The plan of a draw, a pure function of the request and the population it is drawn from: the
 * size asked for (given, computed from the precision, the quotas' total, or the whole population
 * for a census), and per stratum its size, hash, allocation and inclusion probability. The
 * workflow draws by it; verification recomputes it from the population listing.
 */
import { type Allocation, allocate } from './allocation.ts';
import type { CreateSampleRequest, StratumSummary } from './sample.ts';
import { PopulationHash } from './selection.ts';
import { sampleSize } from './statistics.ts';

export interface DrawPlan {
  readonly populationSize: number;
  readonly requestedSize: number;
  readonly sizeFormula?: string;
  readonly sizeNote?: string;
  readonly strata: StratumSummary[];
}

export function allocationOf(request: CreateSampleRequest): Allocation {
  if (request.design.type === 'census') return { method: 'census' };
  if (request.design.type === 'simple') return { method: 'proportional' };
  if (request.design.allocation === 'fixed') return { method: 'fixed', quotas: request.design.quotas ?? {} };
  return { method: request.design.allocation ?? 'proportional' };
}

/** Each stratum's order-independent hash, from its decision ids. */
export function stratumHashes(
  strata: Readonly<Record<string, readonly string[]>>,
): Map<string, PopulationHash> {
  const hashes = new Map<string, PopulationHash>();
  for (const [key, ids] of Object.entries(strata)) {
    const hash = new PopulationHash();
    for (const id of ids) hash.add(id);
    hashes.set(key, hash);
  }
  return hashes;
}

/**
 * The plan for a non-empty population. Throws the allocation's ValidationError when the design
 * cannot be drawn from it (a quota for a stratum it does not hold).
 */
export function planDraw(
  request: CreateSampleRequest,
  strata: Readonly<Record<string, readonly string[]>>,
): DrawPlan {
  const hashes = stratumHashes(strata);
  const populationSize = [...hashes.values()].reduce((sum, hash) => sum + hash.count, 0);
  const computed = request.precision
    ? sampleSize({ ...request.precision, population: populationSize })
    : undefined;
  const allocation = allocationOf(request);
  const quotaTotal =
    allocation.method === 'fixed' ? Object.values(allocation.quotas).reduce((a, b) => a + b, 0) : 0;
  const requestedSize =
    allocation.method === 'census' ? populationSize : (request.size ?? computed?.n ?? quotaTotal);
  const allocated = allocate(
    [...hashes.entries()].map(([key, hash]) => ({ key, populationSize: hash.count })),
    requestedSize,
    allocation,
  ).map((stratum) => ({ ...stratum, populationHash: (hashes.get(stratum.key) as PopulationHash).digest() }));
  const drawn = allocated.reduce((sum, stratum) => sum + stratum.sampleSize, 0);
  const sizeNote =
    requestedSize > populationSize
      ? `${requestedSize} requested but the population holds ${populationSize}: every decision is taken`
      : drawn < requestedSize
        ? `${requestedSize} requested; ${drawn} could be drawn within the strata's sizes`
        : undefined;
  return {
    populationSize,
    requestedSize,
    ...(computed ? { sizeFormula: computed.formula } : {}),
    ...(sizeNote ? { sizeNote } : {}),
    strata: allocated,
  };
}
