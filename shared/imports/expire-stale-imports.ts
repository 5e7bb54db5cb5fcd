/**
 * Registered imports whose file never arrived are expired after a day, so the list of imports
 * shows what is really pending. Safe to run any number of times: each expiry is a conditional
 * update that only moves an import still waiting for its upload.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { appendAuditEvents, auditEvent } from '../audit/audit-log.ts';
import { documents } from '../aws-clients.ts';
import { keys, MAIN_TABLE_INDEXES } from '../data/keys.ts';
import { queryAll } from '../data/query-all.ts';
import { ENV, requireEnv } from '../environment.ts';

export const UPLOAD_WINDOW_HOURS = 24;
const SWEEP_ACTOR = { subject: 'system:sweep', roles: [] };

export const ExpireStaleImportsInputSchema = z.object({
  /** The sweep's reference time (its execution's start). */
  asOf: z.iso.datetime(),
  executionId: z.string(),
});

export async function expireStaleImports(
  input: z.infer<typeof ExpireStaleImportsInputSchema>,
): Promise<{ expired: string[] }> {
  const table = requireEnv(ENV.mainTable);
  const asOf = new Date(input.asOf);
  const cutoff = new Date(asOf.getTime() - UPLOAD_WINDOW_HOURS * 3_600_000).toISOString();
  const expired: string[] = [];
  const stale = await queryAll({
    TableName: table,
    IndexName: MAIN_TABLE_INDEXES.byKind,
    KeyConditionExpression: 'gsi1pk = :kind AND gsi1sk < :cutoff',
    FilterExpression: '#status = :awaiting',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':kind': 'IMPORT', ':cutoff': cutoff, ':awaiting': 'AWAITING_UPLOAD' },
  });
  for (const item of stale) {
    const importId = String(item.importId);
    try {
      await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: keys.import(importId),
          UpdateExpression: 'SET #status = :expired, completedAt = :asOf',
          ConditionExpression: '#status = :awaiting',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':expired': 'EXPIRED',
            ':awaiting': 'AWAITING_UPLOAD',
            ':asOf': asOf.toISOString(),
          },
        }),
      );
      expired.push(importId);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  await appendAuditEvents(
    expired.map((importId) =>
      auditEvent(
        SWEEP_ACTOR,
        { action: 'alter', recordType: 'import', recordId: importId, detail: { status: 'EXPIRED' } },
        input.executionId,
        'sweep/ExpireStaleImports',
      ),
    ),
  );
  return { expired };
}
