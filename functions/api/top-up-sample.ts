import { apiHandler } from '#shared/http/api-handler';
import { requestTopUp } from '#shared/sampling/samples';

export const handler = apiHandler('topUpSample', async ({ params, body, principal, recordAccess }) => {
  const topUp = await requestTopUp(params.sampleId, body, principal);
  recordAccess({
    action: 'collect',
    recordType: 'sample',
    recordId: topUp.sampleId,
    detail: { topUpOf: params.sampleId },
  });
  return topUp;
});
