import { apiHandler } from '#shared/http/api-handler';
import { getImportFor } from '#shared/imports/imports';

export const handler = apiHandler('getImport', async ({ params, principal, recordAccess }) => {
  const record = await getImportFor(principal, params.importId);
  recordAccess({ action: 'consult', recordType: 'import', recordId: record.importId });
  return record;
});
