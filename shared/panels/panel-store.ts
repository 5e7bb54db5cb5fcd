/** Reviewers, panels and sittings in the main table, each under a deterministic key. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { keys, kinds, MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import { mainTable } from '../environment.ts';
import { NotFoundError } from '../errors.ts';
import {
  type Panel,
  PanelSchema,
  type Reviewer,
  ReviewerSchema,
  type Sitting,
  SittingSchema,
} from './panel.ts';

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
