import { apiHandler } from '#shared/http/api-handler';
import { removeCaseFile } from '#shared/review/case-files';

export const handler = apiHandler('deleteCaseFile', async ({ params, recordAccess }) => {
  const removed = await removeCaseFile(params.caseId, params.fileName);
  recordAccess({
    action: 'alter',
    recordType: 'case',
    recordId: params.caseId,
    detail: { caseFile: true, removed: true },
  });
  return removed;
});
