import { apiHandler } from '#shared/http/api-handler';
import { createImport } from '#shared/imports/imports';

export const handler = apiHandler('createImport', async ({ body, principal, recordAccess }) => {
  const created = await createImport(body, principal);
  recordAccess({ action: 'collect', recordType: 'import', recordId: created.importId });
  return created;
});
