import { apiHandler } from '#shared/http/api-handler';
import { updateNomination } from '#shared/nominations/nomination-changes';
import { getOwnNomination } from '#shared/nominations/nominations';

export const handler = apiHandler('updateNomination', async ({ params, body, principal, recordAccess }) => {
  const { nomination, changed } = await updateNomination(principal, params.nominationId, body);
  recordAccess({
    action: 'alter',
    recordType: 'nomination',
    recordId: nomination.nominationId,
    detail: { version: nomination.version ?? 1, changed: changed.join(',') },
  });
  return (await getOwnNomination(principal, nomination.nominationId)).view;
});
