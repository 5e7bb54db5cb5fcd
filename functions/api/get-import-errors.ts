import { apiHandler } from '#shared/http/api-handler';
import { errorReportLinkFor } from '#shared/imports/imports';

export const handler = apiHandler('getImportErrors', async ({ params, principal, recordAccess }) => {
  const link = await errorReportLinkFor(principal, params.importId);
  recordAccess({
    action: 'disclose',
    recordType: 'import',
    recordId: params.importId,
    detail: { what: 'error report' },
  });
  return link;
});
