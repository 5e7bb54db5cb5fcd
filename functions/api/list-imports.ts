import { apiHandler } from '#shared/http/api-handler';
import { listImportsFor } from '#shared/imports/imports';

export const handler = apiHandler('listImports', async ({ principal, recordAccess }) => {
  const items = await listImportsFor(principal);
  for (const item of items)
    recordAccess({ action: 'consult', recordType: 'import', recordId: item.importId });
  return { items };
});
