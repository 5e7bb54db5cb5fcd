/**
 * Reading a sampling population from the population index: every month of the period, every
 * shard, only the projected fields. Nothing here holds the population: callers stream it.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { listCases } from '../cases/case-store.ts';
import { UNDER_REVIEW } from '../cases/review-case.ts';
import { MAIN_TABLE_INDEXES, POPULATION_SHARDS, populationPartition } from '../data/keys.ts';
import { ENV, requireEnv } from '../environment.ts';
import { type CreateSampleRequest, inPopulation, monthsBetween, type PopulationFilter } from './sample.ts';

export type PopulationEntry = Record<string, unknown> & { decisionId: string };

export async function* populationEntries(filter: PopulationFilter): AsyncGenerator<PopulationEntry> {
  const table = requireEnv(ENV.mainTable);
  for (const month of monthsBetween(filter.decisionDateFrom, filter.decisionDateTo)) {
    for (let shard = 0; shard < POPULATION_SHARDS; shard++) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: table,
            IndexName: MAIN_TABLE_INDEXES.population,
            KeyConditionExpression: 'popPk = :partition',
            ExpressionAttributeValues: { ':partition': populationPartition(month, shard) },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const entry = { ...item, decisionId: String(item.popSk) };
          if (inPopulation(entry, filter)) yield entry;
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  }
}

/**
 * Decisions a new sample must not pick: those under review now, and if asked those whose review
 * opened within the last N days.
 */
export async function excludedDecisions(
  exclude: CreateSampleRequest['exclude'],
  asOf: Date,
): Promise<string[]> {
  if (!exclude.underReview && exclude.reviewedWithinDays === undefined) return [];
  const since =
    exclude.reviewedWithinDays === undefined
      ? undefined
      : new Date(asOf.getTime() - exclude.reviewedWithinDays * 86_400_000).toISOString();
  const excluded = new Set<string>();
  for (const reviewCase of await listCases()) {
    const underReview = exclude.underReview && UNDER_REVIEW.includes(reviewCase.status);
    const recent = since !== undefined && reviewCase.openedAt >= since;
    if (underReview || recent) excluded.add(reviewCase.decisionId);
  }
  return [...excluded].sort();
}
