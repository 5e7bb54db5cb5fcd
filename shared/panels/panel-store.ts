/** Reviewers, panels and sittings in the main table, each under a deterministic key. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { keys, kinds } from '../data/keys.ts';
import { ENV, requireEnv } from '../environment.ts';
import type { Panel, Reviewer, Sitting } from './panel.ts';

const put = (item: Record<string, unknown>) =>
  documents.send(new PutCommand({ TableName: requireEnv(ENV.mainTable), Item: item }));

export const saveReviewer = (reviewer: Reviewer) =>
  put({ ...keys.reviewer(reviewer.reviewerId), ...kinds.reviewer(reviewer.name), ...reviewer });

export const savePanel = (panel: Panel) =>
  put({ ...keys.panel(panel.panelId), ...kinds.panel(panel.name), ...panel });

export const saveSitting = (sitting: Sitting) =>
  put({
    ...keys.sitting(sitting.sittingId),
    ...kinds.sitting(`${sitting.panelId}#${sitting.date}`),
    ...sitting,
  });
