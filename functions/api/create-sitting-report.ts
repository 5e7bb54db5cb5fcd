import { apiHandler } from '#shared/http/api-handler';
import { createSittingReport } from '#shared/reports/reports';

export const handler = apiHandler('createSittingReport', async ({ params, principal, recordAccess }) => {
  const report = await createSittingReport(principal, params.sittingId);
  recordAccess({
    action: 'combine',
    recordType: 'report',
    recordId: report.reportId,
    detail: { sittingId: params.sittingId, packVersion: report.pack.version },
  });
  return report;
});
