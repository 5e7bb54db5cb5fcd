/** Import records in the main table. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import { mainTable } from '../environment.ts';
import { type FieldIssue, NotFoundError } from '../errors.ts';
import {
  type ImportCounts,
  type ImportRecord,
  ImportRecordSchema,
  type ImportStatus,
} from './import-record.ts';

const AWAITING_UPLOAD: ImportStatus = 'AWAITING_UPLOAD';
const EXPIRED: ImportStatus = 'EXPIRED';

/** An import's item, listed newest first among the imports. */
export const importKeys = {
  kind: 'IMPORT',
  item: (importId: string) => ({ pk: `IMPORT#${importId}`, sk: 'IMPORT' }),
  listed: (createdAt: string) => ({ gsi1pk: importKeys.kind, gsi1sk: createdAt }),
};

export async function createImportRecord(record: ImportRecord): Promise<void> {
  await documents.send(
    new PutCommand({
      TableName: mainTable(),
      Item: { ...importKeys.item(record.importId), ...importKeys.listed(record.createdAt), ...record },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Progress is kept as the set of finished chunk indexes, so a retried chunk is counted once. */
function fromItem(item: Record<string, unknown>): ImportRecord {
  const { chunksTotal, doneChunks, ...rest } = item;
  const progress =
    typeof chunksTotal === 'number'
      ? { chunksTotal, chunksDone: doneChunks instanceof Set ? doneChunks.size : 0 }
      : undefined;
  return ImportRecordSchema.parse({ ...rest, ...(progress ? { progress } : {}) });
}

export async function getImportRecord(importId: string): Promise<ImportRecord> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: importKeys.item(importId) }),
  );
  if (!Item) throw new NotFoundError(`No import ${importId}`);
  return fromItem(Item);
}

export async function recordPlannedChunks(importId: string, chunksTotal: number): Promise<void> {
  await documents.send(
    new UpdateCommand({
      TableName: mainTable(),
      Key: importKeys.item(importId),
      UpdateExpression: 'SET chunksTotal = :total',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':total': chunksTotal },
    }),
  );
}

export async function recordChunkDone(importId: string, chunkIndex: number): Promise<void> {
  await documents.send(
    new UpdateCommand({
      TableName: mainTable(),
      Key: importKeys.item(importId),
      UpdateExpression: 'ADD doneChunks :chunk',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':chunk': new Set([chunkIndex]) },
    }),
  );
}

export async function listImportRecords(limit = 100): Promise<ImportRecord[]> {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: mainTable(),
      IndexName: MAIN_TABLE_INDEXES.byKind,
      KeyConditionExpression: 'gsi1pk = :kind',
      ExpressionAttributeValues: { ':kind': importKeys.kind },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return Items.map(fromItem);
}

/** Moves an import from AWAITING_UPLOAD to QUEUED; false when it has already moved on. */
export async function markImportQueued(importId: string): Promise<boolean> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: importKeys.item(importId),
        UpdateExpression: 'SET #status = :queued',
        ConditionExpression: 'attribute_exists(pk) AND #status = :awaiting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':queued': 'QUEUED', ':awaiting': 'AWAITING_UPLOAD' },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export async function recordImportCompletion(
  importId: string,
  counts: ImportCounts,
  outcomeCounts: ImportRecord['outcomeCounts'],
  errorReportKey: string | undefined,
  completedAt: string,
): Promise<void> {
  const optional = {
    ...(outcomeCounts ? { outcomeCounts } : {}),
    ...(errorReportKey ? { errorReportKey } : {}),
  };
  await documents.send(
    new UpdateCommand({
      TableName: mainTable(),
      Key: importKeys.item(importId),
      UpdateExpression: [
        'SET #status = :completed, #counts = :counts, completedAt = :completedAt',
        ...Object.keys(optional).map((name) => `${name} = :${name}`),
      ].join(', '),
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status', '#counts': 'counts' },
      ExpressionAttributeValues: {
        ':completed': 'COMPLETED',
        ':counts': counts,
        ':completedAt': completedAt,
        ...Object.fromEntries(Object.entries(optional).map(([name, value]) => [`:${name}`, value])),
      },
    }),
  );
}

/** Why a file was refused as a whole (a bad header, an empty or binary file), for the person importing it. */
export async function recordImportProblem(importId: string, message: string, issues: readonly FieldIssue[]) {
  await documents.send(
    new UpdateCommand({
      TableName: mainTable(),
      Key: importKeys.item(importId),
      UpdateExpression: 'SET problem = :problem',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':problem': { message, issues } },
    }),
  );
}

/** The ids of imports registered before the cutoff whose file never arrived. */
export async function importsAwaitingUploadSince(cutoff: string): Promise<string[]> {
  const stale = await queryAll({
    TableName: mainTable(),
    IndexName: MAIN_TABLE_INDEXES.byKind,
    KeyConditionExpression: 'gsi1pk = :kind AND gsi1sk < :cutoff',
    FilterExpression: '#status = :awaiting',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':kind': importKeys.kind, ':cutoff': cutoff, ':awaiting': AWAITING_UPLOAD },
  });
  return stale.map((item) => String(item.importId));
}

/** Expires an import still waiting for its upload; false when it had moved on meanwhile. */
export async function expireImport(importId: string, asOf: string): Promise<boolean> {
  try {
    await documents.send(
      new UpdateCommand({
        TableName: mainTable(),
        Key: importKeys.item(importId),
        UpdateExpression: 'SET #status = :expired, completedAt = :asOf',
        ConditionExpression: '#status = :awaiting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':expired': EXPIRED, ':awaiting': AWAITING_UPLOAD, ':asOf': asOf },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
