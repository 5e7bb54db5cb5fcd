/**
 * Reviewers, panels and sittings in the main table, each under a deterministic key, and the
 * closure of a sitting: `SITTING#<id>` / `CLOSURE`, written in the transaction that closes it, so
 * a sitting is closed exactly once and the record says by which request.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { documents } from '../aws-clients.ts';
import { keys, kinds, MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import type { LabelledItem } from '../data/transactions.ts';
import { mainTable } from '../environment.ts';
import { NotFoundError } from '../errors.ts';
import {
  type Panel,
  PanelSchema,
  type Reviewer,
  ReviewerSchema,
  type Sitting,
  SittingSchema,
  type SittingStatus,
} from './panel.ts';

const CLOSED: SittingStatus = 'CLOSED';

const put = (item: Record<string, unknown>) =>
  documents.send(new PutCommand({ TableName: mainTable(), Item: item }));

/** Validated on the way in as well as out: a record that could not be read back is never stored. */
export const saveReviewer = (reviewer: Reviewer) =>
  put({
    ...keys.reviewer(reviewer.reviewerId),
    ...kinds.reviewer(reviewer.name),
    ...ReviewerSchema.parse(reviewer),
  });

export const savePanel = (panel: Panel) =>
  put({ ...keys.panel(panel.panelId), ...kinds.panel(panel.name), ...panel });

export const saveSitting = (sitting: Sitting) =>
  put({
    ...keys.sitting(sitting.sittingId),
    ...kinds.sitting(`${sitting.panelId}#${sitting.date}`),
    ...sitting,
  });

export async function getSitting(sittingId: string): Promise<Sitting> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: keys.sitting(sittingId) }),
  );
  if (!Item) throw new NotFoundError(`No sitting ${sittingId}`);
  return SittingSchema.parse(Item);
}

export async function getPanel(panelId: string): Promise<Panel> {
  const { Item } = await documents.send(new GetCommand({ TableName: mainTable(), Key: keys.panel(panelId) }));
  if (!Item) throw new NotFoundError(`No panel ${panelId}`);
  return PanelSchema.parse(Item);
}

async function listKind<T>(kind: string, schema: { parse(value: unknown): T }): Promise<T[]> {
  const items = await queryAll({
    TableName: mainTable(),
    IndexName: MAIN_TABLE_INDEXES.byKind,
    KeyConditionExpression: 'gsi1pk = :kind',
    ExpressionAttributeValues: { ':kind': kind },
  });
  return items.map((item) => schema.parse(item));
}

export const listReviewers = () => listKind('REVIEWER', ReviewerSchema);
export const listSittings = () => listKind('SITTING', SittingSchema);
export const listPanels = () => listKind('PANEL', PanelSchema);

/** A check, in a transaction, that the sitting is not closed: nothing is assigned in a closed sitting. */
export function sittingNotClosed(sittingId: string): LabelledItem {
  return {
    label: 'sitting',
    item: {
      ConditionCheck: {
        TableName: mainTable(),
        Key: keys.sitting(sittingId),
        ConditionExpression: '#status <> :closed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':closed': CLOSED },
      },
    },
  };
}

export const SittingClosureSchema = z.object({
  sittingId: z.string(),
  at: z.iso.datetime(),
  by: z.string(),
  requestId: z.string(),
  /** Set once everything that follows the closure (carry-overs, the final report) is done. */
  finishedAt: z.iso.datetime().optional(),
  reportId: z.string().optional(),
  packVersion: z.number().int().optional(),
});
export type SittingClosure = z.infer<typeof SittingClosureSchema>;

const closureKey = (sittingId: string) => ({ pk: keys.sitting(sittingId).pk, sk: 'CLOSURE' });

export async function getClosure(sittingId: string): Promise<SittingClosure | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: closureKey(sittingId), ConsistentRead: true }),
  );
  return Item ? SittingClosureSchema.parse(Item) : undefined;
}

/**
 * The sitting marked closed and its closure recorded: refused (label `closure`, with the stored
 * closure) when it was closed already, so of any number of requests exactly one closes it.
 */
export function closeSittingItems(closure: SittingClosure): LabelledItem<'sitting' | 'closure'>[] {
  return [
    {
      label: 'sitting',
      item: {
        Update: {
          TableName: mainTable(),
          Key: keys.sitting(closure.sittingId),
          UpdateExpression: 'SET #status = :closed, closedAt = :at, closedBy = :by',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':closed': CLOSED, ':at': closure.at, ':by': closure.by },
        },
      },
    },
    {
      label: 'closure',
      item: {
        Put: {
          TableName: mainTable(),
          Item: { ...closureKey(closure.sittingId), ...SittingClosureSchema.parse(closure) },
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    },
  ];
}

/** Records that everything following the closure is done, and which report it froze. */
export async function finishClosure(
  sittingId: string,
  finished: { at: string; reportId: string; packVersion: number },
): Promise<void> {
  await documents.send(
    new UpdateCommand({
      TableName: mainTable(),
      Key: closureKey(sittingId),
      UpdateExpression:
        'SET finishedAt = if_not_exists(finishedAt, :at), reportId = if_not_exists(reportId, :report), packVersion = if_not_exists(packVersion, :version)',
      ExpressionAttributeValues: {
        ':at': finished.at,
        ':report': finished.reportId,
        ':version': finished.packVersion,
      },
    }),
  );
}
