import { packVerificationFor } from '#shared/evidence/pack-access';
import { apiHandler } from '#shared/http/api-handler';

export const handler = apiHandler('verifyCasePack', async ({ params, query, principal, recordAccess }) => {
  const verification = await packVerificationFor(
    principal,
    { kind: 'case', id: params.caseId },
    query.version,
  );
  recordAccess({
    action: 'consult',
    recordType: 'evidence-pack',
    recordId: params.caseId,
    detail: { version: verification.version, ok: verification.ok },
  });
  return verification;
});
