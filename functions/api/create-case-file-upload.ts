import { apiHandler } from '#shared/http/api-handler';
import { caseFileUpload } from '#shared/review/case-files';

export const handler = apiHandler('createCaseFileUpload', async ({ params, body, recordAccess }) => {
  const upload = await caseFileUpload(params.caseId, body.fileName, body.contentType);
  recordAccess({
    action: 'collect',
    recordType: 'case',
    recordId: params.caseId,
    detail: { caseFile: true },
  });
  return upload;
});
