/**
 * Keys of the main table (single-table design). Every record type has a deterministic key, so a
 * retried write lands on the same item instead of creating a second one.
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

export const keys = {
  reviewer: (reviewerId: string) => ({ pk: `REVIEWER#${reviewerId}`, sk: 'REVIEWER' }),
  panel: (panelId: string) => ({ pk: `PANEL#${panelId}`, sk: 'PANEL' }),
  sitting: (sittingId: string) => ({ pk: `SITTING#${sittingId}`, sk: 'SITTING' }),
  reviewCase: (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'CASE' }),
  nomination: (nominationId: string) => ({ pk: `NOMINATION#${nominationId}`, sk: 'NOMINATION' }),
  assignment: (assignmentId: string) => ({ pk: `ASSIGNMENT#${assignmentId}`, sk: 'ASSIGNMENT' }),
  /** A reviewer's cases in one sitting, as a set: adding a case twice counts it once. */
  reviewerLoad: (sittingId: string, reviewerId: string) => ({ pk: `LOAD#${sittingId}`, sk: reviewerId }),
  /** Append-only history of a case's assignments: who, when, why, from whom to whom. */
  assignmentEvent: (caseId: string, at: string, eventId: string) => ({
    pk: `CASE#${caseId}`,
    sk: `HISTORY#${at}#${eventId}`,
  }),
  routing: (caseId: string) => ({ pk: `CASE#${caseId}`, sk: 'ROUTING' }),
  /** Every version of every finding on a case, kept side by side: nothing is overwritten. */
  finding: (caseId: string, sittingId: string, reviewerId: string, version: number) => ({
    pk: `CASE#${caseId}`,
    sk: `FINDING#${sittingId}#${reviewerId}#${String(version).padStart(4, '0')}`,
  }),
  /** The chair's moderation of a case in one sitting (a carried-over case may be moderated again). */
  moderation: (caseId: string, sittingId: string) => ({
    pk: `CASE#${caseId}`,
    sk: `MODERATION#${sittingId}`,
  }),
  /** Pack versions of a case or sitting: `CASE#…` or `SITTING#…` partitions. */
  pack: (partition: string, version: number) => ({
    pk: partition,
    sk: `PACK#${String(version).padStart(4, '0')}`,
  }),
} as const;

export const kinds = {
  reviewer: (name: string) => ({ gsi1pk: 'REVIEWER', gsi1sk: name }),
  panel: (name: string) => ({ gsi1pk: 'PANEL', gsi1sk: name }),
  sitting: (panelAndDate: string) => ({ gsi1pk: 'SITTING', gsi1sk: panelAndDate }),
  reviewCase: (openedAt: string) => ({ gsi1pk: 'CASE', gsi1sk: openedAt }),
  /** Listed per nominator: nobody lists anyone else's nominations. */
  nomination: (nominatedBy: string, nominatedAt: string) => ({
    gsi1pk: `NOMINATIONS#${nominatedBy}`,
    gsi1sk: nominatedAt,
  }),
  /** Listed per reviewer: a panel member lists only their own assignments. */
  assignment: (reviewerId: string, assignedAt: string) => ({
    gsi1pk: `ASSIGNMENTS#${reviewerId}`,
    gsi1sk: assignedAt,
  }),
} as const;
