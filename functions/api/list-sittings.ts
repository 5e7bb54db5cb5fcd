import { apiHandler } from '#shared/http/api-handler';
import { sittingsFor } from '#shared/panels/agenda';

export const handler = apiHandler('listSittings', async ({ principal, recordAccess }) => {
  const items = await sittingsFor(principal);
  for (const item of items)
    recordAccess({ action: 'consult', recordType: 'sitting', recordId: item.sittingId });
  return { items };
});
