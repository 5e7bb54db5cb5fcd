import { writeCasePack } from '#shared/evidence/case-evidence';
import { apiHandler } from '#shared/http/api-handler';

export const handler = apiHandler('correctCasePack', async ({ params, body, recordAccess }) => {
  const pack = await writeCasePack(params.caseId, { reason: body.reason });
  recordAccess({
    action: 'alter',
    recordType: 'evidence-pack',
    recordId: params.caseId,
    detail: { version: pack.version },
  });
  return { version: pack.version, manifestSha256: pack.manifestSha256 };
});
