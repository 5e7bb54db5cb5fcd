/**
 * Dip samples in the main table. The seed is stored beside the record but never returned with it
 * until the sample has been drawn: before then, whoever knew it could steer the population.
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
};

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
