import { auditEventsByActor } from '#shared/audit/audit-log';
import { apiHandler } from '#shared/http/api-handler';

export const handler = apiHandler('getAuditTrailOfActor', async ({ params, recordAccess }) => {
  const items = await auditEventsByActor(params.subject);
  recordAccess({ action: 'consult', recordType: 'audit-trail', recordId: `actor/${params.subject}` });
  return { items };
});
