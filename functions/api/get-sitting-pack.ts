import { packFor } from '#shared/evidence/pack-access';
import { apiHandler } from '#shared/http/api-handler';

export const handler = apiHandler('getSittingPack', async ({ params, query, principal, recordAccess }) => {
  const pack = await packFor(principal, { kind: 'sitting', id: params.sittingId }, query.version);
  recordAccess({
    action: 'disclose',
    recordType: 'evidence-pack',
    recordId: params.sittingId,
    detail: { version: pack.version },
  });
  return pack;
});
