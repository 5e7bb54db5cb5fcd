/**
 * The main table's layout (single-table design). Every record type has a deterministic key, so a
 * retried write lands on the same item instead of creating a second one; each aggregate's keys are
 * built in its own store module (the case store, the assignment store, ...), and this module holds
 * what the table shares: its indexes, and the decision population index.
 *
 * - `pk`/`sk`: the record itself.
 * - `gsi1pk`/`gsi1sk` (index `byKind`): lists of one kind of record, newest first. Decisions are
 *   not listed here: there can be millions.
 * - `popPk`/`popSk` (index `population`): decisions by decision month, spread over
 *   POPULATION_SHARDS partitions per month so a large import does not write to one hot
 *   partition; it projects only the fields a sampling filter or stratum reads, so counting a
 *   population never reads whole items.
 * - `crimeReference` (index `byCrime`, keys only): the decisions on one (pseudonymised) crime.
 */
import { createHash } from 'node:crypto';

export const MAIN_TABLE_INDEXES = { byKind: 'byKind', population: 'population', byCrime: 'byCrime' } as const;

export const POPULATION_SHARDS = 8;

/** The decision fields the population index carries (besides the decision id). */
export const POPULATION_FIELDS = [
  'decisionType',
  'outcomeCode',
  'outcomeCategory',
  'offenceGroup',
  'decidingBody',
  'unit',
  'daMarker',
  'custodyDisposal',
  'decisionDate',
  'source',
] as const;

const shardOf = (decisionId: string) =>
  (createHash('sha256').update(decisionId).digest()[0] ?? 0) % POPULATION_SHARDS;

export const populationPartition = (month: string, shard: number) => `DECISIONS#${month}#${shard}`;

export const populationKeys = (decisionId: string, decisionDate: string) => ({
  popPk: populationPartition(decisionDate.slice(0, 7), shardOf(decisionId)),
  popSk: decisionId,
});
