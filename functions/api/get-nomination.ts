import { apiHandler } from '#shared/http/api-handler';
import { getOwnNomination } from '#shared/nominations/nominations';

export const handler = apiHandler('getNomination', async ({ params, principal, recordAccess }) => {
  const { view } = await getOwnNomination(principal, params.nominationId);
  recordAccess({ action: 'consult', recordType: 'nomination', recordId: view.nominationId });
  return view;
});
