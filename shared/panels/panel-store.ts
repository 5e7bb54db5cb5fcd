/**
 * Reviewers, panels and sittings in the main table, each under a deterministic key, and the
 * closure of a sitting: `SITTING#<id>` / `CLOSURE`, written in the transaction that closes it, so
 * a sitting is closed exactly once and the record says by which request.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { documents } from '../aws-clients.ts';
import { MAIN_TABLE_INDEXES } from '../data/keys.ts';
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

/** Reviewers and panels listed by name; sittings by panel and date. */
export const panelKeys = {
  reviewer: (reviewerId: string) => ({ pk: `REVIEWER#${reviewerId}`, sk: 'REVIEWER' }),
  panel: (panelId: string) => ({ pk: `PANEL#${panelId}`, sk: 'PANEL' }),
  sitting: (sittingId: string) => ({ pk: `SITTING#${sittingId}`, sk: 'SITTING' }),
  kinds: { reviewer: 'REVIEWER', panel: 'PANEL', sitting: 'SITTING' },
  listed: (kind: 'reviewer' | 'panel' | 'sitting', order: string) => ({
    gsi1pk: panelKeys.kinds[kind],
    gsi1sk: order,
  }),
};

const put = (item: Record<string, unknown>) =>
  documents.send(new PutCommand({ TableName: mainTable(), Item: item }));

/** Validated on the way in as well as out: a record that could not be read back is never stored. */
export const saveReviewer = (reviewer: Reviewer) =>
  put({
    ...panelKeys.reviewer(reviewer.reviewerId),
    ...panelKeys.listed('reviewer', reviewer.name),
    ...ReviewerSchema.parse(reviewer),
  });

export const savePanel = (panel: Panel) =>
  put({ ...panelKeys.panel(panel.panelId), ...panelKeys.listed('panel', panel.name), ...panel });

export const saveSitting = (sitting: Sitting) =>
  put({
    ...panelKeys.sitting(sitting.sittingId),
    ...panelKeys.listed('sitting', `${sitting.panelId}#${sitting.date}`),
    ...sitting,
  });

export async function getSitting(sittingId: string): Promise<Sitting> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: panelKeys.sitting(sittingId) }),
  );
  if (!Item) throw new NotFoundError(`No sitting ${sittingId}`);
  return SittingSchema.parse(Item);
}

export async function getPanel(panelId: string): Promise<Panel> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: mainTable(), Key: panelKeys.panel(panelId) }),
  );
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

export const listReviewers = () => listKind(panelKeys.kinds.reviewer, ReviewerSchema);
export const listSittings = () => listKind(panelKeys.kinds.sitting, SittingSchema);
export const listPanels = () => listKind(panelKeys.kinds.panel, PanelSchema);

/** A check, in a transaction, that the sitting is not closed: nothing is assigned in a closed sitting. */
export function sittingNotClosed(sittingId: string): LabelledItem {
  return {
    label: 'sitting',
    item: {
      ConditionCheck: {
        TableName: mainTable(),
        Key: panelKeys.sitting(sittingId),
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

const closureKey = (sittingId: string) => ({ pk: panelKeys.sitting(sittingId).pk, sk: 'CLOSURE' });

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
          Key: panelKeys.sitting(closure.sittingId),
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
