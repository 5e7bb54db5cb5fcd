/**
 * Dip samples in the main table. The seed is stored beside the record but never returned with it
 * until the sample has been drawn: before then, whoever knew it could steer the population.
 *
 * - `SAMPLE#<sample>` / `SAMPLE`: the sample (listed on `byKind` as `SAMPLE`, newest first).
 * - `SAMPLEDRAW#lock` / `LOCK`: the draw lease. One sample draws at a time, from counting its
 *   population to opening its cases, so a sample that excludes decisions under review sees every
 *   pick of the sample drawn before it. The lease also remembers the samples released in the last
 *   minutes: their cases are read from an index that may lag, so their picks are excluded by id.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { mainTable } from '../environment.ts';
import { NotFoundError } from '../errors.ts';
import { type SampleRecord, SampleRecordSchema } from './sample.ts';

/** A sample's item, listed newest first among the samples. */
export const sampleKeys = {
  kind: 'SAMPLE',
  item: (sampleId: string) => ({ pk: `SAMPLE#${sampleId}`, sk: 'SAMPLE' }),
  listed: (requestedAt: string) => ({ gsi1pk: sampleKeys.kind, gsi1sk: requestedAt }),
  drawLock: () => ({ pk: 'SAMPLEDRAW#lock', sk: 'LOCK' }),
};

/** How long a draw may hold the lease before another may take it (a draw that died holding it). */
export const DRAW_LEASE_MS = 15 * 60_000;
/** How long a released draw's picks are excluded by id, beyond what the case index shows. */
export const RECENT_DRAW_MS = 10 * 60_000;

/** Another sample is being drawn: the workflow waits and tries again. */
export class DrawInProgress extends Error {
  override readonly name = 'DrawInProgress';
}

interface RecentDraw {
  readonly sampleId: string;
  readonly releasedAt: string;
}

/**
 * Takes the draw lease for the sample (again, if it holds it already: a retried step), and gives
 * the samples released recently. Throws DrawInProgress while another sample holds an unexpired lease.
 */
export async function acquireDrawLease(sampleId: string, now = new Date()): Promise<string[]> {
  try {
    const { Attributes } = await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: sampleKeys.drawLock(),
        UpdateExpression: 'SET holder = :sample, heldUntil = :until',
        ConditionExpression: 'attribute_not_exists(holder) OR holder = :sample OR heldUntil < :now',
        ExpressionAttributeValues: {
          ':sample': sampleId,
          ':until': new Date(now.getTime() + DRAW_LEASE_MS).toISOString(),
          ':now': now.toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const since = new Date(now.getTime() - RECENT_DRAW_MS).toISOString();
    return ((Attributes?.recent ?? []) as RecentDraw[])
      .filter((draw) => draw.releasedAt >= since && draw.sampleId !== sampleId)
      .map((draw) => draw.sampleId);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new DrawInProgress(`Another sample is being drawn; ${sampleId} waits for it`);
    }
    throw error;
  }
}

/**
 * Gives the lease up, remembering the sample among the recent draws. Releasing a lease the sample
 * no longer holds (a retried step) changes nothing.
 */
export async function releaseDrawLease(sampleId: string, now = new Date()): Promise<void> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: sampleKeys.drawLock(), ConsistentRead: true }),
  );
  if (Item?.holder !== sampleId) return;
  const since = new Date(now.getTime() - RECENT_DRAW_MS).toISOString();
  const recent = [
    ...((Item.recent ?? []) as RecentDraw[]).filter(
      (draw) => draw.releasedAt >= since && draw.sampleId !== sampleId,
    ),
    { sampleId, releasedAt: now.toISOString() },
  ];
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: sampleKeys.drawLock(),
        UpdateExpression: 'SET recent = :recent REMOVE holder, heldUntil',
        ConditionExpression: 'holder = :sample',
        ExpressionAttributeValues: { ':sample': sampleId, ':recent': recent },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/** Records a requested sample once; false when the same request was already recorded. */
export async function createSampleRecord(record: SampleRecord, seed: string): Promise<boolean> {
  try {
    await documents.send(
      new PutCommand({
        TableName: mainTable(),
        Item: {
          ...sampleKeys.item(record.sampleId),
          ...sampleKeys.listed(record.requestedAt),
          ...record,
          seed,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export interface StoredSample {
  readonly record: SampleRecord;
  readonly seed: string;
}

export async function getStoredSample(sampleId: string): Promise<StoredSample> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: sampleKeys.item(sampleId) }),
  );
  if (!Item) throw new NotFoundError(`No sample ${sampleId}`);
  return { record: SampleRecordSchema.parse(Item), seed: String(Item.seed) };
}

export async function listSampleRecords(limit = 100): Promise<SampleRecord[]> {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: mainTable(),
      IndexName: MAIN_TABLE_INDEXES.byKind,
      KeyConditionExpression: 'gsi1pk = :kind',
      ExpressionAttributeValues: { ':kind': sampleKeys.kind },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return Items.map((item) => SampleRecordSchema.parse(item));
}

/** Sets the given fields; the same update applied twice leaves the same record. */
export async function updateSample(sampleId: string, fields: Partial<SampleRecord>): Promise<void> {
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  await documents.send(
    new UpdateCommand({
      TableName: mainTable(),
      Key: sampleKeys.item(sampleId),
      UpdateExpression: `SET ${entries.map(([name]) => `#${name} = :${name}`).join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.fromEntries(entries.map(([name]) => [`#${name}`, name])),
      ExpressionAttributeValues: Object.fromEntries(entries.map(([name, value]) => [`:${name}`, value])),
    }),
  );
}
