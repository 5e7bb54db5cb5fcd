import { apiHandler } from '#shared/http/api-handler';
import { createSampleReport } from '#shared/reports/reports';

export const handler = apiHandler('createSampleReport', async ({ params, recordAccess }) => {
  const report = await createSampleReport(params.sampleId);
  recordAccess({
    action: 'combine',
    recordType: 'report',
    recordId: report.reportId,
    detail: { sampleId: params.sampleId },
  });
  return report;
});
