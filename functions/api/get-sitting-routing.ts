import { apiHandler } from '#shared/http/api-handler';
import { routingOfSitting } from '#shared/panels/agenda';

export const handler = apiHandler('getSittingRouting', async ({ params, principal, recordAccess }) => {
  const view = await routingOfSitting(principal, params.sittingId);
  recordAccess({
    action: 'consult',
    recordType: 'sitting',
    recordId: params.sittingId,
    detail: { what: 'routing' },
  });
  return view;
});
