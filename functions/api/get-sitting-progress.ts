import { apiHandler } from '#shared/http/api-handler';
import { progressOfSitting } from '#shared/review/sitting-progress';

export const handler = apiHandler('getSittingProgress', async ({ params, principal, recordAccess }) => {
  const progress = await progressOfSitting(principal, params.sittingId);
  recordAccess({
    action: 'consult',
    recordType: 'sitting',
    recordId: params.sittingId,
    detail: { what: 'progress', cases: progress.cases.length },
  });
  return progress;
});
