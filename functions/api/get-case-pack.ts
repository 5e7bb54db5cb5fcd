import { packFor } from '#shared/evidence/pack-access';
import { apiHandler } from '#shared/http/api-handler';

export const handler = apiHandler('getCasePack', async ({ params, query, principal, recordAccess }) => {
  const pack = await packFor(principal, { kind: 'case', id: params.caseId }, query.version);
  recordAccess({
    action: 'disclose',
    recordType: 'evidence-pack',
    recordId: params.caseId,
    detail: { version: pack.version },
  });
  return pack;
});
