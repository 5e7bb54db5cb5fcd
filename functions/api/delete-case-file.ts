import { apiHandler } from '#shared/http/api-handler';
import { removeCaseFile } from '#shared/review/case-files';

export const handler = apiHandler('deleteCaseFile', async ({ params, principal, recordAccess }) => {
  const erased = await removeCaseFile(params.caseId, params.fileName, principal.subject);
  recordAccess({
    action: 'erase',
    recordType: 'case',
    recordId: params.caseId,
    detail: { caseFile: true, fileSha256: erased.fileSha256 },
  });
  return erased;
});
