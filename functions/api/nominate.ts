import { apiHandler } from '#shared/http/api-handler';
import { getOwnNomination, nominate } from '#shared/nominations/nominations';

export const handler = apiHandler('nominate', async ({ body, principal, recordAccess }) => {
  const { nomination } = await nominate(body, principal);
  recordAccess({ action: 'collect', recordType: 'nomination', recordId: nomination.nominationId });
  return (await getOwnNomination(principal, nomination.nominationId)).view;
});
