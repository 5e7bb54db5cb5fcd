import { apiHandler } from '#shared/http/api-handler';
import { startImport } from '#shared/imports/imports';

export const handler = apiHandler('startImport', async ({ params, principal, recordAccess }) => {
  const started = await startImport(principal, params.importId);
  recordAccess({
    action: 'alter',
    recordType: 'import',
    recordId: started.importId,
    detail: { status: started.status },
  });
  return started;
});
