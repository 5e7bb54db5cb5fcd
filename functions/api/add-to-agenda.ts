import { apiHandler } from '#shared/http/api-handler';
import { addToAgenda } from '#shared/panels/agenda';

export const handler = apiHandler('addToAgenda', async ({ params, body, principal, recordAccess }) => {
  const change = await addToAgenda(principal, params.sittingId, body.caseIds);
  recordAccess({
    action: 'alter',
    recordType: 'sitting',
    recordId: params.sittingId,
    detail: { added: change.added.length },
  });
  return change;
});
