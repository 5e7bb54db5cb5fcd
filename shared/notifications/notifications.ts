/**
 * Notifications: records the UI shows (assigned, reassigned, overdue, nomination received, a case
 * nobody can take, a nominated case's progress, a victim's withdrawn consent), each also published as an EventBridge event for whatever the force wires to
 * it (e-mail, Teams). They carry ids and dates only, never case content. Each has a deterministic
 * id, so a retried step notifies once.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { documents, eventBridge } from '../aws-clients.ts';
import { MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { ENV, mainTable, requireEnv } from '../environment.ts';
import { deterministicId } from '../ids.ts';

export const NOTIFICATION_KINDS = [
  'assigned',
  'reassigned',
  'assignment-withdrawn',
  'overdue',
  'assignment-overdue',
  'deadline-changed',
  'question-set-changed',
  'nomination-received',
  'case-unassignable',
  'moderation-needed',
  'case-concluded',
  'case-carried-over',
  'recommendation-overdue',
  // To a nominator, as their nominated case moves on; to the chairs, what a nominator changed.
  'nomination-on-agenda',
  'nomination-in-review',
  'nomination-off-agenda',
  'nomination-carried-over',
  'nomination-concluded',
  'nomination-withdrawn',
  'consent-withdrawn',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Chairs are told as a role of a panel, or all together for what no panel owns yet. */
export const chairsOf = (panelId: string) => `chair#${panelId}`;
export const ALL_CHAIRS = 'chair#all';

/** A notification's item, listed per recipient (a subject, or `chair#<panelId>`), newest first. */
const notificationKeys = {
  item: (notificationId: string) => ({ pk: `NOTIFICATION#${notificationId}`, sk: 'NOTIFICATION' }),
  recipient: (recipient: string) => `NOTIFICATIONS#${recipient}`,
  listed: (recipient: string, at: string) => ({ gsi1pk: notificationKeys.recipient(recipient), gsi1sk: at }),
};

export const NotificationSchema = z.object({
  notificationId: z.string(),
  recipient: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  at: z.iso.datetime(),
  caseId: z.string().optional(),
  sittingId: z.string().optional(),
  dueDate: z.string().optional(),
  reviewerId: z.string().optional(),
  nominationId: z.string().optional(),
  recommendationId: z.string().optional(),
});
export type Notification = z.infer<typeof NotificationSchema>;

export const EVENT_SOURCE = 'scrutineer';

export async function notify(
  recipient: string,
  kind: NotificationKind,
  about: Omit<Notification, 'notificationId' | 'recipient' | 'kind' | 'at'>,
  at: string,
): Promise<void> {
  const notification = NotificationSchema.parse({
    notificationId: deterministicId('ntf', recipient, kind, JSON.stringify(about)),
    recipient,
    kind,
    at,
    ...about,
  });
  try {
    await documents.send(
      new PutCommand({
        TableName: mainTable(),
        Item: {
          ...notificationKeys.item(notification.notificationId),
          ...notificationKeys.listed(recipient, at),
          ...notification,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    // Recorded already: published again, in case the first publish failed after the record was
    // written. Whatever consumes the events deduplicates on notificationId.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  await eventBridge.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: requireEnv(ENV.eventBus),
          Source: EVENT_SOURCE,
          DetailType: `notification.${kind}`,
          Detail: JSON.stringify(notification),
        },
      ],
    }),
  );
}

/** The caller's notifications, and those for the panels they chair, newest first. */
export async function notificationsFor(recipients: readonly string[]): Promise<Notification[]> {
  const all = await Promise.all(
    recipients.map(async (recipient) => {
      const { Items = [] } = await documents.send(
        new QueryCommand({
          TableName: mainTable(),
          IndexName: MAIN_TABLE_INDEXES.byKind,
          KeyConditionExpression: 'gsi1pk = :recipient',
          ExpressionAttributeValues: { ':recipient': notificationKeys.recipient(recipient) },
          ScanIndexForward: false,
          Limit: 100,
        }),
      );
      return Items.map((item) => NotificationSchema.parse(item));
    }),
  );
  return all.flat().sort((a, b) => (a.at < b.at ? 1 : -1));
}
