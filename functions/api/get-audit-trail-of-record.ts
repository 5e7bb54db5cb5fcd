import { auditEventsForRecord } from '#shared/audit/audit-log';
import { apiHandler } from '#shared/http/api-handler';

export const handler = apiHandler('getAuditTrailOfRecord', async ({ params, recordAccess }) => {
  const items = await auditEventsForRecord(params.recordType, params.recordId);
  recordAccess({
    action: 'consult',
    recordType: 'audit-trail',
    recordId: `${params.recordType}/${params.recordId}`,
  });
  return { items };
});
