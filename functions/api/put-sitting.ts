import { apiHandler } from '#shared/http/api-handler';
import { planSitting } from '#shared/panels/agenda';

export const handler = apiHandler('putSitting', async ({ params, body, principal, recordAccess }) => {
  const sitting = await planSitting(principal, params.sittingId, body);
  recordAccess({ action: 'alter', recordType: 'sitting', recordId: sitting.sittingId });
  return sitting;
});
