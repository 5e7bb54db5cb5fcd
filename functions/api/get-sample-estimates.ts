import { apiHandler } from '#shared/http/api-handler';
import { sampleEstimates } from '#shared/sampling/estimates';

export const handler = apiHandler('getSampleEstimates', async ({ params, recordAccess }) => {
  const estimates = await sampleEstimates(params.sampleId);
  recordAccess({
    action: 'consult',
    recordType: 'sample',
    recordId: params.sampleId,
    detail: { what: 'estimates' },
  });
  return estimates;
});
