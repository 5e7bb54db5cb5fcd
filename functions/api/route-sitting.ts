import { apiHandler } from '#shared/http/api-handler';
import { startRouting } from '#shared/panels/agenda';

export const handler = apiHandler('routeSitting', async ({ params, principal, requestId, recordAccess }) => {
  const started = await startRouting(principal, params.sittingId, requestId);
  recordAccess({
    action: 'alter',
    recordType: 'sitting',
    recordId: params.sittingId,
    detail: { routing: started.execution },
  });
  return started;
});
