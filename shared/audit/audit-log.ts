/** Appending to and reading the audit log. There is deliberately no update or delete here. */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documents } from '../aws-clients.ts';
import { ENV, requireEnv } from '../environment.ts';
import {
  AUDIT_TABLE_INDEXES,
  type AuditEvent,
  AuditEventSchema,
  actorPartition,
  auditKeys,
  type RecordAccess,
  recordPartition,
} from './audit-event.ts';

export interface Actor {
  readonly subject: string;
  readonly roles: readonly string[];
}

/**
 * An audit event. `eventId` is random unless given: a workflow step that may run again passes one
 * derived from the change it records, so every run appends the same event, which is kept once.
 */
export function auditEvent(
  actor: Actor,
  access: RecordAccess,
  requestId: string,
  via: string,
  at = new Date(),
  eventId: string = randomUUID(),
): AuditEvent {
  return {
    eventId,
    at: at.toISOString(),
    actor: actor.subject,
    actorRoles: [...actor.roles],
    action: access.action,
    recordType: access.recordType,
    recordId: access.recordId,
    requestId,
    via,
    ...(access.detail ? { detail: access.detail } : {}),
  };
}

/** Appends events; an event already there (the same id and time, from a re-run) is kept as it was. */
export async function appendAuditEvents(events: readonly AuditEvent[]): Promise<void> {
  const table = requireEnv(ENV.auditTable);
  await Promise.all(
    events.map((event) =>
      documents
        .send(
          new PutCommand({
            TableName: table,
            Item: { ...auditKeys(event), ...event },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        )
        .catch((error) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        }),
    ),
  );
}

const PAGE_SIZE = 200;

async function queryEvents(input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>) {
  const { Items = [] } = await documents.send(
    new QueryCommand({
      TableName: requireEnv(ENV.auditTable),
      ScanIndexForward: false,
      Limit: PAGE_SIZE,
      ...input,
    }),
  );
  return Items.map((item) => AuditEventSchema.parse(item));
}

/** The newest events about one record. */
export const auditEventsForRecord = (recordType: string, recordId: string) =>
  queryEvents({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': recordPartition(recordType, recordId) },
  });

/** The newest events by one person. */
export const auditEventsByActor = (subject: string) =>
  queryEvents({
    IndexName: AUDIT_TABLE_INDEXES.byActor,
    KeyConditionExpression: 'actorKey = :actor',
    ExpressionAttributeValues: { ':actor': actorPartition(subject) },
  });
