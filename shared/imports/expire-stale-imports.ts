/**
 * Registered imports whose file never arrived are expired after a day, so the list of imports
 * shows what is really pending. Safe to run any number of times: each expiry is a conditional
 * update that only moves an import still waiting for its upload.
 */
import { z } from 'zod';
import { appendAuditEvents, auditEvent } from '../audit/audit-log.ts';
import { expireImport, importsAwaitingUploadSince } from './import-store.ts';

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
  const asOf = new Date(input.asOf);
  const cutoff = new Date(asOf.getTime() - UPLOAD_WINDOW_HOURS * 3_600_000).toISOString();
  const expired: string[] = [];
  for (const importId of await importsAwaitingUploadSince(cutoff)) {
    if (await expireImport(importId, asOf.toISOString())) expired.push(importId);
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
