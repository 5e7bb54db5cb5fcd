import { apiHandler } from '#shared/http/api-handler';
import { requestSample } from '#shared/sampling/samples';

export const handler = apiHandler('createSample', async ({ body, principal, recordAccess }) => {
  const { sample } = await requestSample(body, principal);
  recordAccess({ action: 'collect', recordType: 'sample', recordId: sample.sampleId });
  return sample;
});
