import { apiHandler } from '#shared/http/api-handler';
import { listOwnNominations } from '#shared/nominations/nominations';

export const handler = apiHandler('listNominations', async ({ principal, recordAccess }) => {
  const items = await listOwnNominations(principal);
  for (const item of items)
    recordAccess({ action: 'consult', recordType: 'nomination', recordId: item.nominationId });
  return { items };
});
