import { apiHandler } from '#shared/http/api-handler';
import { sittingFor } from '#shared/panels/agenda';

export const handler = apiHandler('getSitting', async ({ params, principal, recordAccess }) => {
  const sitting = await sittingFor(principal, params.sittingId);
  recordAccess({ action: 'consult', recordType: 'sitting', recordId: sitting.sittingId });
  return sitting;
});
