import { apiHandler } from '#shared/http/api-handler';
import { sampleView } from '#shared/sampling/samples';

export const handler = apiHandler('getSample', async ({ params, recordAccess }) => {
  const sample = await sampleView(params.sampleId);
  recordAccess({ action: 'consult', recordType: 'sample', recordId: sample.sampleId });
  return sample;
});
